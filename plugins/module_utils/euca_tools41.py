# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Eucalyptus 4.1 admin tools: command lines and output parsers (no process is run here).

Tools (admin-tools reference section 1): ``euca_conf`` (registration, nodes),
``euca-describe-services``, ``euca-describe-properties``, ``euca-modify-property``.
Their output is tab-separated and space-padded (``SERVICE\\ttype\\tpartition\\tname\\tSTATE\\t…``,
``PROPERTY\\tname\\tvalue``); states are upper case and returned lower case here.
Valid on Python 2.7 and 3.6+.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_admin import (
    PlanError, make_service, strip_ansi)

DESCRIBE_SERVICES = 'euca-describe-services'
DESCRIBE_PROPERTIES = 'euca-describe-properties'
MODIFY_PROPERTY = 'euca-modify-property'
EUCA_CONF = 'euca_conf'

# euca_conf option per type (reference 1.1); user-api goes through --register-service.
_COMPONENT_OPTION = {'cluster': 'cluster', 'storage': 'sc', 'walrusbackend': 'walrusbackend'}
# --cc-port exists for clusters, --service-port for --register-service; sc/walrusbackend have none
_PORT_OPTION = {'cluster': '--cc-port', 'user-api': '--service-port'}


# ---------------------------------------------------------------------------------------------
# services
# ---------------------------------------------------------------------------------------------

def describe_services_cmd():
    return [DESCRIBE_SERVICES]


_URI_HOST = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)')


def host_of_uri(uri):
    """``http://10.0.0.2:8774/axis2/services/EucalyptusCC`` -> ``10.0.0.2`` (None without a host)."""
    m = _URI_HOST.match(uri or '')
    return (m.group(1).strip('[]') or None) if m else None


def parse_describe_services(text):
    """``SERVICE\\ttype\\tpartition\\tname\\tSTATE\\tepoch\\turi\\tfullName`` lines -> services.

    Fields are stripped (the format pads them); ``SERVICEEVENT`` and warning lines are skipped.
    """
    services = []
    for line in strip_ansi(text).splitlines():
        if not line.startswith('SERVICE') or line.startswith('SERVICEEVENT'):
            continue
        fields = [f.strip() for f in line.split('\t')]
        if fields[0] != 'SERVICE' or len(fields) < 5:
            continue
        uri = fields[6] if len(fields) > 6 else ''
        services.append(make_service(fields[3], fields[1], zone=fields[2], host=host_of_uri(uri),
                                     state=fields[4]))
    return services


def register_cmd(type_, name, host, zone=None, port=None):
    """The euca_conf command line registering one service (option form, reference 1.1).

    Non-partitioned component types still need ``-P`` on the command line; the CLC replaces it
    with the name, so the name is given.
    """
    if port is not None and type_ not in _PORT_OPTION:
        raise PlanError('port is not supported for type %s with the 4.1 tools (euca_conf has no port '
                        'option for it)' % type_)
    if type_ == 'user-api':
        cmd = [EUCA_CONF, '--register-service', '-T', type_, '-H', host, '-N', name]
    elif type_ in _COMPONENT_OPTION:
        cmd = [EUCA_CONF, '--register-%s' % _COMPONENT_OPTION[type_], '-P', zone or name, '-H', host, '-C', name]
    else:
        raise PlanError('type %s cannot be registered with euca_conf' % type_)
    if port is not None:
        cmd += [_PORT_OPTION[type_], str(port)]
    return cmd


def deregister_cmd(service):
    type_ = service['type']
    if type_ in _COMPONENT_OPTION:
        return [EUCA_CONF, '--deregister-%s' % _COMPONENT_OPTION[type_], '-P', service.get('zone') or service['name'],
                '-C', service['name']]
    return [EUCA_CONF, '--deregister-service', '-N', service['name'], '-T', type_]


def error_text(stdout, stderr):
    """The ``error: …`` / ``ERROR\\t…`` / ``Error(code): …`` lines a 4.1 tool printed."""
    lines = []
    for line in strip_ansi((stdout or '') + '\n' + (stderr or '')).splitlines():
        s = line.strip()
        if s.lower().startswith('error') or s.startswith('warning: ERROR') or 'Unable to find credentials' in s:
            lines.append(s.replace('\t', ' '))
    return '; '.join(lines)


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------

def describe_properties_cmd(names):
    return [DESCRIBE_PROPERTIES] + sorted(names)


def parse_describe_properties(text):
    """``PROPERTY\\tname\\tvalue`` lines -> ``{name: value}``.

    Matching is by prefix on the server, so the result may hold more names than asked for; the
    caller picks exact names. A value may span lines (network_configuration is printed as the
    multi-line JSON it was set to): lines that start neither ``PROPERTY`` nor ``DESCRIPTION``
    continue the previous value. The newline ending the output is not part of the last value.
    """
    text = strip_ansi(text or '')
    if text.endswith('\n'):
        text = text[:-1]
    props = {}
    current = None
    for line in text.split('\n'):
        if line.startswith('PROPERTY\t'):
            parts = line.split('\t', 2)
            current = parts[1].strip()
            props[current] = parts[2] if len(parts) > 2 else ''
        elif line.startswith('DESCRIPTION\t'):
            current = None
        elif current is not None:
            props[current] += '\n' + line
    return props


def modify_property_cmd(name, value=None, src=None):
    if src is not None:
        return [MODIFY_PROPERTY, '-f', '%s=%s' % (name, src)]
    return [MODIFY_PROPERTY, '-p', '%s=%s' % (name, value)]


# ---------------------------------------------------------------------------------------------
# nodes (run on the CC)
# ---------------------------------------------------------------------------------------------

_NO_SYNC = ['--no-scp', '--no-rsync', '--no-sync']


def register_nodes_cmd(nodes, copy_keys=True):
    cmd = [EUCA_CONF, '--register-nodes', ' '.join(nodes)]
    return cmd if copy_keys else cmd + _NO_SYNC


def deregister_nodes_cmd(nodes):
    return [EUCA_CONF, '--deregister-nodes', ' '.join(nodes)]


def key_sync_failures(stdout, stderr):
    """Nodes euca_conf could not copy keys to (it still adds them and exits 0, reference 1.1)."""
    out = []
    for line in ((stdout or '') + '\n' + (stderr or '')).splitlines():
        marker = 'could not synchronize keys with'
        if marker in line:
            out.append(line.split(marker, 1)[1].strip())
    return out
