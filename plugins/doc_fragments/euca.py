# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):

    # Options shared by the modules that drive the Eucalyptus admin tools.
    DOCUMENTATION = r'''
options:
  tools:
    description:
      - Which generation of admin tools to run.
      - V(euca_conf) is Eucalyptus 4.1 (C(euca_conf), C(euca-describe-services),
        C(euca-describe-properties), C(euca-modify-property)).
      - V(euserv) is Eucalyptus 4.2 and later (C(euserv-*), C(euctl), C(clusteradmin-*)).
      - V(auto) picks V(euserv) when C(euserv-describe-services) is on E(PATH) (or in
        C(/usr/sbin)), else V(euca_conf).
    type: str
    choices: [auto, euca_conf, euserv]
    default: auto
  eucarc:
    description:
      - Credentials file the 4.1 tools read. Each 4.1 tool runs in a shell that sources this file
        first (the module never reads it); it is skipped when not readable.
      - Not used by the 4.2+ tools; they take the CLC's system credentials from
        C(clcadmin-assume-system-credentials) when E(AWS_ACCESS_KEY_ID) is not in the environment.
        Those credentials are never shown (not even at C(-vvv)).
    type: path
    default: /root/.euca/eucarc
notes:
  - The modules run on the host whose tools they use (the CLC; the CC for M(eucalyptus.cloud.euca_nodes)),
    as root. E(EUCALYPTUS) (default C(/)) is the installation prefix, as for the tools.
  - The 4.2+ tools exit 0 when the CLC refuses a change, so every write is followed by a read-back
    that decides success.
requirements:
  - The Eucalyptus admin tools of the installed version, and C(bash) for the 4.1 tools.
'''
