#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: euca_nodes
short_description: Register node controllers with the Eucalyptus cluster controller (NODES)
version_added: 0.2.0
description:
  - Runs on the CC host. The current list is C(NODES) in
    C($EUCALYPTUS/etc/eucalyptus/eucalyptus.conf) (E(EUCALYPTUS) default C(/)), the file the tools
    edit; it is a set, so the order of the nodes never causes a change.
  - "4.1: C(euca_conf --register-nodes \"IP IP\") (it copies the keys itself unless
    O(copy_keys=false), then C(--no-scp --no-rsync --no-sync) is added) and
    C(euca_conf --deregister-nodes \"IP IP\"). 4.2+: C(clusteradmin-register-nodes IP...),
    C(clusteradmin-deregister-nodes IP...) and C(clusteradmin-copy-keys IP...) (no credentials
    needed)."
  - Keys are copied only to the nodes that were added. C(NODES) is read back after the change
    (the 4.2+ tools exit 0 without changing anything on bad input or without a C(NODES=) line).
  - With O(tools=auto) the 4.2+ tools are used when C(euserv-describe-services) or
    C(clusteradmin-register-nodes) is found (a CC host need not have the CLC's admin tools).
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
extends_documentation_fragment:
  - eucalyptus.cloud.euca
attributes:
  check_mode:
    support: full
    description: Reads NODES and reports the nodes that would be added and removed.
  diff_mode:
    support: full
    description: Before/after of the node list (sorted).
options:
  nodes:
    description: IPv4 addresses of the node controllers.
    type: list
    elements: str
    required: true
  state:
    description: V(present) registers the O(nodes), V(absent) deregisters those of them that are registered.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description: With O(state=present), also deregister the registered nodes not in O(nodes).
    type: bool
    default: false
  copy_keys:
    description: Copy the cluster's keys to the added nodes (as root over SSH, by the tools).
    type: bool
    default: true
notes:
  - The file needs a C(NODES=) line (for example C(NODES="")); without one the module fails, as the
    tools would add nothing.
'''

EXAMPLES = r'''
- name: Exactly these NCs in the cluster
  eucalyptus.cloud.euca_nodes:
    nodes: [10.111.5.190, 10.111.5.191]
    purge: true

- name: Take one NC out
  eucalyptus.cloud.euca_nodes:
    nodes: [10.111.5.191]
    state: absent
'''

RETURN = r'''
nodes:
  description: The registered nodes after the run (predicted in check mode), sorted.
  returned: success
  type: list
  elements: str
  sample: [10.111.5.190, 10.111.5.191]
added:
  description: Nodes added by this run.
  returned: success
  type: list
  elements: str
removed:
  description: Nodes removed by this run.
  returned: success
  type: list
  elements: str
tools:
  description: Generation of tools used, V(euca_conf) (4.1) or V(euserv) (4.2+).
  returned: always
  type: str
commands:
  description: The tool command lines run, in order.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_modules import run_nodes
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_runner import EUCA_COMMON_ARGS


def main():
    argument_spec = dict(EUCA_COMMON_ARGS)
    argument_spec.update(
        nodes=dict(type='list', elements='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        purge=dict(type='bool', default=False),
        copy_keys=dict(type='bool', default=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run_nodes(module)


if __name__ == '__main__':
    main()
