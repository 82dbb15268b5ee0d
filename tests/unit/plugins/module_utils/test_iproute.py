from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.eucalyptus.cloud.plugins.module_utils import iproute
from ansible_collections.eucalyptus.cloud.plugins.module_utils._common import PlanError

# Captured from `ip -json -details addr show` (iproute2 6.1, trimmed of statistics fields).
LINKS_JSON = [
    {"ifindex": 1, "ifname": "lo", "flags": ["LOOPBACK"], "mtu": 65536, "addr_info": []},
    {"ifindex": 2, "link": "veth0", "ifname": "veth1", "flags": ["BROADCAST", "MULTICAST"], "mtu": 1500,
     "operstate": "DOWN", "linkinfo": {"info_kind": "veth"}, "addr_info": []},
    {"ifindex": 3, "link": "veth1", "ifname": "veth0", "flags": ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP", "M-DOWN"],
     "mtu": 1500, "master": "ub", "linkinfo": {"info_kind": "veth", "info_slave_kind": "bridge"}, "addr_info": []},
    {"ifindex": 4, "ifname": "ub", "flags": ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], "mtu": 1500,
     "linkinfo": {"info_kind": "bridge", "info_data": {"stp_state": 0}},
     "addr_info": [{"family": "inet", "local": "172.19.0.2", "prefixlen": 30, "scope": "global", "label": "ub"},
                   {"family": "inet6", "local": "fe80::1", "prefixlen": 64, "scope": "link"}]},
    {"ifindex": 5, "ifname": "vx", "link_netnsid": 0, "flags": ["UP"], "mtu": 1500,
     "linkinfo": {"info_kind": "veth"}, "addr_info": []},
]

# Captured from `ip -json route show table main` (protocol printed as name, number, or omitted for boot).
ROUTES_JSON = [
    {"dst": "10.0.0.0/24", "gateway": "172.19.0.1", "dev": "ub", "protocol": "static", "metric": 5, "flags": []},
    {"dst": "172.19.0.0/30", "dev": "ub", "protocol": "kernel", "scope": "link", "prefsrc": "172.19.0.2", "flags": []},
    {"dst": "203.0.113.5", "gateway": "172.19.0.1", "dev": "ub", "protocol": "150", "flags": ["linkdown"]},
    {"dst": "203.0.113.6", "gateway": "172.19.0.1", "dev": "ub", "protocol": "eucloud", "flags": []},
    {"dst": "203.0.113.7", "gateway": "172.19.0.1", "dev": "ub", "flags": []},
    {"type": "blackhole", "dst": "198.51.100.0/24", "protocol": "150", "flags": []},
]


def links():
    return iproute.parse_links(LINKS_JSON)


def test_parse_links():
    l = links()
    assert l["veth0"]["peer"] == "veth1" and l["veth0"]["master"] == "ub" and l["veth0"]["up"]
    assert not l["veth1"]["up"] and l["ub"]["kind"] == "bridge"
    assert l["vx"]["peer_netns"]
    assert ("inet", "172.19.0.2/30", "global") in l["ub"]["addrs"]


def test_plan_uplink_converged_except_peer_down():
    cmds, after = iproute.plan_uplink(links(), "ub", address="172.19.0.2/30")
    assert cmds == ["link set dev veth1 up"]
    assert after["veth1"]["up"]


def test_plan_uplink_from_scratch_order():
    cmds, _unused = iproute.plan_uplink({}, "uplinkbridge", address="172.19.0.2/30", mtu=9000)
    assert cmds == [
        "link add name uplinkbridge type bridge",
        "link add name veth0 type veth peer name veth1",
        "link set dev veth0 mtu 9000", "link set dev veth1 mtu 9000",
        "link set dev veth0 master uplinkbridge",
        "link set dev uplinkbridge mtu 9000",
        "link set dev veth0 up", "link set dev veth1 up", "link set dev uplinkbridge up",
        "addr add 172.19.0.2/30 dev uplinkbridge"]


def test_plan_uplink_replaces_address_keeps_link_local():
    cmds, after = iproute.plan_uplink(links(), "ub", address="172.19.0.6/30")
    assert cmds[-2:] == ["addr del 172.19.0.2/30 dev ub", "addr add 172.19.0.6/30 dev ub"]
    assert ("inet6", "fe80::1/64", "link") in after["ub"]["addrs"]


@pytest.mark.parametrize("kwargs,text", [
    (dict(bridge="a" * 16), "at most 15"),
    (dict(bridge="ub", veth="a/b"), "invalid"),
    (dict(bridge="ub", veth="ub"), "different"),
    (dict(bridge="ub", address="1.2.3.4"), "CIDR"),
    (dict(bridge="ub", mtu=20), "mtu"),
    (dict(bridge="veth1", veth="vx", peer="vy"), "not a bridge"),
    (dict(bridge="ub", veth="lo", peer="p"), "not a veth"),
    (dict(bridge="ub", veth="veth0", peer="other"), "paired with veth1"),
    (dict(bridge="ub", veth="vx", peer="vy"), "another network namespace"),
    (dict(bridge="ub", veth="new0", peer="veth1"), "paired with veth0"),
])
def test_plan_uplink_refuses(kwargs, text):
    with pytest.raises(PlanError) as exc:
        iproute.plan_uplink(links(), **kwargs)
    assert text in str(exc.value)


def test_plan_uplink_absent():
    cmds, after = iproute.plan_uplink(links(), "ub", state="absent")
    assert cmds == ["link del dev veth0", "link del dev ub"] and after == {}
    assert iproute.plan_uplink({}, "ub", state="absent") == ([], {})


def test_split_routes_proto_number_name_and_boot():
    owned, foreign = iproute.split_routes(ROUTES_JSON, 150, {"eucloud": 150})
    assert set(owned) == {"203.0.113.5/32", "203.0.113.6/32", "198.51.100.0/24"}
    assert owned["198.51.100.0/24"][0][3] == "blackhole"
    assert "203.0.113.7/32" in foreign and "proto boot" in foreign["203.0.113.7/32"][0]
    assert "10.0.0.0/24" in foreign


def test_plan_routes_add_keep_purge_and_fix():
    owned, foreign = iproute.split_routes(ROUTES_JSON, 150, {"eucloud": 150})
    plan = iproute.plan_routes(owned, foreign, ["203.0.113.5/32", "203.0.113.9/32", "198.51.100.0/24"],
                               gateway="172.19.0.1", purge=True)
    assert plan["added"] == ["203.0.113.9/32"]
    assert plan["updated"] == ["198.51.100.0/24"]          # blackhole of ours -> unicast
    assert plan["removed"] == ["203.0.113.6/32"]
    assert plan["commands"] == [
        "route del 203.0.113.6/32 table main proto 150",
        "route replace 203.0.113.9/32 via 172.19.0.1 table main proto 150",
        "route replace 198.51.100.0/24 via 172.19.0.1 table main proto 150"]
    assert plan["routes"] == ["198.51.100.0/24", "203.0.113.5/32", "203.0.113.9/32"]
    assert len(plan["before"]) == 3 and len(plan["after"]) == 3
    # without diff mode: the same changes, no before/after texts, routes unsorted
    lean = iproute.plan_routes(owned, foreign, ["203.0.113.5/32", "203.0.113.9/32", "198.51.100.0/24"],
                               gateway="172.19.0.1", purge=True, diff=False)
    for key in ("commands", "added", "updated", "removed", "conflicts"):
        assert lean[key] == plan[key], key
    assert sorted(lean["routes"]) == sorted(plan["routes"]) and lean["before"] == lean["after"] == []


def test_plan_routes_idempotent():
    owned, foreign = iproute.split_routes(ROUTES_JSON, 150, {})
    plan = iproute.plan_routes(owned, foreign, ["203.0.113.5/32"], gateway="172.19.0.1", device="ub")
    assert plan["commands"] == [] and plan["before"] == plan["after"]


def test_plan_routes_metric_change_deletes_old():
    owned = {"203.0.113.5/32": [("172.19.0.1", "ub", 0, "unicast")]}
    plan = iproute.plan_routes(owned, {}, ["203.0.113.5/32"], gateway="172.19.0.1", metric=20, table="100")
    assert plan["commands"] == ["route del 203.0.113.5/32 table 100 proto 150",
                                "route replace 203.0.113.5/32 via 172.19.0.1 metric 20 table 100 proto 150"]


def test_plan_routes_conflict():
    owned, foreign = iproute.split_routes(ROUTES_JSON, 150, {})
    with pytest.raises(PlanError) as exc:
        iproute.plan_routes(owned, foreign, ["203.0.113.7/32"], gateway="172.19.0.1")
    assert "does not own" in str(exc.value) and "203.0.113.7/32" in str(exc.value)
    plan = iproute.plan_routes(owned, foreign, ["203.0.113.7/32"], gateway="172.19.0.1", conflict="skip")
    assert plan["conflicts"] == ["203.0.113.7/32"] and plan["commands"] == []


def test_plan_routes_skip_with_purge_leaves_our_own_route_to_a_skipped_destination():
    """conflict=skip + purge: a destination with a foreign route is left alone entirely; our own
    route to it (here with another metric beside the foreign one) is neither deleted nor updated."""
    owned = {"203.0.113.7/32": [("172.19.0.1", "ub", 10, "unicast")],
             "203.0.113.8/32": [("172.19.0.1", "ub", 0, "unicast")],
             "203.0.113.9/32": [("172.19.0.1", "ub", 0, "unicast")]}
    foreign = {"203.0.113.7/32": ["203.0.113.7/32 via 172.19.0.1 dev ub proto static"]}
    plan = iproute.plan_routes(owned, foreign, ["203.0.113.7/32", "203.0.113.8/32"], gateway="172.19.0.1",
                               device="ub", purge=True, conflict="skip")
    assert plan["conflicts"] == ["203.0.113.7/32"]
    assert plan["commands"] == ["route del 203.0.113.9/32 table main proto 150"]
    assert plan["removed"] == ["203.0.113.9/32"] and plan["added"] == [] and plan["updated"] == []
    assert plan["routes"] == ["203.0.113.7/32", "203.0.113.8/32"]
    assert "203.0.113.7/32 via 172.19.0.1 dev ub metric 10" in plan["after"]
    # without purge the same destination is left alone too
    plan = iproute.plan_routes(owned, foreign, ["203.0.113.7/32"], gateway="172.19.0.1", conflict="skip")
    assert plan["commands"] == [] and "203.0.113.7/32" in plan["routes"]


def test_plan_routes_absent():
    owned, foreign = iproute.split_routes(ROUTES_JSON, 150, {})
    plan = iproute.plan_routes(owned, foreign, ["203.0.113.5/32", "203.0.113.7/32"], state="absent")
    assert plan["removed"] == ["203.0.113.5/32"]
    plan = iproute.plan_routes(owned, foreign, [], state="absent", purge=True)
    assert plan["removed"] == ["198.51.100.0/24", "203.0.113.5/32"]


def test_check_table_and_proto():
    assert iproute.check_table("main") == "main" and iproute.check_table(100) == "100"
    for bad in ("all", "0", "a b", str(2 ** 32)):
        with pytest.raises(PlanError):
            iproute.check_table(bad)
    assert iproute.check_proto("150") == 150
    for bad in (2, 0, 256, "x"):
        with pytest.raises(PlanError):
            iproute.check_proto(bad)


def test_load_rt_protos(tmp_path):
    f = tmp_path / "rt_protos"
    f.write_text("# comment\n150\teucloud\n0x10 dhcp\nbad line here\n")
    d = tmp_path / "d"
    d.mkdir()
    (d / "x.conf").write_text("151 other\n")
    assert iproute.load_rt_protos([str(f)], [str(d)]) == {"eucloud": 150, "dhcp": 16, "other": 151}


# --------------------------------------------------------------------------------------------
# text output of old iproute2 (EL7 ships 4.11: no JSON for routes), parsed into the JSON shape

# The same state as LINKS_JSON in the text form of `ip -details addr show` (iproute2 6.1 printed
# this layout; 4.x prints the same head, link/ and kind lines with fewer attributes).
LINKS_TEXT = """\
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0 minmtu 0 maxmtu 0 numtxqueues 1
2: veth1@veth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000
    link/ether d6:cc:fe:d3:46:92 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535
    veth numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535
3: veth0@veth1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue master ub state LOWERLAYERDOWN
    link/ether 0e:7e:d4:9b:90:b4 brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535
    veth
    bridge_slave state disabled priority 32 cost 2 hairpin off guard off root_block off fastleave off
4: ub: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default qlen 1000
    link/ether 0e:7e:d4:9b:90:b4 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 65535
    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768
    inet 172.19.0.2/30 brd 172.19.0.3 scope global ub
       valid_lft forever preferred_lft forever
    inet6 fe80::1/64 scope link
       valid_lft forever preferred_lft forever
5: vx@if2: <UP> mtu 1500 qdisc noop state DOWN group default qlen 1000
    link/ether 26:b0:90:a4:ce:80 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0
    veth numtxqueues 2 numrxqueues 2
"""

ROUTES_TEXT = """\
10.0.0.0/24 via 172.19.0.1 dev ub proto static metric 5
172.19.0.0/30 dev ub proto kernel scope link src 172.19.0.2
203.0.113.5 via 172.19.0.1 dev ub proto 150 linkdown
203.0.113.6 via 172.19.0.1 dev ub proto eucloud
203.0.113.7 via 172.19.0.1 dev ub
blackhole 198.51.100.0/24 proto 150
"""


def test_parse_addr_text_matches_json():
    assert iproute.parse_links(iproute.parse_addr_text(LINKS_TEXT)) == links()


def test_parse_addr_text_peer_address_and_physical_nic():
    text = ("7: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 qdisc mq master br0 state UP qlen 1000\n"
            "    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff promiscuity 1\n"
            "    bridge_slave state forwarding priority 32 cost 4\n"
            "    inet 10.0.0.5 peer 10.0.0.6/32 scope global eth0\n"
            "8: tunl0@NONE: <NOARP> mtu 1480 qdisc noop state DOWN\n"
            "    link/ipip 0.0.0.0 brd 0.0.0.0\n"
            "    ipip remote any local any ttl inherit nopmtudisc\n")
    got = iproute.parse_links(iproute.parse_addr_text(text))
    assert got["eth0"] == {"kind": None, "peer": None, "peer_netns": False, "master": "br0", "mtu": 9000,
                           "up": True, "addrs": [("inet", "10.0.0.5/32", "global")]}
    assert got["tunl0"]["kind"] == "ipip" and got["tunl0"]["peer"] is None and not got["tunl0"]["up"]


def test_parse_route_text_matches_json():
    keys = ("dst", "gateway", "dev", "protocol", "metric", "type")
    text = [dict((k, r.get(k)) for k in keys) for r in iproute.parse_route_text(ROUTES_TEXT)]
    js = [dict((k, r.get(k)) for k in keys) for r in ROUTES_JSON]
    assert text == js
    assert iproute.split_routes(iproute.parse_route_text(ROUTES_TEXT), 150, {"eucloud": 150}) == \
        iproute.split_routes(ROUTES_JSON, 150, {"eucloud": 150})


def test_parse_route_text_multipath_metrics_and_get():
    text = ("192.0.2.0/24 proto 150 metric 7\n"
            "\tnexthop via 10.9.0.2 dev br0 weight 1 linkdown\n"
            "\tnexthop via 10.9.0.3 dev br0 weight 2\n"
            "198.51.100.0/24 via inet6 fe80::1 dev br0 proto static mtu lock 1400 advmss 1360 metric 9\n")
    got = iproute.parse_route_text(text)
    assert got[0]["dst"] == "192.0.2.0/24" and got[0]["metric"] == 7 and "gateway" not in got[0]
    assert [(n["gateway"], n["weight"]) for n in got[0]["nexthops"]] == [("10.9.0.2", 1), ("10.9.0.3", 2)]
    assert got[1]["gateway"] == "fe80::1" and got[1]["metric"] == 9 and got[1]["protocol"] == "static"
    owned, _unused = iproute.split_routes(got, 150)
    assert owned == {"192.0.2.0/24": [("multipath", None, 7, "unicast")]}
    get = iproute.parse_route_text("local 10.9.0.1 dev lo src 10.9.0.1 uid 0 \n    cache <local> \n")
    assert get == [{"type": "local", "dst": "10.9.0.1", "dev": "lo", "prefsrc": "10.9.0.1"}]


class FakeModule(object):
    """Answers run_command from a table of argv tuples; records the calls."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def get_bin_path(self, name, required=False):
        return "/sbin/" + name

    def run_command(self, argv, **kw):
        self.calls.append(tuple(argv[1:]))
        return self.answers[tuple(argv[1:])]


ARGS = ("route", "show", "table", "main")


@pytest.mark.parametrize("first", [
    (0, ROUTES_TEXT, ""),                                       # -json accepted, ignored (4.11-4.15 routes)
    (0, '[{"dst":"203.0.113.5",,}]', ""),                      # invalid JSON (4.15 bug): read the text
    (255, "", 'Option "-json" is unknown, try "ip -help".\n'),  # -json refused (before 4.13)
])
def test_read_ip_falls_back_to_text(first):
    mod = FakeModule({("-json",) + ARGS: first, ARGS: (0, ROUTES_TEXT, "")})
    got = iproute.read_ip(mod, list(ARGS), iproute.parse_route_text)
    assert [r["dst"] for r in got] == [r["dst"] for r in ROUTES_JSON]
    assert mod.calls[0] == ("-json",) + ARGS
    assert len(mod.calls) == (1 if first[1] == ROUTES_TEXT else 2)


def test_read_ip_json_errors_and_missing_table():
    import json
    mod = FakeModule({("-json",) + ARGS: (0, json.dumps(ROUTES_JSON), "")})
    assert iproute.read_ip(mod, list(ARGS), iproute.parse_route_text) == ROUTES_JSON
    mod = FakeModule({("-json",) + ARGS: (2, "", "Error: ipv4: FIB table does not exist.\n")})
    assert iproute.read_ip(mod, list(ARGS), iproute.parse_route_text, missing_ok="table does not exist") == []
    mod = FakeModule({("-json",) + ARGS: (1, "", "Cannot open netlink socket: Permission denied\n")})
    with pytest.raises(PlanError, match="ip route show table main failed: Cannot open netlink socket"):
        iproute.read_ip(mod, list(ARGS), iproute.parse_route_text)
    assert len(mod.calls) == 1


def test_batch_failure_names_applied_and_unrun_lines():
    cmds = ["route replace 203.0.113.%d via 172.19.0.1 table main proto 150" % i for i in range(1, 6)]
    # what iproute2 prints (6.1 and 4.11 alike) when line 3 of a batch on stdin is refused
    res = iproute.batch_failure(cmds, 1, "", "Error: Nexthop has invalid gateway.\nCommand failed -:3\n")
    assert res["failed_line"] == 3 and res["failed_command"] == cmds[2]
    assert res["applied"] == cmds[:2] and res["not_applied"] == cmds[3:] and res["changed"] is True
    assert res["msg"].startswith("ip -batch failed at line 3 of 5 (%s): Error: Nexthop has invalid gateway;" % cmds[2])
    assert "lines 1-2 were applied" in res["msg"] and "lines 4-5 were not run" in res["msg"]
    res = iproute.batch_failure(cmds, 1, "", "RTNETLINK answers: No such process\nCommand failed -:5\n")
    assert res["applied"] == cmds[:4] and res["not_applied"] == [] and "it was the last line" in res["msg"]
    res = iproute.batch_failure(cmds[:2], 1, "", "Error: x\nCommand failed -:2\n")
    assert "line 1 was applied" in res["msg"]


def test_batch_failure_without_line_number_says_unknown():
    cmds = ["route del 203.0.113.1/32 table main proto 150", "route del 203.0.113.2/32 table main proto 150"]
    for err in ("Killed\n", "Error: x\nCommand failed -:9\n"):       # no or an impossible line number
        res = iproute.batch_failure(cmds, 137, "", err)
        assert res["failed_line"] is None and res["applied"] is None and res["changed"] is True
        assert "did not say at which line" in res["msg"] and "any of the 2 lines" in res["msg"]


def test_batch_failure_lists_bounded_by_limit():
    cmds = ["route replace 10.%d.%d.%d via 172.19.0.1 table main proto 150" % (i >> 16, (i >> 8) & 255, i & 255)
            for i in range(10000)]
    err = "Error: Nexthop has invalid gateway.\nCommand failed -:7001\n"
    res = iproute.batch_failure(cmds, 1, "", err)          # the default: return_limit's default, 50
    assert res["commands_count"] == 10000 and res["commands"] == cmds[:50]
    assert res["applied_count"] == 7000 and res["applied"] == cmds[:50]
    assert res["not_applied_count"] == 2999 and res["not_applied"] == cmds[7001:7051]
    assert res["failed_line"] == 7001 and res["failed_command"] == cmds[7000]
    assert "line 7001 of 10000" in res["msg"] and "lines 1-7000 were applied" in res["msg"]
    res = iproute.batch_failure(cmds, 1, "", err, 3)
    assert res["applied"] == cmds[:3] and res["not_applied"] == cmds[7001:7004] and res["commands"] == cmds[:3]
    full = iproute.batch_failure(cmds, 1, "", err, 0)       # 0 (return_limit: 0, or diff mode): all
    assert full["applied"] == cmds[:7000] and full["not_applied"] == cmds[7001:] and full["commands"] == cmds
    unknown = iproute.batch_failure(cmds, 137, "", "Killed\n")
    assert unknown["commands"] == cmds[:50] and unknown["commands_count"] == 10000
    assert unknown["applied"] is None and unknown["applied_count"] is None and unknown["not_applied_count"] is None
