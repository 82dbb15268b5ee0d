# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The uplink modules' address normalisation, on the controller (documentation: cidr_list.yml)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.eucalyptus.cloud.plugins.module_utils import ipaddrs


def cidr_list(items):
    """Addresses, CIDRs and A-B ranges -> the sorted, unique CIDRs the uplink modules manage."""
    if items is None:
        return []
    if isinstance(items, str):
        items = [items]
    try:
        return ipaddrs.normalize(list(items))
    except ipaddrs.AddressError as exc:
        raise AnsibleFilterError('cidr_list: %s' % exc)


class FilterModule(object):

    def filters(self):
        return {'cidr_list': cidr_list}
