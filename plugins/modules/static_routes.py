#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: static_routes
short_description: Manage many static routes at once, in one batch, owning only its own routes
version_added: 0.1.0
description:
  - Adds one route per destination through I(gateway), as the runbook's
    C(for i in $(cat public_ip_list); do ip route add $i/32 via GATEWAY; done) does for the
    Eucalyptus public IPs, but reads the table once (C(ip -json route show table TABLE)), computes
    the difference and applies it with a single C(ip -batch -) (C(route replace) / C(route del)).
  - The routes it makes carry the route protocol I(proto) (default C(150)); that number is how the
    module recognises its own routes. It never changes or deletes a route with another protocol.
  - A destination that already has a route with another protocol (C(kernel), C(boot), C(static),
    a routing daemon...) in the same table is a conflict. With I(conflict=fail) (the default) the
    module fails before changing anything and names the conflicting routes; with I(conflict=skip) it
    leaves that destination alone entirely (its own route to it, if any, is neither updated nor
    removed by I(purge)) and lists it in RV(conflicts).
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
requirements:
  - iproute2 with JSON output (C(ip -json))
  - netaddr (Python library) on the target
extends_documentation_fragment:
  - eucalyptus.cloud.attributes
options:
  destinations:
    description:
      - IPv4 destinations, in the forms Eucalyptus uses for C(VNET_PUBLICIPS) and network.json
        C(PublicIps), an address (C(203.0.113.5)), a CIDR (C(203.0.113.0/28)) or a range
        (C(203.0.113.10-203.0.113.20)). An item may hold several, separated by blanks or commas.
      - An address is a C(/32) (so C(203.0.113.5) and C(203.0.113.5/32) are the same); a range becomes
        one C(/32) route per address; duplicates collapse. A CIDR with host bits set
        (C(10.0.0.1/24)) is an error that names the network (C(10.0.0.0/24)).
    type: list
    elements: str
    default: []
  gateway:
    description:
      - IPv4 next hop, for example the MidoNet C(GatewayIP) reached through the up-link bridge.
      - Required when I(state=present). It must be on a directly connected network.
    type: str
  device:
    description:
      - Output device (C(dev)) of the routes. When omitted the kernel picks it from the gateway.
    type: str
  table:
    description:
      - Routing table, by name (from C(/etc/iproute2/rt_tables)) or number.
    type: str
    default: main
  metric:
    description:
      - Route metric (priority). Omitted means C(0).
    type: int
  proto:
    description:
      - Route protocol number that marks the routes this module owns.
      - C(150) is unused by iproute2's C(rt_protos) and by common routing daemons (BIRD 12,
        keepalived 18, Calico 80, FRR 186-199). Use another number to manage a second, independent set.
    type: int
    default: 150
  state:
    description:
      - C(present) makes sure a route exists for every destination (C(route replace) also fixes a
        changed gateway, device or metric).
      - C(absent) removes this module's routes to the destinations (all of them with I(purge=true)).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With I(state=present), also remove this module's routes (same I(proto), same I(table)) whose
        destination is not listed. Routes with another protocol are never removed.
    type: bool
    default: false
  conflict:
    description:
      - What to do when a destination already has a route that this module does not own.
    type: str
    choices: [fail, skip]
    default: fail
  return_limit:
    description:
      - At most this many destinations are returned in each of RV(added), RV(updated), RV(removed) and
        RV(conflicts) (the first ones, in order); RV(added_count), RV(updated_count), RV(removed_count)
        and RV(conflicts_count) always hold the totals. C(0) returns the full lists.
      - In diff mode the full lists are always returned.
      - The same limit applies to the C(ip -batch) lines a failed batch returns (RV(commands),
        RV(applied), RV(not_applied), with RV(applied_count) and RV(not_applied_count)).
      - Keeps a converge of thousands of destinations from carrying every address back to the controller.
    type: int
    default: 50
notes:
  - Routes are runtime state. The C(eucalyptus.cloud.midonet_gateway) role persists them with a systemd unit.
seealso:
  - module: eucalyptus.cloud.veth_uplink
  - module: eucalyptus.cloud.masquerade
'''

EXAMPLES = r'''
- name: One route per public IP through the MidoNet gateway
  eucalyptus.cloud.static_routes:
    destinations:
      - 203.0.113.10-203.0.113.20
      - 198.51.100.7
    gateway: 172.19.0.3
    device: uplinkbridge
    purge: true

- name: Remove the routes again
  eucalyptus.cloud.static_routes:
    destinations: [203.0.113.10-203.0.113.20]
    state: absent
'''

RETURN = r'''
added:
  description:
    - Destinations (normalised CIDRs) that got a new route.
    - At most I(return_limit) of them unless diff mode is on; the total is RV(added_count).
  returned: always
  type: list
  elements: str
  sample: ["203.0.113.10/32"]
added_count:
  description: Number of destinations that got a new route.
  returned: always
  type: int
updated:
  description:
    - Destinations whose route was replaced (gateway, device or metric changed, duplicates removed).
    - At most I(return_limit) of them unless diff mode is on; the total is RV(updated_count).
  returned: always
  type: list
  elements: str
updated_count:
  description: Number of destinations whose route was replaced.
  returned: always
  type: int
removed:
  description:
    - Destinations whose route(s) owned by this module were deleted.
    - At most I(return_limit) of them unless diff mode is on; the total is RV(removed_count).
  returned: always
  type: list
  elements: str
removed_count:
  description: Number of destinations whose route(s) were deleted.
  returned: always
  type: int
conflicts:
  description:
    - Destinations skipped because a route not owned by this module exists (I(conflict=skip)).
    - At most I(return_limit) of them unless diff mode is on; the total is RV(conflicts_count).
  returned: always
  type: list
  elements: str
conflicts_count:
  description: Number of destinations skipped because of a conflict.
  returned: always
  type: int
count:
  description:
    - Number of destinations with a route owned by this module in the table after the run.
    - The full list is in C(diff.after) when diff mode is on; it is not returned otherwise, to
      keep large lists off the controller.
  returned: always
  type: int
table:
  description: The table.
  returned: always
  type: str
proto:
  description: The protocol number used.
  returned: always
  type: int
commands_count:
  description: Number of C(ip -batch) commands run (or that would run in check mode, or in the batch that failed).
  returned: always
  type: int
failed_line:
  description: The line of the C(ip -batch) the kernel refused (1-based), or null when C(ip) did not say.
  returned: failure of ip -batch
  type: int
failed_command:
  description: That line's command.
  returned: failure of ip -batch, when the line is known
  type: str
commands:
  description: The batch's commands, at most I(return_limit) of them unless diff mode is on; the total is RV(commands_count).
  returned: failure of ip -batch
  type: list
  elements: str
applied:
  description:
    - The commands before the refused line, which are in effect; at most I(return_limit) of them unless
      diff mode is on. Null when C(ip) did not say which line failed.
  returned: failure of ip -batch
  type: list
  elements: str
applied_count:
  description: Number of commands applied (null when unknown).
  returned: failure of ip -batch
  type: int
not_applied:
  description: The commands after the refused line, never run; at most I(return_limit) of them unless diff mode is on.
  returned: failure of ip -batch
  type: list
  elements: str
not_applied_count:
  description: Number of commands not run (null when unknown).
  returned: failure of ip -batch
  type: int
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.cloud.plugins.module_utils._common import RETURN_LIMIT
from ansible_collections.eucalyptus.cloud.plugins.module_utils.iproute import DEFAULT_PROTO, run_static_routes


def main():
    module = AnsibleModule(
        argument_spec=dict(
            destinations=dict(type='list', elements='str', default=[]),
            gateway=dict(type='str'),
            device=dict(type='str'),
            table=dict(type='str', default='main'),
            metric=dict(type='int'),
            proto=dict(type='int', default=DEFAULT_PROTO),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            purge=dict(type='bool', default=False),
            conflict=dict(type='str', choices=['fail', 'skip'], default='fail'),
            return_limit=dict(type='int', default=RETURN_LIMIT),
        ),
        required_if=[('state', 'present', ['gateway'])],
        supports_check_mode=True,
    )
    run_static_routes(module)


if __name__ == '__main__':
    main()
