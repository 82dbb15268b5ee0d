"""Unit tests for plugins/module_utils/midonet_topology.py: the reader against a fake MidoNet API
(1.x: no port collection in the root document, the 1.9 vendor media types; 5.x: one GET /ports),
the model (aliases, peers, bindings, route order) and the midonet-cli-shaped listing."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_client import MidonetClient, MidonetError
from ansible_collections.eucalyptus.cloud.plugins.module_utils import midonet_topology as topo

BASE = 'http://mido.example:8080/midonet-api'
R1, R2, B1 = 'aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002', 'bbbbbbbb-0000-4000-8000-000000000001'
P_GW, P_RT, P_BR, P_VM = ('cccccccc-0000-4000-8000-00000000000%d' % i for i in range(1, 5))
H1, H2 = '11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'
C1, C2 = 'dddddddd-0000-4000-8000-000000000001', 'dddddddd-0000-4000-8000-000000000002'
Z1 = 'eeeeeeee-0000-4000-8000-000000000001'


class Resp(object):
    def __init__(self, status, body=None):
        self.status_code = status
        self.content = json.dumps(body).encode() if body is not None else b''
        self.headers = {}

    @property
    def text(self):
        return self.content.decode()

    def json(self):
        return json.loads(self.content.decode())


def objects(with_iface=True):
    """The walk-through's core plus a VPC router (listed first by the API) and an instance port."""
    def port(pid, dev, ptype, **kw):
        p = dict(id=pid, deviceId=dev, type=ptype, adminStateUp=True, peerId=None)
        if with_iface:
            p.update(hostId=None, interfaceName=None)
        p.update(kw)
        return p
    ports = [
        port(P_RT, R1, 'Router', portAddress='169.254.0.1', networkAddress='169.254.0.0', networkLength=17,
             portMac='ac:ca:ba:c9:8c:aa', peerId=P_BR),
        port(P_GW, R1, 'Router', portAddress='172.19.0.2', networkAddress='172.19.0.0', networkLength=30,
             portMac='ac:ca:ba:11:c8:8e', **(dict(hostId=H1, interfaceName='veth1') if with_iface else {})),
        port(P_BR, B1, 'Bridge', peerId=P_RT),
        port(P_VM, B1, 'Bridge', vlanId=None, **(dict(hostId=H2, interfaceName='vn_i-1') if with_iface else {})),
    ]
    routes = {R1: [
        dict(id='r4', routerId=R1, type='Normal', srcNetworkAddr='0.0.0.0', srcNetworkLength=0,
             dstNetworkAddr='169.254.0.0', dstNetworkLength=17, nextHopPort=P_RT, nextHopGateway=None, weight=0),
        dict(id='r1', routerId=R1, type='Normal', srcNetworkAddr='0.0.0.0', srcNetworkLength=0,
             dstNetworkAddr='172.19.0.2', dstNetworkLength=32, nextHopPort=P_GW, nextHopGateway=None, weight=0),
        dict(id='r0', routerId=R1, type='Normal', srcNetworkAddr='0.0.0.0', srcNetworkLength=0,
             dstNetworkAddr='0.0.0.0', dstNetworkLength=0, nextHopPort=P_GW, nextHopGateway='172.19.0.1', weight=0),
        dict(id='r9', routerId=R1, type='BlackHole', srcNetworkAddr='0.0.0.0', srcNetworkLength=0,
             dstNetworkAddr='10.9.0.0', dstNetworkLength=16, nextHopPort=None, nextHopGateway=None, weight=100),
    ], R2: []}
    return dict(
        routers=[dict(id=R2, name='vr_vpc-56403811_2', tenantId='euca_tenant_1', adminStateUp=True,
                      inboundFilterId=C1, outboundFilterId=C2),
                 dict(id=R1, name='eucart', tenantId='euca_tenant_1', adminStateUp=True,
                      inboundFilterId=None, outboundFilterId=None)],
        bridges=[dict(id=B1, name='eucabr', tenantId='euca_tenant_1', adminStateUp=True, inboundFilterId=C2,
                      outboundFilterId=None)],
        ports=ports, routes=routes,
        hosts=[dict(id=H2, name='nc1.euca', alive=False, addresses=['10.0.0.2']),
               dict(id=H1, name='frontend.euca', alive=True, addresses=['10.0.0.1'])],
        zones=[dict(id=Z1, name='euca-mido', type='gre')],
        members={Z1: [dict(hostId=H1, ipAddress='10.0.0.1'), dict(hostId=H2, ipAddress='10.0.0.2')]},
        bindings={H1: [dict(hostId=H1, portId=P_GW, interfaceName='veth1')],
                  H2: [dict(hostId=H2, portId=P_VM, interfaceName='vn_i-1')]})


class FakeApi(object):
    """MidoNet 1.x (``flavor=1``: no ``ports`` in the root, vendor types of 1.9 required) or 5.x."""

    def __init__(self, flavor, with_iface=True):
        self.flavor, self.o, self.log, self.verify = flavor, objects(with_iface), [], True

    def request(self, method, url, headers=None, data=None, auth=None, timeout=None, allow_redirects=True):
        headers = headers or {}
        self.log.append((method, url, headers.get('Accept')))
        assert method == 'GET', 'the reader only reads'
        path, dummy, query = url[len(BASE):].partition('?')
        accept = headers.get('Accept') or ''
        want = {1: {'routers': 'Router-v2', 'bridges': 'Bridge-v3', 'ports': 'Port-v2'},
                5: {'routers': 'Router-v3', 'bridges': 'Bridge-v4', 'ports': 'Port-v3'}}[self.flavor]
        parts = path.strip('/').split('/')
        kind = 'ports' if parts[-1] == 'ports' and parts[0] != 'hosts' else (parts[0] if len(parts) == 1 else None)
        if kind in want and 'collection.%s+json' % want[kind] not in accept:
            return Resp(406, {'message': 'Not Acceptable: %s' % accept, 'code': 406})
        o = self.o
        if path == '/':
            root = {'version': 'v1.9' if self.flavor == 1 else 'v5.0', 'uri': BASE}
            if self.flavor == 5:
                root['ports'] = BASE + '/ports'
            return Resp(200, root)
        tenant = query.partition('=')[2] or None
        if path in ('/routers', '/bridges'):
            return Resp(200, [d for d in o[path[1:]] if tenant is None or d['tenantId'] == tenant])
        if path == '/ports':
            return Resp(200, o['ports']) if self.flavor == 5 else Resp(404, {'message': 'no', 'code': 404})
        if len(parts) == 3 and parts[2] == 'ports' and parts[0] in ('routers', 'bridges'):
            return Resp(200, [p for p in o['ports'] if p['deviceId'] == parts[1]])
        if len(parts) == 3 and parts[2] == 'routes':
            return Resp(200, o['routes'][parts[1]])
        if path == '/hosts':
            return Resp(200, o['hosts'])
        if len(parts) == 3 and parts[0] == 'hosts' and parts[2] == 'ports':
            assert 'collection.HostInterfacePort-v1+json' in accept
            return Resp(200, o['bindings'].get(parts[1], []))
        if path == '/tunnel_zones':
            return Resp(200, o['zones'])
        if len(parts) == 3 and parts[0] == 'tunnel_zones':
            return Resp(200, o['members'][parts[1]])
        return Resp(404, {'message': 'no route ' + path, 'code': 404})

    def paths(self):
        return [u[len(BASE):] for m, u, a in self.log]


def read(flavor, with_iface=True, **kw):
    api = FakeApi(flavor, with_iface)
    client = MidonetClient(BASE, session=api)
    raw = topo.read_topology(client, **kw)
    return api, client, raw


EXPECTED = [
    'midonet> list router',
    'router router0 name eucart state up',
    'router router1 name vr_vpc-56403811_2 state up infilter chain0 outfilter chain1',
    'midonet> list bridge',
    'bridge bridge0 name eucabr state up infilter chain1',
    'midonet> router router0 list port',
    'port port0 device router0 state up mac ac:ca:ba:11:c8:8e address 172.19.0.2 net 172.19.0.0/30',
    'port port1 device router0 state up mac ac:ca:ba:c9:8c:aa address 169.254.0.1 net 169.254.0.0/17 peer bridge0:port1',
    'midonet> router router1 list port',
    'midonet> host host0 list binding',
    'host host0 interface veth1 port router0:port0',
    'midonet> host host1 list binding',
    'host host1 interface vn_i-1 port bridge0:port0',
    'midonet> router router0 list route',
    'route route0 type normal src 0.0.0.0/0 dst 0.0.0.0/0 gw 172.19.0.1 port router0:port0 weight 0',
    'route route1 type normal src 0.0.0.0/0 dst 172.19.0.2 port router0:port0 weight 0',
    'route route2 type normal src 0.0.0.0/0 dst 169.254.0.0/17 port router0:port1 weight 0',
    'route route3 type blackhole src 0.0.0.0/0 dst 10.9.0.0/16 weight 100',
    'midonet> router router1 list route',
    'midonet> bridge bridge0 list port',
    'port port0 device bridge0 state up',
    'port port1 device bridge0 state up peer router0:port1',
    'midonet> list host',
    'host host0 name frontend.euca alive true',
    'host host1 name nc1.euca alive false',
    'midonet> list tunnel-zone',
    'tzone tzone0 name euca-mido type gre',
    'midonet> tunnel-zone tzone0 list member',
    'zone tzone0 host host0 address 10.0.0.1',
    'zone tzone0 host host1 address 10.0.0.2',
]


@pytest.mark.parametrize('flavor', [1, 5])
def test_listing_in_midonet_cli_shape(flavor):
    dummy, dummy2, raw = read(flavor)
    topology, counts, listing = topo.describe_topology(raw)
    assert listing == EXPECTED
    assert counts == dict(routers=2, bridges=1, ports=4, routes=4, tunnel_zones=1, tunnel_zone_members=2, hosts=2)
    assert '_aliases' not in topology


def test_5x_reads_all_ports_at_once_1x_per_device():
    api, client, dummy = read(5)
    assert client.api_calls() == {'GET': 9, 'total': 9}
    assert '/ports' in api.paths() and not [p for p in api.paths() if p.endswith('/ports') and p != '/ports']
    api, client, dummy = read(1)
    # no GET /ports (the 1.x root has no port collection): one list per router and bridge instead
    assert '/ports' not in api.paths()
    assert sorted(p for p in api.paths() if p.endswith('/ports')) == sorted(
        ['/routers/%s/ports' % R1, '/routers/%s/ports' % R2, '/bridges/%s/ports' % B1])
    assert client.api_calls() == {'GET': 11, 'total': 11}


def test_1x_accept_types():
    api, dummy, dummy2 = read(1)
    accepts = dict((u[len(BASE):], a) for m, u, a in api.log)
    assert accepts['/routers'] == 'application/vnd.org.midonet.collection.Router-v2+json'
    assert accepts['/routers/%s/ports' % R1] == 'application/vnd.org.midonet.collection.Port-v2+json'
    assert accepts['/routers/%s/routes' % R1] == 'application/vnd.org.midonet.collection.Route-v1+json'
    assert accepts['/bridges'].startswith('application/vnd.org.midonet.collection.Bridge-v3+json')


@pytest.mark.parametrize('flavor', [1, 5])
def test_bindings_from_hosts_when_ports_lack_the_fields(flavor):
    api, client, raw = read(flavor, with_iface=False)
    assert sorted(p for p in api.paths() if p.startswith('/hosts/')) == ['/hosts/%s/ports' % H1, '/hosts/%s/ports' % H2]
    topology, dummy, listing = topo.describe_topology(raw)
    assert listing == EXPECTED
    gw = [p for p in topology['ports'] if p['id'] == P_GW][0]
    assert (gw['host_id'], gw['host_name'], gw['interface_name']) == (H1, 'frontend.euca', 'veth1')


def test_model_peers_and_routes():
    dummy, dummy2, raw = read(5)
    topology, dummy, dummy2 = topo.describe_topology(raw)
    rt = [p for p in topology['ports'] if p['id'] == P_RT][0]
    assert (rt['alias'], rt['peer_alias'], rt['peer_device_name'], rt['peer_device_kind'], rt['network']) == (
        'router0:port1', 'bridge0:port1', 'eucabr', 'bridge', '169.254.0.0/17')
    default = [r for r in topology['routes'] if r['dst_length'] == 0][0]
    assert (default['gateway'], default['next_hop_port'], default['next_hop_port_alias'], default['router_name']) == (
        '172.19.0.1', P_GW, 'router0:port0', 'eucart')
    assert topology['bindings'][0] == dict(host_id=H1, host_name='frontend.euca', interface_name='veth1',
                                           port_id=P_GW, port_alias='router0:port0')


def test_include_tenant_and_closure():
    api, client, raw = read(5, include=['routers'], tenant='euca_tenant_1')
    assert api.paths() == ['/', '/routers?tenant_id=euca_tenant_1']
    topology, counts, listing = topo.describe_topology(raw, ['routers'])
    assert listing == EXPECTED[:3]
    assert counts['routers'] == 2 and counts['ports'] is None and counts['hosts'] is None
    assert topo.read_closure(['routes']) == set(['routes', 'ports', 'routers', 'bridges', 'hosts'])
    assert topo.read_closure(['tunnel_zones']) == set(['tunnel_zones', 'hosts'])
    assert topo.read_closure(None) == set(topo.KINDS)
    with pytest.raises(MidonetError, match='unknown object kind.*chains'):
        topo.read_closure(['routers', 'chains'])


def test_cidr_and_state_rules():
    assert topo._cidr('10.0.0.1', 32) == '10.0.0.1'
    assert topo._cidr('0.0.0.0', 0) == '0.0.0.0/0'
    assert topo._cidr('', None) == '0.0.0.0/0'
    assert topo._cidr(None, 24) is None
    assert topo._state({'adminStateUp': False}) == 'down' and topo._state({}) is None


def test_peer_outside_the_read_devices_is_shown_by_id():
    raw = dict(kinds=['routers', 'bridges', 'ports', 'hosts'], routers=[dict(id=R1, name='eucart', adminStateUp=True)],
               bridges=[], hosts=[], ports=[dict(id=P_RT, deviceId=R1, type='Router', adminStateUp=True, peerId=P_BR,
                                                portAddress='169.254.0.1', networkAddress='169.254.0.0',
                                                networkLength=17, portMac='m', hostId=None, interfaceName=None)])
    dummy, dummy2, listing = topo.describe_topology(raw)
    assert 'port port0 device router0 state up mac m address 169.254.0.1 net 169.254.0.0/17 peer %s' % P_BR in listing
