"""Fixtures for the uplink integration tests: throwaway network namespaces on the real kernel.

Every namespace is named ``ectest-<pid>-<n>`` and deleted after its test, whatever the outcome.
"""
import itertools
import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(TOP, "tests"))

from module_runner import run_module  # noqa: E402

_counter = itertools.count(1)
BUILTIN = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}


def sh(ns, *cmd, **kw):
    """Run a command inside the namespace; return stdout (raise on error unless check=False)."""
    check = kw.pop("check", True)
    proc = subprocess.run(["ip", "netns", "exec", ns] + list(cmd), capture_output=True, text=True, check=False, **kw)
    if check and proc.returncode != 0:
        raise AssertionError("%s failed: %s" % (" ".join(cmd), proc.stderr))
    return proc.stdout


def ipt_save(ns, backend):
    """iptables-save of one backend, without comments and counters (stable across reads)."""
    out = sh(ns, "iptables-%s-save" % backend)
    lines = []
    for line in out.splitlines():
        # Reading a legacy table instantiates it (empty builtin chains): compare rules and user chains only
        if line.startswith("#") or line.startswith("*") or line == "COMMIT":
            continue
        if line.startswith(":") and line[1:].split()[0] in BUILTIN:
            continue
        lines.append(re.sub(r"\[\d+:\d+\]", "[0:0]", line))
    return lines


def ipt_rules(ns, backend, table):
    return [l for l in sh(ns, "iptables-%s-save" % backend, "-t", table).splitlines() if l.startswith("-A ")]


def links(ns):
    return json.loads(sh(ns, "ip", "-json", "-details", "link", "show"))


def link(ns, name):
    for l in links(ns):
        if l["ifname"] == name:
            return l
    return None


def addrs(ns, dev):
    data = json.loads(sh(ns, "ip", "-json", "addr", "show", "dev", dev))
    return ["%s/%s" % (a["local"], a["prefixlen"]) for a in data[0]["addr_info"] if a.get("scope") == "global"]


def routes(ns, table="main"):
    return json.loads(sh(ns, "ip", "-json", "route", "show", "table", table))


def snapshot(ns):
    """Everything a module could change in the namespace."""
    data = json.loads(sh(ns, "ip", "-json", "-details", "addr", "show"))
    for item in data:
        # counters and timers change on their own
        for key in ("stats", "stats64"):
            item.pop(key, None)
        info = item.get("linkinfo") or {}
        for sub in ("info_data", "info_slave_data"):
            for k in list((info.get(sub) or {}).keys()):
                if k.endswith("_timer"):
                    info[sub].pop(k)
    return {
        "links": data,
        "routes": sh(ns, "ip", "-json", "route", "show", "table", "all"),
        "nft": ipt_save(ns, "nft"),
        "legacy": ipt_save(ns, "legacy"),
    }


@pytest.fixture
def netns():
    name = "ectest-%d-%d" % (os.getpid(), next(_counter))
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        sh(name, "ip", "link", "set", "lo", "up")
        # IPv6 link-local addresses and routes appear asynchronously: keep them out of snapshots
        sh(name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


class Runner(object):
    def __init__(self, ns):
        self.ns = ns

    def __call__(self, module, args, check=False, diff=False):
        return run_module(module, args, check=check, diff=diff, netns=self.ns)


@pytest.fixture
def run(netns):
    return Runner(netns)


UPLINK = dict(bridge="uplinkbridge", veth="veth0", peer="veth1", address="172.19.0.2/29")
GATEWAY = "172.19.0.3"


@pytest.fixture
def uplink_ns(netns, run):
    """A namespace with the uplink made by the module, plus an external 'br0'."""
    res = run("veth_uplink", UPLINK)
    assert not res.failed, res
    sh(netns, "ip", "link", "add", "br0", "type", "bridge")
    sh(netns, "ip", "link", "set", "br0", "up")
    sh(netns, "ip", "addr", "add", "192.0.2.2/24", "dev", "br0")
    return netns


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in str(item.fspath):
            item.add_marker(pytest.mark.netns)


@pytest.fixture(scope="session", autouse=True)
def _need_root():
    if os.geteuid() != 0:
        pytest.skip("network namespace tests need root")
