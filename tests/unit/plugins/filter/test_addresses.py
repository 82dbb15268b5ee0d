"""Unit tests of the address filters (plugins/filter/addresses.py)."""
import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.eucalyptus.cloud.plugins.filter.addresses import (
    FilterModule, host_address, host_addresses, hosts_without_address, zookeeper_ensemble)

HV = {
    'ip': {'eucalyptus_host_ip': '10.0.0.1', 'ansible_host': '10.9.9.9',
           'ansible_facts': {'default_ipv4': {'address': '10.8.8.8'}}},
    'own': {'zookeeper_address': '10.0.1.2', 'eucalyptus_host_ip': '10.0.0.2'},
    'ah': {'ansible_host': '10.0.0.3'},
    'ah6': {'ansible_host': 'fd00::3'},
    'ahname': {'ansible_host': 'node3.example.com',
               'ansible_facts': {'default_ipv4': {'address': '10.0.0.4'}}},
    'facts': {'ansible_facts': {'default_ipv4': {'address': '10.0.0.5'}}},
    'none': {'ansible_host': 'node6.example.com', 'ansible_facts': {}},
    'empty': {'eucalyptus_host_ip': '', 'ansible_facts': {'default_ipv4': {}}},
}


@pytest.mark.parametrize('host, var, expected', [
    ('ip', None, '10.0.0.1'),             # inventory before ansible_host and facts
    ('own', 'zookeeper_address', '10.0.1.2'),
    ('own', None, '10.0.0.2'),
    ('own', 'cassandra_listen_address', '10.0.0.2'),
    ('ah', None, '10.0.0.3'),
    ('ah6', None, 'fd00::3'),
    ('ahname', None, '10.0.0.4'),         # a name in ansible_host is not an address
    ('facts', None, '10.0.0.5'),
])
def test_order_of_sources(host, var, expected):
    assert host_address(host, HV, var) == expected


@pytest.mark.parametrize('host', ['none', 'empty'])
def test_unknown_address_fails_naming_the_host(host):
    with pytest.raises(AnsibleFilterError, match='no address known for %s' % host):
        host_address(host, HV)


def test_never_falls_back_to_the_host_name():
    with pytest.raises(AnsibleFilterError, match='none'):
        host_addresses(['ip', 'none', 'facts'], HV)


def test_unknown_host():
    with pytest.raises(AnsibleFilterError, match='not a host of the inventory'):
        host_address('ghost', HV)


def test_addresses_keep_the_order_and_add_ports():
    assert host_addresses(['facts', 'ip'], HV) == ['10.0.0.5', '10.0.0.1']
    assert host_addresses(['facts', 'ah6'], HV, None, 2181) == ['10.0.0.5:2181', '[fd00::3]:2181']
    assert host_addresses([], HV) == []


def test_hosts_without_address():
    assert hosts_without_address(list(HV), HV) == ['none', 'empty']
    assert hosts_without_address(['own'], HV, 'zookeeper_address') == []


def test_ensemble_sorted_positions_and_addresses():
    hv = {'zk-c': {'eucalyptus_host_ip': '10.0.0.3'}, 'zk-a': {'eucalyptus_host_ip': '10.0.0.1'},
          'zk-b': {'zookeeper_address': '10.0.9.2', 'eucalyptus_host_ip': '10.0.0.2'}}
    assert zookeeper_ensemble(['zk-c', 'zk-a', 'zk-b'], hv) == [
        {'host': 'zk-a', 'id': 1, 'address': '10.0.0.1'},
        {'host': 'zk-b', 'id': 2, 'address': '10.0.9.2'},
        {'host': 'zk-c', 'id': 3, 'address': '10.0.0.3'}]


def test_ensemble_pinned_ids_as_strings_or_numbers():
    hv = {'a': {'eucalyptus_host_ip': '10.0.0.1', 'zookeeper_id': '7'},
          'b': {'eucalyptus_host_ip': '10.0.0.2', 'zookeeper_id': 9},
          'c': {'eucalyptus_host_ip': '10.0.0.3', 'zookeeper_id': ''}}
    assert [(m['host'], m['id']) for m in zookeeper_ensemble(['a', 'b', 'c'], hv)] == [('a', 7), ('b', 9), ('c', 3)]


@pytest.mark.parametrize('pins, message', [
    ({'a': 2}, 'a and b both get id 2'),          # pinned id collides with a position
    ({'a': 5, 'c': 5}, 'a and c both get id 5'),
    ({'b': 0}, 'not within 1-255'),
    ({'b': 256}, 'not within 1-255'),
    ({'b': 'two'}, 'not a number'),
])
def test_ensemble_refuses_bad_ids(pins, message):
    hv = {h: {'eucalyptus_host_ip': '10.0.0.%d' % i} for i, h in enumerate('abc', 1)}
    for h, v in pins.items():
        hv[h]['zookeeper_id'] = v
    with pytest.raises(AnsibleFilterError, match=message):
        zookeeper_ensemble(['a', 'b', 'c'], hv)


def test_ensemble_needs_hosts_and_addresses():
    with pytest.raises(AnsibleFilterError, match='no hosts'):
        zookeeper_ensemble([], {})
    with pytest.raises(AnsibleFilterError, match='no address known for b'):
        zookeeper_ensemble(['a', 'b'], {'a': {'eucalyptus_host_ip': '10.0.0.1'}, 'b': {}})


def test_filter_names():
    assert sorted(FilterModule().filters()) == [
        'host_address', 'host_addresses', 'hosts_without_address', 'zookeeper_ensemble']
