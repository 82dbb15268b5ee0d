# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options shared by all eucalyptus.cloud.midonet_* modules (action group
    # eucalyptus.cloud.midonet, so they can be set once with module_defaults).
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - Base URL of the MidoNet REST API, without a trailing slash.
      - MidoNet 1.x (MEM 1.9, midonet-api in Tomcat) listens on C(http://HOST:8080/midonet-api);
        MidoNet 5.x (midonet-cluster) on C(http://HOST:8181/midonet-api) by default
        (Eucalyptus installs move it to 8080).
      - The API line (1.x or 5.x) is detected from the C(version) of the root document.
      - May carry credentials as C(http://USER:PASSWORD@HOST:8080/midonet-api) (percent-encoded);
        they are used to log in as O(username)/O(password) would be, unless O(username) or O(token)
        is set. The password is never returned nor printed (it is masked in every result and
        message), and the C(invocation) echoed by Ansible shows the URL without C(USER:PASSWORD@).
    type: str
    required: true
  username:
    description:
      - User to log in as at C({api_url}/login) with HTTP Basic authentication; the token returned
        is sent as C(X-Auth-Token) on every later request.
      - Leave unset (and O(token) unset) for APIs running the default MockAuthService, as
        Eucalyptus installs do.
    type: str
  password:
    description:
      - Password for O(username). Never logged nor returned.
    type: str
  project:
    description:
      - Project (Keystone tenant) sent as C(X-Auth-Project) when logging in and afterwards.
    type: str
  token:
    description:
      - An existing API token, sent as C(X-Auth-Token). Mutually exclusive with O(username)/O(password).
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of an C(https) O(api_url).
    type: bool
    default: true
  timeout:
    description:
      - Timeout in seconds of each HTTP request.
    type: int
    default: 30
requirements:
  - requests (python library, on the host the module runs on)
notes:
  - All options of this fragment can be set once for every MidoNet module with
    C(module_defaults) and the action group C(group/eucalyptus.cloud.midonet).
  - The result key C(api_calls) counts the HTTP requests made, by method.
'''
