# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of static_routes (and, by subclassing, masquerade): the module, run as the
``normal`` action runs it, with its long address list packed first (see ``ipaddrs.pack_words``)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.eucalyptus.cloud.plugins.module_utils.ipaddrs import pack_words


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = True

    # the module option that carries the address list
    ADDRESS_OPTION = 'destinations'

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp

        # The module reads the packed list word by word, exactly as the list (same plan, same
        # errors). The task's own args are replaced too: the worker sends them back to the
        # controller's main process with the result, and with 10 000 items (each with its data
        # tag on ansible-core 2.19) that costs more than the kernel's work.
        args = self._task.args
        value = args.get(self.ADDRESS_OPTION)
        packed = pack_words(value)
        if packed is not value:
            args = dict(args)
            args[self.ADDRESS_OPTION] = packed
            self._task.args = args

        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars,
                                                         wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
