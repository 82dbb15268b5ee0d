"""veth_uplink and static_routes on an ``ip`` without route JSON, as on EL7 (iproute2 4.11).

Two real-kernel checks:
* the text parsers read the same state as ``ip -json`` from this machine's iproute2, for links,
  addresses and routes made by the modules plus foreign ones (multipath, blackhole, other proto,
  a veth whose peer is in another namespace, a vxlan);
* the modules converge, stay idempotent, repair drift and purge with an ``ip`` front that behaves
  like old iproute2: it either ignores ``-json`` (prints text, as 4.11-4.15 do for routes) or
  refuses it (``Option "-json" is unknown``, as before 4.13). The front only drops or refuses the
  option; every read and write still goes to the real ``ip`` and the real kernel.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import GATEWAY, UPLINK, routes, sh, snapshot
from module_runner import run_module

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(TOP, ".cache", "collections"))

from ansible_collections.eucalyptus.cloud.plugins.module_utils import iproute  # noqa: E402

FRONT = """#!/bin/sh
# 'ip' as old iproute2 answers -json: MODE=ignore prints text, MODE=refuse fails like iproute2 < 4.13
MODE=%s
n=$#
while [ $n -gt 0 ]; do
  a=$1; shift; n=$((n-1))
  case $a in
    -json|-j)
      if [ $MODE = refuse ]; then echo 'Option "-json" is unknown, try "ip -help".' >&2; exit 255; fi
      echo "$a" >> %s
      continue ;;
  esac
  set -- "$@" "$a"
done
exec %s "$@"
"""


@pytest.fixture(params=["ignore", "refuse"])
def old_ip(request, tmp_path):
    log = tmp_path / "json-dropped.log"
    front = tmp_path / "ip"
    front.write_text(FRONT % (request.param, log, shutil.which("ip")))
    front.chmod(0o755)
    return {"env": {"PATH": "%s:%s" % (tmp_path, os.environ["PATH"])}, "mode": request.param, "log": log}


def text_and_json(ns, *args):
    return sh(ns, "ip", *args), json.loads(sh(ns, "ip", "-json", *args))


def test_text_parsers_read_what_json_reads(uplink_ns, run):
    ns = uplink_ns
    assert not run("static_routes", dict(destinations=["203.0.113.10-203.0.113.14", "192.0.2.128/28"],
                                         gateway=GATEWAY, device="uplinkbridge", metric=7)).failed
    sh(ns, "ip", "route", "add", "198.51.100.0/24", "proto", "static",
       "nexthop", "via", GATEWAY, "weight", "1", "nexthop", "via", "172.19.0.4", "weight", "2")
    sh(ns, "ip", "route", "add", "blackhole", "198.51.100.99")
    sh(ns, "ip", "route", "add", "203.0.113.200", "via", GATEWAY, "proto", "static", "metric", "3")
    sh(ns, "ip", "addr", "add", "172.19.0.9", "peer", "172.19.0.10/32", "dev", "br0")
    sh(ns, "ip", "link", "add", "vx", "type", "vxlan", "id", "42", "dstport", "4789", "dev", "br0")
    other = ns + "-o"
    subprocess.run(["ip", "netns", "add", other], check=True)
    try:
        sh(ns, "ip", "link", "add", "vo", "type", "veth", "peer", "name", "vp", "netns", other)
        text, js = text_and_json(ns, "-details", "addr", "show")
        assert iproute.parse_links(iproute.parse_addr_text(text)) == iproute.parse_links(js)
        assert iproute.parse_links(js)["vo"]["peer_netns"]
        text, js = text_and_json(ns, "route", "show", "table", "main")
        keys = ("dst", "gateway", "dev", "protocol", "metric", "type")
        got = [dict((k, r.get(k)) for k in keys) for r in iproute.parse_route_text(text)]
        assert got == [dict((k, r.get(k)) for k in keys) for r in js]
        assert iproute.split_routes(iproute.parse_route_text(text), 150) == iproute.split_routes(js, 150)
        assert len(iproute.split_routes(js, 150)[0]) == 6
        for dst in (GATEWAY, "172.19.0.2", "203.0.113.11"):
            text, js = text_and_json(ns, "route", "get", dst)
            assert [(r.get("type"), r.get("gateway"), r.get("dev")) for r in iproute.parse_route_text(text)] == \
                [(r.get("type"), r.get("gateway"), r.get("dev")) for r in js]
    finally:
        subprocess.run(["ip", "netns", "del", other], check=False)


def test_modules_on_old_ip(netns, old_ip):
    ns = netns

    def run(module, args, **kw):
        return run_module(module, args, netns=ns, env=old_ip["env"], **kw)

    res = run("veth_uplink", UPLINK, diff=True)
    assert not res.failed and res["changed"], res
    assert any("addr 172.19.0.2/29 dev uplinkbridge" == line for line in res["interfaces"])
    assert not run("veth_uplink", UPLINK)["changed"]
    sh(ns, "ip", "addr", "flush", "dev", "uplinkbridge")
    assert run("veth_uplink", UPLINK)["changed"]
    assert "172.19.0.2/29" in sh(ns, "ip", "addr", "show", "dev", "uplinkbridge")

    sh(ns, "ip", "route", "add", "198.51.100.50", "via", GATEWAY)     # foreign: never touched
    args = dict(destinations=["203.0.113.10-203.0.113.14"], gateway=GATEWAY, device="uplinkbridge", purge=True)
    before = snapshot(ns)
    res = run("static_routes", args, check=True)
    assert res["changed"] and len(res["added"]) == 5 and snapshot(ns) == before
    res = run("static_routes", args)
    assert not res.failed and len(res["added"]) == 5, res
    mine = {r["dst"] for r in routes(ns) if r.get("protocol") == "150"}
    assert mine == {"203.0.113.%d" % i for i in range(10, 15)}
    assert not run("static_routes", args)["changed"]
    sh(ns, "ip", "route", "del", "203.0.113.12")
    assert run("static_routes", args)["added"] == ["203.0.113.12/32"]
    res = run("static_routes", dict(args, destinations=["203.0.113.10"]))
    assert sorted(res["removed"]) == ["203.0.113.%d/32" % i for i in range(11, 15)]
    assert {r["dst"] for r in routes(ns)} >= {"203.0.113.10", "198.51.100.50"}
    # a next hop that is not on-link is refused before anything changes (read with ip route get)
    before = snapshot(ns)
    res = run("static_routes", dict(args, gateway="10.99.0.1", destinations=["203.0.113.77"]))
    assert res.failed and "gateway 10.99.0.1 is not on a network connected to uplinkbridge" in res["msg"], res
    assert snapshot(ns) == before
    # the front really was in the way: -json was dropped (ignore) or every read fell back (refuse)
    if old_ip["mode"] == "ignore":
        assert old_ip["log"].read_text().count("-json") >= 10
    else:
        assert not old_ip["log"].exists()
