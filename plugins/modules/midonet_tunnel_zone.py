#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: midonet_tunnel_zone
short_description: Manage a MidoNet tunnel zone and its member hosts in one call
version_added: 0.1.0
description:
  - Create or delete a MidoNet tunnel zone and converge its members (host and tunnel address)
    with one module call for the whole member list, on MidoNet 1.x (MEM 1.9 / OSS 2015.06) and
    5.x alike.
  - The module reads the zones, the hosts and the current members once, computes the changes
    and applies only those; a run that changes nothing makes only C(GET) requests.
  - Zones and hosts are matched by their B(exact) name (or host UUID), never by substring.
  - All members are validated (host exists, address is IPv4, no host listed twice) before
    anything is written.
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
extends_documentation_fragment:
  - eucalyptus.cloud.midonet
attributes:
  check_mode:
    support: full
    description: Reports what would change without writing to the API.
  diff_mode:
    support: full
    description: Before/after of the zone (id, name, type) and its members (host name, host id, address).
options:
  name:
    description:
      - Name of the tunnel zone, compared exactly (case-sensitive).
      - If no zone has exactly this name but one differs only in case, O(state=present) fails
        rather than creating a second zone (MidoNet 1.x would refuse it as a duplicate, 5.x would
        accept it and eucanetd would then see two zones). O(state=absent) leaves such a zone alone.
      - eucanetd 4.3 and later only use a zone named C(mido-tz), C(midotz), C(euca-tz) or
        C(eucatz); see the P(eucalyptus.cloud.eucanetd_tunnel_zone_ok#filter) filter.
    type: str
    required: true
  type:
    description:
      - Tunnel type of the zone. The type of an existing zone cannot be changed; a different
        value fails with an explanation.
    type: str
    choices: [gre, vxlan, vtep]
    default: gre
  members:
    description:
      - The wanted members. When omitted, members are not managed (only reported).
      - A member whose address differs is deleted and added again (the API has no update for
        members).
    type: list
    elements: dict
    suboptions:
      host:
        description: MidoNet host name (exact) or host UUID.
        type: str
        required: true
      address:
        description: IPv4 address of the host's tunnel endpoint.
        type: str
        required: true
  purge:
    description:
      - Remove members that are not listed in O(members).
      - Ignored when O(members) is omitted; O(members=[]) with O(purge=true) empties the zone.
    type: bool
    default: false
  state:
    description:
      - V(present) creates the zone if needed and converges its members; V(absent) deletes the
        zone (with its memberships).
    type: str
    choices: [present, absent]
    default: present
notes:
  - Members are added with the content type C(application/vnd.org.midonet.TunnelZoneHost-v1+json)
    (the API answers 415 to plain C(application/json)).
  - Differences between MidoNet 1.x and 5.x are absorbed. A duplicate name or membership is
    400 on 1.x and 409 on 5.x; removing a host that is not a member is 204 on 1.x and 404 on 5.x.
seealso:
  - module: eucalyptus.cloud.midonet_host_info
'''

EXAMPLES = r'''
- name: Tunnel zone for eucanetd with every host of the cloud
  eucalyptus.cloud.midonet_tunnel_zone:
    api_url: http://127.0.0.1:8080/midonet-api
    name: mido-tz
    type: gre
    members:
      - host: clc.euca                       # MidoNet host name (exact)
        address: 10.111.5.100
      - host: 5a33ba95-1b9c-4a0b-9a39-1f4fd0e2e7a1   # or host UUID
        address: 10.111.5.101
    purge: true

- name: Same connection options for every MidoNet module of a play
  hosts: clc
  module_defaults:
    group/eucalyptus.cloud.midonet:
      api_url: http://127.0.0.1:8181/midonet-api
      username: admin
      password: "{{ vault_midonet_password }}"
      project: admin
  tasks:
    - name: Wait until midolman registered on all hosts
      eucalyptus.cloud.midonet_host_info:
        names: "{{ groups['midonet_agents'] }}"
        wait: true
        wait_alive: true
    - name: Converge the zone
      eucalyptus.cloud.midonet_tunnel_zone:
        name: mido-tz
        members: "{{ groups['midonet_agents'] | map('extract', hostvars)
                     | map(attribute='midonet_member') | list }}"

- name: Remove a zone
  eucalyptus.cloud.midonet_tunnel_zone:
    api_url: http://127.0.0.1:8080/midonet-api
    name: old-zone
    state: absent
'''

RETURN = r'''
tunnel_zone:
  description: The zone after the run (null when absent; id null in check mode for a zone to create).
  returned: success
  type: dict
  sample: {"id": "6b5c2f0e-5d6f-4bb0-9a8e-0b9ad0f0a1c3", "name": "mido-tz", "type": "gre"}
members:
  description: Members after the run, sorted by host name.
  returned: success
  type: list
  elements: dict
  contains:
    host:
      description: MidoNet host name (null if the host is not registered any more).
      type: str
    host_id:
      description: MidoNet host UUID.
      type: str
    address:
      description: Tunnel endpoint address.
      type: str
  sample: [{"host": "clc.euca", "host_id": "5a33ba95-1b9c-4a0b-9a39-1f4fd0e2e7a1", "address": "10.111.5.100"}]
plan:
  description: Host names (or ids) added, removed and re-addressed (state=present only).
  returned: success and state=present
  type: dict
  sample: {"add": ["nc1"], "remove": [], "readdress": ["nc2"]}
api_version:
  description: C(version) of the API root document (for example C(v1.9) or C(v5.0)).
  returned: success
  type: str
api_calls:
  description: Number of HTTP requests made, by method, plus C(total). A run without changes has only C(GET).
  returned: always
  type: dict
  sample: {"GET": 4, "total": 4}
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_client import (
    MIDONET_COMMON_ARGS, MIDONET_COMMON_KWARGS, ZONE_TYPES)
from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_tunnel_zone import run_tunnel_zone


def main():
    argument_spec = dict(MIDONET_COMMON_ARGS)
    argument_spec.update(
        name=dict(type='str', required=True),
        type=dict(type='str', choices=list(ZONE_TYPES), default='gre'),
        members=dict(type='list', elements='dict', options=dict(
            host=dict(type='str', required=True),
            address=dict(type='str', required=True),
        )),
        purge=dict(type='bool', default=False),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **MIDONET_COMMON_KWARGS)
    run_tunnel_zone(module)


if __name__ == '__main__':
    main()
