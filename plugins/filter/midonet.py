# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for MidoNet deployments (documentation: eucanetd_tunnel_zone_ok.yml)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

# eucanetd 4.3+ only uses a tunnel zone with one of these names (VPCMIDO_TUNNELZONE,
# net/midonet-api.h; default mido-tz). 4.1 and 4.2 accept any name.
EUCANETD_TUNNEL_ZONE_NAMES = ('mido-tz', 'midotz', 'euca-tz', 'eucatz')


def _version_tuple(version):
    text = str(version).strip()
    match = re.match(r'^v?(\d+)(?:\.(\d+))?', text)
    if not match:
        raise AnsibleFilterError('eucanetd_tunnel_zone_ok: cannot parse Eucalyptus version %r' % (version,))
    return int(match.group(1)), int(match.group(2) or 0)


def eucanetd_tunnel_zone_ok(name, eucalyptus_version):
    """True when eucanetd of ``eucalyptus_version`` will use a tunnel zone named ``name``."""
    if name is None or str(name) == '':
        return False
    if _version_tuple(eucalyptus_version) >= (4, 3):
        return str(name) in EUCANETD_TUNNEL_ZONE_NAMES
    return True


class FilterModule(object):

    def filters(self):
        return {'eucanetd_tunnel_zone_ok': eucanetd_tunnel_zone_ok}
