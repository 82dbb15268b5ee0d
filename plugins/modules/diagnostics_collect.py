#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eucalyptus.cloud developers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: diagnostics_collect
short_description: Collect a cloud host's diagnostics (command outputs, logs, files), secrets redacted on the host
version_added: 0.1.0
description:
  - Runs read-only commands (argument vectors, no shell), reads the last bytes of files and the
    given kernel parameters, and returns each as an item whose text has every secret replaced
    by C(<redacted>) before it leaves the host (credentials, passwords, tokens, keys such as
    C(AWS_SECRET_ACCESS_KEY) lines of an eucarc, MidoNet passwords, PEM private key blocks).
  - A command that is not installed or a file that does not exist is an item with status
    C(missing), never a failure; a command that fails is an item with status C(error) and its output.
  - O(eucanetd_reports) runs eucanetd's read-only reports (C(-l), C(-g)). Every eucanetd
    invocation writes its pid into the daemon's pid file, so the module reads that file first
    and puts it back afterwards (reported as a change when it had to).
author:
  - Eucalyptus Cloud Developers (@eucalyptus)
attributes:
  check_mode:
    support: full
    description: Read-only; in check mode the eucanetd reports are not run (they rewrite the pid file).
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  commands:
    description: Commands to run, each C({name, argv}); C(ok_rcs) lists exit codes that still mean success.
    type: list
    elements: dict
    default: []
  files:
    description: Files to read, each C({name, path}); C(max_bytes) overrides O(max_bytes).
    type: list
    elements: dict
    default: []
  sysctls:
    description: Kernel parameters (dotted names) written into the item C(sysctl.txt).
    type: list
    elements: str
    default: []
  services:
    description: Units whose state goes into the item C(services.txt) (C(systemctl show), or C(service NAME status) without systemd).
    type: list
    elements: str
    default: []
  max_bytes:
    description: The last this many bytes of each file (0 for whole files).
    type: int
    default: 1048576
  eucanetd_reports:
    description: eucanetd flags of read-only reports to run, e.g. C([-l, -g]) (4.3 has C(-l), 4.4 also C(-g)).
    type: list
    elements: str
    default: []
  eucanetd_pidfile:
    description: The pid file every eucanetd invocation rewrites.
    type: path
    default: /var/run/eucalyptus/eucanetd.pid
  timeout:
    description: Seconds after which an eucanetd report is stopped (the 4.3/4.4 teardown code can loop forever).
    type: int
    default: 60
  redact_patterns:
    description: Further regular expressions whose matches are redacted.
    type: list
    elements: str
    default: []
  dest:
    description:
      - A directory on the controller. The items (a missing one as C(NAME.missing) with the reason)
        and C(MANIFEST.txt) are written there, mode 0600, by the module's action plugin, and
        RV(items) is returned without their text. Not written in check mode.
    type: path
  extra_items:
    description:
      - Items read elsewhere (each C({name, status, content, detail})) to write into O(dest) and the
        manifest too, redacted on the controller by the same rules (e.g. the MidoNet topology dump).
    type: list
    elements: dict
    default: []
'''

EXAMPLES = r'''
- name: Collect the network state and the eucanetd log
  eucalyptus.cloud.diagnostics_collect:
    commands:
      - {name: ip-link.json, argv: [ip, -d, -j, link, show]}
      - {name: iptables-save.txt, argv: [iptables-save]}
    files:
      - {name: logs/eucanetd.log, path: /var/log/eucalyptus/eucanetd.log}
    sysctls: [net.ipv4.ip_forward, net.bridge.bridge-nf-call-iptables]
  register: diag
'''

RETURN = r'''
items:
  description: One entry per command, file, the sysctls and each eucanetd report, text already redacted.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The item's file name in the diagnostics tarball.
      type: str
    status:
      description: C(ok), C(missing) (not installed, no such file) or C(error) (the command failed).
      type: str
    content:
      description: The redacted text.
      type: str
    detail:
      description: The command line and exit code, or the file size, or why it is missing.
      type: str
    redactions:
      description: How many secrets were replaced in this item.
      type: int
manifest:
  description: C(MANIFEST.txt) of the host, one line per item.
  returned: always
  type: str
written:
  description: The files written into O(dest), relative to it.
  returned: when O(dest) is given, not in check mode
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eucalyptus.cloud.plugins.module_utils import diagnostics


def main():
    module = AnsibleModule(
        argument_spec=dict(
            commands=dict(type='list', elements='dict', default=[]),
            files=dict(type='list', elements='dict', default=[]),
            sysctls=dict(type='list', elements='str', default=[]),
            services=dict(type='list', elements='str', default=[]),
            max_bytes=dict(type='int', default=1048576),
            eucanetd_reports=dict(type='list', elements='str', default=[]),
            eucanetd_pidfile=dict(type='path', default='/var/run/eucalyptus/eucanetd.pid'),
            timeout=dict(type='int', default=60),
            redact_patterns=dict(type='list', elements='str', default=[]),
            dest=dict(type='path'),
            extra_items=dict(type='list', elements='dict', default=[]),
        ),
        supports_check_mode=True,
    )
    result = diagnostics.run(module)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
