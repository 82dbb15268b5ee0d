#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: euca_service
short_description: Register or deregister a Eucalyptus service (UFS, Walrus, CC, SC) with the CLC
version_added: 0.2.0
description:
  - Registers a service with the cloud controller with the admin tools of the installed
    version, or deregisters it, and waits until it reaches a wanted state.
  - "4.1: C(euca_conf --register-service|--register-walrusbackend|--register-cluster|--register-sc)
    and C(--deregister-*), read with C(euca-describe-services). 4.2+: C(euserv-register-service),
    C(euserv-deregister-service), read with C(euserv-describe-services --show-empty-fields) and
    C(euserv-describe-services --show-empty-fields --group-by-host) (the default table has no host
    column)."
  - The services are read before any change and again after it; success is decided by that
    read-back, never by the tool's exit code (C(euserv-register-service) exits 0 and prints
    nothing when the CLC refuses).
  - A service already registered under O(name) with another type, host or zone is never
    re-registered (the CLC would silently move it, or refuse); the module fails and says so.
    A second service of the same type on the same host, or a third CC/SC in a zone (third
    walrusbackend in the cloud), is refused before any change, as the CLC would refuse it.
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
extends_documentation_fragment:
  - eucalyptus.cloud.euca
attributes:
  check_mode:
    support: full
    description: Reads the services and reports what would be registered or deregistered; does not wait.
  diff_mode:
    support: full
    description: Before/after of the service (name, type, zone, host).
options:
  name:
    description: Service name (unique in the cloud), for example C(cc-10.111.5.182).
    type: str
    required: true
  type:
    description:
      - Service type. Required with O(state=present).
      - V(user-api) is the UFS, V(walrusbackend) Walrus, V(cluster) the CC, V(storage) the SC.
    type: str
    choices: [user-api, walrusbackend, cluster, storage]
  host:
    description: IPv4 address of the host the service runs on. Required with O(state=present).
    type: str
  zone:
    description:
      - Availability zone (partition). Required for V(cluster) and V(storage) with
        O(state=present).
      - Not accepted for the other types, whose partition the CLC sets itself (the name). Where
        a 4.1 command line needs C(--partition) for them, the module supplies it.
    type: str
  port:
    description:
      - Port of the service, sent on registration only (not compared with an existing one).
      - Default of the tools is 8774 for V(cluster) and 8773 for the others. The 4.1 tools have no
        port option for V(storage) and V(walrusbackend).
    type: int
  state:
    description: V(present) registers, V(absent) deregisters (nothing to do when not registered).
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: With O(state=present), wait until the service reaches one of O(wait_states).
    type: bool
    default: true
  wait_states:
    description:
      - States (lower case) that end the wait. A new SC stays V(broken) until its
        C(<zone>.storage.blockstoragemanager) is set, so pass V([enabled, broken]) for it then.
    type: list
    elements: str
    default: [enabled]
  wait_timeout:
    description:
      - Seconds to wait. On timeout the module fails with the last state seen and, when readable,
        the last lines of C(/var/log/eucalyptus/cloud-output.log).
    type: int
    default: 300
seealso:
  - module: eucalyptus.cloud.euca_service_info
  - module: eucalyptus.cloud.euca_property
'''

EXAMPLES = r'''
- name: Register the CC of zone one (on the CLC)
  eucalyptus.cloud.euca_service:
    name: cc-10.111.5.182
    type: cluster
    host: 10.111.5.182
    zone: one

- name: Register the SC; it stays broken until its backend is set
  eucalyptus.cloud.euca_service:
    name: sc-10.111.5.182
    type: storage
    host: 10.111.5.182
    zone: one
    wait_states: [enabled, broken]

- name: UFS on a 4.1 cloud, credentials from another eucarc
  eucalyptus.cloud.euca_service:
    name: API_10.111.5.180
    type: user-api
    host: 10.111.5.180
    tools: euca_conf
    eucarc: /root/creds/eucarc

- name: Deregister Walrus
  eucalyptus.cloud.euca_service:
    name: walrus-1
    state: absent
'''

RETURN = r'''
service:
  description:
    - The service after the run, state in lower case for every version (null when absent).
    - In check mode, a service to register has state null.
  returned: success
  type: dict
  contains:
    name:
      description: Service name.
      type: str
    type:
      description: Service type.
      type: str
    zone:
      description: Partition (the name itself for non-partitioned types).
      type: str
    host:
      description: Host (IP) of the service.
      type: str
    state:
      description: C(enabled), C(disabled), C(notready), C(broken), C(stopped), ...
      type: str
  sample: {"name": "cc-10.111.5.182", "type": "cluster", "zone": "one", "host": "10.111.5.182", "state": "enabled"}
tools:
  description: Generation of tools used, V(euca_conf) (4.1) or V(euserv) (4.2+).
  returned: always
  type: str
commands:
  description: The admin tool command lines run, in order (no credentials).
  returned: always
  type: list
  elements: str
cloud_log:
  description: Last lines of cloud-output.log, when a registration was refused or a wait timed out.
  returned: on those failures, when readable
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_admin import SERVICE_TYPES
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_modules import run_service
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_runner import EUCA_COMMON_ARGS


def main():
    argument_spec = dict(EUCA_COMMON_ARGS)
    argument_spec.update(
        name=dict(type='str', required=True),
        type=dict(type='str', choices=list(SERVICE_TYPES)),
        host=dict(type='str'),
        zone=dict(type='str'),
        port=dict(type='int'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        wait=dict(type='bool', default=True),
        wait_states=dict(type='list', elements='str', default=['enabled']),
        wait_timeout=dict(type='int', default=300),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[('state', 'present', ['type', 'host'])])
    run_service(module)


if __name__ == '__main__':
    main()
