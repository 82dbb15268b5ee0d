"""masquerade against the real kernel, with both iptables backends."""
import os

import pytest

from conftest import ipt_rules, sh, snapshot
from module_runner import run_module

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


RACING_RESTORE = """#!/bin/sh
# iptables-restore that lets another process add a rule referencing the module's %(table)s chain
# just before the module's first restore runs (after its read): the real restore then fails there
if [ ! -e %(mark)s ]; then
  : > %(mark)s
  %(ipt)s -t %(table)s -N OTHER && %(ipt)s -t %(table)s -A OTHER -j %(chain)s || exit 99
fi
exec %(real)s "$@"
"""


def racing_front(tmp_path, backend, table):
    """A PATH front for iptables-<backend>-restore (see RACING_RESTORE); returns run_module's env."""
    import shutil
    front = tmp_path / "bin"
    front.mkdir()
    name = "iptables-%s-restore" % backend
    script = front / name
    script.write_text(RACING_RESTORE % dict(
        table=table, chain="EUCLOUD-MASQ" if table == "nat" else "EUCLOUD-FWD", mark=tmp_path / "raced",
        ipt=shutil.which("iptables-%s" % backend), real=shutil.which(name)))
    script.chmod(0o755)
    return {"PATH": "%s:%s" % (front, os.environ["PATH"])}


def accepted_without_masquerade(ns, be):
    """Sources with a FORWARD ACCEPT in the module's chain but no MASQUERADE in effect for them."""
    masq_src = {l.split()[3] for l in masq(ns, be)} if jumps(ns, be)[0] else set()
    fwd_src = {l.split()[3] for l in fwd(ns, be)} if jumps(ns, be)[1] else set()
    return fwd_src - masq_src


def test_failed_restore_says_which_table_was_committed(netns, run, backend, tmp_path):
    """iptables-restore commits each table at its COMMIT (legacy, and nft too): the filter
    removals commit first, then the nat table fails (another process made its chain referenced
    after the module read the tables); the failure says filter IS committed and nat is not, as read
    back, and the ACCEPT rules went before their MASQUERADE."""
    run("masquerade", args(backend))
    res = run_module("masquerade", dict(sources=[], state="absent", purge=True, backend=backend), netns=netns,
                     env=racing_front(tmp_path, backend, "nat"))
    assert res.failed, res
    assert res["committed"] == {"nat": "not committed (unchanged)", "filter": "committed"}, res
    assert "filter table (EUCLOUD-FWD) committed" in res["msg"] and "ARE in effect" in res["msg"]
    assert res["changed"] is True
    # the kernel agrees: the filter chain and its jump are gone, the nat chain is as before
    assert fwd(netns, backend) == [] and jumps(netns, backend) == (["-A POSTROUTING -j EUCLOUD-MASQ"], [])
    assert masq(netns, backend) == expected_masq(SRC)
    assert accepted_without_masquerade(netns, backend) == set()


def test_failed_restore_in_first_table_commits_nothing(netns, run, backend, tmp_path):
    run("masquerade", args(backend))
    before = snapshot(netns)
    res = run_module("masquerade", dict(sources=[], state="absent", purge=True, backend=backend), netns=netns,
                     env=racing_front(tmp_path, backend, "filter"))
    assert res.failed, res
    assert res["committed"] == {"nat": "not committed (unchanged)", "filter": "not committed (unchanged)"}, res
    assert res["changed"] is False and "ARE in effect" not in res["msg"]
    # apart from the other process's chain, nothing changed
    sh(netns, "iptables-%s" % backend, "-F", "OTHER")
    sh(netns, "iptables-%s" % backend, "-X", "OTHER")
    assert snapshot(netns) == before


FAILING_RESTORE = """#!/bin/sh
# iptables-restore whose %(fail)d-th table block of the run (counted across calls) gets one more
# line, which the real iptables-restore refuses, before its COMMIT: that table is not committed,
# the real binary decides what else is
n=$(cat %(count)s 2>/dev/null || echo 0)
awk -v n="$n" -v fail=%(fail)d -v count=%(count)s '
  /^\\*/ { n++ }
  /^COMMIT$/ && n == fail { print "-A EUCLOUD-NOSUCH -j ACCEPT" }
  { print }
  END { print n > count }' > %(input)s.$n
exec %(real)s "$@" < %(input)s.$n
"""

# (initial sources, sources of the failing run, purge, block that fails, committed as read back,
#  MASQUERADE and ACCEPT sources in the kernel after the failure, sources after a re-run)
MOVE = ["203.0.113.11", "203.0.113.99"]
MOVED = ["203.0.113.11/32", "203.0.113.99/32"]
FAILURES = {
    # only additions: one process, nat then filter
    "create-nat": ([], SOURCES, False, 1, {"nat": "not committed (unchanged)", "filter": "not committed (unchanged)"},
                   [], [], SRC),
    "create-filter": ([], SOURCES, False, 2, {"nat": "committed", "filter": "not committed (unchanged)"},
                      SRC, [], SRC),
    # removals and additions in both tables: [filter removals, nat], then [filter additions]
    "move-filter-removals": (SOURCES, MOVE, True, 1,
                             {"nat": "not committed (unchanged)", "filter": "not committed (unchanged)"}, SRC, SRC, MOVED),
    "move-nat": (SOURCES, MOVE, True, 2,
                 {"nat": "not committed (unchanged)", "filter": "partly committed (the removals; the additions not)"},
                 SRC, ["203.0.113.11/32"], MOVED),
    "move-filter-additions": (SOURCES, MOVE, True, 3,
                              {"nat": "committed", "filter": "partly committed (the removals; the additions not)"},
                              MOVED, ["203.0.113.11/32"], MOVED),
    # every source purged: one process, filter then nat
    "purge-all-nat": (SOURCES, [], True, 2, {"nat": "not committed (unchanged)", "filter": "committed"}, SRC, [], []),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failure_at_any_step_leaves_no_accept_without_masquerade(netns, run, backend, tmp_path, case):
    """The restore fails at each table commit in turn: what is in effect is what the result says,
    and no source is accepted in FORWARD without its MASQUERADE; a re-run converges."""
    import shutil
    initial, sources, purge, fail, committed, masq_after, fwd_after, final = FAILURES[case]
    if initial:
        assert not run("masquerade", args(backend, sources=initial)).failed
    front = tmp_path / "bin"
    front.mkdir()
    name = "iptables-%s-restore" % backend
    (front / name).write_text(FAILING_RESTORE % dict(fail=fail, count=tmp_path / "count", input=tmp_path / "input",
                                                     real=shutil.which(name)))
    (front / name).chmod(0o755)
    want = args(backend, sources=sources, purge=purge)
    res = run_module("masquerade", want, netns=netns, env={"PATH": "%s:%s" % (front, os.environ["PATH"])})
    assert res.failed and res["committed"] == committed, res
    in_effect = [t for t in ("nat", "filter") if committed[t] != "not committed (unchanged)"]
    assert res["changed"] is bool(in_effect)
    assert ("ARE in effect" in res["msg"]) is bool(in_effect)
    assert masq(netns, backend) == expected_masq(masq_after)
    assert fwd(netns, backend) == expected_fwd(fwd_after)
    assert accepted_without_masquerade(netns, backend) == set()
    res = run("masquerade", want)
    assert not res.failed and res["changed"], res
    assert masq(netns, backend) == expected_masq(final) and fwd(netns, backend) == expected_fwd(final)


@pytest.mark.parametrize("table,rule", [
    ("filter", ["-N", "OTHER", "-A", "OTHER", "-j", "EUCLOUD-FWD"]),
    ("filter", ["-A", "FORWARD", "-i", "br5", "-j", "EUCLOUD-FWD"]),
    ("nat", ["-N", "OTHER", "-A", "OTHER", "-o", "eth1", "-j", "EUCLOUD-MASQ"]),
])
def test_foreign_reference_refused_before_any_change(netns, run, backend, table, rule):
    """A rule outside the module that references one of its chains would make the chain's removal
    fail half-way: the module refuses before changing anything (check mode too), naming the rule."""
    run("masquerade", args(backend))
    ipt = ["iptables-%s" % backend, "-t", table]
    i = rule.index("-A")
    if i:
        sh(netns, *(ipt + rule[:i]))
    sh(netns, *(ipt + rule[i:]))
    before = snapshot(netns)
    for check in (True, False):
        res = run("masquerade", dict(sources=[], state="absent", purge=True, backend=backend), check=check)
        assert res.failed and not res.get("changed") and "committed" not in res, res
        assert " ".join(rule[i:]) in res["msg"] and "remove or change those rules first" in res["msg"], res
        assert snapshot(netns) == before
    # a chain that stays may be referenced: removing some sources works
    res = run("masquerade", args(backend, sources=["198.51.100.7"], purge=True))
    assert not res.failed and res["removed"] == SRC[1:], res
    assert masq(netns, backend) == expected_masq(SRC[:1])


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
