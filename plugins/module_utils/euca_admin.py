# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Eucalyptus admin tools: the common in-memory model and the pure planners.

Both tool generations (4.1 ``euca_conf``/``euca-*`` in ``euca_tools41.py``, 4.2+ ``euserv-*``/
``euctl``/``clusteradmin-*`` in ``euca_tools42.py``) are parsed into the same shapes:

* a service: ``{'name', 'type', 'zone', 'host', 'state'}`` (state lower case, ``None`` when a
  cell is empty);
* properties: ``{name: value}`` (values as strings, exactly as the tool printed them);
* nodes: a ``set`` of IPv4 strings (``NODES`` in eucalyptus.conf is a set for the tools).

The planners here never run anything; the modules' glue (``euca_modules.py``) reads state with
the runner, asks a planner what to do, applies it and reads back. Valid on Python 2.7 and 3.6+.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import re

string_types = (str, type(u''))

# Registerable service types (admin-tools reference 2.4/2.5: cluster, storage, walrusbackend,
# user-api). Partitioned types need a zone; the others get partition = name from the CLC.
SERVICE_TYPES = ('user-api', 'walrusbackend', 'cluster', 'storage')
PARTITIONED_TYPES = ('cluster', 'storage')
# Types whose CLC accepts at most one service per host (reference 2.4: "different name, same
# host, same type (not many-to-one)"); user-api is many-to-one.
ONE_PER_HOST_TYPES = ('walrusbackend', 'cluster', 'storage')

SERVICE_STATES = ('enabled', 'disabled', 'notready', 'broken', 'stopped', 'primordial',
                  'initialized', 'loaded')

# Structured (JSON-valued) properties: euctl prints nothing for them unless --dump (reference 3).
JSON_PROPERTIES = frozenset([
    'authentication.ldap_integration_configuration',
    'cloud.network.network_configuration',
    'cloudformation.swf_client_config',
    'cloudformation.swf_workflow_worker_config',
    'region.region_configuration',
])

HIDDEN_VALUE = '********'

# Properties whose values are credentials (for example objectstorage.s3provider.s3secretkey,
# <zone>.storage.chappassword): their values, before and after, are masked in results.
_SECRET_NAME = re.compile(r'(secret|password|passwd|chapuser|accesskey|access_key|token)', re.I)


def is_secret_property(name):
    return bool(_SECRET_NAME.search(name or ''))

_IPV4_RE = re.compile(r'^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
                      r'(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$')
_ANSI_RE = re.compile(r'\x1b\[[0-9;]*m')


class PlanError(Exception):
    """Bad input or a state the module refuses to touch; nothing has been changed yet."""


class ToolError(Exception):
    """An admin tool failed (or lied by exit code and the read-back said so)."""

    def __init__(self, msg, cmd=None, rc=None, stdout=None, stderr=None):
        super(ToolError, self).__init__(msg)
        self.msg = msg
        self.cmd = cmd
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr

    def __str__(self):
        return self.msg


def is_ipv4(value):
    return isinstance(value, string_types) and bool(_IPV4_RE.match(value))


def strip_ansi(text):
    return _ANSI_RE.sub('', text or '')


def make_service(name, type_, zone=None, host=None, state=None):
    return {'name': name, 'type': type_, 'zone': zone or None, 'host': host or None,
            'state': state.lower() if state else None}


# ---------------------------------------------------------------------------------------------
# euca_service
# ---------------------------------------------------------------------------------------------

def validate_service_args(name, type_, host, zone, state):
    """Argument rules of euca_service that AnsibleModule cannot express (raise PlanError)."""
    if not name or any(c.isspace() for c in name):
        raise PlanError('name must be a non-empty service name without spaces, got %r' % (name,))
    if state == 'present':
        if not type_:
            raise PlanError('type is required with state=present')
        if not host:
            raise PlanError('host is required with state=present')
        if not is_ipv4(host):
            raise PlanError('host must be an IPv4 address (the CLC registers services by IP), got %r' % (host,))
    if type_ in PARTITIONED_TYPES and state == 'present' and not zone:
        raise PlanError('zone is required for type %s' % type_)
    if zone and type_ and type_ not in PARTITIONED_TYPES:
        raise PlanError('zone is not accepted for type %s: the CLC sets the partition of a %s '
                        'service itself (partition = name)' % (type_, type_))


def find_service(services, name):
    """The service called ``name`` (exact), or None. Several rows with that name: the first."""
    for svc in services:
        if svc.get('name') == name:
            return svc
    return None


def plan_service(services, name, type_, host, zone, state):
    """What euca_service must do: ``'none'``, ``'register'`` or ``'deregister'``.

    ``services`` is the whole listing. Raises PlanError for a registration the CLC would refuse
    or that would silently move/destroy an existing service.
    """
    current = find_service(services, name)
    if state == 'absent':
        if current is None:
            return 'none'
        if type_ and current.get('type') != type_:
            raise PlanError('service %s is registered with type %s, not %s; refusing to deregister it'
                            % (name, current.get('type'), type_))
        return 'deregister'
    if current is not None:
        problems = []
        if current.get('type') != type_:
            problems.append('type %s (wanted %s)' % (current.get('type'), type_))
        if current.get('host') != host:
            problems.append('host %s (wanted %s)' % (current.get('host'), host))
        if type_ in PARTITIONED_TYPES and current.get('zone') != zone:
            problems.append('zone %s (wanted %s)' % (current.get('zone'), zone))
        if problems:
            raise PlanError('service %s is already registered with %s; re-registering is destructive '
                            '(the CLC would move or refuse it), deregister it first (state=absent)'
                            % (name, ', '.join(problems)))
        return 'none'
    if type_ in ONE_PER_HOST_TYPES:
        for svc in services:
            if svc.get('type') == type_ and svc.get('host') == host:
                raise PlanError('host %s already has a %s service named %s; the CLC refuses a second '
                                'one on the same host' % (host, type_, svc.get('name')))
    if type_ in PARTITIONED_TYPES or type_ == 'walrusbackend':
        same = [s for s in services if s.get('type') == type_ and
                (type_ == 'walrusbackend' or s.get('zone') == zone)]
        if len(same) >= 2:
            where = 'in zone %s' % zone if type_ != 'walrusbackend' else 'in the cloud'
            raise PlanError('there are already two %s services %s (%s); the CLC refuses a third'
                            % (type_, where, ', '.join(sorted(s.get('name') or '' for s in same))))
    return 'register'


def service_matches(svc, type_, host, zone):
    return (svc is not None and svc.get('type') == type_ and svc.get('host') == host and
            (type_ not in PARTITIONED_TYPES or svc.get('zone') == zone))


def filter_services(services, types=None, names=None):
    out = []
    for svc in services:
        if types and svc.get('type') not in types:
            continue
        if names and svc.get('name') not in names:
            continue
        out.append(svc)
    return sorted(out, key=lambda s: (s.get('type') or '', s.get('name') or ''))


# ---------------------------------------------------------------------------------------------
# euca_property
# ---------------------------------------------------------------------------------------------

def _json_or_none(text):
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, (dict, list)) else None


def is_json_property(name):
    return name in JSON_PROPERTIES


def values_equal(name, current, wanted):
    """Compare as the CLC would store them: JSON values as parsed JSON (whitespace and key order
    never matter), everything else as strings."""
    if current is None:
        return False
    if current == wanted:
        return True
    if is_json_property(name) or (current.lstrip()[:1] in ('{', '[') and wanted.lstrip()[:1] in ('{', '[')):
        a = _json_or_none(current)
        b = _json_or_none(wanted)
        if a is not None and b is not None:
            return a == b
    return False


def normalize_property_args(properties, name, value, src):
    """``{name: value_or_None}`` and ``{name: src}`` from the module's three forms (PlanError on misuse).

    Values of a dict are converted to strings (JSON for dicts and lists, ``true``/``false`` for
    booleans), so a YAML mapping can be given for a JSON property.
    """
    forms = sum(1 for x in (properties is not None, value is not None or src is not None) if x)
    if forms != 1 or (properties is not None and name is not None):
        raise PlanError('give either properties, or name with value, or name with src')
    if properties is not None:
        if not isinstance(properties, dict) or not properties:
            raise PlanError('properties must be a non-empty dict of name: value')
        wanted = {}
        for key, val in properties.items():
            wanted[_check_prop_name(key)] = to_property_string(key, val)
        return wanted, {}
    if name is None:
        raise PlanError('name is required with value or src')
    name = _check_prop_name(name)
    if src is not None:
        return {}, {name: src}
    return {name: to_property_string(name, value)}, {}


def _check_prop_name(name):
    if not isinstance(name, string_types) or not name or any(c.isspace() for c in name) or '=' in name:
        raise PlanError('invalid property name %r' % (name,))
    return name


def to_property_string(name, value):
    if value is None:
        raise PlanError('property %s has no value' % name)
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, string_types):
        return value
    return str(value)


def src_value(generation, content):
    """The value the tool of ``generation`` sends for a file: 4.1 ``-f`` raw, euctl ``=@FILE``
    stripped (reference 1.2 and 3)."""
    return content if generation == '41' else content.strip()


def plan_properties(current, wanted):
    """``[(name, before, after)]`` for the properties whose value differs, sorted by name.

    ``current`` holds what the tool printed for every wanted name (a name missing from it is
    unknown: PlanError naming all of them, before any write).
    """
    unknown = sorted(n for n in wanted if n not in current)
    if unknown:
        raise PlanError('unknown propert%s: %s' % ('y' if len(unknown) == 1 else 'ies', ', '.join(unknown)))
    changes = []
    for name in sorted(wanted):
        before = current[name]
        if before == HIDDEN_VALUE or not values_equal(name, before, wanted[name]):
            changes.append((name, before, wanted[name]))
    return changes


# ---------------------------------------------------------------------------------------------
# euca_nodes
# ---------------------------------------------------------------------------------------------

_NODES_LINE = re.compile(r'^NODES=(.*)$')


def parse_nodes(conf_text):
    """``NODES`` of eucalyptus.conf as the tools read it (``strip('"').split()`` into a set).

    Returns None when the file has no ``NODES=`` line (the tools then silently add nothing).
    """
    for line in (conf_text or '').splitlines():
        m = _NODES_LINE.match(line)
        if m:
            raw = m.group(1).strip()
            if raw[:1] == "'":
                raw = raw.strip("'")
            return set(raw.strip('"').split())
    return None


def validate_nodes(nodes):
    bad = [n for n in nodes if not is_ipv4(n)]
    if bad:
        raise PlanError('nodes must be IPv4 addresses (the tools accept nothing else): %s' % ', '.join(bad))


def plan_nodes(current, nodes, state, purge):
    """``(added, removed)`` sorted lists. ``current`` and ``nodes`` are iterables of IPs."""
    current = set(current)
    wanted = set(nodes)
    if state == 'absent':
        return [], sorted(current & wanted, key=_ip_key)
    added = sorted(wanted - current, key=_ip_key)
    removed = sorted(current - wanted, key=_ip_key) if purge else []
    return added, removed


def _ip_key(ip):
    try:
        return tuple(int(x) for x in ip.split('.'))
    except ValueError:
        return (999, ip)


def sorted_nodes(nodes):
    return sorted(set(nodes), key=_ip_key)
