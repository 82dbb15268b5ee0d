"""masquerade against the real kernel, with both iptables backends."""
import pytest

from conftest import ipt_rules, sh, snapshot

SOURCES = ["203.0.113.10-203.0.113.12", "198.51.100.7", "198.51.100.7/32"]
SRC = ["198.51.100.7/32", "203.0.113.10/32", "203.0.113.11/32", "203.0.113.12/32"]


@pytest.fixture(params=["nft", "legacy"])
def backend(request):
    return request.param


def masq(ns, be):
    return sorted(l for l in ipt_rules(ns, be, "nat") if l.startswith("-A EUCLOUD-MASQ "))


def fwd(ns, be):
    return sorted(l for l in ipt_rules(ns, be, "filter") if l.startswith("-A EUCLOUD-FWD "))


def jumps(ns, be):
    return ([l for l in ipt_rules(ns, be, "nat") if l == "-A POSTROUTING -j EUCLOUD-MASQ"],
            [l for l in ipt_rules(ns, be, "filter") if l == "-A FORWARD -j EUCLOUD-FWD"])


def expected_masq(sources, iface="br0"):
    return sorted("-A EUCLOUD-MASQ -s %s -o %s -j MASQUERADE" % (s, iface) for s in sources)


def expected_fwd(sources):
    return sorted("-A EUCLOUD-FWD -s %s -j ACCEPT" % s for s in sources)


def args(be, **kw):
    base = dict(sources=SOURCES, out_interface="br0", backend=be)
    base.update(kw)
    return base


def test_create_idempotent(netns, run, backend):
    res = run("masquerade", args(backend), diff=True)
    assert not res.failed and res["changed"] and res["backend"] == backend, res
    assert res["added"] == SRC
    assert masq(netns, backend) == expected_masq(SRC)
    assert fwd(netns, backend) == expected_fwd(SRC)
    assert jumps(netns, backend) == (["-A POSTROUTING -j EUCLOUD-MASQ"], ["-A FORWARD -j EUCLOUD-FWD"])
    before = snapshot(netns)
    res = run("masquerade", args(backend), diff=True)
    assert not res["changed"] and res["diff"]["before"] == res["diff"]["after"]
    assert snapshot(netns) == before


def test_check_mode(netns, run, backend):
    before = snapshot(netns)
    res = run("masquerade", args(backend), check=True, diff=True)
    assert res["changed"] and res["added"] == SRC
    assert snapshot(netns) == before
    res2 = run("masquerade", args(backend), diff=True)
    assert res2["diff"]["after"] == res["diff"]["after"]


def test_coexists_and_purge_leaves_foreign_rules(netns, run, backend):
    ipt = "iptables-%s" % backend
    sh(netns, ipt, "-t", "nat", "-A", "POSTROUTING", "-s", "10.0.0.0/8", "-o", "eth9", "-j", "MASQUERADE")
    sh(netns, ipt, "-N", "EUCA_COUNTERS")
    sh(netns, ipt, "-A", "EUCA_COUNTERS", "-s", "203.0.113.10/32", "-j", "RETURN")
    sh(netns, ipt, "-A", "FORWARD", "-j", "EUCA_COUNTERS")
    sh(netns, ipt, "-A", "FORWARD", "-i", "docker0", "-j", "DROP")
    foreign_nat = ipt_rules(netns, backend, "nat")
    foreign_filter = ipt_rules(netns, backend, "filter")
    run("masquerade", args(backend))
    res = run("masquerade", args(backend, sources=["203.0.113.11", "203.0.113.99"], purge=True))
    assert res["changed"] and res["added"] == ["203.0.113.99/32"]
    assert res["removed"] == ["198.51.100.7/32", "203.0.113.10/32", "203.0.113.12/32"]
    assert masq(netns, backend) == expected_masq(["203.0.113.11/32", "203.0.113.99/32"])
    assert fwd(netns, backend) == expected_fwd(["203.0.113.11/32", "203.0.113.99/32"])
    # jumps are first, foreign rules stay in their order
    nat = ipt_rules(netns, backend, "nat")
    filt = ipt_rules(netns, backend, "filter")
    assert [l for l in nat if "EUCLOUD" not in l] == foreign_nat
    assert [l for l in filt if "EUCLOUD" not in l] == foreign_filter
    assert [l for l in nat if l.startswith("-A POSTROUTING")][0] == "-A POSTROUTING -j EUCLOUD-MASQ"
    assert [l for l in filt if l.startswith("-A FORWARD")][0] == "-A FORWARD -j EUCLOUD-FWD"
    # absent removes ours and the chains, not the others
    res = run("masquerade", dict(state="absent", purge=True, backend=backend))
    assert res["changed"]
    assert ipt_rules(netns, backend, "nat") == foreign_nat
    assert ipt_rules(netns, backend, "filter") == foreign_filter
    assert "EUCLOUD" not in "\n".join(sh(netns, "%s-save" % ipt).splitlines())


@pytest.mark.parametrize("drift", [
    ["-t", "nat", "-D", "EUCLOUD-MASQ", "-s", "203.0.113.11/32", "-o", "br0", "-j", "MASQUERADE"],
    ["-D", "EUCLOUD-FWD", "-s", "198.51.100.7/32", "-j", "ACCEPT"],
    ["-t", "nat", "-D", "POSTROUTING", "-j", "EUCLOUD-MASQ"],
    ["-A", "FORWARD", "-j", "EUCLOUD-FWD"],        # a duplicate jump
    ["-A", "EUCLOUD-FWD", "-s", "203.0.113.10/32", "-j", "ACCEPT"],   # a duplicate rule
])
def test_drift_repaired(netns, run, backend, drift):
    run("masquerade", args(backend))
    sh(netns, "iptables-%s" % backend, *drift)
    res = run("masquerade", args(backend))
    assert not res.failed and res["changed"]
    assert masq(netns, backend) == expected_masq(SRC)
    assert fwd(netns, backend) == expected_fwd(SRC)
    assert jumps(netns, backend) == (["-A POSTROUTING -j EUCLOUD-MASQ"], ["-A FORWARD -j EUCLOUD-FWD"])
    assert not run("masquerade", args(backend))["changed"]


def test_flush_chain_drift(netns, run, backend):
    run("masquerade", args(backend))
    sh(netns, "iptables-%s" % backend, "-t", "nat", "-F", "EUCLOUD-MASQ")
    res = run("masquerade", args(backend))
    assert res["added"] == SRC and masq(netns, backend) == expected_masq(SRC)


def test_out_interface_and_forward_change(netns, run, backend):
    run("masquerade", args(backend))
    res = run("masquerade", args(backend, out_interface="br1", forward=False))
    assert res["changed"]
    assert masq(netns, backend) == expected_masq(SRC, "br1")
    assert fwd(netns, backend) == []
    assert jumps(netns, backend)[1] == []
    assert "EUCLOUD-FWD" not in sh(netns, "iptables-%s-save" % backend, "-t", "filter")


def test_absent_listed(netns, run, backend):
    run("masquerade", args(backend))
    before = snapshot(netns)
    res = run("masquerade", dict(sources=["203.0.113.10-203.0.113.12"], state="absent", backend=backend),
              check=True)
    assert res["changed"] and snapshot(netns) == before
    run("masquerade", dict(sources=["203.0.113.10-203.0.113.12"], state="absent", backend=backend))
    assert masq(netns, backend) == expected_masq(["198.51.100.7/32"])
    run("masquerade", dict(sources=["198.51.100.7"], state="absent", backend=backend))
    assert "EUCLOUD" not in sh(netns, "iptables-%s-save" % backend)


def test_many_deletions_rewrite_chain(netns, run, backend):
    run("masquerade", args(backend, sources=["10.1.0.0-10.1.0.199"]))
    res = run("masquerade", args(backend, sources=["10.1.0.0-10.1.0.9"], purge=True))
    # the total always, the list bounded by return_limit (50) outside diff mode
    assert res["removed_count"] == 190 and res["removed"] == ["10.1.0.%d/32" % i for i in range(10, 60)]
    assert masq(netns, backend) == expected_masq(["10.1.0.%d/32" % i for i in range(10)])
    assert len(fwd(netns, backend)) == 10


def test_failed_restore_says_which_table_was_committed(netns, run, backend):
    """iptables-restore commits each table at its COMMIT (legacy, and nft too): when the filter
    table fails after nat, the failure says nat IS committed and filter is not, as read back."""
    run("masquerade", args(backend))
    # a foreign chain jumping to ours makes '-X EUCLOUD-FWD' fail (the chain is still referenced)
    sh(netns, "iptables-%s" % backend, "-N", "OTHER")
    sh(netns, "iptables-%s" % backend, "-A", "OTHER", "-j", "EUCLOUD-FWD")
    res = run("masquerade", dict(sources=[], state="absent", purge=True, backend=backend))
    assert res.failed, res
    assert res["committed"] == {"nat": "committed", "filter": "not committed (unchanged)"}, res
    assert "nat table (EUCLOUD-MASQ) committed" in res["msg"] and "ARE in effect" in res["msg"]
    assert res["changed"] is True
    # the kernel agrees: the nat chain and its jump are gone, the filter chain is as before
    assert masq(netns, backend) == [] and jumps(netns, backend) == ([], ["-A FORWARD -j EUCLOUD-FWD"])
    assert fwd(netns, backend) == expected_fwd(SRC)


def test_failed_restore_in_first_table_commits_nothing(netns, run, backend):
    run("masquerade", args(backend))
    sh(netns, "iptables-%s" % backend, "-t", "nat", "-N", "OTHER")
    sh(netns, "iptables-%s" % backend, "-t", "nat", "-A", "OTHER", "-j", "EUCLOUD-MASQ")
    before = snapshot(netns)
    res = run("masquerade", dict(sources=[], state="absent", purge=True, backend=backend))
    assert res.failed, res
    assert res["committed"] == {"nat": "not committed (unchanged)", "filter": "not committed (unchanged)"}, res
    assert res["changed"] is False and "ARE in effect" not in res["msg"]
    assert snapshot(netns) == before


def test_return_limit(netns, run, backend):
    many = ["10.2.0.%d/32" % i for i in range(120)]
    res = run("masquerade", args(backend, sources=["10.2.0.0-10.2.0.119"]), check=True)
    assert res["added_count"] == 120 and res["added"] == many[:50]
    res = run("masquerade", args(backend, sources=["10.2.0.0-10.2.0.119"], return_limit=0))
    assert res["added_count"] == 120 and res["added"] == many
    assert masq(netns, backend) == expected_masq(many)
    res = run("masquerade", args(backend, sources=[], purge=True), diff=True, check=True)
    assert res["removed_count"] == 120 and res["removed"] == many
    res = run("masquerade", args(backend, return_limit=-1))
    assert res.failed and "return_limit" in res["msg"]
