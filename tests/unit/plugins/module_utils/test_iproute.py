import pytest

from ansible_collections.eucalyptus.cloud.plugins.module_utils import iproute
from ansible_collections.eucalyptus.cloud.plugins.module_utils.iproute import PlanError

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
    cmds, _ = iproute.plan_uplink({}, "uplinkbridge", address="172.19.0.2/30", mtu=9000)
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
