# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the Eucalyptus admin tools for the collection's euca_* modules.

One place for: which generation of tools (``tools: auto|euca_conf|euserv``), where the binaries
are (PATH plus ``/usr/sbin``), the environment (``EUCALYPTUS``, default ``/``), credentials and
their redaction, and the list of commands run (returned by the modules as ``commands``).

Credentials:
* 4.2+ (``euserv``): ``euserv-*``/``euctl`` need the CLC's system credentials. When
  ``AWS_ACCESS_KEY_ID`` is not in the environment, ``clcadmin-assume-system-credentials`` (on
  the CLC, as root) is run once and its ``export``/``unset`` lines are applied to the
  environment of the following commands. Every exported key/secret joins the module's
  ``no_log_values``, so Ansible masks it in every result and message; the values never appear on
  a command line.
* 4.1 (``euca_conf``): the tools read the ``eucarc`` file (default ``/root/.euca/eucarc``): each
  tool runs as ``bash -c '. EUCARC >/dev/null; exec TOOL ARGS'`` so the file's ``export`` lines
  (which may refer to the file's own directory) are evaluated by a shell, never by the module.
  Without a readable eucarc the tools run as they are (``euca-describe-services`` and
  ``euca_conf`` then fall back to local authentication on the CLC).

Valid on Python 2.7 and 3.6+.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_admin import ToolError
from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_tools41 as t41
from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_tools42 as t42

TOOLS_CHOICES = ('auto', 'euca_conf', 'euserv')
DEFAULT_EUCARC = '/root/.euca/eucarc'
CLOUD_LOG = 'var/log/eucalyptus/cloud-output.log'
SBIN_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin']

EUCA_COMMON_ARGS = dict(
    tools=dict(type='str', choices=list(TOOLS_CHOICES), default='auto'),
    eucarc=dict(type='path', default=DEFAULT_EUCARC),
)

_41_WRAPPER = 'if [ -r "$1" ]; then . "$1" >/dev/null || exit 98; fi; shift; exec "$@"'


def eucalyptus_home():
    """``$EUCALYPTUS`` as the tools read it (default ``/``)."""
    return os.environ.get('EUCALYPTUS') or '/'


def eucalyptus_path(*parts):
    return os.path.join(eucalyptus_home(), *parts)


class EucaRunner(object):
    """Runs the tools of one generation (``'41'`` or ``'42'``) through ``module.run_command``."""

    def __init__(self, module, tools='auto', eucarc=DEFAULT_EUCARC, new_tool_probes=None):
        self.module = module
        self.eucarc = eucarc or DEFAULT_EUCARC
        self.commands = []
        self.env = {}
        self._credentials_done = False
        probes = new_tool_probes or [t42.DESCRIBE_SERVICES]
        if tools == 'euserv':
            self.generation = '42'
        elif tools == 'euca_conf':
            self.generation = '41'
        else:
            self.generation = '42' if any(self.find(p) for p in probes) else '41'
        self.tools = 'euserv' if self.generation == '42' else 'euca_conf'

    # -- binaries ---------------------------------------------------------------------------

    def find(self, name):
        return self.module.get_bin_path(name, required=False, opt_dirs=SBIN_DIRS)

    def require(self, name):
        path = self.find(name)
        if not path:
            raise ToolError('%s not found on PATH or in /usr/sbin (tools=%s: is the package with the '
                            'Eucalyptus %s admin tools installed on this host?)'
                            % (name, self.tools, '4.2+' if self.generation == '42' else '4.1'))
        return path

    # -- credentials ------------------------------------------------------------------------

    def ensure_credentials(self):
        """4.2+ only: take the CLC's system credentials unless the environment has some."""
        if self.generation != '42' or self._credentials_done:
            return
        self._credentials_done = True
        if os.environ.get('AWS_ACCESS_KEY_ID'):
            self._default_region()
            return
        tool = self.require(t42.ASSUME_CREDENTIALS)
        rc, out, err = self.module.run_command([tool])
        self.commands.append(t42.ASSUME_CREDENTIALS)
        exports, unsets = t42.parse_credentials(out)
        for key, value in exports.items():
            if value and (key in t42.SECRET_VARIABLES or 'SECRET' in key or 'TOKEN' in key):
                self.module.no_log_values.add(value)
        if rc != 0 or not exports.get('AWS_ACCESS_KEY_ID'):
            raise ToolError('%s failed (rc=%s): %s; it must run as root on a running CLC'
                            % (t42.ASSUME_CREDENTIALS, rc,
                               t42.error_text(t42.ASSUME_CREDENTIALS, '', err) or 'no credentials printed'),
                            rc=rc)
        for key in unsets:
            os.environ.pop(key, None)
            self.env.pop(key, None)
        self.env.update(exports)
        self._default_region()

    def _default_region(self):
        # Endpoints: -U, then EUCA_BOOTSTRAP_URL/EUCA_PROPERTIES_URL, then the region config; the
        # package's localhost region is the CLC this module runs on (reference 2.1).
        have = dict(os.environ, **self.env)
        if not (have.get('EUCA_BOOTSTRAP_URL') and have.get('EUCA_PROPERTIES_URL')) and not have.get('AWS_DEFAULT_REGION'):
            self.env['AWS_DEFAULT_REGION'] = 'localhost'

    # -- running ----------------------------------------------------------------------------

    def run(self, argv, check=True, credentials=True, data=None, shown=None):
        """Run ``argv`` (argv[0] a tool name); ``(rc, stdout, stderr)``. ``check``: ToolError on rc != 0.

        ``shown``: how the command appears in ``commands`` and messages (default: argv itself).
        """
        tool = argv[0]
        shown = shown or ' '.join(argv)
        path = self.require(tool)
        if credentials:
            self.ensure_credentials()
        cmd = [path] + list(argv[1:])
        if self.generation == '41':
            cmd = ['/bin/bash', '-c', _41_WRAPPER, 'euca-eucarc', self.eucarc] + cmd
        self.commands.append(shown)
        rc, out, err = self.module.run_command(cmd, environ_update=dict(self.env), data=data,
                                               binary_data=data is not None)
        if rc == 98 and self.generation == '41':
            raise ToolError('sourcing eucarc %s failed: %s' % (self.eucarc, (err or '').strip()[-300:]), rc=rc)
        if check and rc != 0:
            raise ToolError('%s failed (rc=%s): %s' % (shown, rc, self.error_text(tool, out, err)),
                            cmd=argv, rc=rc, stdout=out, stderr=err)
        return rc, out, err

    def error_text(self, tool, out, err):
        if self.generation == '41':
            text = t41.error_text(out, err)
            if not text:
                text = ' '.join(((out or '') + ' ' + (err or '')).split())[-500:]
            if 'Unable to find credentials' in text and not os.access(self.eucarc, os.R_OK):
                text += ' (eucarc %s is not readable)' % self.eucarc
            return text
        return t42.error_text(tool, out, err)


def tail_cloud_log(lines=20):
    """The last lines of cloud-output.log (``$EUCALYPTUS/var/log/...``), or None when unreadable."""
    for path in (eucalyptus_path(CLOUD_LOG), '/' + CLOUD_LOG):
        try:
            with open(path, 'rb') as fh:
                try:
                    fh.seek(-65536, os.SEEK_END)
                except (IOError, OSError):
                    fh.seek(0)
                data = fh.read().decode('utf-8', 'replace')
        except (IOError, OSError):
            continue
        return '\n'.join(data.splitlines()[-lines:])
    return None
