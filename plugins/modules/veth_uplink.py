#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: veth_uplink
short_description: Manage the MidoNet static up-link veth pair and its bridge
version_added: 0.1.0
description:
  - Creates (or removes) the veth pair and the Linux bridge of a MidoNet static up-link, as in
    "Configuring Static Up-link (Step 1)" of the Eucalyptus/MidoNet runbook
    (C(ip link add type veth); C(brctl addbr uplinkbridge); C(brctl addif uplinkbridge veth0);
    C(ip addr add ... dev uplinkbridge)).
  - I(veth) is enslaved to I(bridge); I(peer) is left unaddressed so that midolman can bind it
    (it is the C(GatewayInterface) of network.json).
  - Reads the state once with C(ip -json -details addr show) and applies all changes with one
    C(ip -batch -). Idempotent; a deleted link or address is re-created by the next run.
  - All input is validated before anything changes.
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
requirements:
  - iproute2 with JSON output (C(ip -json), iproute2 4.13 or later; EL7's 4.11 backport is not enough)
  - netaddr (Python library) on the target
extends_documentation_fragment:
  - eucalyptus.cloud.attributes
options:
  bridge:
    description:
      - Name of the up-link bridge, for example C(uplinkbridge). At most 15 characters.
    type: str
    required: true
  veth:
    description:
      - Name of the veth end enslaved to the bridge.
      - If it exists it must be a veth paired with I(peer), otherwise the module fails.
    type: str
    default: veth0
  peer:
    description:
      - Name of the other end of the veth pair, left unaddressed for midolman.
    type: str
    default: veth1
  address:
    description:
      - Address in CIDR form put on the bridge (the C(PublicGatewayIP) side), for example C(172.19.0.2/30).
      - The bridge then carries exactly this address of its family (other global addresses of the
        same family, for example from an earlier run, are removed). Link-local addresses are kept.
      - When omitted, the bridge's addresses are left alone.
    type: str
  mtu:
    description:
      - MTU applied to both veth ends and to the bridge. When omitted the MTU is left alone.
    type: int
  state:
    description:
      - C(present) creates and configures the pair and the bridge and brings all three up.
      - C(absent) deletes the pair and the bridge. It refuses to delete a bridge that has other ports.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The configuration is runtime state. The C(eucalyptus.cloud.midonet_gateway) role installs a
    systemd unit that re-creates it at boot.
seealso:
  - module: eucalyptus.cloud.static_routes
  - module: eucalyptus.cloud.masquerade
'''

EXAMPLES = r'''
- name: Static up-link veth pair on uplinkbridge
  eucalyptus.cloud.veth_uplink:
    bridge: uplinkbridge
    veth: veth0
    peer: veth1
    address: 172.19.0.2/30

- name: Remove it
  eucalyptus.cloud.veth_uplink:
    bridge: uplinkbridge
    state: absent
'''

RETURN = r'''
commands:
  description: The C(ip -batch) commands run (or, in check mode, that would run).
  returned: always
  type: list
  elements: str
  sample: ["link add name uplinkbridge type bridge", "link add name veth0 type veth peer name veth1"]
interfaces:
  description: The three links and the bridge addresses after the run (read back from the kernel unless in check mode).
  returned: always
  type: list
  elements: str
  sample: ["link uplinkbridge bridge mtu 1500 up", "addr 172.19.0.2/30 dev uplinkbridge"]
bridge:
  description: The bridge name.
  returned: always
  type: str
veth:
  description: The veth name.
  returned: always
  type: str
peer:
  description: The peer name.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.cloud.plugins.module_utils.iproute import run_veth_uplink


def main():
    module = AnsibleModule(
        argument_spec=dict(
            bridge=dict(type='str', required=True),
            veth=dict(type='str', default='veth0'),
            peer=dict(type='str', default='veth1'),
            address=dict(type='str'),
            mtu=dict(type='int'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    run_veth_uplink(module)


if __name__ == '__main__':
    main()
