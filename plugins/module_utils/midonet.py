# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MidoNet for the eucalyptus.cloud collection: the names of the three files that hold it, in one
import (kept so that ``module_utils.midonet`` goes on working for every existing caller).

* ``midonet_client.py``: the REST client (session, authentication, media types per API line,
  error mapping, request counting), the shared argument spec and URL-credential handling;
* ``midonet_tunnel_zone.py``: the tunnel-zone planner and the ``midonet_tunnel_zone`` body;
* ``midonet_topology.py``: the topology reader and midonet-cli-shaped formatter
  (``midonet_topology_info``) and the ``midonet_host_info`` body.

Valid on Python 2.7 and 3.6+ (EL7 targets).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_client import (  # noqa: F401
    HAS_REQUESTS, MIDONET_COMMON_ARGS, MIDONET_COMMON_KWARGS, MT_HOST, MT_HOST_COLLECTION, MT_JSON,
    MT_TUNNEL_ZONE, MT_TUNNEL_ZONE_COLLECTION, MT_TUNNEL_ZONE_HOST, MT_TUNNEL_ZONE_HOST_COLLECTION,
    REQUESTS_IMPORT_ERROR, TOPOLOGY_COLLECTION_TYPES, ZONE_TYPES, MidonetClient, MidonetError,
    _error_detail, _mentions_exists, api_major, client_from_module, fail, host_index, is_ipv4, is_uuid,
    protect_api_url, requests, resolve_host, safe_url, url_credentials)
from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_tunnel_zone import (  # noqa: F401
    _add, _apply_member_plan, _step, _who, apply_plan, describe_members, ensure_tunnel_zone, find_zone,
    plan_is_empty, plan_members, resolve_members, run_tunnel_zone, zone_view)
from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_topology import (  # noqa: F401
    KINDS, build_topology, describe_topology, format_listing, host_status, host_view, read_closure,
    read_topology, run_host_info, run_topology_info, select_hosts)

_fail = fail

__all__ = [
    'HAS_REQUESTS',
    'MIDONET_COMMON_ARGS',
    'MIDONET_COMMON_KWARGS',
    'MT_HOST',
    'MT_HOST_COLLECTION',
    'MT_JSON',
    'MT_TUNNEL_ZONE',
    'MT_TUNNEL_ZONE_COLLECTION',
    'MT_TUNNEL_ZONE_HOST',
    'MT_TUNNEL_ZONE_HOST_COLLECTION',
    'REQUESTS_IMPORT_ERROR',
    'TOPOLOGY_COLLECTION_TYPES',
    'ZONE_TYPES',
    'MidonetClient',
    'MidonetError',
    '_error_detail',
    '_mentions_exists',
    'api_major',
    'client_from_module',
    'fail',
    'host_index',
    'is_ipv4',
    'is_uuid',
    'protect_api_url',
    'requests',
    'resolve_host',
    'safe_url',
    'url_credentials',
    '_add',
    '_apply_member_plan',
    '_step',
    '_who',
    'apply_plan',
    'describe_members',
    'ensure_tunnel_zone',
    'find_zone',
    'plan_is_empty',
    'plan_members',
    'resolve_members',
    'run_tunnel_zone',
    'zone_view',
    'KINDS',
    'build_topology',
    'describe_topology',
    'format_listing',
    'host_status',
    'host_view',
    'read_closure',
    'read_topology',
    'run_host_info',
    'run_topology_info',
    'select_hosts',
    '_fail',
]
