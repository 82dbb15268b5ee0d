"""Unit tests for the eucalyptus.cloud.vpcmido_gateways and vpcmido_core_problems filters: the
three gateway shapes of the network configuration, and one problem message per missing piece of
eucanetd's core, on topologies built by midonet_topology's model from raw API objects."""
import copy

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.eucalyptus.cloud.plugins.filter.vpcmido import (
    FilterModule, vpcmido_core_problems, vpcmido_gateways)
from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_topology import describe_topology

R, B, GW, RT, BR = ('%08d-0000-4000-8000-000000000000' % i for i in range(1, 6))
H = '11111111-1111-4111-8111-111111111111'

LEGACY = {"Mode": "VPCMIDO", "PublicIps": ["172.19.0.20-172.19.0.30"],
          "Mido": {"EucanetdHost": "frontend.euca", "GatewayHost": "frontend.euca", "GatewayIP": "172.19.0.2",
                   "GatewayInterface": "veth1", "PublicNetworkCidr": "172.19.0.0/30", "PublicGatewayIP": "172.19.0.1"}}
GATEWAYS_42 = {"Mode": "VPCMIDO", "PublicIps": ["172.19.0.20"],
               "Mido": {"EucanetdHost": "clc", "PublicNetworkCidr": "172.19.0.0/24", "PublicGatewayIP": "172.19.0.1",
                        "Gateways": [{"GatewayHost": "gw1", "GatewayIP": "172.19.0.2", "GatewayInterface": "veth1"},
                                     {"GatewayHost": "gw2", "GatewayIP": "172.19.0.3", "GatewayInterface": "em2"}]}}
NEW_44 = {"Mode": "VPCMIDO", "PublicIps": ["10.116.150.10-10.116.150.254"],
          "Mido": {"BgpAsn": "64512", "Gateways": [
              {"Ip": "10.111.5.11", "ExternalDevice": "em1.116", "ExternalCidr": "10.116.128.0/17",
               "ExternalIp": "10.116.133.11", "BgpPeerIp": "10.116.133.173", "BgpPeerAsn": "65000",
               "BgpAdRoutes": ["10.116.150.0/24"]}]}}


def test_gateway_shapes():
    assert vpcmido_gateways(LEGACY) == [dict(host='frontend.euca', ip='172.19.0.2', interface='veth1',
                                             router_ip='172.19.0.1', cidr='172.19.0.0/30', form='legacy')]
    assert [(g['host'], g['ip'], g['interface'], g['router_ip']) for g in vpcmido_gateways(GATEWAYS_42)] == [
        ('gw1', '172.19.0.2', 'veth1', '172.19.0.1'), ('gw2', '172.19.0.3', 'em2', '172.19.0.1')]
    assert vpcmido_gateways(NEW_44) == [dict(host='10.111.5.11', ip='10.116.133.11', interface='em1.116',
                                             router_ip='10.116.133.173', cidr='10.116.128.0/17', form='new')]
    static = copy.deepcopy(NEW_44)
    g = static['Mido']['Gateways'][0]
    del g['BgpPeerIp']
    g['ExternalRouterIp'] = '10.116.133.1'
    assert vpcmido_gateways(static)[0]['router_ip'] == '10.116.133.1'
    assert set(FilterModule().filters()) == {'vpcmido_gateways', 'vpcmido_core_problems'}


@pytest.mark.parametrize('doc, message', [
    ('{"Mode": "VPCMIDO"}', 'not a string'),
    ({"Mode": "EDGE"}, "Mode is 'EDGE', not VPCMIDO"),
    ({"Mode": "VPCMIDO"}, 'requires a Mido object'),
    ({"Mode": "VPCMIDO", "Mido": {"Gateways": []}}, 'Mido.Gateways must be a non-empty list'),
    (dict(LEGACY, Mido=dict((k, v) for k, v in LEGACY["Mido"].items() if k != "GatewayInterface")),
     'missing Mido.GatewayInterface'),
    (dict(GATEWAYS_42, Mido=dict(GATEWAYS_42["Mido"], PublicGatewayIP=None)), 'missing Mido.PublicGatewayIP (gateway 0'),
    ({"Mode": "VPCMIDO", "Mido": {"Gateways": [{"Ip": "10.0.0.1", "ExternalDevice": "em1", "ExternalIp": "10.1.0.2"}]}},
     'missing Mido.Gateways[0].ExternalRouterIp or BgpPeerIp'),
    ({"Mode": "VPCMIDO", "Mido": {"Gateways": ["gw1"]}}, 'Mido.Gateways[0] must be an object'),
])
def test_gateway_errors(doc, message):
    with pytest.raises(AnsibleFilterError) as err:
        vpcmido_gateways(doc)
    assert message in str(err.value)


def raw(default_route=True, bound=True, linked=True, router='eucart', bridge='eucabr', host_name='frontend.euca',
        interface='veth1', gateway='172.19.0.1'):
    ports = [dict(id=GW, deviceId=R, type='Router', adminStateUp=True, peerId=None, portAddress='172.19.0.2',
                  networkAddress='172.19.0.0', networkLength=30, portMac='m1',
                  hostId=H if bound else None, interfaceName=interface if bound else None),
             dict(id=RT, deviceId=R, type='Router', adminStateUp=True, peerId=BR if linked else None,
                  portAddress='169.254.0.1', networkAddress='169.254.0.0', networkLength=17, portMac='m2',
                  hostId=None, interfaceName=None),
             dict(id=BR, deviceId=B, type='Bridge', adminStateUp=True, peerId=RT if linked else None,
                  hostId=None, interfaceName=None)]
    routes = [dict(id='x1', type='Normal', srcNetworkAddr='0.0.0.0', srcNetworkLength=0, dstNetworkAddr='172.19.0.0',
                   dstNetworkLength=30, nextHopPort=GW, nextHopGateway=None, weight=0)]
    if default_route:
        routes.append(dict(id='x0', type='Normal', srcNetworkAddr='0.0.0.0', srcNetworkLength=0,
                           dstNetworkAddr='0.0.0.0', dstNetworkLength=0, nextHopPort=GW, nextHopGateway=gateway,
                           weight=0))
    return dict(routers=[dict(id=R, name=router, adminStateUp=True)], bridges=[dict(id=B, name=bridge, adminStateUp=True)],
                ports=ports, routes={R: routes}, hosts=[dict(id=H, name=host_name, alive=True, addresses=['10.111.5.11'])],
                tunnel_zones=[], members={})


def problems(config=LEGACY, **kw):
    topology = describe_topology(raw(**kw))[0]
    return vpcmido_core_problems(topology, config)


def test_complete_core_has_no_problem():
    assert problems() == []


def test_each_missing_piece_is_named():
    assert problems(default_route=False) == [
        'eucart has no default route (0.0.0.0/0) via 172.19.0.1 on the gateway port router0:port0 '
        '(its default routes: none)']
    assert problems(gateway='172.19.0.9') == [
        'eucart has no default route (0.0.0.0/0) via 172.19.0.1 on the gateway port router0:port0 '
        '(its default routes: route0 gw 172.19.0.9 port router0:port0)']
    assert problems(bound=False) == [
        'the gateway port router0:port0 of eucart (address 172.19.0.2) is not bound to any host interface; '
        'expected veth1 on frontend.euca']
    assert problems(interface='veth0') == [
        'the gateway port router0:port0 of eucart (address 172.19.0.2) is bound to interface veth0 on host '
        'frontend.euca, not to veth1 on frontend.euca']
    assert problems(host_name='other.euca') == [
        'the gateway port router0:port0 of eucart (address 172.19.0.2) is bound to interface veth1 on host '
        'other.euca, not to veth1 on frontend.euca']
    assert len(problems(linked=False)) == 1 and problems(linked=False)[0].startswith(
        'eucart is not linked to eucabr: no port of eucart has a peer port on eucabr')
    assert problems(router='vr_vpc-1', bridge='vb_x') == ['no MidoNet router named eucart', 'no MidoNet bridge named eucabr']


def test_gateway_address_and_host_by_ip():
    other = copy.deepcopy(LEGACY)
    other['Mido']['GatewayIP'] = '172.19.0.3'
    found = problems(other)
    assert found[0].startswith('eucart has no port with the gateway address 172.19.0.3 (its ports: router0:port0 '
                               'address 172.19.0.2 bound to frontend.euca:veth1; router0:port1 address 169.254.0.1 '
                               'peer bridge eucabr)')
    assert len(found) == 1     # the default route via PublicGatewayIP is there (on the other port)
    new = {"Mode": "VPCMIDO", "Mido": {"Gateways": [{"Ip": "10.111.5.11", "ExternalDevice": "veth1",
                                                     "ExternalIp": "172.19.0.2", "ExternalRouterIp": "172.19.0.1",
                                                     "ExternalCidr": "172.19.0.0/30"}]}}
    assert problems(new) == []     # the host is found by its address (4.4 matches gateways by IP)


def test_two_gateways_each_checked():
    found = problems(GATEWAYS_42)
    assert any('not to veth1 on gw1' in p for p in found)
    assert any('no port with the gateway address 172.19.0.3' in p for p in found)


def test_duplicate_core_router_and_bad_topology():
    r = raw()
    r['routers'].append(dict(id='%08d-0000-4000-8000-000000000000' % 9, name='eucart', adminStateUp=True))
    topology = describe_topology(r)[0]
    assert vpcmido_core_problems(topology, LEGACY)[0].startswith('2 MidoNet routers are named eucart (ids ')
    with pytest.raises(AnsibleFilterError, match='has no routes'):
        vpcmido_core_problems({'routers': [], 'bridges': [], 'ports': [], 'hosts': []}, LEGACY)
