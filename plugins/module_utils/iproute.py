# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""iproute2 logic for the veth_uplink and static_routes modules.

Each module reads the kernel state once (``ip -json``, or the text form on old iproute2), builds a plan with the pure functions
below (unit tested without a kernel), and applies the plan with ONE ``ip -batch -`` fed on stdin.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import re

from ansible_collections.eucalyptus.cloud.plugins.module_utils import ipaddrs
from ansible_collections.eucalyptus.cloud.plugins.module_utils._common import (
    RETURN_LIMIT, PlanError, bound_lists, check_ifname, require_netaddr)

# Route protocol number that marks the routes static_routes owns. 150 is not used by
# /etc/iproute2/rt_protos (0-4, 8-16, 18, 42, 99, 186-192) nor by FRR (186-199), BIRD (12),
# Calico (80), kube-router, keepalived (18), dhcpcd/NetworkManager (16/static) or systemd-networkd.
DEFAULT_PROTO = 150

RT_PROTOS_FILES = ('/etc/iproute2/rt_protos', '/usr/share/iproute2/rt_protos', '/usr/lib/iproute2/rt_protos')
RT_PROTOS_DIRS = ('/etc/iproute2/rt_protos.d', '/usr/share/iproute2/rt_protos.d', '/usr/lib/iproute2/rt_protos.d')

_TABLE_NAME = re.compile(r'^[A-Za-z0-9_.-]+$')


# --------------------------------------------------------------------------------------------
# helpers of both modules of this domain (those shared with netfilter are in _common)


def ip_cmd(module):
    return module.get_bin_path('ip', required=True)


def read_ip(module, args, text_parser, missing_ok=None):
    """Run ``ip -json ARGS`` and return a list shaped like its JSON output.

    iproute2 before 4.13 (EL7 ships 4.11) rejects or ignores ``-json`` for some objects, and 4.15
    can print invalid JSON for routes; then the plain text output is parsed by ``text_parser``
    into the same shape, so the modules work unchanged on old targets.
    ``missing_ok``: an error text that means "nothing there" (e.g. a table without routes).
    """
    ip = ip_cmd(module)
    shown = 'ip %s' % ' '.join(args)
    rc, out, err = module.run_command([ip, '-json'] + list(args))
    if rc == 0:
        out = out.strip()
        if not out:
            return []
        if out[0] in '[{':
            try:
                data = json.loads(out)
                return data if isinstance(data, list) else [data]
            except ValueError:
                pass            # broken JSON from an old iproute2: read the text form below
        else:
            return _parse_text(text_parser, out, shown)
    elif missing_ok and missing_ok in (err or ''):
        return []
    elif not _JSON_REFUSED.search(err or out or ''):
        raise PlanError('%s failed: %s' % (shown, (err or out).strip()))
    rc, out, err = module.run_command([ip] + list(args))
    if rc != 0:
        if missing_ok and missing_ok in (err or ''):
            return []
        raise PlanError('%s failed: %s' % (shown, (err or out).strip()))
    return _parse_text(text_parser, out.strip(), shown)


def _parse_text(text_parser, out, shown):
    try:
        return text_parser(out)
    except (ValueError, IndexError, KeyError) as exc:
        raise PlanError('cannot parse the output of %s: %s' % (shown, exc))


# ``ip -json`` on iproute2 that does not know the option
_JSON_REFUSED = re.compile(r'Option "-j(son)?" is unknown|unknown option|invalid option', re.I)


# --------------------------------------------------------------------------------------------
# text output of old iproute2, parsed into the ``ip -json`` shape (only the keys used here)

_ROUTE_TYPES = frozenset(('unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable',
                          'prohibit', 'blackhole', 'nat', 'anycast'))
# keys printed with one value, and their ip -json names
_ROUTE_KEYS = {'via': 'gateway', 'dev': 'dev', 'proto': 'protocol', 'metric': 'metric', 'scope': 'scope',
               'src': 'prefsrc', 'table': 'table', 'weight': 'weight'}
# other keys printed with one value (may be preceded by 'lock'); their values are skipped
_ROUTE_SKIP = frozenset(('mtu', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'initcwnd',
                         'initrwnd', 'ssthresh', 'realm', 'realms', 'rto_min', 'hoplimit', 'features',
                         'quickack', 'congctl', 'fastopen_no_cookie', 'expires', 'error', 'pref', 'tos',
                         'dsfield', 'uid', 'nhid', 'from', 'iif', 'oif', 'mark', 'ipid', 'age', 'users',
                         'used', 'rto', 'ttl-propagate'))
_INT_KEYS = frozenset(('metric', 'weight'))


def _route_words(words, route):
    i = 0
    while i < len(words):
        w = words[i]
        if w in _ROUTE_KEYS and i + 1 < len(words):
            value = words[i + 1]
            i += 2
            if w == 'via' and value in ('inet', 'inet6') and i < len(words):
                value = words[i]
                i += 1
            route[_ROUTE_KEYS[w]] = int(value) if w in _INT_KEYS else value
        elif w in _ROUTE_SKIP:
            i += 3 if i + 1 < len(words) and words[i + 1] == 'lock' else 2
        else:
            i += 1          # flags such as linkdown, onlink, dead
    return route


def parse_route_text(text):
    """``ip route show`` / ``ip route get`` text: a list of dicts with ip -json's keys."""
    routes = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        if line[0] in ' \t':
            if words[0] == 'nexthop' and routes:
                routes[-1].setdefault('nexthops', []).append(_route_words(words[1:], {}))
            continue        # 'cache' lines of ip route get, and other continuations
        route = {}
        if words[0] in _ROUTE_TYPES:
            if words[0] != 'unicast':
                route['type'] = words[0]
            words = words[1:]
        if not words:
            continue
        route['dst'] = words[0]
        routes.append(_route_words(words[1:], route))
    return routes


_LINK_HEAD = re.compile(r'^\d+:\s+([^\s:@]+)(?:@([^\s:]+))?:\s+<([^>]*)>(.*)$')
# first words of -details lines that are not a link kind
_NOT_KIND = frozenset(('addrgenmode', 'numtxqueues', 'numrxqueues', 'gso_max_size', 'alias', 'altname',
                       'vf', 'prop', 'protodown', 'inet', 'inet6', 'valid_lft'))


def parse_addr_text(text):
    """``ip -details addr show`` text: a list of dicts with ip -json's keys used by parse_links."""
    items = []
    item = None
    kind_next = False       # the next detail line of the current link may name its kind
    for line in text.splitlines():
        m = _LINK_HEAD.match(line)
        if m:
            item = {'ifname': m.group(1), 'flags': [f for f in m.group(3).split(',') if f], 'addr_info': []}
            at = m.group(2)
            if at and at != 'NONE':
                item['link'] = at
            rest = m.group(4).split()
            for i, w in enumerate(rest[:-1]):
                if w == 'mtu':
                    item['mtu'] = int(rest[i + 1])
                elif w == 'master':
                    item['master'] = rest[i + 1]
            kind_next = True
            items.append(item)
            continue
        words = line.split()
        if item is None or not words:
            continue
        if words[0].startswith('link/'):
            for i, w in enumerate(words[:-1]):
                if w in ('link-netnsid', 'link-netns'):
                    item['link_netnsid'] = words[i + 1]
                    item.pop('link', None)       # the name after @ is an index in another namespace
            continue
        if words[0] in ('inet', 'inet6') and len(words) > 1:
            addr = words[1]
            if len(words) > 3 and words[2] == 'peer':
                addr += '/' + words[3].partition('/')[2]    # 'A peer B/P': the prefix is the peer's
            local, _sep, plen = addr.partition('/')
            entry = {'family': words[0], 'local': local,
                     'prefixlen': int(plen) if plen else (32 if words[0] == 'inet' else 128)}
            if 'scope' in words[:-1]:
                entry['scope'] = words[words.index('scope') + 1]
            item['addr_info'].append(entry)
            kind_next = False
            continue
        if kind_next:
            kind_next = False
            # -details prints the kind (veth, bridge, vxlan ...) first on the line after link/
            if words[0] not in _NOT_KIND and not words[0].endswith('_slave'):
                item['linkinfo'] = {'info_kind': words[0]}
    return items


def apply_batch(module, commands, limit=RETURN_LIMIT):
    """Apply all commands with one ``ip -batch -``; fail the module on error.

    ``limit``: at most this many commands in each list of the failure result (0: all), as the
    modules' ``return_limit`` bounds the lists of a success."""
    if not commands:
        return
    data = '\n'.join(commands) + '\n'
    rc, out, err = module.run_command([ip_cmd(module), '-batch', '-'], data=data, binary_data=True)
    if rc != 0:
        module.fail_json(**batch_failure(commands, rc, out, err, limit))


_BATCH_FAILED_AT = re.compile(r'^Command failed (?:-|\S*):(\d+)\s*$', re.M)


def _line_span(first, last, what, none):
    if last < first:
        return none
    if last == first:
        return 'line %d was %s' % (first, what)
    return 'lines %d-%d were %s' % (first, last, what)


def batch_failure(commands, rc, out, err, limit=RETURN_LIMIT):
    """The failure result of an ``ip -batch`` that stopped: which lines were applied, which not.

    Without ``-force``, ``ip -batch`` runs the lines in order, each one acknowledged by the kernel
    before the next, and stops at the first that fails, printing ``Command failed -:N``. So lines
    1..N-1 are in effect, line N was refused and lines N+1.. were never run.

    ``commands``, ``applied`` and ``not_applied`` hold at most ``limit`` lines each (the first ones;
    0: all), ``commands_count``, ``applied_count`` and ``not_applied_count`` the totals: a failed
    batch of 10 000 routes does not carry them all back to the controller.
    """
    text = ((err or '') + '\n' + (out or '')).strip()
    found = _BATCH_FAILED_AT.findall(text)
    total = len(commands)
    detail = _BATCH_FAILED_AT.sub('', text).strip() or 'exit status %s' % rc
    detail = ' '.join(detail.split()).rstrip('.')
    if found and 1 <= int(found[-1]) <= total:
        n = int(found[-1])
        applied, failed, not_run = commands[:n - 1], commands[n - 1], commands[n:]
        msg = ('ip -batch failed at line %d of %d (%s): %s; %s; %s. Re-run the module after fixing the '
               'cause: it reads the state again and applies only what is still missing.'
               % (n, total, failed, detail,
                  _line_span(1, n - 1, 'applied (the kernel state has changed)', 'no line was applied'),
                  _line_span(n + 1, total, 'not run', 'it was the last line')))
        result = dict(msg=msg, changed=n > 1, failed_line=n, failed_command=failed,
                      applied=applied, not_applied=not_run, commands=commands)
        return bound_lists(result, ('commands', 'applied', 'not_applied'), limit)
    msg = ('ip -batch failed (%s) and did not say at which line; any of the %d lines may have been applied: '
           'check the state, or re-run the module (it reads the state again)' % (detail, total))
    result = dict(msg=msg, changed=True, failed_line=None, applied=None, not_applied=None, commands=commands,
                  applied_count=None, not_applied_count=None)
    return bound_lists(result, ('commands',), limit)


# --------------------------------------------------------------------------------------------
# links (veth_uplink)


def parse_links(data):
    """Index ``ip -json -details addr show`` output by name.

    Each value: kind, peer (veth peer name when in this namespace), peer_netns (bool), master,
    mtu, up, addrs (list of (family, 'addr/plen', scope)).
    """
    links = {}
    for item in data:
        info = item.get('linkinfo') or {}
        addrs = []
        for a in item.get('addr_info') or []:
            if 'local' in a and 'prefixlen' in a:
                addrs.append((a.get('family'), '%s/%s' % (a['local'], a['prefixlen']), a.get('scope', 'global')))
        links[item['ifname']] = {
            'kind': info.get('info_kind'),
            'peer': item.get('link'),
            'peer_netns': 'link_netnsid' in item,
            'master': item.get('master'),
            'mtu': item.get('mtu'),
            'up': 'UP' in (item.get('flags') or []),
            'addrs': addrs,
        }
    return links


def describe_links(links, names):
    """Human-readable lines for the diff, for the given link names (missing links omitted)."""
    lines = []
    for name in names:
        link = links.get(name)
        if link is None:
            continue
        words = ['link %s' % name, link['kind'] or 'device']
        if link['kind'] == 'veth':
            words.append('peer %s' % (link['peer'] or ('(other namespace)' if link['peer_netns'] else '(none)')))
        if link['master']:
            words.append('master %s' % link['master'])
        words.append('mtu %s' % link['mtu'])
        words.append('up' if link['up'] else 'down')
        lines.append(' '.join(words))
    for name in names:
        link = links.get(name)
        if link is None:
            continue
        for family, addr, scope in link['addrs']:
            if scope == 'global':
                lines.append('addr %s dev %s' % (addr, name))
    return lines


def _copy_links(links, names):
    out = {}
    for name in names:
        if name in links:
            link = dict(links[name])
            link['addrs'] = list(link['addrs'])
            out[name] = link
    return out


def plan_uplink(links, bridge, veth='veth0', peer='veth1', address=None, mtu=None, state='present'):
    """Return (commands, after_links) to bring ``links`` to the wanted uplink state.

    ``links`` is the output of :func:`parse_links`. Raises PlanError for bad input or a state the
    module must not touch (veth that is not a veth, peer paired with something else, ...).
    """
    check_ifname(bridge, 'bridge')
    check_ifname(veth, 'veth')
    check_ifname(peer, 'peer')
    if len(set([bridge, veth, peer])) != 3:
        raise PlanError('bridge, veth and peer must be three different names (got %s, %s, %s)' % (bridge, veth, peer))
    family = want_addr = None
    if address is not None:
        try:
            family, want_addr = ipaddrs.parse_interface_address(address)
        except ipaddrs.AddressError as exc:
            raise PlanError('address: %s' % exc)
    if mtu is not None and not (68 <= int(mtu) <= 65535):
        raise PlanError('mtu %s is out of range (68-65535)' % mtu)

    names = (bridge, veth, peer)
    model = _copy_links(links, names)
    cmds = []
    br, ve, pe = model.get(bridge), model.get(veth), model.get(peer)

    if br is not None and br['kind'] != 'bridge':
        raise PlanError('%s exists and is a %s device, not a bridge' % (bridge, br['kind'] or 'plain'))
    if ve is not None:
        if ve['kind'] != 'veth':
            raise PlanError('%s exists and is a %s device, not a veth' % (veth, ve['kind'] or 'plain'))
        if ve['peer_netns']:
            raise PlanError('%s is a veth whose peer is in another network namespace, not %s' % (veth, peer))
        if ve['peer'] != peer:
            raise PlanError('%s is a veth paired with %s, not with %s' % (veth, ve['peer'], peer))
    elif pe is not None and state == 'present':
        if pe['kind'] == 'veth':
            raise PlanError('%s already exists and is paired with %s, not with %s'
                            % (peer, pe['peer'] or 'a device in another namespace', veth))
        raise PlanError('%s already exists and is a %s device, not a veth' % (peer, pe['kind'] or 'plain'))

    if state == 'absent':
        if ve is not None:
            cmds.append('link del dev %s' % veth)
            model.pop(veth, None)
            model.pop(peer, None)
        if br is not None:
            ports = sorted(n for n, l in links.items() if l['master'] == bridge and n not in (veth, peer))
            if ports:
                raise PlanError('bridge %s has other ports (%s); refusing to delete it' % (bridge, ', '.join(ports)))
            cmds.append('link del dev %s' % bridge)
            model.pop(bridge, None)
        return cmds, model

    def _new(kind, peer_name=None):
        return {'kind': kind, 'peer': peer_name, 'peer_netns': False, 'master': None,
                'mtu': 1500, 'up': False, 'addrs': []}

    if br is None:
        cmds.append('link add name %s type bridge' % bridge)
        br = model[bridge] = _new('bridge')
    if ve is None:
        cmds.append('link add name %s type veth peer name %s' % (veth, peer))
        ve = model[veth] = _new('veth', peer)
        pe = model[peer] = _new('veth', veth)
    if mtu is not None:
        for name, link in ((veth, ve), (peer, pe)):
            if link['mtu'] != mtu:
                cmds.append('link set dev %s mtu %d' % (name, mtu))
                link['mtu'] = mtu
    if ve['master'] != bridge:
        cmds.append('link set dev %s master %s' % (veth, bridge))
        ve['master'] = bridge
    if mtu is not None and br['mtu'] != mtu:
        cmds.append('link set dev %s mtu %d' % (bridge, mtu))
        br['mtu'] = mtu
    for name, link in ((veth, ve), (peer, pe), (bridge, br)):
        if not link['up']:
            cmds.append('link set dev %s up' % name)
            link['up'] = True
    if want_addr is not None:
        present = False
        keep = []
        for fam, addr, scope in br['addrs']:
            if fam == family and scope == 'global':
                if addr == want_addr and not present:
                    present = True
                    keep.append((fam, addr, scope))
                else:
                    cmds.append('addr del %s dev %s' % (addr, bridge))
            else:
                keep.append((fam, addr, scope))
        if not present:
            cmds.append('addr add %s dev %s' % (want_addr, bridge))
            keep.append((family, want_addr, 'global'))
        br['addrs'] = keep
    return cmds, model


def run_veth_uplink(module):
    require_netaddr(module)
    p = module.params
    names = (p['bridge'], p['veth'], p['peer'])
    try:
        # validate names before running anything with them
        for opt in ('bridge', 'veth', 'peer'):
            check_ifname(p[opt], opt)
        links = parse_links(read_ip(module, ['-details', 'addr', 'show'], parse_addr_text))
        cmds, after = plan_uplink(links, p['bridge'], p['veth'], p['peer'], p['address'], p['mtu'], p['state'])
    except PlanError as exc:
        module.fail_json(msg=str(exc))
    before_lines = describe_links(links, names)
    after_lines = describe_links(after, names)
    result = dict(changed=bool(cmds), commands=cmds, bridge=p['bridge'], veth=p['veth'], peer=p['peer'])
    if module._diff:
        result['diff'] = dict(before=before_lines, after=after_lines)
    if cmds and not module.check_mode:
        apply_batch(module, cmds, 0 if module._diff else RETURN_LIMIT)
        after_lines = describe_links(parse_links(read_ip(module, ['-details', 'addr', 'show'], parse_addr_text)),
                                     names)
    result['interfaces'] = after_lines
    result['invocation'] = ipaddrs.invocation(module.params)
    module.exit_json(**result)


# --------------------------------------------------------------------------------------------
# routes (static_routes)


def load_rt_protos(files=RT_PROTOS_FILES, dirs=RT_PROTOS_DIRS):
    """Map protocol names to numbers from iproute2's rt_protos files (``ip`` prints names it knows)."""
    names = {}
    paths = [f for f in files if os.path.isfile(f)]
    for d in dirs:
        if os.path.isdir(d):
            paths.extend(os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith('.conf'))
    for path in paths:
        try:
            with open(path) as fh:
                for line in fh:
                    words = line.split('#', 1)[0].split()
                    if len(words) >= 2:
                        try:
                            num = int(words[0], 0)
                        except ValueError:
                            continue
                        names.setdefault(words[1], num)
        except (IOError, OSError):
            continue
    return names


def check_table(table):
    table = str(table).strip()
    if table in ('', 'all', 'cache', '0', 'unspec'):
        raise PlanError('table %r is not a routing table this module can manage' % table)
    if table.isdigit():
        if int(table) >= 2 ** 32:
            raise PlanError('table %s is out of range' % table)
        return table
    if not _TABLE_NAME.match(table):
        raise PlanError('table %r is not a valid table name or number' % table)
    return table


def check_proto(proto):
    try:
        proto = int(proto)
    except (TypeError, ValueError):
        raise PlanError('proto must be a number, got %r' % (proto,))
    if proto in (0, 1, 2, 3, 4) or not 0 < proto < 256:
        raise PlanError('proto %s is reserved or out of range; use a number from 5 to 255' % proto)
    return proto


def split_routes(data, proto, proto_names=None):
    """Split ``ip -json route show table T`` output into (owned, foreign) dicts keyed by CIDR.

    owned[cidr] is a list of (gateway, dev, metric, kind) tuples of routes with our protocol;
    foreign[cidr] a list of short descriptions of other routes to the same destination.
    ``protocol`` may be printed as a number or a name from rt_protos; ``ip`` omits it for ``boot``.
    """
    ours = set([str(proto)])
    for name, num in (proto_names or {}).items():
        if num == proto:
            ours.add(name)
    owned = {}
    foreign = {}
    canon = ipaddrs.canonical_cidr
    for r in data:
        dst = r.get('dst')
        if dst is None:
            continue
        cidr = canon(dst) if '/' in dst or dst == 'default' else dst + '/32'
        if cidr is None:
            continue
        # ip omits the protocol for 'boot' (the default of a hand-made 'ip route add') unless -details
        protocol = r.get('protocol', 'boot')
        kind = r.get('type', 'unicast')
        if protocol in ours:
            gw = r.get('gateway')
            if gw is None and r.get('nexthops'):
                gw = 'multipath'
            owned.setdefault(cidr, []).append((gw, r.get('dev'), r.get('metric', 0), kind))
        else:
            desc = cidr
            if kind != 'unicast':
                desc = '%s %s' % (kind, cidr)
            if r.get('gateway'):
                desc += ' via %s' % r['gateway']
            if r.get('dev'):
                desc += ' dev %s' % r['dev']
            desc += ' proto %s' % protocol
            if r.get('metric'):
                desc += ' metric %s' % r['metric']
            foreign.setdefault(cidr, []).append(desc)
    return owned, foreign


def _route_text(cidr, gw, dev, metric, kind='unicast'):
    text = cidr if kind == 'unicast' else '%s %s' % (kind, cidr)
    if gw:
        text += ' via %s' % gw
    if dev:
        text += ' dev %s' % dev
    if metric:
        text += ' metric %s' % metric
    return text


def plan_routes(owned, foreign, destinations, gateway=None, device=None, metric=None, table='main',
                proto=DEFAULT_PROTO, state='present', purge=False, conflict='fail', diff=True):
    """Compute the ``ip -batch`` commands for static_routes.

    ``destinations`` is a list of normalised CIDRs (see :func:`ipaddrs.normalize`).
    Returns a dict with commands, added, updated, removed, conflicts, routes, before, after.
    With ``diff=False`` (no diff mode) before and after stay empty and routes is unsorted: sorting
    and printing 10 000 routes twice for nothing is a third of a no-op's planning.
    Raises PlanError on a conflict with a route this module does not own (conflict='fail').
    """
    want_metric = int(metric or 0)
    suffix = ' table %s proto %d' % (table, proto)
    cmds_del = []
    cmds_add = []
    added = []
    updated = []
    removed = []
    conflicts = []
    wanted = set(destinations)
    skip = set()        # conflict=skip: destinations left alone entirely, our own routes to them included

    if state == 'present':
        clash = [c for c in destinations if c in foreign]
        if clash:
            if conflict == 'fail':
                sample = []
                for c in clash[:10]:
                    sample.extend(foreign[c])
                raise PlanError('%d destination(s) already have a route this module does not own (it never '
                                'touches those; remove them or set conflict=skip): %s%s'
                                % (len(clash), '; '.join(sample), ' ...' if len(clash) > 10 else ''))
            conflicts = clash
            skip = set(clash)
            destinations = [c for c in destinations if c not in skip]
            wanted.difference_update(skip)
        via = ' via %s' % gateway
        if device:
            via += ' dev %s' % device
        if want_metric:
            via += ' metric %d' % want_metric
        get = owned.get
        final = {}
        for cidr in destinations:
            have = get(cidr)
            if have is None:
                cmds_add.append('route replace ' + cidr + via + suffix)
                added.append(cidr)
                final[cidr] = [(gateway, device, want_metric, 'unicast')]
                continue
            good = None
            extra = False
            for entry in have:
                gw, dev, m, kind = entry
                if good is None and m == want_metric and gw == gateway and kind == 'unicast' \
                        and (device is None or dev == device):
                    good = entry
                elif m != want_metric or good is not None:
                    cmds_del.append('route del %s%s%s' % (cidr, ' metric %s' % m if m else '', suffix))
                    extra = True
            if good is None:
                cmds_add.append('route replace ' + cidr + via + suffix)
                updated.append(cidr)
                prev = [d for g, d, m, k in have if g == gateway]
                final[cidr] = [(gateway, device or (prev[0] if prev else None), want_metric, 'unicast')]
            else:
                if extra:
                    updated.append(cidr)
                final[cidr] = [good]
        for cidr in owned:
            if cidr not in wanted:
                if purge and cidr not in skip:
                    for gw, dev, m, kind in owned[cidr]:
                        cmds_del.append('route del %s%s%s' % (cidr, ' metric %s' % m if m else '', suffix))
                    removed.append(cidr)
                else:
                    final[cidr] = owned[cidr]
    else:
        targets = list(owned) if purge else [c for c in destinations if c in owned]
        for cidr in targets:
            for gw, dev, m, kind in owned[cidr]:
                cmds_del.append('route del %s%s%s' % (cidr, ' metric %s' % m if m else '', suffix))
            removed.append(cidr)
        gone = set(removed)
        final = dict((c, v) for c, v in owned.items() if c not in gone)

    sort = ipaddrs.sort_cidrs
    before = []
    after = []
    if not diff:
        return dict(commands=cmds_del + cmds_add, added=added, updated=updated, removed=sort(removed),
                    conflicts=conflicts, routes=list(final), before=before, after=after)
    for cidr in sort(owned):
        for gw, dev, m, kind in owned[cidr]:
            before.append(_route_text(cidr, gw, dev, m, kind))
    routes = sort(final)
    for cidr in routes:
        for gw, dev, m, kind in final[cidr]:
            after.append(_route_text(cidr, gw, dev, m, kind))
    return dict(commands=cmds_del + cmds_add, added=added, updated=updated, removed=sort(removed),
                conflicts=conflicts, routes=routes, before=before, after=after)


def read_routes(module, table):
    """``ip -json route show table T``: all IPv4 routes of the table (ours and others, for conflicts)."""
    return read_ip(module, ['route', 'show', 'table', table], parse_route_text, missing_ok='table does not exist')


def _check_gateway(module, gateway, device):
    """The kernel takes a next hop only if a link-scope route covers it (on ``device`` when given).

    Test that first, so that ``ip -batch`` does not stop half-way. ``ip route get GW oif DEV``
    cannot tell: with an output device the kernel assumes an unknown destination is on-link.
    """
    try:
        res = read_ip(module, ['route', 'get', gateway], parse_route_text)
        first = res[0] if res else {}
        unreachable = None
    except PlanError as exc:
        first = {}
        unreachable = exc
    if device is not None:
        try:
            onlink = read_ip(module, ['route', 'show', 'table', 'all', 'match', gateway, 'scope', 'link',
                                      'dev', device], parse_route_text)
        except PlanError as exc:
            return 'gateway %s is not reachable through %s: %s' % (gateway, device, exc)
        if not [r for r in onlink if r.get('type', 'unicast') == 'unicast']:
            other = _route_text('', first.get('gateway'), first.get('dev'), None).strip()
            return ('gateway %s is not on a network connected to %s (%s); a static route needs a next hop '
                    'on the link of its device' % (gateway, device, 'the kernel would reach it ' + other
                                                   if other else 'no route reaches it'))
    elif unreachable is not None:
        return 'gateway %s is not reachable: %s' % (gateway, unreachable)
    elif first.get('gateway'):
        return ('gateway %s is not on a directly connected network (the kernel would reach it via %s); '
                'a static route needs an on-link next hop' % (gateway, first['gateway']))
    if first.get('type') in ('local', 'broadcast', 'unreachable', 'blackhole', 'prohibit'):
        return 'gateway %s is a %s address, not a next hop' % (gateway, first['type'])
    return None


def run_static_routes(module):
    require_netaddr(module)
    p = module.params
    try:
        table = check_table(p['table'])
        proto = check_proto(p['proto'])
        if p['device'] is not None:
            check_ifname(p['device'], 'device')
        gateway = None
        if p['state'] == 'present':
            if not p['gateway']:
                raise PlanError('gateway is required when state=present')
            try:
                gateway = ipaddrs.validate_gateway(p['gateway'])
            except ipaddrs.AddressError as exc:
                raise PlanError(str(exc))
        if p['metric'] is not None and not 0 <= p['metric'] < 2 ** 32:
            raise PlanError('metric %s is out of range' % p['metric'])
        if (p.get('return_limit') or 0) < 0:
            raise PlanError('return_limit must be 0 (no limit) or more, got %s' % p['return_limit'])
        try:
            destinations = ipaddrs.normalize(p['destinations'] or [])
        except ipaddrs.AddressError as exc:
            raise PlanError('destinations: %s' % exc)
        data = read_routes(module, table)
        owned, foreign = split_routes(data, proto, load_rt_protos())
        plan = plan_routes(owned, foreign, destinations, gateway, p['device'], p['metric'], table, proto,
                           p['state'], p['purge'], p['conflict'], diff=module._diff)
    except PlanError as exc:
        module.fail_json(msg=str(exc))
    cmds = plan['commands']
    if cmds and p['state'] == 'present' and (plan['added'] or plan['updated']):
        problem = _check_gateway(module, gateway, p['device'])
        if problem:
            if module.check_mode:
                module.warn(problem + ' (check mode: the real run would fail unless an earlier task fixes this)')
            else:
                module.fail_json(msg=problem)
    # The full route list goes back only in diff mode (as diff.after): echoing 10 000 routes
    # through the controller costs more than the module's own work (docs/performance.md).
    result = dict(changed=bool(cmds), added=plan['added'], updated=plan['updated'], removed=plan['removed'],
                  conflicts=plan['conflicts'], count=len(plan['routes']), table=table, proto=proto,
                  commands_count=len(cmds))
    # added/updated/removed/conflicts: totals always, the lists bounded by return_limit unless diff mode
    bound_lists(result, ('added', 'updated', 'removed', 'conflicts'),
                0 if module._diff else p.get('return_limit', RETURN_LIMIT))
    if module._diff:
        result['diff'] = dict(before=plan['before'], after=plan['after'])
    if cmds and not module.check_mode:
        apply_batch(module, cmds, 0 if module._diff else p.get('return_limit', RETURN_LIMIT))
    result['invocation'] = ipaddrs.invocation(module.params)
    module.exit_json(**result)
