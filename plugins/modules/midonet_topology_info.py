#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: midonet_topology_info
short_description: Read the MidoNet virtual topology (routers, bridges, ports, routes, tunnel zones, hosts)
version_added: 0.1.0
description:
  - Read routers, bridges, their ports (with the peer port each one is linked to and the host
    interface it is bound to), each router's routes, the tunnel zones with their members, and
    the hosts, on MidoNet 1.x (MEM 1.9 / OSS 2015.06, the 1.9 vendor media types) and 5.x alike.
  - Uses the fewest API calls it can; on 5.x all ports come from one C(GET /ports), on 1.x
    (whose root document has no port collection) one port list per router and bridge. Host
    bindings are read from the ports themselves.
  - Returns the objects as structured data (RV(topology)), their numbers (RV(counts)) and the
    lines C(midonet-cli) prints for them (RV(listing)), such as C(router router0 name eucart state up),
    C(port port0 device router0 state up mac ... address ... net ...), C(route route0 type normal
    src 0.0.0.0/0 dst 0.0.0.0/0 gw ... port router0:port0 weight 0),
    C(host host0 interface veth1 port router0:port0), ...
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
  include:
    description:
      - The kinds of objects to report. Kinds that these need are read too (ports need their
        routers, bridges and hosts; routes need the routers' ports; tunnel zones need the hosts)
        and are returned in RV(topology) and RV(counts), but only the kinds asked for are in
        RV(listing).
      - Default is every kind.
    type: list
    elements: str
    choices: [routers, bridges, ports, routes, tunnel_zones, hosts]
  tenant:
    description:
      - Only routers and bridges of this tenant (C(?tenant_id=) on the lists; eucanetd uses
        C(euca_tenant_1)), with their ports and routes. Tunnel zones and hosts have no tenant.
    type: str
notes:
  - Aliases (C(router0), C(bridge0:port1), C(host0), ...) are numbered as C(midonet-cli) numbers
    them, in a stable order (devices by name, a device's unlinked ports before its linked ones and
    then by address, a router's routes by next-hop port, destination and source).
seealso:
  - module: eucalyptus.cloud.midonet_host_info
  - module: eucalyptus.cloud.midonet_tunnel_zone
'''

EXAMPLES = r'''
- name: Read what eucanetd built
  eucalyptus.cloud.midonet_topology_info:
    api_url: http://127.0.0.1:8080/midonet-api
  register: mido

- name: Show it as midonet-cli would
  ansible.builtin.debug:
    var: mido.listing

- name: Count the MidoNet objects (before a reset)
  eucalyptus.cloud.midonet_topology_info:
    api_url: http://127.0.0.1:8080/midonet-api
    include: [routers, bridges, ports, routes, tunnel_zones]
  register: before

- name: The eucart router
  ansible.builtin.assert:
    that: mido.topology.routers | selectattr('name', 'equalto', 'eucart') | list | length == 1
'''

RETURN = r'''
topology:
  description: The objects read (keys only for the kinds read).
  returned: success
  type: dict
  contains:
    routers:
      description: Routers, each C(id, name, tenant_id, state (up/down), inbound_filter_id, outbound_filter_id, alias).
      type: list
      elements: dict
    bridges:
      description: Bridges, the same keys as routers.
      type: list
      elements: dict
    ports:
      description:
        - Ports of those routers and bridges, each C(id, alias (router0:port0), type, device_id,
          device_name, device_kind (router/bridge), state, mac, address, network (a.b.c.d/len),
          vlan_id, inbound_filter_id, outbound_filter_id, peer_id, peer_alias, peer_device_name,
          peer_device_kind, host_id, host_name, interface_name).
      type: list
      elements: dict
    bindings:
      description: Host-interface-port bindings, each C(host_id, host_name, interface_name, port_id, port_alias).
      type: list
      elements: dict
    routes:
      description:
        - Routes of the routers, each C(id, alias, router_id, router_name, type (Normal, BlackHole,
          Reject), src, dst (a.b.c.d/len; /32 as the bare address), src_length, dst_length,
          gateway (next hop gateway), next_hop_port, next_hop_port_alias, weight, learned).
      type: list
      elements: dict
    tunnel_zones:
      description: Tunnel zones, each C(id, name, type, alias, members) with members C(host, host_id, address).
      type: list
      elements: dict
    hosts:
      description: Hosts, each C(id, name, alive, addresses, alias).
      type: list
      elements: dict
counts:
  description: Number of objects of each kind; V(null) for a kind that was not read.
  returned: success
  type: dict
  contains:
    routers:
      description: Routers.
      type: int
    bridges:
      description: Bridges.
      type: int
    ports:
      description: Ports of those routers and bridges.
      type: int
    routes:
      description: Routes of those routers.
      type: int
    tunnel_zones:
      description: Tunnel zones.
      type: int
    tunnel_zone_members:
      description: Members of all tunnel zones.
      type: int
    hosts:
      description: Hosts.
      type: int
  sample: {"routers": 1, "bridges": 1, "ports": 3, "routes": 5, "tunnel_zones": 1, "tunnel_zone_members": 1, "hosts": 1}
listing:
  description: The lines C(midonet-cli) prints for these objects, each block after the command that lists it.
  returned: success
  type: list
  elements: str
  sample:
    - "midonet> list router"
    - "router router0 name eucart state up"
    - "midonet> router router0 list port"
    - "port port0 device router0 state up mac ac:ca:ba:11:c8:8e address 172.19.0.2 net 172.19.0.0/30"
    - "port port1 device router0 state up mac ac:ca:ba:c9:8c:aa address 169.254.0.1 net 169.254.0.0/17 peer bridge0:port0"
    - "midonet> host host0 list binding"
    - "host host0 interface veth1 port router0:port0"
    - "midonet> router router0 list route"
    - "route route0 type normal src 0.0.0.0/0 dst 0.0.0.0/0 gw 172.19.0.1 port router0:port0 weight 0"
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
from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_topology import KINDS, run_topology_info


def main():
    argument_spec = dict(MIDONET_COMMON_ARGS)
    argument_spec.update(
        include=dict(type='list', elements='str', choices=list(KINDS)),
        tenant=dict(type='str'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **MIDONET_COMMON_KWARGS)
    run_topology_info(module)


if __name__ == '__main__':
    main()
