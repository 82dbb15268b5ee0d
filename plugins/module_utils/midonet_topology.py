# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MidoNet topology reader: routers, bridges, ports (peers, host-interface bindings), routes,
tunnel zones and their members, hosts, read with the fewest API calls; a pure model builder
(``build_topology``) and a formatter (``format_listing``) that prints the objects the way
``midonet-cli`` lists them (the listing of the Eucalyptus VPCMIDO "cloud in a box" walk-through):

    router router0 name eucart state up
    port port0 device router0 state up mac ac:ca:ba:11:c8:8e address 172.19.0.2 net 172.19.0.0/30
    route route0 type normal src 0.0.0.0/0 dst 0.0.0.0/0 gw 172.19.0.1 port router0:port0 weight 0
    host host0 interface veth1 port router0:port0

Also the body of ``midonet_host_info`` (hosts, optionally waiting until they are alive).

Aliases (``router0``, ``bridge0:port1``, ...) are given as midonet-cli gives them (a counter per
type and parent), in a stable order: devices by name, a device's ports unlinked first and then by
address, a router's routes by next-hop port, destination and source.

Valid on Python 2.7 and 3.6+ (EL7 targets).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_client import (
    MidonetError, client_from_module, fail, host_index, protect_api_url, resolve_host)

KINDS = ('routers', 'bridges', 'ports', 'routes', 'tunnel_zones', 'hosts')
# What each kind needs read to be described (aliases of devices, ports and hosts).
_NEEDS = {'ports': ('routers', 'bridges', 'hosts'), 'routes': ('routers', 'ports'),
          'tunnel_zones': ('hosts',)}
COUNT_KEYS = ('routers', 'bridges', 'ports', 'routes', 'tunnel_zones', 'tunnel_zone_members', 'hosts')

_ROUTE_TYPES = {'Normal': 'normal', 'BlackHole': 'blackhole', 'Reject': 'reject'}


def read_closure(include):
    """The kinds to read for ``include`` (a list of KINDS; empty or None = all)."""
    want = set(include or KINDS)
    unknown = sorted(want - set(KINDS))
    if unknown:
        raise MidonetError('unknown object kind(s) in include: %s (valid: %s)'
                           % (', '.join(unknown), ', '.join(KINDS)))
    todo = list(want)
    while todo:
        for dep in _NEEDS.get(todo.pop(), ()):
            if dep not in want:
                want.add(dep)
                todo.append(dep)
    return want


# ---------------------------------------------------------------------------------------------
# Reading (the only part that talks to the API)
# ---------------------------------------------------------------------------------------------

def read_topology(client, include=None, tenant=None):
    """Read what ``include`` needs; returns the raw API objects as a dict.

    Calls: the root; ``/hosts``; ``/routers`` and ``/bridges`` (``?tenant_id=`` with ``tenant``);
    the ports with ONE ``GET /ports`` where the API has it (5.x; else one list per router and
    bridge, as on 1.x); one route list per router; ``/tunnel_zones`` and one member list per
    zone. Host-interface bindings come from the ports' ``hostId``/``interfaceName``; only an API
    whose ports lack those fields costs one ``/hosts/{id}/ports`` per host."""
    kinds = read_closure(include)
    client.get_root()
    raw = dict(kinds=sorted(kinds), routers=[], bridges=[], ports=[], routes={}, tunnel_zones=[],
               members={}, hosts=[], bindings=None)
    if 'hosts' in kinds:
        raw['hosts'] = client.list_hosts()
    if 'routers' in kinds:
        raw['routers'] = client.list_routers(tenant)
    if 'bridges' in kinds:
        raw['bridges'] = client.list_bridges(tenant)
    if 'ports' in kinds:
        devices = set(str(d.get('id')).lower() for d in raw['routers'] + raw['bridges'])
        ports = client.list_all_ports()
        if ports is None:
            ports = []
            for kind in ('routers', 'bridges'):
                for dev in raw[kind]:
                    ports.extend(client.list_device_ports(kind, dev.get('id')))
        raw['ports'] = [p for p in ports if str(p.get('deviceId')).lower() in devices]
        if any('interfaceName' not in p for p in raw['ports']):
            bindings = []
            for host in raw['hosts']:
                bindings.extend(client.list_host_ports(host.get('id')))
            raw['bindings'] = bindings
    if 'routes' in kinds:
        for router in raw['routers']:
            raw['routes'][router.get('id')] = client.list_routes(router.get('id'))
    if 'tunnel_zones' in kinds:
        raw['tunnel_zones'] = client.list_zones()
        for zone in raw['tunnel_zones']:
            raw['members'][zone.get('id')] = client.list_members(zone.get('id'))
    return raw


# ---------------------------------------------------------------------------------------------
# Model (pure)
# ---------------------------------------------------------------------------------------------

def _ip_key(value):
    try:
        return tuple(int(x) for x in str(value).split('.'))
    except ValueError:
        return (999,)


def _cidr(addr, length):
    """midonet-cli's CidrPair: ``addr/len``, just ``addr`` for /32, None without an address."""
    if addr is None:
        return None
    addr = addr or '0.0.0.0'
    length = length if length else 0
    if length == 32:
        return str(addr)
    return '%s/%s' % (addr, length)


def _state(obj):
    if 'adminStateUp' not in obj:
        return None
    return 'up' if obj.get('adminStateUp') else 'down'


def _lower(value):
    return str(value).lower() if value is not None else None


class _Aliases(object):
    """midonet-cli's alias counters: one per type prefix and parent."""

    def __init__(self):
        self.counters = {}
        self.by_id = {}

    def add(self, prefix, oid, parent=None):
        key = (prefix, parent)
        n = self.counters.get(key, 0)
        self.counters[key] = n + 1
        alias = '%s%d' % (prefix, n)
        self.by_id[(prefix, _lower(oid))] = alias
        return alias

    def get(self, prefix, oid):
        return self.by_id.get((prefix, _lower(oid)))

    def get_or_add(self, prefix, oid):
        return self.get(prefix, oid) or self.add(prefix, oid)


def build_topology(raw):
    """Raw API objects (see :func:`read_topology`) -> ``(topology, counts)``, with aliases."""
    kinds = set(raw.get('kinds') or KINDS)
    aliases = _Aliases()
    hosts = sorted(raw.get('hosts') or [], key=lambda h: (h.get('name') or '', _lower(h.get('id'))))
    hindex = host_index(hosts)
    host_views = []
    for h in hosts:
        host_views.append(dict(id=h.get('id'), name=h.get('name'), alive=bool(h.get('alive')),
                               addresses=list(h.get('addresses') or []),
                               alias=aliases.add('host', h.get('id'))))

    devices = {}
    dev_views = {'routers': [], 'bridges': []}
    for kind, prefix in (('routers', 'router'), ('bridges', 'bridge')):
        for d in sorted(raw.get(kind) or [], key=lambda d: (d.get('name') or '', _lower(d.get('id')))):
            view = dict(id=d.get('id'), name=d.get('name'), tenant_id=d.get('tenantId'),
                        state=_state(d), inbound_filter_id=d.get('inboundFilterId'),
                        outbound_filter_id=d.get('outboundFilterId'),
                        alias=aliases.add(prefix, d.get('id')))
            if d.get('asNumber') is not None:
                view['asn'] = d.get('asNumber')
            dev_views[kind].append(view)
            devices[_lower(d.get('id'))] = (prefix, view)

    bindings_by_port = {}
    if raw.get('bindings') is not None:
        for b in raw['bindings']:
            bindings_by_port[_lower(b.get('portId'))] = (b.get('hostId'), b.get('interfaceName'))

    port_views = []
    by_device = {}
    for p in raw.get('ports') or []:
        by_device.setdefault(_lower(p.get('deviceId')), []).append(p)
    port_index = {}
    for kind in ('routers', 'bridges'):
        for dev in dev_views[kind]:
            ports = sorted(by_device.get(_lower(dev['id']), []),
                           key=lambda p: (bool(p.get('peerId')), _ip_key(p.get('portAddress'))
                                          if p.get('portAddress') else (), _lower(p.get('id'))))
            for p in ports:
                host_id, ifname = p.get('hostId'), p.get('interfaceName')
                if raw.get('bindings') is not None:
                    host_id, ifname = bindings_by_port.get(_lower(p.get('id')), (host_id, ifname))
                host = hindex.get(_lower(host_id)) if host_id else None
                view = dict(id=p.get('id'), type=p.get('type'), device_id=dev['id'],
                            device_name=dev['name'], device_kind=kind[:-1], state=_state(p),
                            mac=p.get('portMac'), address=p.get('portAddress'),
                            network=_cidr(p.get('networkAddress'), p.get('networkLength')),
                            inbound_filter_id=p.get('inboundFilterId'),
                            outbound_filter_id=p.get('outboundFilterId'), vlan_id=p.get('vlanId'),
                            peer_id=p.get('peerId'), host_id=host_id if (host_id and ifname) else None,
                            host_name=host.get('name') if (host and ifname) else None,
                            interface_name=ifname if host_id else None)
                view['alias'] = '%s:%s' % (dev['alias'], aliases.add('port', p.get('id'), dev['id']))
                port_views.append(view)
                port_index[_lower(p.get('id'))] = view
    for view in port_views:
        peer = port_index.get(_lower(view['peer_id'])) if view['peer_id'] else None
        view.update(peer_alias=peer['alias'] if peer else None,
                    peer_device_name=peer['device_name'] if peer else None,
                    peer_device_kind=peer['device_kind'] if peer else None)

    bindings = [dict(host_id=v['host_id'], host_name=v['host_name'], interface_name=v['interface_name'],
                     port_id=v['id'], port_alias=v['alias'])
                for v in port_views if v['host_id'] and v['interface_name']]

    route_views = []
    order = dict((_lower(v['id']), i) for i, v in enumerate(port_views))
    for dev in dev_views['routers']:
        routes = sorted((raw.get('routes') or {}).get(dev['id']) or [],
                        key=lambda r: (order.get(_lower(r.get('nextHopPort')), len(order)),
                                       r.get('dstNetworkLength') or 0, _ip_key(r.get('dstNetworkAddr')),
                                       r.get('srcNetworkLength') or 0, _ip_key(r.get('srcNetworkAddr')),
                                       _lower(r.get('id'))))
        for r in routes:
            nh = port_index.get(_lower(r.get('nextHopPort'))) if r.get('nextHopPort') else None
            route_views.append(dict(
                id=r.get('id'), router_id=dev['id'], router_name=dev['name'], type=r.get('type'),
                src=_cidr(r.get('srcNetworkAddr'), r.get('srcNetworkLength')),
                dst=_cidr(r.get('dstNetworkAddr'), r.get('dstNetworkLength')),
                src_length=r.get('srcNetworkLength'), dst_length=r.get('dstNetworkLength'),
                gateway=r.get('nextHopGateway'), next_hop_port=r.get('nextHopPort'),
                next_hop_port_alias=nh['alias'] if nh else None, weight=r.get('weight'),
                learned=r.get('learned'), alias=aliases.add('route', r.get('id'), dev['id'])))

    zone_views = []
    for z in sorted(raw.get('tunnel_zones') or [], key=lambda z: (z.get('name') or '', _lower(z.get('id')))):
        members = []
        for m in (raw.get('members') or {}).get(z.get('id')) or []:
            host = hindex.get(_lower(m.get('hostId')))
            members.append(dict(host_id=m.get('hostId'), host=host.get('name') if host else None,
                                address=m.get('ipAddress')))
        members.sort(key=lambda m: (m['host'] or '', _lower(m['host_id'])))
        zone_views.append(dict(id=z.get('id'), name=z.get('name'), type=z.get('type'), members=members,
                               alias=aliases.add('tzone', z.get('id'))))

    topology = {}
    counts = dict((k, None) for k in COUNT_KEYS)
    if 'hosts' in kinds:
        topology['hosts'] = host_views
        counts['hosts'] = len(host_views)
    for kind in ('routers', 'bridges'):
        if kind in kinds:
            topology[kind] = dev_views[kind]
            counts[kind] = len(dev_views[kind])
    if 'ports' in kinds:
        topology['ports'] = port_views
        topology['bindings'] = bindings
        counts['ports'] = len(port_views)
    if 'routes' in kinds:
        topology['routes'] = route_views
        counts['routes'] = len(route_views)
    if 'tunnel_zones' in kinds:
        topology['tunnel_zones'] = zone_views
        counts['tunnel_zones'] = len(zone_views)
        counts['tunnel_zone_members'] = sum(len(z['members']) for z in zone_views)
    topology['_aliases'] = aliases
    return topology, counts


# ---------------------------------------------------------------------------------------------
# Listing (pure): the lines midonet-cli prints for the same objects
# ---------------------------------------------------------------------------------------------

def _fields(pairs):
    return ' '.join('%s %s' % (k, v) for k, v in pairs if v is not None and v != '')


def format_listing(topology, include=None):
    """``midonet-cli``-shaped lines, in the order of the walk-through: routers, bridges, each
    router's ports, the hosts' bindings, each router's routes, each bridge's ports; then the
    hosts and tunnel zones. Each block is introduced by the command that lists it."""
    include = set(include or KINDS)
    aliases = topology.get('_aliases') or _Aliases()

    def chain(oid):
        return aliases.get_or_add('chain', oid) if oid else None

    def port_ref(pid):
        if not pid:
            return None
        for v in topology.get('ports') or []:
            if _lower(v['id']) == _lower(pid):
                return v['alias']
        return pid

    lines = []
    routers = topology.get('routers') or []
    bridges = topology.get('bridges') or []
    hosts = dict((_lower(h['id']), h) for h in topology.get('hosts') or [])

    def device_line(prefix, d):
        return '%s %s %s' % (prefix, d['alias'], _fields([
            ('name', d['name']), ('state', d['state']), ('infilter', chain(d['inbound_filter_id'])),
            ('outfilter', chain(d['outbound_filter_id'])), ('asn', d.get('asn'))]))

    if 'routers' in include:
        lines.append('midonet> list router')
        lines.extend(device_line('router', d) for d in routers)
    if 'bridges' in include:
        lines.append('midonet> list bridge')
        lines.extend(device_line('bridge', d) for d in bridges)
    ports = topology.get('ports') or []
    if 'ports' in include:
        for d in routers:
            lines.append('midonet> router %s list port' % d['alias'])
            for p in [p for p in ports if p['device_id'] == d['id']]:
                lines.append('port %s %s' % (p['alias'].split(':')[-1], _fields([
                    ('device', d['alias']), ('state', p['state']),
                    ('infilter', chain(p['inbound_filter_id'])), ('outfilter', chain(p['outbound_filter_id'])),
                    ('mac', p['mac']), ('address', p['address']), ('net', p['network']),
                    ('peer', p['peer_alias'] or p['peer_id'])])))
        bound = {}
        for b in topology.get('bindings') or []:
            bound.setdefault(_lower(b['host_id']), []).append(b)
        for hid in sorted(bound, key=lambda h: (hosts[h]['alias'] if h in hosts else h)):
            host_alias = hosts[hid]['alias'] if hid in hosts else bound[hid][0]['host_id']
            lines.append('midonet> host %s list binding' % host_alias)
            for b in bound[hid]:
                lines.append(_fields([('host', host_alias), ('interface', b['interface_name']),
                                      ('port', b['port_alias'])]))
    if 'routes' in include:
        for d in routers:
            lines.append('midonet> router %s list route' % d['alias'])
            for r in [r for r in topology.get('routes') or [] if r['router_id'] == d['id']]:
                lines.append('route %s %s' % (r['alias'], _fields([
                    ('type', _ROUTE_TYPES.get(r['type'], r['type'])), ('src', r['src']), ('dst', r['dst']),
                    ('gw', r['gateway']), ('port', r['next_hop_port_alias'] or port_ref(r['next_hop_port'])),
                    ('weight', r['weight'])])))
    if 'ports' in include:
        for d in bridges:
            lines.append('midonet> bridge %s list port' % d['alias'])
            for p in [p for p in ports if p['device_id'] == d['id']]:
                lines.append('port %s %s' % (p['alias'].split(':')[-1], _fields([
                    ('device', d['alias']), ('state', p['state']),
                    ('infilter', chain(p['inbound_filter_id'])), ('outfilter', chain(p['outbound_filter_id'])),
                    ('vlan', p['vlan_id']), ('peer', p['peer_alias'] or p['peer_id'])])))
    if 'hosts' in include:
        lines.append('midonet> list host')
        for h in topology.get('hosts') or []:
            lines.append('host %s %s' % (h['alias'], _fields([('name', h['name']),
                                                              ('alive', 'true' if h['alive'] else 'false')])))
    if 'tunnel_zones' in include:
        lines.append('midonet> list tunnel-zone')
        zones = topology.get('tunnel_zones') or []
        for z in zones:
            lines.append('tzone %s %s' % (z['alias'], _fields([('name', z['name']), ('type', z['type'])])))
        for z in zones:
            lines.append('midonet> tunnel-zone %s list member' % z['alias'])
            for m in z['members']:
                h = hosts.get(_lower(m['host_id']))
                lines.append(_fields([('zone', z['alias']), ('host', h['alias'] if h else m['host_id']),
                                      ('address', m['address'])]))
    return lines


def describe_topology(raw, include=None):
    """``(topology, counts, listing)`` for the raw objects (no ``_aliases`` in ``topology``)."""
    topology, counts = build_topology(raw)
    listing = format_listing(topology, include)
    topology.pop('_aliases', None)
    return topology, counts, listing


def run_topology_info(module):
    p = module.params
    client = None
    api_url = protect_api_url(module)
    try:
        client = client_from_module(module, api_url)
        include = p.get('include') or list(KINDS)
        raw = read_topology(client, include=include, tenant=p.get('tenant'))
        topology, counts, listing = describe_topology(raw, include)
    except MidonetError as exc:
        fail(module, client, exc)
    module.exit_json(changed=False, topology=topology, counts=counts, listing=listing,
                     api_version=client.version, api_calls=client.api_calls())


# ---------------------------------------------------------------------------------------------
# Hosts (midonet_host_info)
# ---------------------------------------------------------------------------------------------

def host_view(host):
    return dict(id=host.get('id'), name=host.get('name'), alive=bool(host.get('alive')),
                addresses=list(host.get('addresses') or []))


def select_hosts(hosts, names):
    """Pick the hosts named in ``names`` (exact name or UUID). Returns (selected, missing)."""
    if not names:
        return list(hosts), []
    selected, missing, seen = [], [], set()
    for ref in names:
        host, err = resolve_host(hosts, ref)
        if host is None:
            missing.append(ref)
            continue
        if str(host.get('id')).lower() not in seen:
            seen.add(str(host.get('id')).lower())
            selected.append(host)
    return selected, missing


def host_status(hosts, names, wait_alive):
    """Return (views, missing, not_alive) for one poll."""
    selected, missing = select_hosts(hosts, names)
    not_alive = [h.get('name') or h.get('id') for h in selected if not h.get('alive')] if wait_alive else []
    return [host_view(h) for h in selected], missing, not_alive


def run_host_info(module, sleep=time.sleep, clock=time.time):
    p = module.params
    names = p.get('names') or []
    client = None
    api_url = protect_api_url(module)
    try:
        client = client_from_module(module, api_url)
        client.get_root()
        deadline = clock() + (p.get('wait_timeout') or 0)
        while True:
            views, missing, not_alive = host_status(client.list_hosts(), names, p.get('wait_alive'))
            if not p.get('wait'):
                break
            satisfied = not missing and not not_alive and (names or views)
            if satisfied:
                break
            if clock() >= deadline:
                problems = []
                if missing:
                    problems.append('not found: %s' % ', '.join(missing))
                if not_alive:
                    problems.append('not alive: %s' % ', '.join(not_alive))
                if not names and not views:
                    problems.append('no host is registered')
                module.fail_json(msg='timed out after %ss waiting for MidoNet hosts (%s)'
                                 % (p.get('wait_timeout'), '; '.join(problems)),
                                 hosts=views, missing=missing, not_alive=not_alive,
                                 api_calls=client.api_calls())
            sleep(p.get('wait_sleep') or 2)
    except MidonetError as exc:
        fail(module, client, exc)
    module.exit_json(changed=False, hosts=views, missing=missing, not_alive=not_alive,
                     api_version=client.version, api_calls=client.api_calls())
