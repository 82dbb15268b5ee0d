# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Eucalyptus 4.2–4.4 admin tools: command lines and output parsers (no process is run here).

Tools (admin-tools reference sections 2–4): ``euserv-describe-services``,
``euserv-register-service``, ``euserv-deregister-service``, ``euctl``,
``clcadmin-assume-system-credentials``, ``clusteradmin-register-nodes``,
``clusteradmin-deregister-nodes``, ``clusteradmin-copy-keys``.

``euserv-describe-services`` prints a space-aligned prettytable without borders. An empty cell
disappears under ``split()`` and shifts the columns, so it is always run with
``--show-empty-fields`` (empty cells print ``(nil)``). The default table has no host column:
``--group-by-host`` gives ``SERVICE host type name state``, the default
``SERVICE type zone name state``; the two are joined on (type, name).
Valid on Python 2.7 and 3.6+.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_admin import (
    PARTITIONED_TYPES, PlanError, ToolError, make_service, strip_ansi)

DESCRIBE_SERVICES = 'euserv-describe-services'
REGISTER_SERVICE = 'euserv-register-service'
DEREGISTER_SERVICE = 'euserv-deregister-service'
EUCTL = 'euctl'
ASSUME_CREDENTIALS = 'clcadmin-assume-system-credentials'
REGISTER_NODES = 'clusteradmin-register-nodes'
DEREGISTER_NODES = 'clusteradmin-deregister-nodes'
COPY_KEYS = 'clusteradmin-copy-keys'

NIL = '(nil)'


# ---------------------------------------------------------------------------------------------
# services
# ---------------------------------------------------------------------------------------------

def describe_services_cmd(by_host=False):
    cmd = [DESCRIBE_SERVICES, '--show-empty-fields']
    return cmd + ['--group-by-host'] if by_host else cmd


def _cell(value):
    return None if value in (NIL, '') else value


def _rows(text, header_second):
    rows = []
    for line in strip_ansi(text).splitlines():
        tokens = line.split()
        if not tokens or tokens[0] != 'SERVICE':
            continue
        if len(tokens) > 1 and tokens[1] == header_second:   # --show-headers line
            continue
        rows.append((line, tokens[1:]))
    return rows


def parse_services_by_type(text):
    """Default table ``SERVICE type zone name state`` -> services without host.

    A row has four cells after ``SERVICE``. Three cells (an empty zone printed without
    ``--show-empty-fields``) are read as an empty zone; any other count is refused, not guessed.
    """
    return [make_service(_cell(name), _cell(type_), zone=_cell(zone), state=_cell(state))
            for type_, zone, name, state in _four_cells(text, 'TYPE', 1)]


def _four_cells(text, header, optional):
    """The rows of a four-column table; a row of three lacks the (empty) cell at index
    ``optional``, which reads as None. Any other count is refused, not guessed."""
    for line, cells in _rows(text, header):
        if len(cells) == 3:
            cells = list(cells)
            cells.insert(optional, None)
        elif len(cells) != 4:
            raise ToolError('cannot parse %s output line %r' % (DESCRIBE_SERVICES, line.strip()))
        yield cells


def parse_services_by_host(text):
    """``--group-by-host`` table ``SERVICE host type name state`` -> services without zone."""
    return [make_service(_cell(name), _cell(type_), host=_cell(host), state=_cell(state))
            for host, type_, name, state in _four_cells(text, 'HOST', 0)]


def join_services(by_type, by_host):
    """One service per (type, name) row of the default table, with the host of the host table."""
    hosts = {}
    for svc in by_host:
        hosts.setdefault((svc['type'], svc['name']), svc['host'])
    out = []
    for svc in by_type:
        svc = dict(svc)
        svc['host'] = hosts.get((svc['type'], svc['name']))
        out.append(svc)
    return out


def register_cmd(type_, name, host, zone=None, port=None):
    cmd = [REGISTER_SERVICE, '-t', type_, '-h', host]
    if type_ in PARTITIONED_TYPES:
        cmd += ['-z', zone]
    if port is not None:
        cmd += ['--port', str(port)]
    return cmd + [name]


def deregister_cmd(service):
    return [DEREGISTER_SERVICE, service['name']]


def error_text(prog, stdout, stderr):
    """``<prog>: error (<Code>): <Message>`` / ``<prog>: error: <text>`` lines, else the last lines."""
    text = strip_ansi((stderr or '') + '\n' + (stdout or ''))
    lines = [ln.strip() for ln in text.splitlines() if 'error' in ln.lower()]
    if not lines:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()][-3:]
    return '; '.join(lines)


# ---------------------------------------------------------------------------------------------
# euctl
# ---------------------------------------------------------------------------------------------

_EUCTL_LINE = re.compile(r'^(\S+) =(?: (.*))?$')


def euctl_get_cmd(names):
    return [EUCTL] + sorted(names)


def euctl_dump_cmd(name):
    """Structured properties print nothing without ``--dump``; raw gives the stored string."""
    return [EUCTL, '--dump', '--format', 'raw', name]


def parse_euctl(text):
    """``name = value`` lines (prefix matches included) -> ``{name: value}``.

    A line that is not ``name = value`` continues the previous value (a multi-line value).
    """
    text = strip_ansi(text or '')
    if text.endswith('\n'):
        text = text[:-1]
    props = {}
    current = None
    for line in text.split('\n') if text else []:
        m = _EUCTL_LINE.match(line)
        if m:
            current = m.group(1)
            props[current] = m.group(2) or ''
        elif current is not None:
            props[current] += '\n' + line
    return props


def parse_dump(text):
    """``euctl --dump --format raw NAME`` output -> the value (the newline print adds removed)."""
    text = text or ''
    return text[:-1] if text.endswith('\n') else text


def euctl_set_cmd(name, value=None, src=None):
    if src is not None:
        return [EUCTL, '%s=@%s' % (name, src)]
    if value.startswith('@'):
        raise PlanError('the value of %s starts with "@", which euctl reads as a file name; use src '
                        'with a file holding the value' % name)
    return [EUCTL, '%s=%s' % (name, value)]


# ---------------------------------------------------------------------------------------------
# clcadmin-assume-system-credentials
# ---------------------------------------------------------------------------------------------

_EXPORT = re.compile(r'^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*?);?\s*$')
_UNSET = re.compile(r'^\s*unset\s+([A-Za-z_][A-Za-z0-9_]*);?\s*$')


def _unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in ('"', "'"):
        return value[1:-1]
    return value


def parse_credentials(text):
    """``(exports, unsets)`` from the tool's ``export K="V";`` / ``unset K;`` lines (comments skipped)."""
    exports = {}
    unsets = []
    for line in (text or '').splitlines():
        if line.lstrip().startswith('#'):
            continue
        m = _EXPORT.match(line)
        if m:
            exports[m.group(1)] = _unquote(m.group(2))
            continue
        m = _UNSET.match(line)
        if m:
            unsets.append(m.group(1))
    return exports, unsets


SECRET_VARIABLES = ('AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY', 'EC2_ACCESS_KEY',
                    'AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_KEY', 'EC2_SECRET_KEY', 'AWS_SESSION_TOKEN',
                    'AWS_SECURITY_TOKEN')


# ---------------------------------------------------------------------------------------------
# nodes (run on the CC)
# ---------------------------------------------------------------------------------------------

def register_nodes_cmd(nodes):
    return [REGISTER_NODES] + list(nodes)


def deregister_nodes_cmd(nodes):
    return [DEREGISTER_NODES] + list(nodes)


def copy_keys_cmd(nodes):
    return [COPY_KEYS] + list(nodes)
