#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eucalyptus.cloud developers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: preflight_probe
short_description: Run a host's read-only preflight commands in one call
version_added: 0.1.0
description:
  - Runs each command of O(commands) (an argument vector, no shell) once and returns its exit
    code and output, so the preflight role reads a host with one round trip instead of one per
    command. A command that is not installed is returned with C(missing=true), never a failure.
  - Meant for read-only commands (C(getent), C(date), C(chronyc tracking), C(iptables -S)); it
    never reports a change.
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  commands:
    description: Name -> argument vector of each command.
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Resolve the cloud hosts and read the clock in one call
  eucalyptus.cloud.preflight_probe:
    commands:
      forward: [getent, hosts, frontend.euca, nc1.euca]
      clock: [date, "+%s.%N"]
  register: probe
'''

RETURN = r'''
outputs:
  description: Name -> C({rc, stdout, stderr, missing}) of each command.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eucalyptus.cloud.plugins.module_utils import diagnostics


def main():
    module = AnsibleModule(argument_spec=dict(commands=dict(type='dict', required=True)), supports_check_mode=True)
    module.exit_json(**diagnostics.probe(module))


if __name__ == '__main__':
    main()
