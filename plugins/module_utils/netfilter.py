# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""iptables logic for the masquerade module.

Ownership is by chain: the module keeps its rules in two chains of its own (``EUCLOUD-MASQ`` in
``nat``, ``EUCLOUD-FWD`` in ``filter``), each jumped to from POSTROUTING / FORWARD by exactly one
unconditional rule. Other rules of the builtin chains are never touched. Never use an ``EUCA_`` or
``EU_`` prefix: eucanetd flushes those chains.

State is read once with ``iptables-save -t nat`` / ``-t filter`` and changed with one
``iptables-restore --noflush`` that carries both tables (each table is committed atomically).
Works with iptables-nft and iptables-legacy.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.eucalyptus.cloud.plugins.module_utils import ipaddrs
from ansible_collections.eucalyptus.cloud.plugins.module_utils.iproute import (
    PlanError, check_ifname, require_netaddr)

# six.string_types without ansible.module_utils.six (deprecated in ansible-core 2.20):
# str on Python 3, str and unicode on Python 2.
string_types = (str, type(u''))

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


def parse_save(text, chains):
    """Parse one table of ``iptables-save`` output.

    Returns (exists, user_chains, rules) where rules maps each chain in ``chains`` to its list of
    rule lines (``-A CHAIN ...`` exactly as saved). Rules of other chains are skipped unread.
    """
    exists = False
    declared = set()
    rules = dict((c, []) for c in chains)
    prefixes = tuple('-A %s ' % c for c in chains)
    for line in text.splitlines():
        if not line:
            continue
        first = line[0]
        if first == '-':
            if line.startswith(prefixes):
                chain = line[3:line.index(' ', 3)]
                rules[chain].append(line.rstrip())
        elif first == ':':
            declared.add(line[1:].split(' ', 1)[0])
        elif first == '*':
            exists = True
    return exists, declared, rules


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


def plan_chain(table, chain, parent, exists, rules, jumps, wanted_rules, sources, state, purge):
    """Plan one owned chain.

    ``rules``: current lines of ``chain``; ``jumps``: current lines of ``parent``;
    ``wanted_rules``: dict source -> the one rule line wanted for it (empty when nothing is wanted);
    ``sources``: the listed sources (for state=absent / replacement of stale rules).
    Returns dict(lines, added, removed, before, after) where lines are iptables-restore commands.
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

    out = []
    n_jumps = sum(1 for j in jumps if j == jump)
    if final:
        if not exists:
            out.append(':%s - [0:0]' % chain)
        if dels and len(dels) > REWRITE_THRESHOLD and exists:
            out.append(':%s - [0:0]' % chain)       # flushes the chain inside the transaction
            out.extend(final)
        else:
            out.extend('-D' + line[2:] for line in dels)
            out.extend(adds)
        if n_jumps == 0:
            out.append('-I %s 1 -j %s' % (parent, chain))
        for _i in range(n_jumps - 1):
            out.append('-D %s -j %s' % (parent, chain))
        final_jumps = 1
    else:
        for _i in range(n_jumps):
            out.append('-D %s -j %s' % (parent, chain))
        other_refs = [j for j in jumps if j != jump and ('-j %s' % chain in j or '-g %s' % chain in j)]
        if exists and not other_refs:
            if rules:
                out.append('-F %s' % chain)
            out.append('-X %s' % chain)
        final_jumps = 0
    before = [jump] * n_jumps + list(rules)
    after = [jump] * final_jumps + final
    return dict(lines=out, added=added_src, removed=sorted(removed_src), final_count=len(final),
                before=['-t %s %s' % (table, x) for x in before],
                after=['-t %s %s' % (table, x) for x in after])


def plan_masquerade(nat_text, filter_text, sources, out_interface=None, forward=True, state='present',
                    purge=False, masq_chain=DEFAULT_MASQ_CHAIN, fwd_chain=DEFAULT_FWD_CHAIN):
    """Plan both tables from ``iptables-save`` texts; return dict(restore, added, removed, before, after)."""
    nat_exists, nat_declared, nat_rules = parse_save(nat_text, (masq_chain, 'POSTROUTING'))
    f_exists, f_declared, f_rules = parse_save(filter_text, (fwd_chain, 'FORWARD'))
    if state == 'present':
        masq_wanted = dict((s, '-A %s -s %s -o %s -j MASQUERADE' % (masq_chain, s, out_interface)) for s in sources)
        fwd_wanted = dict((s, '-A %s -s %s -j ACCEPT' % (fwd_chain, s)) for s in sources) if forward else {}
    else:
        masq_wanted = fwd_wanted = {}
    nat = plan_chain('nat', masq_chain, 'POSTROUTING', masq_chain in nat_declared, nat_rules[masq_chain],
                     nat_rules['POSTROUTING'], masq_wanted, sources, state, purge)
    fwd = plan_chain('filter', fwd_chain, 'FORWARD', fwd_chain in f_declared, f_rules[fwd_chain],
                     f_rules['FORWARD'], fwd_wanted, sources, state, purge)
    restore = []
    if nat['lines']:
        restore.append('*nat')
        restore.extend(nat['lines'])
        restore.append('COMMIT')
    if fwd['lines']:
        restore.append('*filter')
        restore.extend(fwd['lines'])
        restore.append('COMMIT')
    added = ipaddrs.sort_cidrs(set(nat['added']) | set(fwd['added']))
    removed = ipaddrs.sort_cidrs(set(nat['removed']) | set(fwd['removed']))
    return dict(restore=restore, added=added, removed=removed,
                before=nat['before'] + fwd['before'], after=nat['after'] + fwd['after'],
                nat_changes=len(nat['lines']), filter_changes=len(fwd['lines']), count=nat['final_count'])


def _table_lines(lines, table):
    prefix = '-t %s ' % table
    return sorted(x for x in lines if x.startswith(prefix))


def restore_failure(module, backend, plan, error, sources, p, masq_chain, fwd_chain):
    """The failure result of an ``iptables-restore`` that failed: what was committed, per table.

    Both backends (legacy, and nft as of iptables 1.8.9) commit each table at its ``COMMIT``, so
    when the filter table fails the nat table before it may already be in effect. The owned chains
    are read back and compared, per table, with the state before and the planned state.
    """
    chains = dict(nat=masq_chain, filter=fwd_chain)
    planned = dict(nat=plan['nat_changes'] > 0, filter=plan['filter_changes'] > 0)
    tables = {}
    try:
        nat_text, filter_text = _save_tables(module, backend)
        now = plan_masquerade(nat_text, filter_text, sources, p['out_interface'], p['forward'], p['state'], p['purge'], masq_chain,
                              fwd_chain)['before']
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
            else:
                tables[table] = 'unknown (neither the state before nor the planned one: changed concurrently?)'
    if now is not None:
        readback = 'read back after the failure: %s' % '; '.join(
            '%s table (%s) %s' % (t, chains[t], tables[t]) for t in ('nat', 'filter'))
    committed = [t for t in ('nat', 'filter') if tables[t] == 'committed']
    error = ' '.join((error or '').split())
    at = re.search(r'line (\d+)', error or '')
    if at and 1 <= int(at.group(1)) <= len(plan['restore']):
        error = '%s (input line %s: %s)' % (error, at.group(1), plan['restore'][int(at.group(1)) - 1])
    msg = '%s failed: %s. R%s.' % (backend.restore, error, readback[1:])
    if committed:
        msg += (' iptables-restore commits each table on its own, so the changes of the %s table ARE in '
                'effect; re-run the module after fixing the cause to converge the rest.' % ' and '.join(committed))
    return dict(msg=msg, changed=bool(committed) or now is None or 'unknown' in ' '.join(tables.values()),
                committed=tables, restore_input=plan['restore'][:200])


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
    changed = bool(plan['restore'])
    # The full rule lists go back only in diff mode: echoing 10 000 sources through the
    # controller costs more than the module's own work (docs/performance.md).
    result = dict(changed=changed, added=plan['added'], removed=plan['removed'], count=plan['count'],
                  backend=backend.name, chains=dict(nat=masq_chain, filter=fwd_chain))
    # added/removed: totals always, the lists bounded by return_limit unless diff mode
    ipaddrs.bound_lists(result, ('added', 'removed'), 0 if module._diff else p.get('return_limit', ipaddrs.RETURN_LIMIT))
    if module._diff:
        result['diff'] = dict(before=plan['before'], after=plan['after'])
    if changed and not module.check_mode:
        data = '\n'.join(plan['restore']) + '\n'
        rc, out, err = module.run_command(backend.restore_args(), data=data, binary_data=True)
        if rc != 0:
            module.fail_json(**restore_failure(module, backend, plan, (err or out).strip(), sources, p,
                                               masq_chain, fwd_chain))
    result['invocation'] = ipaddrs.invocation(module.params)
    module.exit_json(**result)
