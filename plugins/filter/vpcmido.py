# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that check what eucanetd builds in MidoNet for VPCMIDO against the network
configuration (documentation: vpcmido_gateways.yml, vpcmido_core_problems.yml).

The network configuration is the document uploaded as ``cloud.network.network_configuration``,
with the product's PascalCase keys. Its ``Mido`` gateways come in three shapes
(eucalyptus.md section 3.2, eucalyptus-admin-tools.md section 7):

* 4.1 (and still accepted later): ``Mido.GatewayHost``, ``GatewayIP``, ``GatewayInterface``,
  ``PublicNetworkCidr``, ``PublicGatewayIP``;
* 4.2+: ``Mido.Gateways: [{GatewayHost, GatewayIP, GatewayInterface}]`` with the top-level
  ``PublicNetworkCidr`` / ``PublicGatewayIP``;
* 4.4 new form: ``Mido.Gateways: [{Ip, ExternalDevice, ExternalCidr, ExternalIp,
  ExternalRouterIp | BgpPeerIp, ...}]``.

What eucanetd makes of each gateway (eucalyptus-admin-tools.md section 6.7): a port of the core
router ``eucart`` with the gateway address, bound to the gateway host's interface, and a default
route ``0.0.0.0/0`` via the public gateway (router) address; the core bridge ``eucabr`` is linked
to ``eucart``.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types

_LEGACY = ('GatewayHost', 'GatewayIP', 'GatewayInterface')
_NEW = ('Ip', 'ExternalDevice', 'ExternalCidr', 'ExternalIp', 'ExternalRouterIp', 'BgpPeerIp')


def vpcmido_gateways(network_configuration):
    """``[{host, ip, interface, router_ip, cidr, form}]`` of a VPCMIDO network configuration."""
    doc = network_configuration
    if isinstance(doc, string_types):
        raise AnsibleFilterError('vpcmido_gateways: expected the network configuration as a dict '
                                 '(PascalCase keys), not a string; parse it with from_json first')
    if not isinstance(doc, dict):
        raise AnsibleFilterError('vpcmido_gateways: expected the network configuration as a dict, got %s'
                                 % type(doc).__name__)
    if doc.get('Mode') != 'VPCMIDO':
        raise AnsibleFilterError('vpcmido_gateways: Mode is %r, not VPCMIDO: eucanetd builds no '
                                 'MidoNet topology for it' % (doc.get('Mode'),))
    mido = doc.get('Mido')
    if not isinstance(mido, dict):
        raise AnsibleFilterError('vpcmido_gateways: Mode VPCMIDO requires a Mido object')
    entries = mido.get('Gateways')
    if entries is None:
        entries = [dict((k, mido.get(k)) for k in _LEGACY)]
        where = 'Mido'
    elif not isinstance(entries, list) or not entries:
        raise AnsibleFilterError('vpcmido_gateways: Mido.Gateways must be a non-empty list')
    else:
        where = 'Mido.Gateways[%d]'
    out = []
    for i, g in enumerate(entries):
        path = where % i if '%d' in where else where
        if not isinstance(g, dict):
            raise AnsibleFilterError('vpcmido_gateways: %s must be an object' % path)
        if any(k in g for k in _NEW):
            router_ip = g.get('ExternalRouterIp') or g.get('BgpPeerIp')
            gw = dict(host=g.get('Ip'), ip=g.get('ExternalIp'), interface=g.get('ExternalDevice'),
                      router_ip=router_ip, cidr=g.get('ExternalCidr'), form='new')
            keys = dict(host='Ip', ip='ExternalIp', interface='ExternalDevice',
                        router_ip='ExternalRouterIp or BgpPeerIp', cidr='ExternalCidr')
        else:
            gw = dict(host=g.get('GatewayHost'), ip=g.get('GatewayIP'), interface=g.get('GatewayInterface'),
                      router_ip=mido.get('PublicGatewayIP'), cidr=mido.get('PublicNetworkCidr'), form='legacy')
            keys = dict(host='%s.GatewayHost' % path, ip='%s.GatewayIP' % path,
                        interface='%s.GatewayInterface' % path, router_ip='Mido.PublicGatewayIP',
                        cidr='Mido.PublicNetworkCidr')
        missing = [keys[k] for k in ('host', 'ip', 'interface', 'router_ip') if not gw[k]]
        if missing:
            raise AnsibleFilterError('vpcmido_gateways: missing %s (gateway %d of the network configuration)'
                                     % (', '.join(k if k.startswith('Mido') else '%s.%s' % (path, k)
                                                  for k in missing), i))
        out.append(gw)
    return out


def _named(items, name):
    return [i for i in items or [] if i.get('name') == name]


def _host_matches(host, ref):
    """eucanetd 4.2/4.3 match GatewayHost to the MidoNet host name, 4.4 by IP among its addresses."""
    if not host:
        return False
    return host.get('name') == ref or ref in (host.get('addresses') or [])


def vpcmido_core_problems(topology, network_configuration, core_router='eucart', core_bridge='eucabr'):
    """Every way the MidoNet ``topology`` (midonet_topology_info's) differs from what eucanetd
    builds for ``network_configuration``; an empty list when it is all there."""
    if not isinstance(topology, dict):
        raise AnsibleFilterError('vpcmido_core_problems: expected the topology returned by '
                                 'eucalyptus.cloud.midonet_topology_info')
    for kind in ('routers', 'bridges', 'ports', 'routes', 'hosts'):
        if kind not in topology:
            raise AnsibleFilterError('vpcmido_core_problems: the topology has no %s; read them '
                                     '(midonet_topology_info include)' % kind)
    gateways = vpcmido_gateways(network_configuration)
    problems = []
    routers = _named(topology['routers'], core_router)
    bridges = _named(topology['bridges'], core_bridge)
    for name, found in ((core_router, routers), (core_bridge, bridges)):
        if not found:
            problems.append('no MidoNet %s named %s' % ('router' if found is routers else 'bridge', name))
        elif len(found) > 1:
            problems.append('%d MidoNet %ss are named %s (ids %s)' % (
                len(found), 'router' if found is routers else 'bridge', name,
                ', '.join(sorted(str(d['id']) for d in found))))
    if len(routers) != 1:
        return problems
    router = routers[0]
    hosts = dict((str(h.get('id')).lower(), h) for h in topology['hosts'])
    ports = [p for p in topology['ports'] if p.get('device_id') == router['id']]
    routes = [r for r in topology['routes'] if r.get('router_id') == router['id']]

    def port_text(p):
        bits = [p.get('alias') or p.get('id'), 'address %s' % p.get('address')]
        if p.get('interface_name'):
            bits.append('bound to %s:%s' % (p.get('host_name') or p.get('host_id'), p.get('interface_name')))
        if p.get('peer_id'):
            bits.append('peer %s %s' % (p.get('peer_device_kind') or 'port', p.get('peer_device_name') or p.get('peer_id')))
        return ' '.join(bits)

    for gw in gateways:
        gw_ports = [p for p in ports if p.get('address') == gw['ip']]
        if not gw_ports:
            problems.append('%s has no port with the gateway address %s (its ports: %s)' % (
                core_router, gw['ip'], '; '.join(port_text(p) for p in ports) or 'none'))
        else:
            port = gw_ports[0]
            host = hosts.get(str(port.get('host_id')).lower()) if port.get('host_id') else None
            if not port.get('interface_name'):
                problems.append('the gateway port %s of %s (address %s) is not bound to any host interface; '
                                'expected %s on %s'
                                % (port.get('alias'), core_router, gw['ip'], gw['interface'], gw['host']))
            elif not _host_matches(host, gw['host']) or port.get('interface_name') != gw['interface']:
                problems.append('the gateway port %s of %s (address %s) is bound to interface %s on host %s, '
                                'not to %s on %s' % (
                                    port.get('alias'), core_router, gw['ip'], port.get('interface_name'),
                                    (host or {}).get('name') or port.get('host_id'), gw['interface'], gw['host']))
        defaults = [r for r in routes if r.get('dst_length') == 0 and r.get('type') in ('Normal', None)]
        via = [r for r in defaults if r.get('gateway') == gw['router_ip']]
        if gw_ports:
            via = [r for r in via if str(r.get('next_hop_port')).lower() == str(gw_ports[0]['id']).lower()]
        if not via:
            problems.append('%s has no default route (0.0.0.0/0) via %s%s (its default routes: %s)' % (
                core_router, gw['router_ip'],
                (' on the gateway port %s' % gw_ports[0].get('alias')) if gw_ports else '',
                '; '.join('%s gw %s port %s' % (r.get('alias'), r.get('gateway'), r.get('next_hop_port_alias'))
                          for r in defaults) or 'none'))
    if len(bridges) == 1:
        linked = [p for p in ports if p.get('peer_device_kind') == 'bridge'
                  and p.get('peer_device_name') == core_bridge]
        if not linked:
            problems.append('%s is not linked to %s: no port of %s has a peer port on %s (its ports: %s)' % (
                core_router, core_bridge, core_router, core_bridge,
                '; '.join(port_text(p) for p in ports) or 'none'))
    return problems


class FilterModule(object):

    def filters(self):
        return {'vpcmido_gateways': vpcmido_gateways, 'vpcmido_core_problems': vpcmido_core_problems}
