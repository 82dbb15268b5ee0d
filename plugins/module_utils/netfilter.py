# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""iptables logic for the masquerade module.

Ownership is by chain: the module keeps its rules in two chains of its own (``EUCLOUD-MASQ`` in
``nat``, ``EUCLOUD-FWD`` in ``filter``), each jumped to from POSTROUTING / FORWARD by exactly one
unconditional rule. Other rules of the builtin chains are never touched. Never use an ``EUCA_`` or
``EU_`` prefix: eucanetd flushes those chains.

State is read once with one ``iptables-save`` and changed with as few ``iptables-restore --noflush``
as the safe order allows (see :func:`restore_calls`): one in the usual cases, two when the filter
table needs both removals and additions while the nat table changes too. Each table is committed
atomically at its ``COMMIT``. Works with iptables-nft and iptables-legacy.

The order of the commits (filter removals, then nat, then filter additions) makes every state a
failure can leave safe: see :func:`restore_calls`.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.eucalyptus.cloud.plugins.module_utils import ipaddrs
from ansible_collections.eucalyptus.cloud.plugins.module_utils._common import (
    RETURN_LIMIT, PlanError, bound_lists, check_ifname, require_netaddr, string_types)

DEFAULT_MASQ_CHAIN = 'EUCLOUD-MASQ'
DEFAULT_FWD_CHAIN = 'EUCLOUD-FWD'
FORBIDDEN_PREFIXES = ('EUCA_', 'EU_')
BUILTIN_CHAINS = frozenset(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'])

# Above this many deletions the chain is rewritten (declared, hence flushed, and refilled) in the
# same transaction instead of deleting rule by rule: -D by specification is a linear search.
REWRITE_THRESHOLD = 64

_CHAIN_RE = re.compile(r'^[A-Za-z0-9_.-]{1,28}$')
_VERSION_RE = re.compile(r'v(\d+)\.(\d+)\.(\d+)')


class Backend(object):
    def __init__(self, name, save, restore, version=(0, 0, 0)):
        self.name = name
        self.save = save
        self.restore = restore
        self.version = version

    def restore_args(self):
        args = [self.restore, '--noflush']
        # -w (wait for the xtables lock) exists in iptables-restore since 1.6.2; nft ignores it.
        if self.name == 'nft' or self.version >= (1, 6, 2):
            args.append('-w')
        return args


def parse_version(text):
    m = _VERSION_RE.search(text or '')
    return tuple(int(x) for x in m.groups()) if m else (0, 0, 0)


def detect_backend(module, wanted='auto'):
    """Pick the save/restore binaries for ``wanted`` (auto|nft|legacy)."""
    if wanted == 'auto':
        iptables = module.get_bin_path('iptables', required=True)
        rc, out, err = module.run_command([iptables, '-V'])
        text = (out or '') + (err or '')
        if rc != 0:
            raise PlanError('iptables -V failed: %s' % text.strip())
        version = parse_version(text)
        if '(nf_tables)' in text:
            wanted = 'nft'
        else:
            # "(legacy)", or an old iptables (< 1.8, e.g. EL7's 1.4.21) that is always legacy
            wanted = 'legacy'
        save = module.get_bin_path('iptables-%s-save' % wanted) or module.get_bin_path('iptables-save')
        restore = module.get_bin_path('iptables-%s-restore' % wanted) or module.get_bin_path('iptables-restore')
        if not save or not restore:
            raise PlanError('iptables-save/iptables-restore not found')
        return Backend(wanted, save, restore, version)
    save = module.get_bin_path('iptables-%s-save' % wanted)
    restore = module.get_bin_path('iptables-%s-restore' % wanted)
    main = module.get_bin_path('iptables-%s' % wanted)
    if wanted == 'legacy' and not save:
        # before 1.8 the only binaries are legacy ones, without a suffix
        plain = module.get_bin_path('iptables')
        if plain:
            rc, out, err = module.run_command([plain, '-V'])
            if rc == 0 and '(nf_tables)' not in out + err:
                main = plain
                save = module.get_bin_path('iptables-save')
                restore = module.get_bin_path('iptables-restore')
    if not save or not restore:
        raise PlanError('backend %s requested but iptables-%s-save/-restore are not installed' % (wanted, wanted))
    version = (0, 0, 0)
    if main:
        rc, out, err = module.run_command([main, '-V'])
        version = parse_version(out + err)
    return Backend(wanted, save, restore, version)


def parse_save(text, chains, owned=None):
    """Parse one table of ``iptables-save`` output.

    Returns (exists, user_chains, rules) where rules maps each chain in ``chains`` to its list of
    rule lines (``-A CHAIN ...`` exactly as saved). Rules of other chains are skipped unread, except
    that with ``owned`` (a chain name) the lines of other chains that jump (``-j``) or go (``-g``)
    to it are kept under the key ``None`` of rules: foreign references, which make its removal fail.
    """
    exists = False
    declared = set()
    rules = dict((c, []) for c in chains)
    prefixes = tuple('-A %s ' % c for c in chains)
    if owned is not None:
        rules[None] = []
        ref = ' %s' % owned
    for line in text.splitlines():
        if not line:
            continue
        first = line[0]
        if first == '-':
            if line.startswith(prefixes):
                chain = line[3:line.index(' ', 3)]
                rules[chain].append(line.rstrip())
            elif owned is not None and ref in line and references(line, owned):
                rules[None].append(line.rstrip())
        elif first == ':':
            declared.add(line[1:].split(' ', 1)[0])
        elif first == '*':
            exists = True
    return exists, declared, rules


def references(line, chain):
    """Whether a saved rule line jumps (``-j``) or goes (``-g``) to ``chain``."""
    words = line.split()
    for i in range(len(words) - 1):
        if words[i] in ('-j', '-g', '--jump', '--goto') and words[i + 1] == chain:
            return True
    return False


def rule_source(line, prefix=None):
    """The ``-s`` value of a saved rule line, or None.

    iptables-save always prints ``-s`` right after the chain and as ``a.b.c.d/n``: that fast path
    is taken when ``prefix`` (``'-A CHAIN -s '``) matches.
    """
    if prefix is not None and line.startswith(prefix):
        end = line.find(' ', len(prefix))
        return line[len(prefix):end if end > 0 else None]
    words = line.split()
    for i, w in enumerate(words):
        if w in ('-s', '--source') and i + 1 < len(words):
            return ipaddrs.canonical_cidr(words[i + 1]) or words[i + 1]
    return None


def check_chain_name(name, option):
    if not isinstance(name, string_types) or not _CHAIN_RE.match(name) or name.upper() in BUILTIN_CHAINS:
        raise PlanError('%s: %r is not a valid user chain name (1-28 of A-Z a-z 0-9 _ . -)' % (option, name))
    for prefix in FORBIDDEN_PREFIXES:
        if name.startswith(prefix):
            raise PlanError('%s: chain %r starts with %s, which eucanetd flushes; choose another name'
                            % (option, name, prefix))
    return name


def plan_chain(table, chain, parent, exists, rules, jumps, wanted_rules, sources, state, purge, foreign=()):
    """Plan one owned chain.

    ``rules``: current lines of ``chain``; ``jumps``: current lines of ``parent``;
    ``wanted_rules``: dict source -> the one rule line wanted for it (empty when nothing is wanted);
    ``sources``: the listed sources (for state=absent / replacement of stale rules);
    ``foreign``: lines of other chains that reference ``chain`` (None: do not check the references,
    for reading the state back).
    Returns dict(removals, additions, added, removed, before, mid, after): ``removals`` and
    ``additions`` are iptables-restore commands that only take rules away (or rewrite the chain to
    the kept ones) and that only add rules; ``mid`` is the chain after the removals alone.
    Raises PlanError when the chain is to be removed but a foreign rule references it.
    """
    jump = '-A %s -j %s' % (parent, chain)
    counts = {}
    for line in rules:
        counts[line] = counts.get(line, 0) + 1
    listed = set(sources)
    dels = []
    keep = []
    removed_src = set()
    prefix = '-A %s -s ' % chain
    for line in rules:
        src = rule_source(line, prefix)
        wanted_line = wanted_rules.get(src) if src is not None else None
        if state == 'present' and wanted_line == line:
            if counts[line] > 1:
                counts[line] -= 1        # duplicate: keep one, drop the others
                dels.append(line)
            else:
                keep.append(line)
            continue
        if purge or src in listed:
            dels.append(line)
            if src is not None:
                removed_src.add(src)
        else:
            keep.append(line)
    have = set(rules)
    adds = []
    added_src = []
    if state == 'present':
        for src in sources:
            line = wanted_rules.get(src)
            if line is not None and line not in have:
                adds.append(line)
                added_src.append(src)
    final = keep + adds
    removed_src.difference_update(wanted_rules)

    removals = []
    additions = []
    n_jumps = sum(1 for j in jumps if j == jump)
    if final:
        if dels and len(dels) > REWRITE_THRESHOLD and exists:
            removals.append(':%s - [0:0]' % chain)       # flushes the chain inside the transaction
            removals.extend(keep)
        else:
            removals.extend('-D' + line[2:] for line in dels)
        for _i in range(n_jumps - 1):
            removals.append('-D %s -j %s' % (parent, chain))
        if not exists:
            additions.append(':%s - [0:0]' % chain)
        additions.extend(adds)
        if n_jumps == 0:
            additions.append('-I %s 1 -j %s' % (parent, chain))
        mid_jumps = min(n_jumps, 1)
        final_jumps = 1
    else:
        if exists and foreign is not None:
            # '-X' of a chain that any other rule still references fails in the kernel: say so now,
            # before anything changes, instead of failing half-way through the commits
            refs = [j for j in jumps if j != jump and references(j, chain)] + list(foreign)
            if refs:
                raise PlanError(
                    'the %s chain %s is to be removed, but %d rule(s) outside this module reference it '
                    '(%s): removing the chain would fail half-way; remove or change those rules first, '
                    'or keep at least one source' % (table, chain, len(refs), '; '.join(refs[:5])))
        for _i in range(n_jumps):
            removals.append('-D %s -j %s' % (parent, chain))
        if exists:
            if rules:
                removals.append('-F %s' % chain)
            removals.append('-X %s' % chain)
        mid_jumps = final_jumps = 0
    before = [jump] * n_jumps + list(rules)
    mid = [jump] * mid_jumps + keep
    after = [jump] * final_jumps + final
    return dict(removals=removals, additions=additions, added=added_src, removed=sorted(removed_src),
                final_count=len(final),
                before=['-t %s %s' % (table, x) for x in before],
                mid=['-t %s %s' % (table, x) for x in mid],
                after=['-t %s %s' % (table, x) for x in after])


def _block(table, lines):
    return ['*%s' % table] + lines + ['COMMIT'] if lines else []


def restore_calls(nat, fwd):
    """The ``iptables-restore --noflush`` inputs (lists of lines), in the order they must run.

    Why this order. A FORWARD ``ACCEPT`` for a source without its ``MASQUERADE`` sends that
    source's traffic out of the external interface un-NATed (its address leaks, replies go astray):
    that is the harmful state. A ``MASQUERADE`` without its ``ACCEPT`` only leaves the source to the
    FORWARD chain's other rules and policy (closed, or as before): harmless. For every source the
    plan either keeps, replaces or adds both rules (the filter one only with forward=true), or
    removes both (the filter one alone with forward=false), so the commits run as

    1. filter removals (and the chain rewritten to the rules it keeps): ACCEPT rules only go away;
    2. nat, removals and additions in one commit: a replaced MASQUERADE (new ``-o``) is swapped
       atomically, and every ACCEPT still in effect after 1 is one the final state keeps, whose
       MASQUERADE this commit puts in place;
    3. filter additions: each new ACCEPT comes after its MASQUERADE.

    Whatever commit fails (each is atomic), no step puts an ACCEPT in effect without its MASQUERADE
    or takes a MASQUERADE away from an ACCEPT still in effect; a pair broken before the run (drift
    outside the module) is never made worse, and 2 repairs it for a listed source. Commits of different
    tables may share one process, in that order: iptables-restore commits each table at its
    ``COMMIT`` and stops at the first failure (iptables-legacy; iptables-nft as measured with 1.8.9;
    an iptables-nft that commits the whole input at once is atomic, which is safe too). A table
    never appears twice in one input, so 1 and 3 need two processes when nat changes as well.
    """
    nat_lines = nat['removals'] + nat['additions']
    f_rem, f_add = fwd['removals'], fwd['additions']
    if not nat_lines:
        calls = [_block('filter', f_rem + f_add)]      # M unchanged: the final ACCEPTs at once
    elif f_rem and f_add:
        calls = [_block('filter', f_rem) + _block('nat', nat_lines), _block('filter', f_add)]
    else:
        calls = [_block('filter', f_rem) + _block('nat', nat_lines) + _block('filter', f_add)]
    return [c for c in calls if c]


def plan_masquerade(nat_text, filter_text, sources, out_interface=None, forward=True, state='present',
                    purge=False, masq_chain=DEFAULT_MASQ_CHAIN, fwd_chain=DEFAULT_FWD_CHAIN, check_refs=True):
    """Plan both tables from ``iptables-save`` texts.

    Returns dict(calls, added, removed, before, mid, after, ...): ``calls`` are the
    iptables-restore inputs in order (:func:`restore_calls`); ``mid`` is the state after the filter
    removals and the nat commit, before the filter additions. ``check_refs=False`` plans without
    refusing the removal of a chain that foreign rules reference (to read the state back)."""
    nat_exists, nat_declared, nat_rules = parse_save(nat_text, (masq_chain, 'POSTROUTING'), masq_chain)
    f_exists, f_declared, f_rules = parse_save(filter_text, (fwd_chain, 'FORWARD'), fwd_chain)
    if state == 'present':
        masq_wanted = dict((s, '-A %s -s %s -o %s -j MASQUERADE' % (masq_chain, s, out_interface)) for s in sources)
        fwd_wanted = dict((s, '-A %s -s %s -j ACCEPT' % (fwd_chain, s)) for s in sources) if forward else {}
    else:
        masq_wanted = fwd_wanted = {}
    nat = plan_chain('nat', masq_chain, 'POSTROUTING', masq_chain in nat_declared, nat_rules[masq_chain],
                     nat_rules['POSTROUTING'], masq_wanted, sources, state, purge, nat_rules[None] if check_refs else None)
    fwd = plan_chain('filter', fwd_chain, 'FORWARD', fwd_chain in f_declared, f_rules[fwd_chain],
                     f_rules['FORWARD'], fwd_wanted, sources, state, purge, f_rules[None] if check_refs else None)
    added = ipaddrs.sort_cidrs(set(nat['added']) | set(fwd['added']))
    removed = ipaddrs.sort_cidrs(set(nat['removed']) | set(fwd['removed']))
    return dict(calls=restore_calls(nat, fwd), added=added, removed=removed,
                before=nat['before'] + fwd['before'], after=nat['after'] + fwd['after'],
                filter_mid=fwd['mid'],
                nat_changes=len(nat['removals']) + len(nat['additions']),
                filter_changes=len(fwd['removals']) + len(fwd['additions']),
                filter_split=bool(fwd['removals'] and fwd['additions'] and (nat['removals'] or nat['additions'])),
                count=nat['final_count'])


def _table_lines(lines, table):
    prefix = '-t %s ' % table
    return sorted(x for x in lines if x.startswith(prefix))


def restore_failure(module, backend, plan, call, error, sources, p, masq_chain, fwd_chain):
    """The failure result of the ``iptables-restore`` of ``plan['calls'][call]`` that failed.

    Each table is committed at its ``COMMIT`` (legacy, and nft as of iptables 1.8.9), and earlier
    calls have committed theirs, so the owned chains are read back and compared, per table, with the
    state before, the planned state and (filter) the state after its removals alone.
    """
    chains = dict(nat=masq_chain, filter=fwd_chain)
    planned = dict(nat=plan['nat_changes'] > 0, filter=plan['filter_changes'] > 0)
    tables = {}
    try:
        nat_text, filter_text = _save_tables(module, backend)
        now = plan_masquerade(nat_text, filter_text, sources, p['out_interface'], p['forward'], p['state'], p['purge'], masq_chain,
                              fwd_chain, check_refs=False)['before']
    except PlanError as exc:
        now = None
        readback = 'could not read the tables back (%s)' % exc
    for table in ('nat', 'filter'):
        if not planned[table]:
            tables[table] = 'unchanged (no change planned)'
        elif now is None:
            tables[table] = 'unknown'
        else:
            cur = _table_lines(now, table)
            if cur == _table_lines(plan['after'], table):
                tables[table] = 'committed'
            elif cur == _table_lines(plan['before'], table):
                tables[table] = 'not committed (unchanged)'
            elif table == 'filter' and plan['filter_split'] and cur == sorted(plan['filter_mid']):
                tables[table] = 'partly committed (the removals; the additions not)'
            else:
                tables[table] = 'unknown (neither the state before nor the planned one: changed concurrently?)'
    if now is not None:
        readback = 'read back after the failure: %s' % '; '.join(
            '%s table (%s) %s' % (t, chains[t], tables[t]) for t in ('nat', 'filter'))
    in_effect = [t for t in ('nat', 'filter') if tables[t] == 'committed' or tables[t].startswith('partly')]
    lines = plan['calls'][call]
    error = ' '.join((error or '').split())
    at = re.search(r'line (\d+)', error or '')
    if at and 1 <= int(at.group(1)) <= len(lines):
        error = '%s (input line %s: %s)' % (error, at.group(1), lines[int(at.group(1)) - 1])
    steps = ''
    if len(plan['calls']) > 1:
        steps = ' (iptables-restore %d of %d)' % (call + 1, len(plan['calls']))
    msg = '%s failed%s: %s. R%s.' % (backend.restore, steps, error, readback[1:])
    if in_effect:
        msg += (' Each table commits on its own, so the changes said to be committed in the %s table ARE '
                'in effect; the order (filter removals, nat, filter additions) leaves no FORWARD ACCEPT '
                'without its MASQUERADE. Re-run the module after fixing the cause to converge the rest.'
                % ' and '.join(in_effect))
    return dict(msg=msg, changed=bool(in_effect) or now is None or 'unknown' in ' '.join(tables.values()),
                committed=tables, restore_input=lines[:200])


def split_tables(text):
    """Split the output of a plain ``iptables-save`` (every table) into {table: its text}.

    A table that is not there (legacy iptables prints only the loaded ones) is simply absent; to
    :func:`parse_save` its text is then empty, which plans the same as an empty table."""
    tables = {}
    name = None
    lines = []
    for line in text.splitlines():
        if line.startswith('*'):
            name = line[1:].strip()
            lines = [line]
        elif name is not None:
            lines.append(line)
            if line == 'COMMIT':
                tables[name] = '\n'.join(lines) + '\n'
                name = None
    return tables


def _save_tables(module, backend):
    """The nat and filter texts from ONE ``iptables-save`` (with 10 000 rules per table a second
    process costs ~0.08 s: iptables-nft reads and translates the ruleset each time)."""
    rc, out, err = module.run_command([backend.save])
    if rc != 0:
        raise PlanError('%s failed: %s' % (backend.save, (err or out).strip()))
    tables = split_tables(out)
    return tables.get('nat', ''), tables.get('filter', '')


def run_masquerade(module):
    require_netaddr(module)
    p = module.params
    try:
        masq_chain = check_chain_name(p['masq_chain'], 'masq_chain')
        fwd_chain = check_chain_name(p['forward_chain'], 'forward_chain')
        if masq_chain == fwd_chain:
            raise PlanError('masq_chain and forward_chain must differ')
        if p['state'] == 'present':
            if not p['out_interface']:
                raise PlanError('out_interface is required when state=present')
        if p['out_interface'] is not None:
            check_ifname(p['out_interface'], 'out_interface')
        if (p.get('return_limit') or 0) < 0:
            raise PlanError('return_limit must be 0 (no limit) or more, got %s' % p['return_limit'])
        try:
            sources = ipaddrs.normalize(p['sources'] or [])
        except ipaddrs.AddressError as exc:
            raise PlanError('sources: %s' % exc)
        backend = detect_backend(module, p['backend'])
        nat_text, filter_text = _save_tables(module, backend)
        plan = plan_masquerade(nat_text, filter_text, sources, p['out_interface'], p['forward'], p['state'],
                               p['purge'], masq_chain, fwd_chain)
    except PlanError as exc:
        module.fail_json(msg=str(exc))
    changed = bool(plan['calls'])
    # The full rule lists go back only in diff mode: echoing 10 000 sources through the
    # controller costs more than the module's own work (docs/performance.md).
    result = dict(changed=changed, added=plan['added'], removed=plan['removed'], count=plan['count'],
                  backend=backend.name, chains=dict(nat=masq_chain, filter=fwd_chain))
    # added/removed: totals always, the lists bounded by return_limit unless diff mode
    bound_lists(result, ('added', 'removed'), 0 if module._diff else p.get('return_limit', RETURN_LIMIT))
    if module._diff:
        result['diff'] = dict(before=plan['before'], after=plan['after'])
    if changed and not module.check_mode:
        for call, lines in enumerate(plan['calls']):
            data = '\n'.join(lines) + '\n'
            rc, out, err = module.run_command(backend.restore_args(), data=data, binary_data=True)
            if rc != 0:
                module.fail_json(**restore_failure(module, backend, plan, call, (err or out).strip(), sources, p,
                                                   masq_chain, fwd_chain))
    result['invocation'] = ipaddrs.invocation(module.params)
    module.exit_json(**result)
