"""Bad input fails with a clear message and changes NOTHING in the kernel."""
import pytest

from conftest import GATEWAY, UPLINK, sh, snapshot

CASES = [
    # (id, module, args, setup commands, expected text in msg)
    ("bridge-too-long", "veth_uplink", dict(UPLINK, bridge="uplinkbridge0123"), [], "at most 15"),
    ("veth-slash", "veth_uplink", dict(UPLINK, veth="veth/0"), [], "invalid"),
    ("peer-space", "veth_uplink", dict(UPLINK, peer="veth 1"), [], "invalid"),
    ("bridge-empty", "veth_uplink", dict(UPLINK, bridge=""), [], "non-empty"),
    ("addr-garbage", "veth_uplink", dict(UPLINK, bridge="ub2", veth="v2a", peer="v2b", address="bogus/24"), [], "CIDR"),
    ("addr-no-prefix", "veth_uplink", dict(UPLINK, bridge="ub2", veth="v2a", peer="v2b", address="172.19.0.6"), [], "CIDR"),
    ("addr-prefix-33", "veth_uplink", dict(UPLINK, bridge="ub2", veth="v2a", peer="v2b", address="172.19.0.6/33"), [],
     "prefix"),
    ("same-names", "veth_uplink", dict(UPLINK, bridge="veth0"), [], "different"),
    ("mtu-too-small", "veth_uplink", dict(UPLINK, bridge="ub2", veth="v2a", peer="v2b", mtu=10), [], "mtu"),
    ("veth-not-veth", "veth_uplink", dict(UPLINK, bridge="ub2", veth="dum0", peer="v2b"),
     [["ip", "link", "add", "dum0", "type", "bridge"]], "not a veth"),
    ("peer-paired-elsewhere", "veth_uplink", dict(UPLINK, bridge="ub2", veth="v2a", peer="v2b"),
     [["ip", "link", "add", "vx", "type", "veth", "peer", "name", "v2b"]], "paired with vx"),
    ("veth-paired-elsewhere", "veth_uplink", dict(UPLINK, bridge="ub2", veth="v2a", peer="v2b"),
     [["ip", "link", "add", "v2a", "type", "veth", "peer", "name", "vy"]], "paired with vy"),
    ("bridge-not-bridge", "veth_uplink", dict(UPLINK, bridge="v3a", veth="v2a", peer="v2b"),
     [["ip", "link", "add", "v3a", "type", "veth", "peer", "name", "v3b"]], "not a bridge"),
    ("route-host-bits", "static_routes", dict(destinations=["203.0.113.1", "10.0.0.1/24"], gateway=GATEWAY), [],
     "10.0.0.0/24"),
    ("route-garbage", "static_routes", dict(destinations=["203.0.113.1", "not-an-ip"], gateway=GATEWAY), [],
     "not-an-ip"),
    ("route-reversed-range", "static_routes", dict(destinations=["203.0.113.9-203.0.113.1"], gateway=GATEWAY), [],
     "comes after"),
    ("route-huge-range", "static_routes", dict(destinations=["10.0.0.0-10.9.0.0"], gateway=GATEWAY), [], "more than"),
    ("route-bad-gateway", "static_routes", dict(destinations=["203.0.113.1"], gateway="172.19.0.300"), [],
     "gateway"),
    ("route-offlink-gateway", "static_routes", dict(destinations=["203.0.113.1"], gateway="198.18.0.1"), [],
     "not reachable"),
    ("route-gateway-off-device-link", "static_routes",
     dict(destinations=["203.0.113.1"], gateway="10.99.0.1", device="uplinkbridge"), [], "connected to uplinkbridge"),
    ("route-gateway-other-device", "static_routes",
     dict(destinations=["203.0.113.1"], gateway="192.0.2.5", device="uplinkbridge"), [], "connected to uplinkbridge"),
    ("route-gateway-device-missing", "static_routes",
     dict(destinations=["203.0.113.1"], gateway=GATEWAY, device="nosuchdev"), [], "nosuchdev"),
    ("route-no-gateway", "static_routes", dict(destinations=["203.0.113.1"]), [], "gateway"),
    ("route-table-all", "static_routes", dict(destinations=["203.0.113.1"], gateway=GATEWAY, table="all"), [],
     "table"),
    ("route-table-unknown", "static_routes", dict(destinations=["203.0.113.1"], gateway=GATEWAY, table="nosuch"),
     [], "nosuch"),
    ("route-proto-kernel", "static_routes", dict(destinations=["203.0.113.1"], gateway=GATEWAY, proto=2), [],
     "reserved"),
    ("route-device-long", "static_routes", dict(destinations=["203.0.113.1"], gateway=GATEWAY,
                                                device="averyveryverylongname"), [], "15"),
    ("route-conflict", "static_routes", dict(destinations=["203.0.113.1", "203.0.113.2"], gateway=GATEWAY),
     [["ip", "route", "add", "203.0.113.2", "via", GATEWAY, "proto", "static"]], "does not own"),
    ("masq-host-bits", "masquerade", dict(sources=["203.0.113.1", "203.0.113.7/29"], out_interface="br0"), [],
     "203.0.113.0/29"),
    ("masq-garbage", "masquerade", dict(sources=["203.0.113.1", "1.2.3.4.5"], out_interface="br0"), [],
     "1.2.3.4.5"),
    ("masq-bad-iface", "masquerade", dict(sources=["203.0.113.1"], out_interface="br/0"), [], "invalid"),
    ("masq-no-iface", "masquerade", dict(sources=["203.0.113.1"]), [], "out_interface"),
    ("masq-euca-chain", "masquerade", dict(sources=["203.0.113.1"], out_interface="br0", masq_chain="EUCA_MASQ"), [],
     "eucanetd"),
    ("masq-eu-chain", "masquerade", dict(sources=["203.0.113.1"], out_interface="br0", forward_chain="EU_FWD"), [],
     "eucanetd"),
    ("masq-builtin-chain", "masquerade", dict(sources=["203.0.113.1"], out_interface="br0", masq_chain="POSTROUTING"),
     [], "valid user chain"),
]


# check mode cannot know whether an earlier task creates the next hop's network: these only warn there
WARN_IN_CHECK_MODE = {
    "route-offlink-gateway": "not reachable",
    "route-gateway-off-device-link": "connected to uplinkbridge",
    "route-gateway-other-device": "connected to uplinkbridge",
    "route-gateway-device-missing": "nosuchdev",
}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_changes_nothing(uplink_ns, run, case):
    _id, module, args, setup, text = case
    # some state of ours already there, so that a partial change would show
    assert not run("static_routes", dict(destinations=["198.51.100.1-198.51.100.3"], gateway=GATEWAY)).failed
    assert not run("masquerade", dict(sources=["198.51.100.1-198.51.100.3"], out_interface="br0")).failed
    for cmd in setup:
        sh(uplink_ns, *cmd)
    before = snapshot(uplink_ns)
    for check in (True, False):
        res = run(module, args, check=check)
        if check and _id in WARN_IN_CHECK_MODE:
            # check mode cannot know whether an earlier task creates the next hop's network: it warns
            assert not res.failed and WARN_IN_CHECK_MODE[_id] in str(res.get("warnings")), res
            assert snapshot(uplink_ns) == before
            continue
        assert res.failed, res
        assert text in res["msg"], res["msg"]
        assert snapshot(uplink_ns) == before


def test_gateway_is_own_address_refused(uplink_ns, run):
    before = snapshot(uplink_ns)
    for device in (None, "uplinkbridge"):
        args = dict(destinations=["203.0.113.1"], gateway="172.19.0.2")
        if device:
            args["device"] = device
        res = run("static_routes", args)
        assert res.failed and "is a local address" in res["msg"], res
    assert snapshot(uplink_ns) == before
