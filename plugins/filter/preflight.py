# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eucalyptus.cloud developers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight checks that need nothing but the inventory (documentation: preflight_inventory.yml,
preflight_host_interfaces.yml, preflight_summary.yml).

Every check returns result records ``{check, host, status, reason}`` (status ``passed``,
``failed`` or ``skipped``); the role eucalyptus.cloud.preflight prints them in one report.
The network.json rules themselves are not written here: the check calls the collection's filter
eucalyptus.cloud.network_configuration (the CLC's rules per version) and only adds what needs the
inventory (host addresses, the gateway up-link variables, zones).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
import socket
import struct

from ansible.errors import AnsibleFilterError

from ansible_collections.eucalyptus.cloud.plugins.filter.addresses import (
    _inventory_address, _lookup, zookeeper_ensemble)
from ansible_collections.eucalyptus.cloud.plugins.filter.midonet import eucanetd_tunnel_zone_ok

ALL = 'all'
PASSED, FAILED, SKIPPED = 'passed', 'failed', 'skipped'
MANAGED_MODES = ('MANAGED', 'MANAGED-NOVLAN')
LEGACY_MODES = ('SYSTEM', 'STATIC')
# The filters that carry the CLC's network.json rules (issue: network_configuration(version)).
NETWORK_FILTERS = ('eucalyptus.cloud.network_configuration_violations', 'eucalyptus.cloud.network_configuration')


def _record(check, host, status, reason):
    return {'check': check, 'host': host, 'status': status, 'reason': reason}


def _version(text):
    match = re.match(r'^\s*v?(\d+)\.(\d+)', str(text if text is not None else ''))
    if not match:
        return None
    return '%s.%s' % (match.group(1), match.group(2))


def _major(text):
    match = re.match(r'^\s*v?(\d+)', str(text if text is not None else ''))
    return match.group(1) if match else None


def _group(groups, name):
    return list(groups.get(name) or []) if hasattr(groups, 'get') else list(groups[name] if name in groups else [])


def _hv(hostvars, host, name, default=None):
    try:
        hv = hostvars[host]
    except KeyError:
        return default
    try:
        value = hv.get(name, default) if hasattr(hv, 'get') else hv[name]
    except KeyError:
        return default
    except Exception:  # a value templated from what this host's context cannot see: unknown here
        return default
    return default if value is None else value


def _is_ip(text):
    try:
        socket.inet_aton(str(text))
        return len(str(text).split('.')) == 4
    except (socket.error, ValueError, TypeError):
        return False


def _ip_int(text):
    return struct.unpack('!I', socket.inet_aton(str(text).strip()))[0]


def _int_ip(number):
    return socket.inet_ntoa(struct.pack('!I', number))


def _cidr(text):
    """(network int, prefix) of 'a.b.c.d/n' (host bits allowed)."""
    address, _sep, prefix = str(text).strip().partition('/')
    prefix = int(prefix) if prefix else 32
    if not 0 <= prefix <= 32:
        raise ValueError(text)
    mask = (0xffffffff << (32 - prefix)) & 0xffffffff
    return _ip_int(address) & mask, prefix


def _in_cidr(address, cidr):
    net, prefix = _cidr(cidr)
    mask = (0xffffffff << (32 - prefix)) & 0xffffffff
    return (_ip_int(address) & mask) == net


def _ranges(entries):
    """Inclusive (low, high) int ranges of 'IP', 'A-B' and 'CIDR' entries; ValueError on junk."""
    out = []
    for entry in entries or []:
        text = str(entry).strip()
        if '-' in text:
            low, high = [p.strip() for p in text.split('-', 1)]
            out.append((_ip_int(low), _ip_int(high)))
        elif '/' in text:
            net, prefix = _cidr(text)
            out.append((net, net + (1 << (32 - prefix)) - 1))
        else:
            out.append((_ip_int(text), _ip_int(text)))
    return out


def _in_ranges(address, ranges):
    value = _ip_int(address)
    return any(low <= value <= high for low, high in ranges)


def _range_text(ranges):
    return ', '.join(_int_ip(lo) if lo == hi else '%s-%s' % (_int_ip(lo), _int_ip(hi)) for lo, hi in ranges)


def _expand(ranges):
    values = set()
    for low, high in ranges:
        if high - low > 65536:
            raise ValueError('range too large to compare')
        values.update(range(low, high + 1))
    return values


def _names(host, domain):
    """The names a cloud host is known by: the inventory name and, with a domain, its FQDN."""
    names = [host]
    if domain and '.' not in host:
        names.insert(0, '%s.%s' % (host, domain))
    return names


def _plural(items):
    return ', '.join(sorted(items)) if items else 'none'


# --------------------------------------------------------------------------- version and mode

def _check_version(ctx):
    version = _version(ctx.get('version'))
    matrix = ctx.get('matrix') or {}
    if version is None or version not in matrix:
        return None, [_record('version', ALL, FAILED,
                              'eucalyptus_version %r is not a supported release (supported: %s)'
                              % (ctx.get('version'), ', '.join(sorted(matrix))))]
    return version, [_record('version', ALL, PASSED, 'Eucalyptus %s' % version)]


def _check_mode(ctx, version):
    mode = str(ctx.get('mode') or '').strip().upper()
    if not mode:
        return None, [_record('mode', ALL, FAILED, 'eucalyptus_network_mode is not set')]
    if version is None:
        return mode, [_record('mode', ALL, SKIPPED, 'no supported eucalyptus_version to check %s against' % mode)]
    modes = ctx['matrix'][version]['modes']
    if mode in modes:
        return mode, [_record('mode', ALL, PASSED, '%s is a network mode of Eucalyptus %s' % (mode, version))]
    if mode in LEGACY_MODES:
        why = ('%s is a 3.x network mode: deprecated in 4.0 and absent from the CLC of every 4.x release'
               % mode)
    elif mode in MANAGED_MODES and version == '4.4':
        why = '%s: managed network modes were removed from the product in 4.4.0 (4.4 CC/NC accept only EDGE and VPCMIDO)' % mode
    else:
        why = '%r is not a network mode of Eucalyptus %s' % (mode, version)
    return mode, [_record('mode', ALL, FAILED, '%s (valid: %s)' % (why, ', '.join(modes)))]


def _check_midonet(ctx, version, mode):
    if mode != 'VPCMIDO':
        return [_record('midonet_version', ALL, SKIPPED, 'no MidoNet in %s mode' % (mode or 'an unknown'))]
    if version is None:
        return [_record('midonet_version', ALL, SKIPPED, 'no supported eucalyptus_version')]
    wanted = ctx['matrix'][version].get('midonet') or []
    have = _major(ctx.get('midonet_version'))
    if have in wanted:
        return [_record('midonet_version', ALL, PASSED, 'MidoNet %s with Eucalyptus %s' % (ctx.get('midonet_version'), version))]
    return [_record('midonet_version', ALL, FAILED,
                    'midonet_version %r does not go with Eucalyptus %s, whose eucanetd speaks MidoNet %s'
                    % (ctx.get('midonet_version'), version, ' or '.join('%s.x' % w for w in wanted)))]


def _check_tunnel_zone(ctx, version, mode):
    if mode != 'VPCMIDO' or version is None:
        return [_record('tunnel_zone', ALL, SKIPPED, 'no tunnel zone outside VPCMIDO')]
    name = ctx.get('tunnel_zone_name')
    if eucanetd_tunnel_zone_ok(name, version):
        return [_record('tunnel_zone', ALL, PASSED, 'eucanetd %s uses a tunnel zone named %r' % (version, name))]
    return [_record('tunnel_zone', ALL, FAILED,
                    'tunnel zone %r: eucanetd %s only uses mido-tz, midotz, euca-tz or eucatz and refuses '
                    'to build without one' % (name, version))]


# --------------------------------------------------------------------------- inventory shape

def _zone(ctx, hostvars, host):
    value = _hv(hostvars, host, ctx.get('zone_var') or 'eucalyptus_zone')
    if value is None or str(value).strip() == '':
        value = ctx.get('default_zone')
    return str(value).strip() if value is not None and str(value).strip() else None


def _check_shape(ctx, groups, hostvars, mode):
    out = []
    clc = _group(groups, 'clc')
    if len(clc) == 1:
        out.append(_record('inventory.clc', ALL, PASSED, 'one CLC: %s' % clc[0]))
    else:
        out.append(_record('inventory.clc', ALL, FAILED,
                           'exactly one host must be in group clc, found %d (%s)' % (len(clc), _plural(clc))))

    limits = {'ufs': (1, None), 'walrus': (1, 2), 'cc': (1, None), 'sc': (1, None), 'nc': (1, None)}
    problems = []
    for name in ('ufs', 'walrus', 'cc', 'sc', 'nc'):
        low, high = limits[name]
        hosts = _group(groups, name)
        if len(hosts) < low:
            problems.append('group %s is empty' % name)
        elif high is not None and len(hosts) > high:
            problems.append('group %s has %d hosts (%s); the CLC registers at most %d walrusbackend services'
                            % (name, len(hosts), _plural(hosts), high))
    if problems:
        out.append(_record('inventory.components', ALL, FAILED, '; '.join(problems)))
    else:
        out.append(_record('inventory.components', ALL, PASSED, 'UFS, Walrus, CC, SC and NC hosts present'))

    # zones: a CC and an SC per zone (at most two of each: the CLC refuses a third), NCs in zones with a CC
    zones = {}
    unzoned = []
    for role in ('cc', 'sc', 'nc'):
        for host in _group(groups, role):
            zone = _zone(ctx, hostvars, host)
            if zone is None:
                unzoned.append('%s (%s)' % (host, role))
                continue
            zones.setdefault(zone, {'cc': [], 'sc': [], 'nc': []})[role].append(host)
    problems = []
    if unzoned:
        problems.append('no zone for %s: set %s' % (', '.join(unzoned), ctx.get('zone_var') or 'eucalyptus_zone'))
    for zone in sorted(zones):
        members = zones[zone]
        for role, label in (('cc', 'CC'), ('sc', 'SC')):
            count = len(members[role])
            if count == 0:
                problems.append('zone %s has no %s' % (zone, label))
            elif count > 2:
                problems.append('zone %s has %d %ss (%s); the CLC registers at most two per zone'
                                % (zone, count, label, _plural(members[role])))
    if problems:
        out.append(_record('inventory.zones', ALL, FAILED, '; '.join(problems)))
    else:
        out.append(_record('inventory.zones', ALL, PASSED, 'zones %s: each with a CC and an SC' % _plural(zones)))

    orphans = ['%s (zone %s)' % (h, z) for z in sorted(zones) for h in zones[z]['nc'] if not zones[z]['cc']]
    if orphans:
        out.append(_record('inventory.clusters', ALL, FAILED,
                           'NCs outside any cluster (no CC in their zone): %s' % ', '.join(orphans)))
    elif not _group(groups, 'nc'):
        out.append(_record('inventory.clusters', ALL, SKIPPED, 'no NCs'))
    else:
        out.append(_record('inventory.clusters', ALL, PASSED, 'every NC is in a zone with a CC'))

    if mode == 'VPCMIDO':
        out.extend(_check_midonet_shape(ctx, groups, hostvars))
    else:
        out.append(_record('inventory.zookeeper', ALL, SKIPPED, 'no ZooKeeper ensemble outside VPCMIDO'))
        out.append(_record('inventory.midonet', ALL, SKIPPED, 'no MidoNet outside VPCMIDO'))
    out.extend(_check_eucanetd(ctx, groups, mode))
    return out, zones


def _check_midonet_shape(ctx, groups, hostvars):
    out = []
    zk = _group(groups, 'zookeeper')
    if not zk:
        out.append(_record('inventory.zookeeper', ALL, FAILED, 'group zookeeper is empty: VPCMIDO needs a ZooKeeper ensemble'))
    elif len(zk) % 2 == 0:
        out.append(_record('inventory.zookeeper', ALL, FAILED,
                           'the ZooKeeper ensemble has %d members (%s): an even ensemble tolerates no more failures '
                           'than one member less; use an odd number' % (len(zk), _plural(zk))))
    else:
        try:
            zookeeper_ensemble(zk, hostvars)
        except AnsibleFilterError as exc:
            message = str(exc)
            if 'no address known' in message:
                out.append(_record('inventory.zookeeper', ALL, PASSED,
                                   'odd ensemble of %d (%s); addresses from the hosts\' facts' % (len(zk), _plural(zk))))
            else:
                out.append(_record('inventory.zookeeper', ALL, FAILED, message))
        else:
            out.append(_record('inventory.zookeeper', ALL, PASSED, 'odd ensemble of %d (%s)' % (len(zk), _plural(zk))))

    problems = []
    clc = _group(groups, 'clc')
    api = _group(groups, 'midonet_api')
    midolman = set(_group(groups, 'midolman'))
    gateways = _group(groups, 'midonet_gateway')
    if not _group(groups, 'cassandra'):
        problems.append('group cassandra is empty')
    if len(api) != 1:
        problems.append('exactly one host must be in group midonet_api, found %d (%s)' % (len(api), _plural(api)))
    elif len(clc) == 1 and api[0] != clc[0]:
        problems.append('the MidoNet API runs on %s, not on the CLC %s: eucanetd (on the CLC) talks to it on '
                        '127.0.0.1:8080' % (api[0], clc[0]))
    if not gateways:
        problems.append('group midonet_gateway is empty')
    elif len(gateways) > 6:
        problems.append('%d MidoNet gateways (%s): network.json allows at most 6' % (len(gateways), _plural(gateways)))
    missing = sorted((set(clc) | set(_group(groups, 'nc')) | set(gateways)) - midolman)
    if missing:
        problems.append('midolman must run on the CLC, every NC and every gateway host; missing on %s'
                        % ', '.join(missing))
    if problems:
        out.append(_record('inventory.midonet', ALL, FAILED, '; '.join(problems)))
    else:
        out.append(_record('inventory.midonet', ALL, PASSED,
                           'API on the CLC, midolman on the CLC, NCs and gateways, %d gateway(s)' % len(gateways)))
    return out


def _eucanetd_hosts(ctx, groups, mode):
    version = _version(ctx.get('version'))
    if mode == 'VPCMIDO':
        return set(_group(groups, 'clc')), 'VPCMIDO: the CLC only'
    if mode == 'EDGE':
        return set(_group(groups, 'nc')), 'EDGE: every NC'
    if mode in MANAGED_MODES:
        if version == '4.1':
            return set(), '%s on 4.1: none (the CC manages the network itself)' % mode
        return set(_group(groups, 'cc')) | set(_group(groups, 'nc')), '%s: every CC and every NC' % mode
    return None, None


def _check_eucanetd(ctx, groups, mode):
    wanted, rule = _eucanetd_hosts(ctx, groups, mode)
    if wanted is None:
        return [_record('inventory.eucanetd', ALL, SKIPPED, 'no valid network mode')]
    group = ctx.get('eucanetd_group') or 'eucanetd'
    if group not in groups:
        return [_record('inventory.eucanetd', ALL, PASSED,
                        'placed by the mode (%s): %s' % (rule, _plural(wanted)))]
    have = set(_group(groups, group))
    if have == wanted:
        return [_record('inventory.eucanetd', ALL, PASSED, 'group %s matches %s' % (group, rule))]
    parts = []
    if have - wanted:
        parts.append('not on %s' % _plural(have - wanted))
    if wanted - have:
        parts.append('missing on %s' % _plural(wanted - have))
    return [_record('inventory.eucanetd', ALL, FAILED,
                    'group %s does not place eucanetd as the mode requires (%s): %s'
                    % (group, rule, '; '.join(parts)))]


# --------------------------------------------------------------------------- network.json

def _network_filter(loader_get):
    for name in NETWORK_FILTERS:
        plugin = loader_get(name)
        if plugin is not None:
            return name, getattr(plugin, 'j2_function', plugin)
    return None, None


def _loader_get(name):
    try:
        from ansible.plugins.loader import filter_loader
    except ImportError:  # pragma: no cover
        return None
    try:
        return filter_loader.get(name)
    except Exception:  # a broken plugin is reported like a missing one, by name
        return None


def _doc_not_ready(ctx, check):
    return [_record(check, ALL, SKIPPED,
                    'network.json cannot be rendered before the hosts are read (%s): checked again in the report, '
                    'after the host checks' % ctx.get('network_configuration_error'))]


def _check_network_rules(ctx, version, mode, loader_get=None):
    if ctx.get('network_configuration_error'):
        if ctx.get('final'):
            return [_record('network.configuration', ALL, FAILED,
                            'network.json cannot be rendered: %s' % ctx.get('network_configuration_error'))]
        return _doc_not_ready(ctx, 'network.configuration')
    doc = ctx.get('network_configuration')
    if mode is None or version is None:
        return [_record('network.configuration', ALL, SKIPPED, 'no valid version and mode to check network.json against')]
    if not doc:
        if version == '4.1' and mode in MANAGED_MODES:
            return [_record('network.configuration', ALL, SKIPPED,
                            '%s on 4.1 is configured in eucalyptus.conf, not in network.json' % mode)]
        return [_record('network.configuration', ALL, FAILED,
                        'no network configuration: set %s to the network.json document (PascalCase keys)'
                        % (ctx.get('network_configuration_var') or 'eucalyptus_network_configuration'))]
    if not isinstance(doc, dict):
        return [_record('network.configuration', ALL, FAILED, 'the network configuration is a %s, not a dict'
                        % type(doc).__name__)]
    doc_mode = str(doc.get('Mode') or 'EDGE').upper()
    out = []
    if doc_mode != mode:
        out.append(_record('network.configuration', ALL, FAILED,
                           'network.json Mode is %s, eucalyptus_network_mode is %s' % (doc_mode, mode)))
    name, function = _network_filter(loader_get or _loader_get)
    if function is None:
        out.append(_record('network.configuration', ALL, FAILED,
                           'cannot check the network.json rules: the filter eucalyptus.cloud.network_configuration '
                           'is not installed'))
        return out
    try:
        result = function(doc, version)
    except AnsibleFilterError as exc:
        out.append(_record('network.configuration', ALL, FAILED, str(exc)))
        return out
    except Exception as exc:  # the rules must never crash the report
        out.append(_record('network.configuration', ALL, FAILED, '%s failed: %s' % (name, exc)))
        return out
    if name.endswith('_violations') and result:
        for violation in result:
            if isinstance(violation, dict):
                text = '%s: %s' % (violation.get('key'), violation.get('message')) if violation.get('key') \
                    and str(violation.get('key')) not in str(violation.get('message')) else str(violation.get('message'))
            else:
                text = str(violation)
            out.append(_record('network.configuration', ALL, FAILED, text))
        return out
    if not out:
        out.append(_record('network.configuration', ALL, PASSED,
                           'network.json passes the CLC rules of %s (%s)' % (version, name)))
    return out


def _doc_ranges(doc, key, where):
    try:
        return _ranges(doc.get(key) or [])
    except (ValueError, socket.error, TypeError):
        raise ValueError('%s %s' % (where, key))


def _host_addresses(groups, hostvars):
    hosts = sorted(set(_group(groups, ALL)))
    known = {}
    for host in hosts:
        try:
            hv = hostvars[host]
        except KeyError:
            continue
        address = _inventory_address(hv, None)
        if address and _is_ip(address):
            known[host] = address
    return known, [h for h in hosts if h not in known]


def _check_addresses(ctx, groups, hostvars, mode):
    doc = ctx.get('network_configuration')
    if not isinstance(doc, dict) or not doc:
        return [_record('network.addresses', ALL, SKIPPED, 'no network configuration to compare addresses with')]
    try:
        public = _doc_ranges(doc, 'PublicIps', 'network.json')
        private = _doc_ranges(doc, 'PrivateIps', 'network.json')
        for cluster in doc.get('Clusters') or []:
            if isinstance(cluster, dict):
                private += _doc_ranges(cluster, 'PrivateIps', 'cluster %s' % cluster.get('Name'))
    except ValueError as exc:
        return [_record('network.addresses', ALL, SKIPPED, 'unreadable address list (%s); see network.configuration' % exc)]
    known, unknown = _host_addresses(groups, hostvars)
    problems = []
    for host in sorted(known):
        address = known[host]
        if _in_ranges(address, public):
            problems.append('%s (%s) is inside PublicIps: the cloud would hand it to an instance' % (host, address))
        if _in_ranges(address, private):
            problems.append('%s (%s) is inside the private IP ranges' % (host, address))
    mido = doc.get('Mido') if isinstance(doc.get('Mido'), dict) else {}
    for key in ('GatewayIP', 'PublicGatewayIP'):
        value = mido.get(key)
        if value and _is_ip(value):
            for host in sorted(known):
                if known[host] == value:
                    problems.append('Mido.%s %s is the address of %s' % (key, value, host))
            if _in_ranges(value, public):
                problems.append('Mido.%s %s is inside PublicIps' % (key, value))
    cidr = mido.get('PublicNetworkCidr')
    if cidr and public:
        try:
            for host in sorted(known):
                if _in_cidr(known[host], cidr) and mode == 'VPCMIDO':
                    problems.append('%s (%s) is inside Mido.PublicNetworkCidr %s, the network MidoNet takes over'
                                    % (host, known[host], cidr))
        except (ValueError, socket.error):
            pass
    if mode == 'VPCMIDO':
        problems.extend(_uplink_problems(ctx, groups, hostvars, doc, mido, public))
    note = (' (no inventory address for %s: compared after gathering facts is not done here)' % ', '.join(unknown)) \
        if unknown else ''
    if problems:
        return [_record('network.addresses', ALL, FAILED, p) for p in problems]
    return [_record('network.addresses', ALL, PASSED,
                    'no host address inside PublicIps or the private ranges; %d host(s) compared%s'
                    % (len(known), note))]


def _uplink_problems(ctx, groups, hostvars, doc, mido, public):
    """network.json against the MidoNet gateway up-link variables (seed 000 step 1)."""
    gateways = _group(groups, 'midonet_gateway')
    problems = []
    legacy = [g for g in (mido.get('Gateways') or []) if isinstance(g, dict) and 'GatewayHost' in g]
    if mido.get('GatewayHost'):
        legacy.append({'GatewayHost': mido.get('GatewayHost'), 'GatewayIP': mido.get('GatewayIP'),
                       'GatewayInterface': mido.get('GatewayInterface')})
    domain = ctx.get('domain')
    names = {}
    for host in gateways:
        for name in _names(host, domain):
            names[name] = host
        address = _inventory_address(hostvars[host], None) if host in hostvars else None
        if address:
            names[address] = host
    version = _version(ctx.get('version'))
    for entry in legacy:
        target = str(entry.get('GatewayHost') or '')
        host = names.get(target)
        if host is None:
            problems.append('Mido GatewayHost %r is not a host of group midonet_gateway (%s)'
                            % (target, _plural(gateways)))
            continue
        if version in ('4.2', '4.3') and _is_ip(target):
            problems.append('Mido GatewayHost %r is an IP: eucanetd %s matches it against MidoNet host names'
                            % (target, version))
        gw_ip = _hv(hostvars, host, 'midonet_gateway_gateway_ip')
        if gw_ip and entry.get('GatewayIP') and str(gw_ip) != str(entry.get('GatewayIP')):
            problems.append('Mido GatewayIP %s differs from midonet_gateway_gateway_ip %s of %s'
                            % (entry.get('GatewayIP'), gw_ip, host))
        peer = _hv(hostvars, host, 'midonet_gateway_peer')
        if peer and entry.get('GatewayInterface') and str(peer) != str(entry.get('GatewayInterface')):
            problems.append('Mido GatewayInterface %s is not the up-link peer %s (midonet_gateway_peer) of %s'
                            % (entry.get('GatewayInterface'), peer, host))
        bridge_address = _hv(hostvars, host, 'midonet_gateway_bridge_address')
        if bridge_address and mido.get('PublicGatewayIP'):
            if str(bridge_address).partition('/')[0] != str(mido.get('PublicGatewayIP')):
                problems.append('Mido PublicGatewayIP %s differs from the up-link bridge address %s '
                                '(midonet_gateway_bridge_address) of %s'
                                % (mido.get('PublicGatewayIP'), bridge_address, host))
        listed = _hv(hostvars, host, 'midonet_gateway_public_ips')
        if listed:
            try:
                if _expand(_ranges(listed)) != _expand(public):
                    problems.append('PublicIps (%s) differ from midonet_gateway_public_ips (%s) of %s'
                                    % (_range_text(public), _range_text(_ranges(listed)), host))
            except (ValueError, socket.error):
                problems.append('midonet_gateway_public_ips of %s is not a list of IPs, ranges or CIDRs' % host)
    eucanetd_host = mido.get('EucanetdHost')
    clc = _group(groups, 'clc')
    if eucanetd_host and len(clc) == 1:
        clc_names = set(_names(clc[0], domain))
        clc_address = _inventory_address(hostvars[clc[0]], None) if clc[0] in hostvars else None
        if _is_ip(eucanetd_host):
            if version in ('4.2', '4.3'):
                problems.append('Mido EucanetdHost %r is an IP: eucanetd %s matches it against the MidoNet host '
                                'name of the CLC (%s)' % (eucanetd_host, version, ' or '.join(sorted(clc_names))))
            elif clc_address and eucanetd_host != clc_address:
                problems.append('Mido EucanetdHost %s is not the CLC %s (%s)' % (eucanetd_host, clc[0], clc_address))
        elif str(eucanetd_host) not in clc_names:
            problems.append('Mido EucanetdHost %r is not the CLC (%s)' % (eucanetd_host, ' or '.join(sorted(clc_names))))
    return problems


def _check_clusters(ctx, zones, mode):
    doc = ctx.get('network_configuration')
    if not isinstance(doc, dict) or mode not in ('EDGE',) + MANAGED_MODES:
        return [_record('network.clusters', ALL, SKIPPED, 'no cluster section to compare with the zones')]
    clusters = [c.get('Name') for c in (doc.get('Clusters') or []) if isinstance(c, dict)]
    if not clusters:
        return [_record('network.clusters', ALL, SKIPPED, 'network.json names no Clusters')]
    problems = []
    unknown = sorted(set(str(c) for c in clusters) - set(zones))
    if unknown:
        problems.append('Clusters %s are not zones of the inventory (%s)' % (', '.join(unknown), _plural(zones)))
    absent = sorted(set(zones) - set(str(c) for c in clusters))
    if absent:
        problems.append('zones %s have no entry in Clusters: their NCs get no network' % ', '.join(absent))
    if problems:
        return [_record('network.clusters', ALL, FAILED, p) for p in problems]
    return [_record('network.clusters', ALL, PASSED, 'Clusters name exactly the zones %s' % _plural(zones))]


# --------------------------------------------------------------------------- MANAGED capacity

def _managed_numbers(ctx, version, mode):
    """(subnet, netmask, addrspernet, vlans or None, source) for the MANAGED capacity math."""
    managed = ctx.get('managed') or {}
    doc = ctx.get('network_configuration') if isinstance(ctx.get('network_configuration'), dict) else {}
    subnet = doc.get('ManagedSubnet') if isinstance(doc.get('ManagedSubnet'), dict) else None
    if subnet:
        vlans = None
        if mode == 'MANAGED' and subnet.get('MinVlan') not in (None, '') and subnet.get('MaxVlan') not in (None, ''):
            vlans = int(subnet['MaxVlan']) - int(subnet['MinVlan']) + 1
        return (subnet.get('Subnet'), subnet.get('Netmask'), subnet.get('SegmentSize') or 32, vlans,
                'network.json ManagedSubnet')
    return (managed.get('subnet'), managed.get('netmask'), managed.get('addrspernet') or 32, None,
            'VNET_SUBNET/VNET_NETMASK/VNET_ADDRSPERNET')


def _check_managed(ctx, groups, version, mode):
    if mode not in MANAGED_MODES or version is None:
        return [_record('managed.capacity', ALL, SKIPPED, 'capacity math applies to MANAGED and MANAGED-NOVLAN only')]
    out = []
    managed = ctx.get('managed') or {}
    subnet, netmask, per_net, vlans, source = _managed_numbers(ctx, version, mode)
    try:
        per_net = int(per_net)
        network = _ip_int(subnet)
        mask = _ip_int(netmask)
    except (TypeError, ValueError, socket.error):
        return [_record('managed.capacity', ALL, FAILED,
                        'no readable subnet, netmask and ADDRSPERNET in %s (subnet %r, netmask %r, %r)'
                        % (source, subnet, netmask, per_net))]
    inverted = (~mask) & 0xffffffff
    if inverted & (inverted + 1):
        return [_record('managed.capacity', ALL, FAILED, 'netmask %s is not contiguous (%s)' % (netmask, source))]
    addresses = inverted + 1
    if network & inverted:
        out.append(_record('managed.capacity', ALL, FAILED, 'subnet %s is not a network address for netmask %s'
                           % (subnet, netmask)))
    if per_net & (per_net - 1) or not 16 <= per_net <= 2048:
        out.append(_record('managed.capacity', ALL, FAILED,
                           'ADDRSPERNET %d must be a power of 2 from 16 to 2048 (%s)' % (per_net, source)))
        return out
    if per_net > addresses:
        out.append(_record('managed.capacity', ALL, FAILED,
                           'ADDRSPERNET %d is larger than the %d addresses of %s/%s' % (per_net, addresses, subnet, netmask)))
        return out
    networks = addresses // per_net
    limit = networks
    vlan_note = ''
    if vlans is not None:
        limit = min(networks, vlans)
        vlan_note = ', VLANs MinVlan-MaxVlan allow %d' % vlans
    users = int(managed.get('users') or 1)
    per_user = limit // users
    reserved = int(ctx['matrix'][version].get('managed_reserved', 11))
    per_group = per_net - reserved
    summary = ('%s/%s: %d addresses / ADDRSPERNET %d = %d concurrent networks%s; %d / %d users = %d per user; '
               '%d - %d reserved = %d instances per security group'
               % (subnet, netmask, addresses, per_net, networks, vlan_note, limit, users, per_user,
                  per_net, reserved, per_group))
    want_user = int(managed.get('min_networks_per_user') or 1)
    want_group = int(managed.get('min_instances_per_group') or 1)
    if per_user < want_user:
        out.append(_record('managed.capacity', ALL, FAILED,
                           '%s: fewer than the %d active security groups per user wanted' % (summary, want_user)))
    if per_group < want_group:
        out.append(_record('managed.capacity', ALL, FAILED,
                           '%s: fewer than the %d instances per security group wanted' % (summary, want_group)))
    if not out:
        out.append(_record('managed.capacity', ALL, PASSED, summary))
    shared = sorted(set(_group(groups, 'cc')) & set(_group(groups, 'nc')))
    if shared:
        out.append(_record('managed.single_host', ALL, FAILED,
                           '%s run both CC and NC: %s traffic between security groups must pass through the '
                           'front-end router, so it cannot run on one machine (seed 002)' % (', '.join(shared), mode)))
    else:
        out.append(_record('managed.single_host', ALL, PASSED, 'CC and NC hosts are distinct'))
    return out


# --------------------------------------------------------------------------- entry points

def preflight_inventory(groups, hostvars, ctx):
    """All the checks that need only the inventory, as result records."""
    if not hasattr(groups, 'get') and not isinstance(groups, dict):
        raise AnsibleFilterError('preflight_inventory: groups must be the groups magic variable')
    ctx = dict(ctx or {})
    out = []
    version, records = _check_version(ctx)
    out.extend(records)
    mode, records = _check_mode(ctx, version)
    out.extend(records)
    if mode is not None and any(r['status'] == FAILED for r in records):
        mode_ok = None
    else:
        mode_ok = mode
    out.extend(_check_midonet(ctx, version, mode_ok))
    out.extend(_check_tunnel_zone(ctx, version, mode_ok))
    records, zones = _check_shape(ctx, groups, hostvars, mode_ok)
    out.extend(records)
    out.extend(_check_network_rules(ctx, version, mode_ok))
    out.extend(_check_addresses(ctx, groups, hostvars, mode_ok))
    out.extend(_check_clusters(ctx, zones, mode_ok))
    out.extend(_check_managed(ctx, groups, version, mode_ok))
    return out


def preflight_host_interfaces(host, groups, hostvars, ctx):
    """The interfaces the inventory names on ``host``: [{name, bridge, why, created_by}]."""
    ctx = dict(ctx or {})
    mode = str(ctx.get('mode') or '').upper()
    wanted = []

    def add(name, bridge, why, created_by=None):
        if name and str(name).strip():
            wanted.append({'name': str(name).strip(), 'bridge': bool(bridge), 'why': why, 'created_by': created_by})

    def var(name, default=None):
        return _hv(hostvars, host, name, default)

    doc = ctx.get('network_configuration') if isinstance(ctx.get('network_configuration'), dict) else {}
    mido = doc.get('Mido') if isinstance(doc.get('Mido'), dict) else {}
    if mode == 'VPCMIDO' and host in _group(groups, 'midonet_gateway'):
        add(var('midonet_gateway_external_interface'), False, 'midonet_gateway_external_interface (MASQUERADE out of it)')
        add(var('midonet_gateway_bridge'), True, 'midonet_gateway_bridge', 'midonet_gateway')
        add(var('midonet_gateway_veth'), False, 'midonet_gateway_veth', 'midonet_gateway')
        add(var('midonet_gateway_peer'), False, 'midonet_gateway_peer (network.json GatewayInterface)', 'midonet_gateway')
        address = _inventory_address(hostvars[host], None) if host in hostvars else None
        for gateway in mido.get('Gateways') or []:
            if isinstance(gateway, dict) and gateway.get('ExternalDevice') and address and gateway.get('Ip') == address:
                add(gateway['ExternalDevice'], False, 'network.json Mido.Gateways ExternalDevice (taken over by MidoNet)')
    bridge = var(ctx.get('bridge_var') or 'eucalyptus_common_vnet_bridge', ctx.get('bridge_default'))
    pub = var(ctx.get('pubinterface_var') or 'eucalyptus_common_vnet_pubinterface', ctx.get('pubinterface_default'))
    priv = var(ctx.get('privinterface_var') or 'eucalyptus_common_vnet_privinterface', ctx.get('privinterface_default'))
    if host in _group(groups, 'nc'):
        if mode in ('EDGE', 'MANAGED-NOVLAN'):
            add(bridge, True, 'VNET_BRIDGE (the NC bridge with the NIC)')
        elif mode == 'VPCMIDO':
            add(bridge, True, 'VNET_BRIDGE (in VPCMIDO a bridge without the NIC)', 'eucalyptus_nc')
        if mode in ('EDGE', 'MANAGED'):
            add(pub, False, 'VNET_PUBINTERFACE')
        if mode == 'EDGE':
            add(priv, False, 'VNET_PRIVINTERFACE')
    if host in _group(groups, 'cc') and mode in MANAGED_MODES:
        add(pub, False, 'VNET_PUBINTERFACE (CC)')
        add(priv, False, 'VNET_PRIVINTERFACE (CC)')
    for extra in var('preflight_interfaces', []) or []:
        if isinstance(extra, dict):
            add(extra.get('name'), extra.get('bridge', False), extra.get('why', 'preflight_interfaces'))
        else:
            add(extra, False, 'preflight_interfaces')
    optional = set(str(n) for n in (var('preflight_skip_interfaces', []) or []))
    for item in wanted:
        if item['name'] in optional:
            item['note'] = 'is absent and not required (preflight_skip_interfaces)'
    seen = {}
    for item in wanted:
        if item['name'] in seen:
            seen[item['name']]['bridge'] = seen[item['name']]['bridge'] or item['bridge']
            continue
        seen[item['name']] = item
    return list(seen.values())


def _fact_key(name):
    return str(name).replace('-', '_').replace('.', '_').replace(':', '_')


def preflight_interfaces_check(wanted, facts, host):
    """Records for the interfaces ``wanted`` (preflight_host_interfaces) against the host's facts."""
    facts = facts or {}
    present = set(facts.get('interfaces') or [])
    failed, skipped, fine = [], [], []
    for item in wanted or []:
        name = item['name']
        fact = facts.get(_fact_key(name)) or {}
        if name not in present:
            if item.get('note'):
                skipped.append('%s (%s) %s' % (name, item['why'], item['note']))
            elif item.get('created_by'):
                skipped.append('%s (%s) is created by the %s role' % (name, item['why'], item['created_by']))
            else:
                failed.append('%s (%s) does not exist' % (name, item['why']))
        elif item.get('bridge') and fact.get('type') != 'bridge':
            failed.append('%s (%s) is not a bridge (type %s)' % (name, item['why'], fact.get('type') or 'unknown'))
        else:
            fine.append(name)
    if failed:
        return [_record('host.interfaces', host, FAILED, '; '.join(failed + skipped))]
    if not wanted:
        return [_record('host.interfaces', host, SKIPPED, 'the inventory names no interface on this host')]
    if skipped and not fine:
        return [_record('host.interfaces', host, SKIPPED, '; '.join(skipped))]
    return [_record('host.interfaces', host, PASSED,
                    'present: %s%s' % (', '.join(fine) or 'none', ('; ' + '; '.join(skipped)) if skipped else ''))]


def preflight_dns_expected(hosts, hostvars, domain):
    """[{host, names, address}] of the cloud hosts whose address is known (inventory or facts)."""
    out = []
    for host in sorted(set(hosts or [])):
        try:
            address = _lookup(host, hostvars, None)
        except AnsibleFilterError:
            address = None
        out.append({'host': host, 'names': _names(host, domain), 'address': address})
    return out


def _getent_lines(stdout):
    for line in (stdout or '').splitlines():
        fields = line.split()
        if len(fields) >= 2:
            yield fields[0], fields[1:]


def preflight_dns_check(expected, forward_stdout, reverse_stdout, host, written_by_common=False):
    """Forward (name -> address) and reverse (address -> name) resolution of every cloud host."""
    forward = {}
    for address, names in _getent_lines(forward_stdout):
        for name in names:
            forward.setdefault(name, address)
    reverse = {}
    for address, names in _getent_lines(reverse_stdout):
        reverse.setdefault(address, names)
    wrong, unresolved, fine, unknown = [], [], [], []
    for item in expected or []:
        if not item.get('address'):
            unknown.append(item['host'])
            continue
        name = item['names'][0]
        got = forward.get(name)
        if got is None:
            unresolved.append('%s does not resolve' % name)
        elif got != item['address']:
            wrong.append('%s resolves to %s, not %s' % (name, got, item['address']))
        names = reverse.get(item['address'])
        if names is None:
            unresolved.append('%s does not reverse-resolve' % item['address'])
        elif not set(names) & set(item['names']):
            wrong.append('%s reverse-resolves to %s, not %s' % (item['address'], names[0], ' or '.join(item['names'])))
        if got == item['address'] and names and set(names) & set(item['names']):
            fine.append(name)
    note = (' (address unknown for %s)' % ', '.join(unknown)) if unknown else ''
    if wrong or (unresolved and not written_by_common):
        return [_record('host.dns', host, FAILED, '; '.join(wrong + unresolved) + note)]
    if unresolved:
        return [_record('host.dns', host, SKIPPED,
                        '%s: not resolvable yet; the common role writes every cloud host into /etc/hosts '
                        '(common_manage_etc_hosts), run the preflight again after it' % '; '.join(unresolved))]
    return [_record('host.dns', host, PASSED, 'both ways: %s%s' % (', '.join(fine) or 'none', note))]


def preflight_time_check(host, before, after, host_time, max_offset, status_stdout=None, status_rc=None):
    """The host's clock against the controller's, read just before and just after it."""
    try:
        before, after, now, limit = float(before), float(after), float(host_time), float(max_offset)
    except (TypeError, ValueError):
        return [_record('host.time', host, FAILED, 'could not read the clock (date +%s)')]
    if now < before:
        offset = now - before
    elif now > after:
        offset = now - after
    else:
        offset = 0.0
    sync = '; chronyc is not installed (the common role installs chrony)'
    if status_rc is not None:
        if int(status_rc) == 0:
            leap = [l.split(':', 1)[1].strip() for l in (status_stdout or '').splitlines() if l.startswith('Leap status')]
            sync = '; chronyc: Leap status %s' % (leap[0] if leap else 'unknown')
        else:
            sync = '; no chronyd answering (the common role installs and starts chrony)'
    if abs(offset) > limit:
        return [_record('host.time', host, FAILED,
                        'clock is %.1f s %s the controller (more than %g s)%s'
                        % (abs(offset), 'behind' if offset < 0 else 'ahead of', limit, sync))]
    return [_record('host.time', host, PASSED, 'clock within %g s of the controller%s' % (limit, sync))]


def preflight_forward_check(host, rc, stdout):
    """The filter table's FORWARD policy (iptables -S), on a MidoNet gateway host."""
    if rc is None or int(rc) != 0:
        return [_record('host.forward_policy', host, SKIPPED, 'iptables could not be read (not installed?)')]
    lines = (stdout or '').splitlines()
    policy = [l.split()[2] for l in lines if l.startswith('-P FORWARD ')]
    if policy and policy[0] == 'DROP':
        who = []
        if any(l.startswith('-N DOCKER') for l in lines):
            who.append('Docker')
        if any(l.startswith('-N FORWARD_IN_ZONES') or l.startswith('-N FORWARD_direct') for l in lines):
            who.append('firewalld')
        return [_record('host.forward_policy', host, FAILED,
                        'the FORWARD policy is DROP%s: the gateway forwards the public IPs between the up-link '
                        'and the external interface and would drop their traffic'
                        % ((' (set by %s)' % ' and '.join(who)) if who else ''))]
    return [_record('host.forward_policy', host, PASSED, 'FORWARD policy %s' % (policy[0] if policy else 'unknown'))]


def preflight_mtu_check(host, facts, address, tunnel_type, overhead, instance_mtu):
    """MTU headroom of the interface carrying the tunnel address."""
    facts = facts or {}
    if not address:
        return [_record('host.mtu', host, SKIPPED, 'no tunnel address known')]
    for name in facts.get('interfaces') or []:
        fact = facts.get(_fact_key(name)) or {}
        ipv4 = fact.get('ipv4') or {}
        addresses = [ipv4.get('address')] + [a.get('address') for a in fact.get('ipv4_secondaries') or []]
        if address in addresses:
            try:
                mtu = int(fact.get('mtu'))
            except (TypeError, ValueError):
                return [_record('host.mtu', host, SKIPPED, '%s carries %s but its MTU is unknown' % (name, address))]
            try:
                extra = int(overhead[str(tunnel_type)])
            except (KeyError, TypeError, ValueError):
                return [_record('host.mtu', host, FAILED, 'unknown tunnel type %r' % (tunnel_type,))]
            room = mtu - extra
            text = '%s (%s) MTU %d - %d bytes of %s = %d for instance packets' % (
                name, address, mtu, extra, tunnel_type, room)
            if room < int(instance_mtu):
                return [_record('host.mtu', host, FAILED, '%s, below %d' % (text, int(instance_mtu)))]
            return [_record('host.mtu', host, PASSED, text)]
    return [_record('host.mtu', host, FAILED, 'no interface carries the tunnel address %s' % address)]


def preflight_vlan_plan(hosts, subnet, netmask, given=None):
    """Test addresses for the VLAN clean test: ``given`` (host -> IP) or the first addresses of the
    managed subnet in host order; returns {'addresses': {...}, 'prefix': n}."""
    mask = _ip_int(netmask)
    inverted = (~mask) & 0xffffffff
    prefix = 32 - len(bin(inverted)) + 2 if inverted else 32
    if given:
        return {'addresses': dict(given), 'prefix': prefix}
    network = _ip_int(subnet) & mask
    return {'addresses': dict((h, _int_ip(network + i + 1)) for i, h in enumerate(sorted(hosts or []))),
            'prefix': prefix}


def preflight_hosts_without(hosts, hostvars, name):
    """The hosts whose fact ``name`` is not true."""
    return [h for h in hosts or [] if not _hv(hostvars, h, name, False)]


def preflight_collect(hosts, hostvars, name='_preflight_host_results'):
    """The host checks' records of ``hosts``; a host without any is a failed record."""
    out = []
    for host in sorted(set(hosts or [])):
        records = _hv(hostvars, host, name)
        if records is None:
            out.append(_record('host.reached', host, FAILED,
                               'no host check finished on this host (unreachable, or a task failed): see above'))
        else:
            out.extend(records)
    return out


def preflight_summary(records):
    """Lines of the report, failed first; and counts."""
    order = {FAILED: 0, SKIPPED: 1, PASSED: 2}
    records = [r for r in (records or []) if isinstance(r, dict)]
    records = sorted(records, key=lambda r: (order.get(r.get('status'), 3), str(r.get('check')), str(r.get('host'))))
    lines = ['%-7s %-24s %-16s %s' % (r.get('status'), r.get('check'), r.get('host'), r.get('reason')) for r in records]
    counts = dict((s, len([r for r in records if r.get('status') == s])) for s in (PASSED, FAILED, SKIPPED))
    lines.append('preflight: %d passed, %d failed, %d skipped' % (counts[PASSED], counts[FAILED], counts[SKIPPED]))
    return lines


class FilterModule(object):

    def filters(self):
        return {
            'preflight_inventory': preflight_inventory,
            'preflight_host_interfaces': preflight_host_interfaces,
            'preflight_summary': preflight_summary,
            'preflight_interfaces_check': preflight_interfaces_check,
            'preflight_dns_expected': preflight_dns_expected,
            'preflight_dns_check': preflight_dns_check,
            'preflight_time_check': preflight_time_check,
            'preflight_forward_check': preflight_forward_check,
            'preflight_mtu_check': preflight_mtu_check,
            'preflight_vlan_plan': preflight_vlan_plan,
            'preflight_collect': preflight_collect,
            'preflight_hosts_without': preflight_hosts_without,
        }
