#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: euca_property
short_description: Set Eucalyptus cloud properties, one write per property that differs
version_added: 0.2.0
description:
  - Reads all named properties once, then writes only those whose value differs, one tool call
    each, and reads them back (a read-only property is ignored silently by the CLC; the module
    then fails).
  - "4.1: C(euca-describe-properties NAME...), C(euca-modify-property -p NAME=VALUE) or
    C(-f NAME=FILE). 4.2+: C(euctl NAME...) (prefix output, exact names picked),
    C(euctl --dump --format raw NAME) for the JSON-valued properties (plain C(euctl) prints
    nothing for them), C(euctl NAME=VALUE) or C(euctl NAME=@FILE)."
  - JSON-valued properties (C(cloud.network.network_configuration),
    C(authentication.ldap_integration_configuration), C(region.region_configuration),
    C(cloudformation.swf_client_config), C(cloudformation.swf_workflow_worker_config)) compare as
    parsed JSON, so whitespace and key order never cause a change.
  - An unknown property fails with its name before any write (zone-scoped properties such as
    C(<zone>.storage.blockstoragemanager) exist only once the zone's CC/SC is registered).
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
extends_documentation_fragment:
  - eucalyptus.cloud.euca
attributes:
  check_mode:
    support: full
    description: Reads the properties and reports which would change.
  diff_mode:
    support: full
    description: Before/after values of the properties that change.
options:
  properties:
    description:
      - Properties to set, name to value. A dict or list value is sent as JSON, a boolean as
        V(true)/V(false).
      - Mutually exclusive with O(name).
    type: dict
  name:
    description: One property name (exact), with O(value) or O(src).
    type: str
  value:
    description: Value for O(name).
    type: raw
  src:
    description:
      - "A file on the host whose contents become the value of O(name), as the version's tool reads
        it (4.1 C(-f): raw; C(euctl NAME=@FILE): stripped). The comparison uses the same rule."
      - The file is given to the tool itself, so the CLC receives exactly that file.
    type: path
notes:
  - A property the tools show as C(********) (hidden type) cannot be compared and is always written.
  - Values of properties whose name says they are credentials (C(secret), C(password), C(accesskey),
    C(token), ...) are masked in the results and the diff. The task's own arguments are shown by
    Ansible at C(-vvv); set C(no_log) on a task that passes such a value.
seealso:
  - module: eucalyptus.cloud.euca_service
'''

EXAMPLES = r'''
- name: Object storage and DNS
  eucalyptus.cloud.euca_property:
    properties:
      objectstorage.providerclient: walrus
      system.dns.dnsdomain: cloud.example.com
      bootstrap.webservices.use_instance_dns: true

- name: The SC backend (only after the SC of zone one is registered)
  eucalyptus.cloud.euca_property:
    name: one.storage.blockstoragemanager
    value: overlay

- name: network.json, validated, uploaded as a file
  eucalyptus.cloud.euca_property:
    name: cloud.network.network_configuration
    src: /etc/eucalyptus/network.json
'''

RETURN = r'''
changed_properties:
  description: The properties written (or that would be, in check mode), name to before/after.
  returned: success
  type: dict
  sample: {"objectstorage.providerclient": {"before": "", "after": "walrus"}}
tools:
  description: Generation of tools used, V(euca_conf) (4.1) or V(euserv) (4.2+).
  returned: always
  type: str
commands:
  description: The admin tool command lines run, in order (values replaced by C(...)).
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_modules import run_property
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_runner import EUCA_COMMON_ARGS


def main():
    argument_spec = dict(EUCA_COMMON_ARGS)
    argument_spec.update(
        properties=dict(type='dict'),
        name=dict(type='str'),
        value=dict(type='raw'),
        src=dict(type='path'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           mutually_exclusive=[['properties', 'name'], ['properties', 'value'],
                                               ['properties', 'src'], ['value', 'src']],
                           required_one_of=[['properties', 'name']],
                           required_by={'value': 'name', 'src': 'name'})
    run_property(module)


if __name__ == '__main__':
    main()
