#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: masquerade
short_description: MASQUERADE and FORWARD ACCEPT rules per source, in chains of their own, in one transaction
version_added: 0.1.0
description:
  - For every source, one C(-s SOURCE -o OUT_INTERFACE -j MASQUERADE) rule in the C(nat) table and
    (with I(forward=true)) one C(-s SOURCE -j ACCEPT) rule in the C(filter) table, as the runbook's
    C(iptables -t nat -I POSTROUTING -o br0 -s $i/32 -j MASQUERADE; iptables -I FORWARD -s $i/32 -j ACCEPT) loop does.
  - The rules live in chains owned by this module (I(masq_chain), I(forward_chain)), each reached by
    one unconditional jump inserted at the top of C(POSTROUTING) / C(FORWARD). Other rules in the
    builtin chains (eucanetd, firewalld, Docker, libvirt...) are never touched. Chains whose names
    start with C(EUCA_) or C(EU_) are refused because eucanetd flushes them.
  - Reads both tables with one C(iptables-save), computes the difference, and applies it with
    C(iptables-restore --noflush), each table committing atomically, in an order that leaves no
    FORWARD C(ACCEPT) in effect without its C(MASQUERADE) whichever commit fails - filter removals,
    then nat, then filter additions. That is one process when sources are only added or only removed,
    two when the filter table needs both removals and additions while nat changes too.
  - On a failure, RV(committed) says per table what is in effect, as read back.
  - When a chain is to be removed but a rule outside this module references it (C(-j)/C(-g) from
    another chain, a conditional jump from C(POSTROUTING)/C(FORWARD)), the module fails before any
    change and names that rule.
  - When the owned chains become empty (I(state=absent)), the chains and their jumps are removed.
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
requirements:
  - iptables (C(iptables-save), C(iptables-restore)); iptables-nft or iptables-legacy
  - netaddr (Python library) on the target
extends_documentation_fragment:
  - eucalyptus.cloud.attributes
options:
  sources:
    description:
      - IPv4 sources in the same forms as R(static_routes,ansible_collections.eucalyptus.cloud.static_routes_module)
        I(destinations) (address, CIDR, range C(A-B)); a range gives one C(/32) rule per address.
    type: list
    elements: str
    default: []
  out_interface:
    description:
      - External interface for the MASQUERADE rules (C(-o)), for example C(br0). Required when I(state=present).
    type: str
  forward:
    description:
      - Also keep one C(FORWARD) C(ACCEPT) rule per source. With C(false) this module's forward rules
        for the listed sources are removed.
    type: bool
    default: true
  state:
    description:
      - C(present) adds missing rules and replaces this module's rules for a listed source that differ
        (for example another I(out_interface)).
      - C(absent) removes this module's rules for the listed sources (all of them with I(purge=true)).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - Also remove the rules in this module's chains for sources that are not listed.
    type: bool
    default: false
  backend:
    description:
      - Which iptables to use. C(auto) follows C(iptables -V) (C(nf_tables) or C(legacy); an
        iptables older than 1.8 is legacy).
    type: str
    choices: [auto, nft, legacy]
    default: auto
  masq_chain:
    description:
      - Name of the owned chain in the C(nat) table.
    type: str
    default: EUCLOUD-MASQ
  forward_chain:
    description:
      - Name of the owned chain in the C(filter) table.
    type: str
    default: EUCLOUD-FWD
  return_limit:
    description:
      - At most this many sources are returned in each of RV(added) and RV(removed) (the first ones,
        in order); RV(added_count) and RV(removed_count) always hold the totals. C(0) returns the full lists.
      - In diff mode the full lists are always returned.
      - Keeps a converge of thousands of sources from carrying every address back to the controller.
    type: int
    default: 50
notes:
  - Rules are runtime state. The C(eucalyptus.cloud.midonet_gateway) role persists them with a systemd unit.
seealso:
  - module: eucalyptus.cloud.static_routes
  - module: eucalyptus.cloud.veth_uplink
'''

EXAMPLES = r'''
- name: NAT the public IPs out of br0 and let them through FORWARD
  eucalyptus.cloud.masquerade:
    sources:
      - 203.0.113.10-203.0.113.20
    out_interface: br0
    purge: true

- name: Remove all rules of this module
  eucalyptus.cloud.masquerade:
    state: absent
    purge: true
'''

RETURN = r'''
added:
  description:
    - Sources (normalised CIDRs) that got a new rule.
    - At most I(return_limit) of them unless diff mode is on; the total is RV(added_count).
  returned: always
  type: list
  elements: str
  sample: ["203.0.113.10/32"]
added_count:
  description: Number of sources that got a new rule.
  returned: always
  type: int
removed:
  description:
    - Sources whose rules were removed and that have none left.
    - At most I(return_limit) of them unless diff mode is on; the total is RV(removed_count).
  returned: always
  type: list
  elements: str
removed_count:
  description: Number of sources whose rules were removed.
  returned: always
  type: int
count:
  description:
    - Number of sources with a MASQUERADE rule in this module's chain after the run.
    - The full rule lists are in C(diff) when diff mode is on; they are not returned otherwise, to
      keep large lists off the controller.
  returned: always
  type: int
backend:
  description: The iptables backend used, C(nft) or C(legacy).
  returned: always
  type: str
chains:
  description: The owned chains, by table.
  returned: always
  type: dict
  sample: {"nat": "EUCLOUD-MASQ", "filter": "EUCLOUD-FWD"}
committed:
  description:
    - Per table (C(nat), C(filter)), what a failed C(iptables-restore) left in effect, as read back -
      C(committed), C(not committed (unchanged)), C(partly committed (the removals; the additions not))
      (filter only), C(unchanged (no change planned)) or C(unknown (...)).
  returned: failure of iptables-restore
  type: dict
  sample: {"nat": "committed", "filter": "partly committed (the removals; the additions not)"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.cloud.plugins.module_utils._common import RETURN_LIMIT
from ansible_collections.eucalyptus.cloud.plugins.module_utils.netfilter import (
    DEFAULT_FWD_CHAIN, DEFAULT_MASQ_CHAIN, run_masquerade)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            sources=dict(type='list', elements='str', default=[]),
            out_interface=dict(type='str'),
            forward=dict(type='bool', default=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            purge=dict(type='bool', default=False),
            backend=dict(type='str', choices=['auto', 'nft', 'legacy'], default='auto'),
            masq_chain=dict(type='str', default=DEFAULT_MASQ_CHAIN),
            forward_chain=dict(type='str', default=DEFAULT_FWD_CHAIN),
            return_limit=dict(type='int', default=RETURN_LIMIT),
        ),
        required_if=[('state', 'present', ['out_interface'])],
        supports_check_mode=True,
    )
    run_masquerade(module)


if __name__ == '__main__':
    main()
