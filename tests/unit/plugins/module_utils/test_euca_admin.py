"""Pure planners and argument rules of the euca_* modules (plugins/module_utils/euca_admin.py)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_admin as ea
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_admin import PlanError


def svc(name, type_, zone, host, state='enabled'):
    return ea.make_service(name, type_, zone=zone, host=host, state=state)


CLOUD = [
    svc('cc-1', 'cluster', 'one', '10.0.0.2'),
    svc('sc-1', 'storage', 'one', '10.0.0.2', 'broken'),
    svc('API_1', 'user-api', 'API_1', '10.0.0.1'),
    svc('walrus-1', 'walrusbackend', 'walrus-1', '10.0.0.3'),
]


# --- arguments -------------------------------------------------------------------------------

@pytest.mark.parametrize('args,msg', [
    (('cc 1', 'cluster', '10.0.0.2', 'one', 'present'), 'without spaces'),
    (('', 'cluster', '10.0.0.2', 'one', 'present'), 'non-empty'),
    (('cc-1', None, '10.0.0.2', 'one', 'present'), 'type is required'),
    (('cc-1', 'cluster', None, 'one', 'present'), 'host is required'),
    (('cc-1', 'cluster', 'cc.example.com', 'one', 'present'), 'must be an IPv4 address'),
    (('cc-1', 'cluster', '10.0.0.256', 'one', 'present'), 'must be an IPv4 address'),
    (('cc-1', 'cluster', '10.0.0.2', None, 'present'), 'zone is required for type cluster'),
    (('sc-1', 'storage', '10.0.0.2', '', 'present'), 'zone is required for type storage'),
    (('API_1', 'user-api', '10.0.0.1', 'one', 'present'), 'zone is not accepted for type user-api'),
    (('w', 'walrusbackend', '10.0.0.1', 'walrus', 'present'), 'zone is not accepted for type walrusbackend'),
])
def test_service_args_refused(args, msg):
    with pytest.raises(PlanError, match=msg):
        ea.validate_service_args(*args)


def test_service_args_ok():
    ea.validate_service_args('cc-1', 'cluster', '10.0.0.2', 'one', 'present')
    ea.validate_service_args('API_1', 'user-api', '10.0.0.1', None, 'present')
    ea.validate_service_args('cc-1', None, None, None, 'absent')      # absent needs only the name


# --- plan_service ----------------------------------------------------------------------------

def test_register_new_and_idempotent():
    assert ea.plan_service(CLOUD, 'cc-2', 'cluster', '10.0.0.4', 'two', 'present') == 'register'
    assert ea.plan_service(CLOUD, 'cc-1', 'cluster', '10.0.0.2', 'one', 'present') == 'none'
    # non-partitioned: the zone (= name) is not compared
    assert ea.plan_service(CLOUD, 'API_1', 'user-api', '10.0.0.1', None, 'present') == 'none'
    assert ea.plan_service([], 'API_1', 'user-api', '10.0.0.1', None, 'present') == 'register'


@pytest.mark.parametrize('name,type_,host,zone,msg', [
    ('cc-1', 'cluster', '10.0.0.9', 'one', r'already registered with host 10\.0\.0\.2 \(wanted 10\.0\.0\.9\)'),
    ('cc-1', 'cluster', '10.0.0.2', 'two', r'zone one \(wanted two\)'),
    ('cc-1', 'storage', '10.0.0.2', 'one', r'type cluster \(wanted storage\)'),
    ('API_1', 'user-api', '10.0.0.5', None, r'host 10\.0\.0\.1 \(wanted 10\.0\.0\.5\)'),
])
def test_register_conflicts_refused(name, type_, host, zone, msg):
    with pytest.raises(PlanError, match=msg) as err:
        ea.plan_service(CLOUD, name, type_, host, zone, 'present')
    assert 'deregister it first' in str(err.value)


def test_second_service_of_a_type_on_a_host_refused():
    with pytest.raises(PlanError, match='host 10.0.0.2 already has a cluster service named cc-1'):
        ea.plan_service(CLOUD, 'cc-9', 'cluster', '10.0.0.2', 'two', 'present')
    # user-api is many-to-one: a second UFS name on the same host is fine
    assert ea.plan_service(CLOUD, 'API_2', 'user-api', '10.0.0.1', None, 'present') == 'register'


def test_third_in_a_zone_refused():
    two = CLOUD + [svc('cc-2', 'cluster', 'one', '10.0.0.5')]
    with pytest.raises(PlanError, match='already two cluster services in zone one'):
        ea.plan_service(two, 'cc-3', 'cluster', '10.0.0.6', 'one', 'present')
    assert ea.plan_service(two, 'cc-3', 'cluster', '10.0.0.6', 'two', 'present') == 'register'
    walruses = CLOUD + [svc('walrus-2', 'walrusbackend', 'walrus-2', '10.0.0.7')]
    with pytest.raises(PlanError, match='already two walrusbackend services in the cloud'):
        ea.plan_service(walruses, 'walrus-3', 'walrusbackend', '10.0.0.8', None, 'present')


def test_absent():
    assert ea.plan_service(CLOUD, 'cc-1', None, None, None, 'absent') == 'deregister'
    assert ea.plan_service(CLOUD, 'cc-1', 'cluster', None, None, 'absent') == 'deregister'
    assert ea.plan_service(CLOUD, 'nothing', None, None, None, 'absent') == 'none'
    with pytest.raises(PlanError, match='registered with type cluster, not storage'):
        ea.plan_service(CLOUD, 'cc-1', 'storage', None, None, 'absent')


def test_exact_name_match_not_prefix():
    assert ea.find_service(CLOUD, 'cc') is None
    assert ea.find_service(CLOUD, 'cc-1')['host'] == '10.0.0.2'
    assert ea.plan_service(CLOUD, 'cc-1x', 'cluster', '10.0.0.9', 'two', 'present') == 'register'


def test_service_matches_and_filter():
    assert ea.service_matches(CLOUD[0], 'cluster', '10.0.0.2', 'one')
    assert not ea.service_matches(CLOUD[0], 'cluster', '10.0.0.2', 'two')
    assert not ea.service_matches(None, 'cluster', '10.0.0.2', 'one')
    assert ea.service_matches(CLOUD[2], 'user-api', '10.0.0.1', None)
    assert [s['name'] for s in ea.filter_services(CLOUD)] == ['cc-1', 'sc-1', 'API_1', 'walrus-1']
    assert [s['name'] for s in ea.filter_services(CLOUD, types=['storage', 'cluster'])] == ['cc-1', 'sc-1']
    assert [s['name'] for s in ea.filter_services(CLOUD, names=['API_1', 'x'])] == ['API_1']


# --- properties ------------------------------------------------------------------------------

NET = {'Mode': 'VPCMIDO', 'InstanceDnsServers': ['10.0.0.1'], 'PublicIps': ['10.0.1.10-10.0.1.20']}


def test_json_values_compare_parsed():
    name = 'cloud.network.network_configuration'
    compact = json.dumps(NET, separators=(',', ':'))
    pretty = json.dumps(NET, indent=4, sort_keys=True)
    reordered = json.dumps(dict(reversed(list(NET.items()))), indent=1)
    assert ea.values_equal(name, compact, pretty)
    assert ea.values_equal(name, reordered, compact + '\n')
    assert not ea.values_equal(name, compact, json.dumps(dict(NET, Mode='EDGE')))
    assert not ea.values_equal(name, '', compact)
    assert not ea.values_equal(name, None, compact)
    # not JSON on one side: compared as strings
    assert not ea.values_equal(name, '{broken', compact)


def test_plain_values_compare_as_strings():
    assert ea.values_equal('a.b', 'walrus', 'walrus')
    assert not ea.values_equal('a.b', 'walrus', 'walrus ')
    assert not ea.values_equal('a.b', '8773', '8774')
    # a non-structured property holding JSON still compares parsed
    assert ea.values_equal('x.y', '{"a": 1, "b": 2}', '{"b":2,"a":1}')


def test_plan_properties():
    current = {'a.b': 'x', 'c.d': '1', 'e.f': '********',
               'cloud.network.network_configuration': json.dumps(NET)}
    wanted = {'a.b': 'x', 'c.d': '2', 'e.f': 'secret',
              'cloud.network.network_configuration': json.dumps(NET, indent=2)}
    assert ea.plan_properties(current, wanted) == [('c.d', '1', '2'), ('e.f', '********', 'secret')]
    assert ea.plan_properties(current, {'a.b': 'x'}) == []


def test_plan_properties_unknown_names_all_listed():
    with pytest.raises(PlanError, match='unknown property: zz.top'):
        ea.plan_properties({'a.b': 'x'}, {'a.b': 'y', 'zz.top': '1'})
    with pytest.raises(PlanError, match='unknown properties: a.bc, zz.top'):
        ea.plan_properties({'a.b': 'x'}, {'a.bc': 'y', 'zz.top': '1'})


def test_normalize_property_args():
    assert ea.normalize_property_args({'a.b': 'x', 'n': 8773, 't': True, 'j': {'k': [1]}}, None, None, None) == (
        {'a.b': 'x', 'n': '8773', 't': 'true', 'j': '{"k": [1]}'}, {})
    assert ea.normalize_property_args(None, 'a.b', 'x', None) == ({'a.b': 'x'}, {})
    assert ea.normalize_property_args(None, 'a.b', '', None) == ({'a.b': ''}, {})
    assert ea.normalize_property_args(None, 'a.b', None, '/tmp/f') == ({}, {'a.b': '/tmp/f'})
    for args, msg in [((None, 'a.b', None, None), 'either properties'),
                      ((None, None, None, None), 'either properties'),
                      (({'a': 'b'}, 'a.b', None, None), 'either properties'),
                      (({}, None, None, None), 'non-empty dict'),
                      (({'a b': 'x'}, None, None, None), "invalid property name 'a b'"),
                      (({'a=b': 'x'}, None, None, None), 'invalid property name'),
                      (({'a.b': None}, None, None, None), 'property a.b has no value')]:
        with pytest.raises(PlanError, match=msg):
            ea.normalize_property_args(*args)


def test_src_value_rules():
    assert ea.src_value('41', ' {"a": 1}\n') == ' {"a": 1}\n'      # euca-modify-property -f: raw
    assert ea.src_value('42', ' {"a": 1}\n') == '{"a": 1}'         # euctl =@FILE: stripped


# --- nodes -----------------------------------------------------------------------------------

CONF = '''# eucalyptus.conf
#NODES="1.1.1.1"
CC_PORT="8774"
NODES="10.0.0.8  10.0.0.7"
VNET_MODE="VPCMIDO"
'''


def test_parse_nodes():
    assert ea.parse_nodes(CONF) == {'10.0.0.7', '10.0.0.8'}
    assert ea.parse_nodes('NODES=""\n') == set()
    assert ea.parse_nodes('NODES=\n') == set()
    assert ea.parse_nodes("NODES='10.0.0.1'\n") == {'10.0.0.1'}
    assert ea.parse_nodes('NODES=10.0.0.1\n') == {'10.0.0.1'}
    assert ea.parse_nodes('#NODES="10.0.0.1"\n') is None
    assert ea.parse_nodes('') is None


def test_plan_nodes_set_semantics():
    cur = {'10.0.0.7', '10.0.0.8'}
    assert ea.plan_nodes(cur, ['10.0.0.8', '10.0.0.7'], 'present', False) == ([], [])
    assert ea.plan_nodes(cur, ['10.0.0.9', '10.0.0.10', '10.0.0.7'], 'present', False) == (['10.0.0.9', '10.0.0.10'], [])
    assert ea.plan_nodes(cur, ['10.0.0.9'], 'present', True) == (['10.0.0.9'], ['10.0.0.7', '10.0.0.8'])
    assert ea.plan_nodes(cur, ['10.0.0.8', '10.0.0.1'], 'absent', False) == ([], ['10.0.0.8'])
    assert ea.plan_nodes(cur, [], 'present', True) == ([], ['10.0.0.7', '10.0.0.8'])
    assert ea.plan_nodes(set(), ['10.0.0.1', '10.0.0.1'], 'present', False) == (['10.0.0.1'], [])


def test_validate_nodes():
    ea.validate_nodes(['10.0.0.1', '192.168.1.254'])
    with pytest.raises(PlanError, match='nc1.example.com, 10.0.0.300'):
        ea.validate_nodes(['10.0.0.1', 'nc1.example.com', '10.0.0.300'])


def test_secret_property_names():
    for name in ('objectstorage.s3provider.s3secretkey', 'objectstorage.s3provider.s3accesskey',
                 'one.storage.chappassword', 'authentication.ldap_password'):
        assert ea.is_secret_property(name), name
    for name in ('objectstorage.providerclient', 'system.dns.dnsdomain', 'cloud.network.network_configuration'):
        assert not ea.is_secret_property(name), name
