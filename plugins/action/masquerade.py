# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of masquerade: as static_routes, for its ``sources`` list."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.eucalyptus.cloud.plugins.action.static_routes import ActionModule as _RoutesAction


class ActionModule(_RoutesAction):

    ADDRESS_OPTION = 'sources'
