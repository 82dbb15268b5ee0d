#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: euca_service_info
short_description: List the services registered with a Eucalyptus cloud controller
version_added: 0.2.0
description:
  - Reads the registered services with the admin tools of the installed version and returns them
    as C({name, type, zone, host, state}), state in lower case for every version.
  - "4.1: C(euca-describe-services). 4.2+: C(euserv-describe-services --show-empty-fields) and
    C(euserv-describe-services --show-empty-fields --group-by-host), joined on type and name."
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
extends_documentation_fragment:
  - eucalyptus.cloud.euca
attributes:
  check_mode:
    support: full
    description: Read-only; behaves the same in check mode.
  diff_mode:
    support: none
    description: Read-only; there is nothing to diff.
options:
  type:
    description: Only services of these types (for example V(cluster)).
    type: list
    elements: str
  name:
    description: Only services with these names (exact).
    type: list
    elements: str
'''

EXAMPLES = r'''
- name: Every service the CLC lists
  eucalyptus.cloud.euca_service_info:
  register: euca

- name: Fail unless every registered service is enabled
  ansible.builtin.assert:
    that: euca.services | rejectattr('state', 'equalto', 'enabled') | list | length == 0

- name: The clusters
  eucalyptus.cloud.euca_service_info:
    type: [cluster]
'''

RETURN = r'''
services:
  description: Services of the default listing (registerable services), sorted by type and name.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Service name.
      type: str
    type:
      description: Service type.
      type: str
    zone:
      description: Partition (null when the tool prints none).
      type: str
    host:
      description: Host (IP) of the service (null when the tool prints none).
      type: str
    state:
      description: Lower-case state.
      type: str
  sample: [{"name": "cc-10.111.5.182", "type": "cluster", "zone": "one", "host": "10.111.5.182", "state": "enabled"}]
tools:
  description: Generation of tools used, V(euca_conf) (4.1) or V(euserv) (4.2+).
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_modules import run_service_info
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_runner import EUCA_COMMON_ARGS


def main():
    argument_spec = dict(EUCA_COMMON_ARGS)
    argument_spec.update(
        type=dict(type='list', elements='str'),
        name=dict(type='list', elements='str'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run_service_info(module)


if __name__ == '__main__':
    main()
