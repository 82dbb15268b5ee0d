"""veth_uplink against the real kernel in a network namespace."""
import pytest

from conftest import UPLINK, addrs, link, sh, snapshot


def _assert_uplink(ns, address="172.19.0.2/29", mtu=None):
    br, ve, pe = link(ns, "uplinkbridge"), link(ns, "veth0"), link(ns, "veth1")
    assert br["linkinfo"]["info_kind"] == "bridge"
    assert ve["linkinfo"]["info_kind"] == "veth" and pe["linkinfo"]["info_kind"] == "veth"
    assert ve["link"] == "veth1" and pe["link"] == "veth0"
    assert ve.get("master") == "uplinkbridge"
    assert pe.get("master") is None
    for l in (br, ve, pe):
        assert "UP" in l["flags"], l["ifname"]
        if mtu:
            assert l["mtu"] == mtu, l["ifname"]
    assert addrs(ns, "uplinkbridge") == [address]
    assert addrs(ns, "veth1") == []


def test_create_idempotent_diff(netns, run):
    res = run("veth_uplink", dict(UPLINK, mtu=1450), diff=True)
    assert not res.failed and res["changed"]
    assert res["diff"]["before"] == []
    assert "addr 172.19.0.2/29 dev uplinkbridge" in res["diff"]["after"]
    _assert_uplink(netns, mtu=1450)
    before = snapshot(netns)
    res = run("veth_uplink", dict(UPLINK, mtu=1450), diff=True)
    assert not res.failed and not res["changed"] and res["commands"] == []
    assert res["diff"]["before"] == res["diff"]["after"]
    assert snapshot(netns) == before


def test_check_mode_changes_nothing(netns, run):
    before = snapshot(netns)
    res = run("veth_uplink", UPLINK, check=True, diff=True)
    assert not res.failed and res["changed"]
    assert snapshot(netns) == before
    assert link(netns, "uplinkbridge") is None
    predicted = res["diff"]["after"]
    res = run("veth_uplink", UPLINK, diff=True)
    assert res["changed"] and res["diff"]["after"] == predicted
    _assert_uplink(netns)
    res = run("veth_uplink", UPLINK, check=True)
    assert not res["changed"]


def test_address_replaced(netns, run):
    run("veth_uplink", UPLINK)
    sh(netns, "ip", "addr", "add", "10.11.12.1/24", "dev", "uplinkbridge")
    res = run("veth_uplink", dict(UPLINK, address="172.19.0.6/30"))
    assert res["changed"]
    _assert_uplink(netns, address="172.19.0.6/30")


@pytest.mark.parametrize("drift", [
    ["ip", "link", "del", "veth0"],
    ["ip", "link", "del", "uplinkbridge"],
    ["ip", "addr", "flush", "dev", "uplinkbridge"],
    ["ip", "link", "set", "veth1", "down"],
    ["ip", "link", "set", "veth0", "nomaster"],
])
def test_drift_repaired(netns, run, drift):
    run("veth_uplink", UPLINK)
    sh(netns, *drift)
    res = run("veth_uplink", UPLINK)
    assert not res.failed and res["changed"]
    _assert_uplink(netns)
    assert not run("veth_uplink", UPLINK)["changed"]


def test_absent(netns, run):
    run("veth_uplink", UPLINK)
    before = snapshot(netns)
    res = run("veth_uplink", dict(UPLINK, state="absent"), check=True)
    assert res["changed"] and snapshot(netns) == before
    res = run("veth_uplink", dict(UPLINK, state="absent"))
    assert res["changed"]
    for name in ("uplinkbridge", "veth0", "veth1"):
        assert link(netns, name) is None
    assert not run("veth_uplink", dict(UPLINK, state="absent"))["changed"]


def test_absent_refuses_bridge_with_foreign_port(netns, run):
    run("veth_uplink", UPLINK)
    sh(netns, "ip", "link", "add", "other0", "type", "veth", "peer", "name", "other1")
    sh(netns, "ip", "link", "set", "other0", "master", "uplinkbridge")
    before = snapshot(netns)
    res = run("veth_uplink", dict(UPLINK, state="absent"))
    assert res.failed and "other0" in res["msg"]
    assert snapshot(netns) == before
