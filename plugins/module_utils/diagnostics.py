# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eucalyptus.cloud developers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Diagnostics of one cloud host: read-only commands and files, secrets redacted on the host.

Used by the module eucalyptus.cloud.diagnostics_collect. Nothing here writes to the host except
``restore_file`` (eucanetd's read-only reports rewrite its pid file; the caller puts it back).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

REDACTED = '<redacted>'

# Words that make a key a secret (credentials, passwords, tokens, keys).
_SECRET_WORDS = (r'secret|passw(?:or)?d|passwd|pwd|token|credential|private[_-]?key|access[_-]?key(?:[_-]?id)?'
                 r'|api[_-]?key|auth(?:orization)?[_-]?(?:key|token|header)?|session[_-]?id|cookie')
_KEY = r'[A-Za-z0-9_.\-]*(?:%s)[A-Za-z0-9_.\-]*' % _SECRET_WORDS

# PEM private keys, whole or cut by a tail (no END, or no BEGIN).
_PEM_BLOCK = re.compile(r'(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(.*?)(-----END [A-Z0-9 ]*PRIVATE KEY-----)', re.S)
_PEM_OPEN = re.compile(r'(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(?![\s\S]*-----END [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*\Z')
_PEM_CLOSE = re.compile(r'\A(?:(?!-----BEGIN )[\s\S])*?(-----END [A-Z0-9 ]*PRIVATE KEY-----)')
# "key": "value" (JSON), key = value, key: value, key=value, export KEY='value'
_QUOTED_KEY_VALUE = re.compile(r'''(?i)(["']%s["']\s*:\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,}\]]+)''' % _KEY)
_KEY_VALUE = re.compile(r'''(?i)(\b%s\s*(?:=|:(?!//))\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"',;&<>]+)''' % _KEY)
# <password>x</password>, and <param-name>..token..</param-name> <param-value>x</param-value>
_XML_ELEMENT = re.compile(r'(?i)(<(%s)>)([^<]*)(</\2>)' % _KEY)
_XML_PARAM = re.compile(r'(?is)(<param-name>\s*%s\s*</param-name>\s*<param-value>)([^<]*)(</param-value>)' % _KEY)
# scheme://user:password@host
_URL_PASSWORD = re.compile(r'(\b[a-z][a-z0-9+.\-]*://[^\s:/@]+:)([^\s@/]+)(@)', re.I)
# Authorization: Basic xxx / Bearer xxx (the key-value rule keeps the scheme word only)
_AUTH_SCHEME = re.compile(r'(?i)(\bauthorization\s*:\s*(?:basic|bearer|negotiate|token)\s+)(\S+)')


def redact(text, extra_patterns=None):
    """``text`` with every secret replaced by <redacted>; returns (text, number of redactions)."""
    if not text:
        return text, 0
    count = [0]

    def sub(pattern, repl, value):
        value, n = pattern.subn(repl, value)
        count[0] += n
        return value

    text = sub(_PEM_BLOCK, lambda m: '%s\n%s\n%s' % (m.group(1), REDACTED, m.group(3)), text)
    text = sub(_PEM_OPEN, lambda m: '%s\n%s\n' % (m.group(1), REDACTED), text)
    text = sub(_PEM_CLOSE, lambda m: '%s\n%s' % (REDACTED, m.group(1)), text)
    text = sub(_AUTH_SCHEME, lambda m: m.group(1) + REDACTED, text)
    text = sub(_XML_PARAM, lambda m: m.group(1) + REDACTED + m.group(3), text)
    text = sub(_XML_ELEMENT, lambda m: m.group(1) + REDACTED + m.group(4), text)
    text = sub(_QUOTED_KEY_VALUE, lambda m: m.group(1) + _keep_quotes(m.group(2)), text)
    text = sub(_KEY_VALUE, lambda m: m.group(0) if m.string.startswith(' ' + REDACTED, m.end())
               else m.group(1) + _keep_quotes(m.group(2)), text)
    text = sub(_URL_PASSWORD, lambda m: m.group(1) + REDACTED + m.group(3), text)
    for pattern in extra_patterns or []:
        text = sub(re.compile(pattern), REDACTED, text)
    return text, count[0]


def _keep_quotes(value):
    if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
        return value[0] + REDACTED + value[0]
    return REDACTED


def read_tail(path, max_bytes):
    """(status, text, detail): the last ``max_bytes`` of ``path`` as text, or why not."""
    try:
        size = os.path.getsize(path)
        with open(path, 'rb') as handle:
            if max_bytes and size > max_bytes:
                handle.seek(size - max_bytes)
            data = handle.read()
    except (IOError, OSError) as exc:
        missing = getattr(exc, 'errno', None) == 2
        return ('missing' if missing else 'error'), None, '%s: %s' % (path, exc.strerror or exc)
    text = data.decode('utf-8', 'replace')
    detail = 'last %d of %d bytes' % (len(data), size) if max_bytes and size > max_bytes else '%d bytes' % size
    return 'ok', text, detail


def read_sysctls(names, root='/proc/sys'):
    """'name = value' lines, '# name: not available' for missing ones."""
    lines = []
    for name in names:
        path = os.path.join(root, *name.split('.'))
        try:
            with open(path) as handle:
                value = ' '.join(handle.read().split())
            lines.append('%s = %s' % (name, value))
        except (IOError, OSError):
            lines.append('# %s: not available on this host' % name)
    return '\n'.join(lines) + '\n'


def snapshot_file(path):
    """The bytes of ``path`` or None when it does not exist."""
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def restore_file(path, data):
    """Put ``data`` back into ``path`` when it changed; True when it had to."""
    if data is None or snapshot_file(path) == data:
        return False
    with open(path, 'wb') as handle:
        handle.write(data)
    return True


def collect(run_command, commands, files, sysctls, max_bytes, extra_patterns=None, which=None, services=None):
    """Items [{name, status (ok|missing|error), content, detail, redactions}] of a host.

    ``run_command(argv) -> (rc, stdout, stderr)``; ``which(name) -> path or None``.
    """
    items = []

    def add(name, status, content, detail):
        redactions = 0
        if content:
            content, redactions = redact(content, extra_patterns)
        items.append({'name': name, 'status': status, 'content': content or '', 'detail': detail,
                      'redactions': redactions})

    for command in commands or []:
        argv = list(command['argv'])
        if which is not None and which(argv[0]) is None:
            add(command['name'], 'missing', '', '%s is not installed' % argv[0])
            continue
        rc, out, err = run_command(argv)
        if rc == 0:
            add(command['name'], 'ok', out, ' '.join(argv))
        elif command.get('ok_rcs') and rc in command['ok_rcs']:
            add(command['name'], 'ok', out + (('\n# stderr:\n' + err) if err else ''), '%s (rc %d)' % (' '.join(argv), rc))
        else:
            add(command['name'], 'error', out + (('\n# stderr:\n' + err) if err else ''),
                '%s: rc %d: %s' % (' '.join(argv), rc, (err or '').strip()[:300]))
    for item in files or []:
        status, text, detail = read_tail(item['path'], item.get('max_bytes', max_bytes))
        add(item['name'], status, text, detail)
    if sysctls:
        add('sysctl.txt', 'ok', read_sysctls(sysctls), '%d kernel parameters' % len(sysctls))
    if services:
        add('services.txt', 'ok', service_states(run_command, services, which), '%d units' % len(services))
    return items


def service_states(run_command, services, which=None):
    """systemctl show of every unit (EL7, Debian), else `service NAME status` per unit (EL6)."""
    if which is None or which('systemctl'):
        rc, out, err = run_command(['systemctl', 'show', '--no-pager',
                                    '-p', 'Id,LoadState,ActiveState,SubState,UnitFileState,ExecMainStartTimestamp']
                                   + ['%s.service' % s for s in services])
        return out if rc == 0 else '# systemctl show: rc %d: %s\n%s' % (rc, err.strip(), out)
    lines = []
    for name in services:
        if which('service') is None:
            return '# neither systemctl nor service is installed\n'
        rc, out, err = run_command(['service', name, 'status'])
        lines.append('%s: rc %d: %s' % (name, rc, ' '.join((out + ' ' + err).split())[:300]))
    return '\n'.join(lines) + '\n'


def manifest(host, items):
    """The MANIFEST.txt of a host: one line per item."""
    lines = ['# diagnostics of %s: one line per item (ok, missing, error), secrets redacted on the host' % host]
    for item in items:
        lines.append('%-8s %-40s %s%s' % (item['status'], item['name'], item['detail'],
                                          (' (%d secrets redacted)' % item['redactions']) if item.get('redactions') else ''))
    return '\n'.join(lines) + '\n'


def _binary(module, name):
    if os.path.isabs(name):
        return name if os.access(name, os.X_OK) else None
    return module.get_bin_path(name)


def run(module):
    """The module eucalyptus.cloud.diagnostics_collect: returns its result dict."""
    params = module.params
    for command in params['commands']:
        if not command.get('name') or not isinstance(command.get('argv'), list) or not command['argv']:
            module.fail_json(msg='every command needs a name and a non-empty argv list: %r' % (command,))
    for item in params['files']:
        if not item.get('name') or not item.get('path'):
            module.fail_json(msg='every file needs a name and a path: %r' % (item,))

    def run_command(argv):
        return module.run_command([str(a) for a in argv], check_rc=False)

    items = collect(run_command, params['commands'], params['files'], params['sysctls'], params['max_bytes'],
                    params['redact_patterns'], which=lambda name: _binary(module, name), services=params['services'])
    changed = False
    restored = []
    for flag in params['eucanetd_reports']:
        name = 'eucanetd%s.txt' % flag
        if _binary(module, 'eucanetd') is None:
            items.append({'name': name, 'status': 'missing', 'content': '', 'detail': 'eucanetd is not installed',
                          'redactions': 0})
            continue
        if module.check_mode:
            items.append({'name': name, 'status': 'missing', 'content': '',
                          'detail': 'not run in check mode (eucanetd %s rewrites %s)' % (flag, params['eucanetd_pidfile']),
                          'redactions': 0})
            continue
        before = snapshot_file(params['eucanetd_pidfile'])
        argv = ['eucanetd', flag]
        if _binary(module, 'timeout'):
            argv = ['timeout', str(params['timeout'])] + argv
        try:
            report = collect(run_command, [{'name': name, 'argv': argv}], [], [], 0, params['redact_patterns'])
        finally:
            if restore_file(params['eucanetd_pidfile'], before):
                changed = True
                restored.append(flag)
        items.extend(report)
    return {'changed': changed, 'items': items, 'manifest': manifest(os.uname()[1], items),
            'pidfile_restored_after': restored}


def probe(module):
    """The module eucalyptus.cloud.preflight_probe: run each read-only command once; a command
    that is not installed is reported with C(missing), never as a failure."""
    results = {}
    for name, argv in sorted((module.params['commands'] or {}).items()):
        if not isinstance(argv, list) or not argv:
            module.fail_json(msg='command %s needs a non-empty argv list, got %r' % (name, argv))
        argv = [str(a) for a in argv]
        if _binary(module, argv[0]) is None:
            results[name] = {'rc': None, 'stdout': '', 'stderr': '', 'missing': True,
                             'msg': '%s is not installed' % argv[0]}
            continue
        rc, out, err = module.run_command(argv, check_rc=False)
        results[name] = {'rc': rc, 'stdout': out, 'stderr': err, 'missing': False}
    return {'changed': False, 'outputs': results}
