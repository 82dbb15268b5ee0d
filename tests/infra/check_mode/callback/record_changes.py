# Test-only Ansible callback (not part of the collection): records, for every ansible-playbook run
# of a molecule scenario, whether it ran in check mode and which tasks changed (or failed) on
# which host. tests/infra/check_mode/test_check_mode.py compares the records: a --check run on
# a fresh host must predict exactly the changes the real run then makes, and a --check run on
# the converged host must predict none.
# Enabled by the scenarios' provisioner env (ANSIBLE_CALLBACK_PLUGINS, ANSIBLE_CALLBACKS_ENABLED);
# writes one JSON line per run to $MOLECULE_EPHEMERAL_DIRECTORY/check_mode_records.jsonl.
from __future__ import annotations

import json
import os
import time

from ansible import context
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: record_changes
type: aggregate
short_description: Record changed and failed task names per host (test helper)
description: Test helper of the eucalyptus.cloud molecule scenarios.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_changes"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.playbook = None
        self.changed = {}
        self.failed = {}
        self.ok = {}
        self.started = time.time()

    @staticmethod
    def _name(result):
        task = result._task
        role = task._role.get_name(include_role_fqcn=False) if task._role else ""
        return "%s : %s" % (role, task.get_name()) if role else task.get_name()

    def v2_playbook_on_start(self, playbook):
        self.playbook = os.path.abspath(playbook._file_name)
        self.started = time.time()

    def _add(self, bucket, result):
        bucket.setdefault(result._host.get_name(), set()).add(self._name(result))

    def v2_runner_on_ok(self, result):
        self._add(self.ok, result)
        if result._result.get("changed", False):
            self._add(self.changed, result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self._add(self.failed, result)

    def v2_runner_on_unreachable(self, result):
        self._add(self.failed, result)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY")
        if not path or not os.path.isdir(path):
            return
        record = {
            "playbook": self.playbook,
            "check": bool(context.CLIARGS.get("check")),
            "changed": {h: sorted(t) for h, t in sorted(self.changed.items())},
            "failed": {h: sorted(t) for h, t in sorted(self.failed.items())},
            "ok_tasks": sum(len(t) for t in self.ok.values()),
            "seconds": round(time.time() - self.started, 1),
        }
        with open(os.path.join(path, "check_mode_records.jsonl"), "a") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")
