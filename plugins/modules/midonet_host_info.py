#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: midonet_host_info
short_description: List MidoNet hosts, optionally waiting until given hosts are registered and alive
version_added: 0.1.0
description:
  - Report the hosts registered in MidoNet (each midolman agent registers itself) with their
    id, name, liveness and addresses, on MidoNet 1.x and 5.x.
  - With O(wait=true), poll until every host in O(names) is registered (and alive with
    O(wait_alive=true)), failing after O(wait_timeout) seconds with the list of hosts that were
    not found or not alive.
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
extends_documentation_fragment:
  - eucalyptus.cloud.midonet
attributes:
  check_mode:
    support: full
    description: Read-only; behaves the same in check mode.
  diff_mode:
    support: none
    description: Read-only; there is nothing to diff.
options:
  names:
    description:
      - Host names (exact match) or host UUIDs to report, and to wait for with O(wait=true).
      - When omitted, all hosts are reported (and O(wait=true) waits for at least one host,
        all of them alive with O(wait_alive=true)).
    type: list
    elements: str
  wait:
    description: Poll until the hosts in O(names) are registered (and alive with O(wait_alive)).
    type: bool
    default: false
  wait_alive:
    description: With O(wait=true), also require C(alive=true) for each host.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait before failing.
    type: int
    default: 300
  wait_sleep:
    description: Seconds between two polls.
    type: int
    default: 2
notes:
  - Hosts named in O(names) but not registered are returned in RV(missing); without O(wait) that
    is not an error.
seealso:
  - module: eucalyptus.cloud.midonet_tunnel_zone
'''

EXAMPLES = r'''
- name: All MidoNet hosts
  eucalyptus.cloud.midonet_host_info:
    api_url: http://127.0.0.1:8080/midonet-api
  register: mido_hosts

- name: Wait until midolman is up on the CLC and the node controllers
  eucalyptus.cloud.midonet_host_info:
    api_url: http://127.0.0.1:8181/midonet-api
    names: [clc.euca, nc1.euca, nc2.euca]
    wait: true
    wait_alive: true
    wait_timeout: 600

- name: With credentials from module_defaults
  hosts: clc
  module_defaults:
    group/eucalyptus.cloud.midonet:
      api_url: http://127.0.0.1:8181/midonet-api
      username: admin
      password: "{{ vault_midonet_password }}"
  tasks:
    - eucalyptus.cloud.midonet_host_info:
        names: "{{ ansible_facts['fqdn'] }}"
'''

RETURN = r'''
hosts:
  description: The selected hosts (all hosts when O(names) is omitted).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Host UUID.
      type: str
    name:
      description: Host name (as midolman registered it).
      type: str
    alive:
      description: Whether the agent is alive.
      type: bool
    addresses:
      description: Addresses of all the host's interfaces.
      type: list
      elements: str
  sample: [{"id": "5a33ba95-1b9c-4a0b-9a39-1f4fd0e2e7a1", "name": "clc.euca", "alive": true, "addresses": ["10.111.5.100"]}]
missing:
  description: Entries of O(names) that match no host.
  returned: always
  type: list
  elements: str
not_alive:
  description: Hosts (names) that are not alive (only computed with O(wait_alive=true)).
  returned: always
  type: list
  elements: str
api_version:
  description: C(version) of the API root document.
  returned: success
  type: str
api_calls:
  description: Number of HTTP requests made, by method, plus C(total).
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_client import (
    MIDONET_COMMON_ARGS, MIDONET_COMMON_KWARGS)
from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_topology import run_host_info


def main():
    argument_spec = dict(MIDONET_COMMON_ARGS)
    argument_spec.update(
        names=dict(type='list', elements='str'),
        wait=dict(type='bool', default=False),
        wait_alive=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=300),
        wait_sleep=dict(type='int', default=2),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **MIDONET_COMMON_KWARGS)
    run_host_info(module)


if __name__ == '__main__':
    main()
