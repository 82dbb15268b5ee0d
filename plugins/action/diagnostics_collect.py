# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eucalyptus.cloud developers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of diagnostics_collect: runs the module on the host (which redacts every
secret there), then, with ``dest``, writes the redacted items and the host's MANIFEST.txt into
``dest`` on the controller in one go and returns the items without their text."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.eucalyptus.cloud.plugins.module_utils.diagnostics import redact


def _safe_path(dest, name):
    path = os.path.normpath(os.path.join(dest, name))
    if not path.startswith(os.path.normpath(dest) + os.sep):
        raise AnsibleActionFail('diagnostics item name %r leaves dest %s' % (name, dest))
    return path


def write_items(dest, items, manifest):
    """Write each item as dest/NAME (a missing one as dest/NAME.missing with the reason), mode 0600."""
    written = []
    for item in list(items) + [{'name': 'MANIFEST.txt', 'status': 'ok', 'content': manifest, 'detail': ''}]:
        name = item['name'] + ('.missing' if item['status'] == 'missing' else '')
        path = _safe_path(dest, name)
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
        text = item.get('content') or ''
        if item['status'] == 'missing':
            text = 'missing: %s\n' % item.get('detail')
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'wb') as handle:
            handle.write(to_bytes(text, errors='surrogate_or_strict'))
        written.append(name)
    return written


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        dest = args.pop('dest', None)
        extra = []
        for item in args.pop('extra_items', None) or []:
            item = dict(item)
            item['content'], item['redactions'] = redact(item.get('content') or '', args.get('redact_patterns'))
            extra.append(item)
        result = merge_hash(result, self._execute_module(module_name='eucalyptus.cloud.diagnostics_collect',
                                                         module_args=args, task_vars=task_vars))
        self._remove_tmp_path(self._connection._shell.tmpdir)
        if result.get('failed') or not dest or self._task.check_mode:
            return result
        items = list(result.get('items') or []) + list(extra)
        manifest = result.get('manifest') or ''
        for item in extra:
            manifest += '%-8s %-40s %s\n' % (item['status'], item['name'], item.get('detail', ''))
        result['written'] = write_items(os.path.expanduser(dest), items, manifest)
        result['dest'] = dest
        result['items'] = [dict((k, v) for k, v in item.items() if k != 'content') for item in items]
        return result
