from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.eucalyptus.cloud.plugins.filter import preflight as pf

EXPECTED = [{"host": "frontend", "names": ["frontend.euca", "frontend"], "address": "10.0.0.10"},
            {"host": "nc1", "names": ["nc1.euca", "nc1"], "address": "10.0.0.21"}]


def test_dns_both_ways():
    fwd = "10.0.0.10 frontend.euca frontend\n10.0.0.21 nc1.euca nc1\n"
    assert pf.preflight_dns_check(EXPECTED, fwd, fwd, "frontend")[0]["status"] == "passed"
    wrong = "10.0.0.10 frontend.euca frontend\n10.0.0.99 nc1.euca nc1\n"
    record = pf.preflight_dns_check(EXPECTED, wrong, fwd, "frontend", True)[0]
    assert record["status"] == "failed" and "nc1.euca resolves to 10.0.0.99, not 10.0.0.21" in record["reason"]
    record = pf.preflight_dns_check(EXPECTED, "", "", "frontend", True)[0]
    assert record["status"] == "skipped" and "common role writes" in record["reason"]
    record = pf.preflight_dns_check(EXPECTED, "", "", "frontend", False)[0]
    assert record["status"] == "failed" and "10.0.0.21 does not reverse-resolve" in record["reason"]
    # seed 004: the CLC must reverse-resolve the NC addresses to their names
    rev = "10.0.0.10 frontend.euca\n10.0.0.21 host-21.example\n"
    record = pf.preflight_dns_check(EXPECTED, fwd, rev, "frontend")[0]
    assert record["status"] == "failed" and "10.0.0.21 reverse-resolves to host-21.example" in record["reason"]


def test_time():
    assert pf.preflight_time_check("h", 100.0, 101.0, 100.5, 5)[0]["status"] == "passed"
    record = pf.preflight_time_check("h", 100.0, 101.0, 90.0, 5, "", 1)[0]
    assert record["status"] == "failed" and "10.0 s behind" in record["reason"]
    assert "ahead of" in pf.preflight_time_check("h", 100.0, 101.0, 120.0, 5)[0]["reason"]


def test_forward_policy():
    docker = "-P INPUT ACCEPT\n-P FORWARD DROP\n-N DOCKER\n"
    record = pf.preflight_forward_check("gw", 0, docker)[0]
    assert record["status"] == "failed" and "(set by Docker)" in record["reason"]
    assert pf.preflight_forward_check("gw", 0, "-P FORWARD ACCEPT\n")[0]["status"] == "passed"
    assert pf.preflight_forward_check("gw", None, "")[0]["status"] == "skipped"


def test_mtu():
    facts = {"interfaces": ["eth0"], "eth0": {"mtu": 1500, "ipv4": {"address": "10.0.0.10"}}}
    overhead = {"gre": 42, "vxlan": 50}
    assert pf.preflight_mtu_check("h", facts, "10.0.0.10", "gre", overhead, 1400)[0]["status"] == "passed"
    assert pf.preflight_mtu_check("h", facts, "10.0.0.10", "vxlan", overhead, 1460)[0]["status"] == "failed"
    assert "no interface carries" in pf.preflight_mtu_check("h", facts, "10.0.0.11", "gre", overhead, 1400)[0]["reason"]


def test_vlan_plan_and_interfaces():
    plan = pf.preflight_vlan_plan(["nc1", "cc"], "10.10.0.0", "255.255.0.0")
    assert plan == {"addresses": {"cc": "10.10.0.1", "nc1": "10.10.0.2"}, "prefix": 16}
    facts = {"interfaces": ["eth0", "br0"], "br0": {"type": "bridge"}, "eth0": {"type": "ether"}}
    wanted = [{"name": "br0", "bridge": True, "why": "VNET_BRIDGE", "created_by": None},
              {"name": "eth0", "bridge": True, "why": "x", "created_by": None},
              {"name": "veth1", "bridge": False, "why": "peer", "created_by": "midonet_gateway"}]
    record = pf.preflight_interfaces_check(wanted, facts, "h")[0]
    assert record["status"] == "failed" and "eth0 (x) is not a bridge (type ether)" in record["reason"]
    assert "veth1 (peer) is created by the midonet_gateway role" in record["reason"]


def test_managed_capacity_seed_002():
    """Seed 002: 192.168.0.0/16, ADDRSPERNET 64 -> 1024 networks; 100 users -> 10 each."""
    ctx = {"version": "4.1", "mode": "MANAGED", "matrix": {"4.1": {"modes": ["MANAGED"], "managed_reserved": 11}},
           "managed": {"subnet": "192.168.0.0", "netmask": "255.255.0.0", "addrspernet": 64, "users": 100}}
    records = pf._check_managed(ctx, {"cc": ["fe"], "nc": ["n1"]}, "4.1", "MANAGED")
    assert records[0]["status"] == "passed"
    assert "65536 addresses / ADDRSPERNET 64 = 1024 concurrent networks; 1024 / 100 users = 10 per user" in records[0]["reason"]
