# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eucalyptus.cloud developers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place where the roles learn a host's address and the ZooKeeper ensemble.

Documentation: host_address.yml, host_addresses.yml, hosts_without_address.yml,
zookeeper_ensemble.yml. Everything is read from ``hostvars``, which every host of a play sees
alike (inventory variables, facts, set_fact); play and role variables never reach it, so no
host can compute another answer than its neighbours.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import socket

from ansible.errors import AnsibleFilterError

# Inventory variables naming an address, in order of preference (after the role's own variable).
ADDRESS_VARS = ('eucalyptus_host_ip',)


def _is_ip(text):
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, text)
            return True
        except (socket.error, ValueError, TypeError):
            pass
    return False


def _vars_of(hostvars, host):
    try:
        return hostvars[host]
    except KeyError:
        raise AnsibleFilterError('host_address: %r is not a host of the inventory' % (host,))


def _get(hv, name):
    try:
        value = hv.get(name) if hasattr(hv, 'get') else hv[name]
    except KeyError:
        return None
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _inventory_address(hv, var):
    """The address the inventory names for the host (role variable, eucalyptus_host_ip,
    ansible_host when it is an IP), or None."""
    for name in ((var,) if var else ()) + ADDRESS_VARS:
        value = _get(hv, name)
        if value:
            return value
    value = _get(hv, 'ansible_host')
    if value and _is_ip(value):
        return value
    return None


def _fact_address(hv):
    try:
        facts = hv.get('ansible_facts') if hasattr(hv, 'get') else hv['ansible_facts']
    except KeyError:
        facts = None
    default_ipv4 = (facts or {}).get('default_ipv4') or {}
    value = default_ipv4.get('address')
    return str(value) if value else None


def _lookup(host, hostvars, var):
    hv = _vars_of(hostvars, host)
    return _inventory_address(hv, var) or _fact_address(hv)


def _missing_message(hosts, var):
    names = ', '.join(sorted(hosts))
    return ('no address known for %s: set %seucalyptus_host_ip (or ansible_host as an IP address) '
            'in the inventory, or let the play gather the facts of these hosts '
            '(role eucalyptus.cloud.host_addresses)' % (names, (var + ' or ') if var else ''))


def host_address(host, hostvars, var=None):
    """Address of ``host``: ``var``, eucalyptus_host_ip, ansible_host (an IP), default IPv4 fact."""
    address = _lookup(host, hostvars, var)
    if not address:
        raise AnsibleFilterError('host_address: ' + _missing_message([host], var))
    return address


def host_addresses(hosts, hostvars, var=None, port=None):
    """Addresses of ``hosts`` in their order, C(address:port) when ``port`` is given."""
    hosts = list(hosts or [])
    found = [(h, _lookup(h, hostvars, var)) for h in hosts]
    missing = [h for h, a in found if not a]
    if missing:
        raise AnsibleFilterError('host_addresses: ' + _missing_message(missing, var))
    if port is None or str(port) == '':
        return [a for h, a in found]
    return ['%s:%s' % (('[%s]' % a) if ':' in a else a, port) for h, a in found]


def hosts_without_address(hosts, hostvars, var=None):
    """Hosts of ``hosts`` whose address is neither in the inventory nor in gathered facts."""
    return [h for h in (hosts or []) if not _lookup(h, hostvars, var)]


def _pinned_id(host, value):
    if value is None or str(value).strip() == '':
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise AnsibleFilterError('zookeeper_ensemble: zookeeper_id of %s is %r, not a number 1-255' % (host, value))
    if not 1 <= number <= 255:
        raise AnsibleFilterError('zookeeper_ensemble: zookeeper_id of %s is %d, not within 1-255' % (host, number))
    return number


def zookeeper_ensemble(hosts, hostvars, id_var='zookeeper_id', address_var='zookeeper_address'):
    """The ensemble of ``hosts``: one {host, id, address} per host, sorted by host name.

    id: the ``id_var`` inventory variable of the host, else its 1-based position in the sorted
    list. Duplicate or out-of-range ids are an error.
    """
    members = sorted(set(hosts or []))
    if not members:
        raise AnsibleFilterError('zookeeper_ensemble: no hosts given')
    addresses = host_addresses(members, hostvars, address_var)
    ensemble = []
    seen = {}
    for position, (host, address) in enumerate(zip(members, addresses), 1):
        pinned = _pinned_id(host, _get(_vars_of(hostvars, host), id_var))
        number = position if pinned is None else pinned
        if number > 255:
            raise AnsibleFilterError('zookeeper_ensemble: %s would get id %d (position in the sorted group); '
                                     'ids are 1-255: pin %s' % (host, number, id_var))
        if number in seen:
            raise AnsibleFilterError('zookeeper_ensemble: %s and %s both get id %d (pinned or position in the '
                                     'sorted group); set distinct %s host variables'
                                     % (seen[number], host, number, id_var))
        seen[number] = host
        ensemble.append({'host': host, 'id': number, 'address': address})
    return ensemble


class FilterModule(object):

    def filters(self):
        return {
            'host_address': host_address,
            'host_addresses': host_addresses,
            'hosts_without_address': hosts_without_address,
            'zookeeper_ensemble': zookeeper_ensemble,
        }
