"""An ``ip -batch`` that the kernel stops half-way: the failure result says truthfully which lines
were applied and which were not, checked against the real kernel state of a network namespace.

* ``apply_batch`` itself, through a throwaway module, with a batch whose 3rd of 5 routes the kernel
  refuses (its next hop is not on any connected network);
* ``static_routes`` purging 6 routes while "another process" deletes one of them between the
  module's read and its batch (an ``ip`` front deletes it, then runs the real ``ip``): the kernel
  refuses that ``route del`` and the module reports the lines before it as applied.
"""
import json
import os
import shutil
import subprocess
import sys

from conftest import GATEWAY, routes
from module_runner import COLLECTIONS, run_module

PROBE = """#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eucalyptus.cloud.plugins.module_utils.iproute import apply_batch

module = AnsibleModule(argument_spec=dict(commands=dict(type='list', elements='str', required=True)))
apply_batch(module, module.params['commands'])
module.exit_json(changed=True)
"""


def run_probe(ns, tmp_path, commands):
    (tmp_path / "probe.py").write_text(PROBE)
    (tmp_path / "args.json").write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"commands": commands}}))
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    proc = subprocess.run(["ip", "netns", "exec", ns, sys.executable, str(tmp_path / "probe.py"),
                           str(tmp_path / "args.json")], capture_output=True, text=True, env=env, timeout=60, check=False)
    return json.loads(proc.stdout)


def dsts(ns):
    return {r["dst"] for r in routes(ns) if r.get("protocol") == "150"}


def test_apply_batch_reports_the_refused_line(uplink_ns, tmp_path):
    cmds = ["route replace 203.0.113.%d via %s proto 150" % (i, GATEWAY) for i in (1, 2)]
    cmds.append("route replace 203.0.113.3 via 10.9.9.9 proto 150")          # not on-link: refused
    cmds += ["route replace 203.0.113.%d via %s proto 150" % (i, GATEWAY) for i in (4, 5)]
    res = run_probe(uplink_ns, tmp_path, cmds)
    assert res.get("failed"), res
    assert res["failed_line"] == 3 and res["failed_command"] == cmds[2]
    assert res["applied"] == cmds[:2] and res["not_applied"] == cmds[3:]
    assert res["changed"] is True
    assert "line 3 of 5" in res["msg"] and "lines 1-2 were applied" in res["msg"]
    assert "lines 4-5 were not run" in res["msg"]
    # what the kernel really has: exactly the lines reported as applied
    assert dsts(uplink_ns) == {"203.0.113.1", "203.0.113.2"}


def test_apply_batch_first_line_refused_reports_nothing_applied(uplink_ns, tmp_path):
    cmds = ["route replace 203.0.113.3 via 10.9.9.9 proto 150",
            "route replace 203.0.113.4 via %s proto 150" % GATEWAY]
    res = run_probe(uplink_ns, tmp_path, cmds)
    assert res.get("failed") and res["failed_line"] == 1 and res["applied"] == [], res
    assert res["changed"] is False and "no line was applied" in res["msg"]
    assert dsts(uplink_ns) == set()


RACING_IP = """#!/bin/sh
# 'ip' that lets another process delete one route just before the module's batch runs
for a in "$@"; do
  if [ "$a" = -batch ]; then %(ip)s route del %(victim)s proto 150; break; fi
done
exec %(ip)s "$@"
"""


def test_static_routes_batch_stopped_by_a_concurrent_change(uplink_ns, run, tmp_path):
    many = ["203.0.113.10-203.0.113.14", "198.51.100.7", "192.0.2.128/28"]
    res = run("static_routes", dict(destinations=many, gateway=GATEWAY, device="uplinkbridge"))
    assert not res.failed, res
    before = dsts(uplink_ns)
    assert len(before) == 7
    victim = "203.0.113.12/32"
    front = tmp_path / "bin"
    front.mkdir()
    (front / "ip").write_text(RACING_IP % {"ip": shutil.which("ip"), "victim": victim})
    (front / "ip").chmod(0o755)
    env = {"PATH": "%s:%s" % (front, os.environ["PATH"])}
    res = run_module("static_routes", dict(destinations=["203.0.113.10"], gateway=GATEWAY,
                                           device="uplinkbridge", purge=True), netns=uplink_ns, env=env)
    assert res.failed and victim in res["failed_command"], res
    n = res["failed_line"]
    assert len(res["applied"]) == n - 1 and len(res["applied"]) + 1 + len(res["not_applied"]) == 6
    assert "line %d of 6" % n in res["msg"]
    # the report matches the kernel: applied deletions are gone, lines not run left their routes
    now = dsts(uplink_ns)

    def dst(cmd):
        return cmd.split()[2].replace("/32", "")
    assert not {dst(c) for c in res["applied"]} & now
    assert {dst(c) for c in res["not_applied"]} <= now
    assert now == before - {dst(c) for c in res["applied"]} - {"203.0.113.12"}
    # a re-run (without the race) finishes the job
    res = run("static_routes", dict(destinations=["203.0.113.10"], gateway=GATEWAY, device="uplinkbridge",
                                    purge=True))
    assert not res.failed and dsts(uplink_ns) == {"203.0.113.10"}, res


RACING_IP_AT_LINE = """#!/bin/sh
# 'ip' that lets another process delete the route of line %(line)d of the module's batch just
# before the batch runs (the kernel then refuses that line)
for a in "$@"; do
  if [ "$a" = -batch ]; then
    cat > %(input)s
    %(ip)s route del $(sed -n '%(line)dp' %(input)s | cut -d' ' -f3) proto 150
    exec %(ip)s "$@" < %(input)s
  fi
done
exec %(ip)s "$@"
"""


def test_static_routes_batch_failure_lists_bounded_by_return_limit(uplink_ns, run, tmp_path):
    """A long purge stopped at its 100th line: applied/not_applied/commands hold at most
    return_limit lines (the first ones), the *_count fields the totals, and the totals match the
    kernel; return_limit 0 returns every line."""
    front = tmp_path / "bin"
    front.mkdir()
    (front / "ip").write_text(RACING_IP_AT_LINE % {"ip": shutil.which("ip"), "line": 100,
                                                   "input": tmp_path / "batch"})
    (front / "ip").chmod(0o755)
    env = {"PATH": "%s:%s" % (front, os.environ["PATH"])}
    for limit in (None, 0):
        res = run("static_routes", dict(destinations=["10.7.0.0-10.7.0.149"], gateway=GATEWAY, device="uplinkbridge"))
        assert not res.failed and len(dsts(uplink_ns)) == 150, res
        args = dict(destinations=["10.7.0.0-10.7.0.9"], gateway=GATEWAY, device="uplinkbridge", purge=True)
        if limit is not None:
            args["return_limit"] = limit
        res = run_module("static_routes", args, netns=uplink_ns, env=env)
        assert res.failed and res["failed_line"] == 100, res
        assert res["commands_count"] == 140 and res["applied_count"] == 99 and res["not_applied_count"] == 40
        want = 50 if limit is None else 140
        assert len(res["commands"]) == want and len(res["applied"]) == min(want, 99)
        assert res["applied"] == res["commands"][:len(res["applied"])]
        assert len(res["not_applied"]) == 40
        # the totals agree with the kernel: 99 deletions applied, the raced one gone, the rest left
        assert len(dsts(uplink_ns)) == 150 - 99 - 1
