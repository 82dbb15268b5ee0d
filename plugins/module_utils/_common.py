# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's module_utils domains share (private: not an interface for other collections).

The domains (``iproute`` for veth_uplink and static_routes, ``netfilter`` for masquerade,
``midonet``) never import each other; what two of them need lives here (and the address
normalisation, which the controller plugins use too, in ``ipaddrs``, which imports nothing of
the collection and no more of ansible than ``to_native``, so that it also runs on its own).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.eucalyptus.cloud.plugins.module_utils import ipaddrs

# six.string_types without ansible.module_utils.six (deprecated in ansible-core 2.20):
# str on Python 3, str and unicode on Python 2.
string_types = (str, type(u''))

# Default of the modules' return_limit option: entries kept in each returned list.
RETURN_LIMIT = 50

_BAD_IFNAME = re.compile(r'[/:\s]')


class PlanError(Exception):
    """Bad input or a state the module refuses to touch; nothing has been changed yet."""


def check_ifname(name, option):
    """Linux dev_valid_name(): 1-15 bytes, not '.'/'..', no '/', ':' or whitespace."""
    if not isinstance(name, string_types) or not name:
        raise PlanError('%s: interface name must be a non-empty string' % option)
    if len(name.encode('utf-8')) > 15:
        raise PlanError('%s: interface name %r is %d characters long; Linux allows at most 15'
                        % (option, name, len(name)))
    if name in ('.', '..') or _BAD_IFNAME.search(name):
        raise PlanError("%s: interface name %r is invalid (no '/', ':' or whitespace allowed)" % (option, name))
    return name


def require_netaddr(module):
    """Fail the module (before any change) when the target lacks netaddr (which ipaddrs uses)."""
    if not ipaddrs.HAS_NETADDR:
        module.fail_json(msg=missing_required_lib('netaddr'), exception=ipaddrs.NETADDR_IMPORT_ERROR)


def bound_lists(result, names, limit):
    """Add ``NAME_count`` (the total) for each list ``NAME`` of ``result``; keep at most ``limit``
    entries in the list itself (``0``: all). 10 000 addresses in ``added`` cost the target's no_log
    scrub, the JSON and the controller's result handling more than the kernel's own work."""
    for name in names:
        values = result[name]
        result[name + '_count'] = len(values)
        if limit and len(values) > limit:
            result[name] = values[:limit]
    return result
