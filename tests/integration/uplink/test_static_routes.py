"""static_routes against the real kernel in a network namespace."""
from conftest import GATEWAY, routes, sh, snapshot

PUBLIC = ["203.0.113.10-203.0.113.14", "198.51.100.7", "198.51.100.7/32", "192.0.2.128/28"]
EXPECTED = {"203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13", "203.0.113.14",
            "198.51.100.7", "192.0.2.128/28"}


def ours(ns, table="main"):
    return {r["dst"]: r for r in routes(ns, table) if r.get("protocol") == "150"}


def args(**kw):
    base = dict(destinations=PUBLIC, gateway=GATEWAY, device="uplinkbridge")
    base.update(kw)
    return base


def test_create_idempotent(uplink_ns, run):
    res = run("static_routes", args(), diff=True)
    assert not res.failed and res["changed"], res
    got = ours(uplink_ns)
    assert set(got) == EXPECTED
    assert all(r["gateway"] == GATEWAY and r["dev"] == "uplinkbridge" for r in got.values())
    assert len(res["added"]) == 7 and "198.51.100.7/32" in res["added"]
    assert len(res["diff"]["after"]) == 7
    before = snapshot(uplink_ns)
    res = run("static_routes", args(), diff=True)
    assert not res["changed"] and res["added"] == [] and res["removed"] == []
    assert snapshot(uplink_ns) == before


def test_check_mode(uplink_ns, run):
    before = snapshot(uplink_ns)
    res = run("static_routes", args(), check=True, diff=True)
    assert res["changed"] and len(res["added"]) == 7
    assert snapshot(uplink_ns) == before
    run("static_routes", args())
    res = run("static_routes", args(destinations=["203.0.113.10"], purge=True), check=True)
    assert res["changed"] and len(res["removed"]) == 6
    assert set(ours(uplink_ns)) == EXPECTED


def test_gateway_and_metric_change(uplink_ns, run):
    run("static_routes", args())
    res = run("static_routes", args(gateway="172.19.0.4"))
    assert res["changed"] and len(res["updated"]) == 7
    assert {r["gateway"] for r in ours(uplink_ns).values()} == {"172.19.0.4"}
    res = run("static_routes", args(gateway="172.19.0.4", metric=20))
    assert res["changed"]
    got = routes(uplink_ns)
    mine = [r for r in got if r.get("protocol") == "150"]
    assert len(mine) == 7 and all(r.get("metric") == 20 for r in mine)
    assert not run("static_routes", args(gateway="172.19.0.4", metric=20))["changed"]


def test_drift_repaired(uplink_ns, run):
    run("static_routes", args())
    sh(uplink_ns, "ip", "route", "del", "203.0.113.12/32")
    sh(uplink_ns, "ip", "route", "del", "192.0.2.128/28")
    res = run("static_routes", args())
    assert res["changed"] and sorted(res["added"]) == ["192.0.2.128/28", "203.0.113.12/32"]
    assert set(ours(uplink_ns)) == EXPECTED


def test_purge_leaves_foreign_routes(uplink_ns, run):
    sh(uplink_ns, "ip", "route", "add", "10.99.0.0/16", "via", GATEWAY, "proto", "static")
    sh(uplink_ns, "ip", "route", "add", "10.98.0.1", "via", GATEWAY)               # proto boot
    sh(uplink_ns, "ip", "route", "add", "10.97.0.1", "via", GATEWAY, "proto", "151")
    run("static_routes", args())
    foreign = [r for r in routes(uplink_ns) if r.get("protocol") != "150"]
    res = run("static_routes", args(destinations=["203.0.113.10", "203.0.113.99"], purge=True))
    assert not res.failed, res
    assert res["changed"] and res["added"] == ["203.0.113.99/32"] and len(res["removed"]) == 6
    assert set(ours(uplink_ns)) == {"203.0.113.10", "203.0.113.99"}
    assert [r for r in routes(uplink_ns) if r.get("protocol") != "150"] == foreign


def test_conflict_skip(uplink_ns, run):
    sh(uplink_ns, "ip", "route", "add", "203.0.113.11", "via", GATEWAY, "proto", "static")
    res = run("static_routes", args(conflict="skip"))
    assert not res.failed and res["conflicts"] == ["203.0.113.11/32"]
    r11 = [r for r in routes(uplink_ns) if r["dst"] == "203.0.113.11"]
    assert len(r11) == 1 and r11[0]["protocol"] == "static"
    assert set(ours(uplink_ns)) == EXPECTED - {"203.0.113.11"}


def test_conflict_skip_with_purge_keeps_our_route_to_the_skipped_destination(uplink_ns, run):
    """A skipped destination is left alone entirely: purge does not delete our own route to it."""
    run("static_routes", args())
    sh(uplink_ns, "ip", "route", "add", "203.0.113.11", "via", GATEWAY, "proto", "static", "metric", "5")
    before = snapshot(uplink_ns)
    res = run("static_routes", args(conflict="skip", purge=True))
    assert not res.failed, res
    assert res["conflicts"] == ["203.0.113.11/32"] and res["removed"] == [] and not res["changed"], res
    assert snapshot(uplink_ns) == before
    r11 = sorted((r["protocol"], r.get("metric", 0)) for r in routes(uplink_ns) if r["dst"] == "203.0.113.11")
    assert r11 == [("150", 0), ("static", 5)]
    # purging with a list that no longer names it does remove our route (and only ours)
    res = run("static_routes", args(destinations=["203.0.113.10"], conflict="skip", purge=True))
    assert not res.failed and "203.0.113.11/32" in res["removed"], res
    assert set(ours(uplink_ns)) == {"203.0.113.10"}
    r11 = [r["protocol"] for r in routes(uplink_ns) if r["dst"] == "203.0.113.11"]
    assert r11 == ["static"]


def test_other_table_by_name_and_number(uplink_ns, run):
    res = run("static_routes", args(table="100"))
    assert not res.failed, res
    assert res["changed"] and set(ours(uplink_ns, "100")) == EXPECTED
    assert ours(uplink_ns) == {}
    assert not run("static_routes", args(table="100"))["changed"]
    # the same table by name (rt_tables has "local"=255, "main"=254, "default"=253)
    res = run("static_routes", args(table="default", destinations=["203.0.113.50"]))
    assert res["changed"] and set(ours(uplink_ns, "253")) == {"203.0.113.50"}


def test_absent(uplink_ns, run):
    run("static_routes", args())
    sh(uplink_ns, "ip", "route", "add", "10.99.0.0/16", "via", GATEWAY, "proto", "static")
    before = snapshot(uplink_ns)
    res = run("static_routes", dict(destinations=["203.0.113.10-203.0.113.14"], state="absent"), check=True)
    assert res["changed"] and len(res["removed"]) == 5 and snapshot(uplink_ns) == before
    res = run("static_routes", dict(destinations=["203.0.113.10-203.0.113.14"], state="absent"))
    assert set(ours(uplink_ns)) == {"198.51.100.7", "192.0.2.128/28"}
    res = run("static_routes", dict(state="absent", purge=True))
    assert res["changed"] and ours(uplink_ns) == {}
    assert any(r["dst"] == "10.99.0.0/16" for r in routes(uplink_ns))
    assert not run("static_routes", dict(state="absent", purge=True))["changed"]


def test_return_limit(uplink_ns, run):
    many = ["10.3.0.%d/32" % i for i in range(120)]
    res = run("static_routes", args(destinations=["10.3.0.0-10.3.0.119"]), check=True)
    assert res["added_count"] == 120 and res["added"] == many[:50] and res["commands_count"] == 120
    res = run("static_routes", args(destinations=["10.3.0.0-10.3.0.119"], return_limit=0))
    assert res["added_count"] == 120 and res["added"] == many
    assert set(ours(uplink_ns)) == set(c[:-3] for c in many)
    res = run("static_routes", args(destinations=["10.3.0.0-10.3.0.9"], purge=True), diff=True)
    assert res["removed_count"] == 110 and res["removed"] == many[10:]
    assert res["updated_count"] == 0 and res["conflicts_count"] == 0
    res = run("static_routes", args(return_limit=-1))
    assert res.failed and "return_limit" in res["msg"]
