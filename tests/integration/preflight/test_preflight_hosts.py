"""playbooks/preflight.yml with its host checks on two lab hosts (podman connection): a good
inventory passes every check (also under --check) and changes nothing; bad host states and
inventories each fail the named host check with its reason, still changing nothing."""
import concurrent.futures
import copy

import pytest

from conftest import sh
from preflight_run import VPC_DOC, run_preflight


def _host(lab, name, **extra):
    host = {"ansible_connection": "containers.podman.podman", "ansible_host": lab[name]["container"],
            "ansible_python_interpreter": "/usr/bin/python3", "eucalyptus_host_ip": lab[name]["address"],
            "eucalyptus_zone": "zone1"}
    host.update(extra)
    return host


def inventory(lab):
    """The VPCMIDO 4.4 cloud-in-a-box shape on the two lab hosts (frontend: all but NC)."""
    inv = {"all": {
        "vars": {"eucalyptus_version": "4.4", "eucalyptus_network_mode": "VPCMIDO", "midonet_version": "5",
                 "eucalyptus_domain": "euca", "eucalyptus_network_configuration": copy.deepcopy(VPC_DOC),
                 # the lab hosts are Debian 12 containers (what the lab inventories tell the roles too)
                 "preflight_extra_platforms": ["Debian-12"]},
        "children": {
            "clc": {"hosts": {"frontend": _host(lab, "frontend")}},
            "nc": {"hosts": {"nc1": _host(lab, "nc1")}},
            "midolman": {"hosts": {"frontend": None, "nc1": None}},
            "midonet_gateway": {"hosts": {"frontend": None}, "vars": {
                "midonet_gateway_bridge": "uplinkbridge", "midonet_gateway_veth": "veth0",
                "midonet_gateway_peer": "veth1", "midonet_gateway_bridge_address": "192.0.2.1/30",
                "midonet_gateway_gateway_ip": "192.0.2.2", "midonet_gateway_external_interface": "eth0",
                "midonet_gateway_public_ips": ["203.0.113.2-203.0.113.14"]}},
        }}}
    for group in ("ufs", "walrus", "cc", "sc", "zookeeper", "cassandra", "midonet_api"):
        inv["all"]["children"][group] = {"hosts": {"frontend": None}}
    # as the 4.1 lab inventory does: a name only the host's facts know (rendered after the host checks)
    inv["all"]["vars"]["eucalyptus_network_configuration"]["Mido"]["EucanetdHost"] = \
        "{{ hostvars['frontend']['ansible_facts']['hostname'] }}"
    return inv


@pytest.fixture(scope="module")
def lab(lab_hosts):
    """The lab hosts as the common role leaves them: every cloud host in /etc/hosts; the NC's br0."""
    lines = "".join("%s %s.euca %s\n" % (h["address"], name, name) for name, h in sorted(lab_hosts.items()))
    for host in lab_hosts.values():
        sh(host["container"], "printf '%s' >> /etc/hosts" % lines)
    sh(lab_hosts["nc1"]["container"], "ip link show br0 >/dev/null 2>&1 || ip link add br0 type bridge")
    return lab_hosts


def _records(result, check):
    return [r for r in result.records() if r["check"] == check]


def test_good_inventory_passes_every_host_check(lab, tmp_path):
    runs = {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = {"run": pool.submit(run_preflight, tmp_path, inventory(lab), "good"),
                   "check": pool.submit(run_preflight, tmp_path, inventory(lab), "good-check", "--check")}
        runs = dict((k, f.result()) for k, f in futures.items())
    for mode, result in runs.items():
        assert result.rc == 0, (mode, result.failed(), result.stderr[-2000:])
        assert result.failed() == []
        assert set(result.changed().values()) == {0}, (mode, result.changed())
        statuses = dict(((r["check"], r["host"]), r["status"]) for r in result.records())
        for host in ("frontend", "nc1"):
            for check in ("host.os", "host.dns", "host.time", "host.interfaces", "host.mtu"):
                assert statuses[(check, host)] == "passed", (mode, check, host, result.report_lines())
        assert statuses[("host.forward_policy", "frontend")] == "passed"
        # network.json needed the facts: skipped before any host was contacted, checked in the report
        assert statuses[("network.configuration", "all")] == "passed"
        first = [t for t in result.data["plays"][0]["tasks"] if "_preflight_inventory_results" in
                 (list(t["hosts"].values())[0].get("ansible_facts") or {})][0]
        early = [r for r in list(first["hosts"].values())[0]["ansible_facts"]["_preflight_inventory_results"]
                 if r["check"] == "network.configuration"][0]
        assert early["status"] == "skipped" and "checked again in the report" in early["reason"]
        # the up-link is made by the midonet_gateway role: reported, not failed
        interfaces = [r for r in result.records() if r["check"] == "host.interfaces" and r["host"] == "frontend"][0]
        assert "uplinkbridge (midonet_gateway_bridge) is created by the midonet_gateway role" in interfaces["reason"]
        dns = [r for r in result.records() if r["check"] == "host.dns" and r["host"] == "frontend"][0]
        assert dns["reason"] == "both ways: frontend.euca, nc1.euca"
        assert result.report_lines()[-1].startswith("preflight: ") and " 0 failed" in result.report_lines()[-1]


def _wrong_dns(inv):
    # the inventory's address of nc1 is not what nc1.euca resolves to
    inv["all"]["children"]["nc"]["hosts"]["nc1"]["eucalyptus_host_ip"] = "198.51.100.99"


def _missing_bridge(inv):
    # an interface the operator names for the host (VPCMIDO's VNET_BRIDGE is made by eucalyptus_nc)
    inv["all"]["children"]["nc"]["hosts"]["nc1"]["preflight_interfaces"] = [{"name": "br9", "bridge": True,
                                                                              "why": "storage bridge"}]


def _not_a_bridge(inv):
    inv["all"]["children"]["nc"]["hosts"]["nc1"]["eucalyptus_common_vnet_bridge"] = "eth0"


def _unsupported_os(inv):
    inv["all"]["vars"].pop("preflight_extra_platforms")


def _no_mtu_headroom(inv):
    inv["all"]["vars"]["preflight_instance_mtu"] = 1490


def _missing_external_interface(inv):
    inv["all"]["children"]["midonet_gateway"]["vars"]["midonet_gateway_external_interface"] = "em1"


# (id, run, mutation, failed check, host, words of its reason). Checks of different hosts or
# kinds do not mask each other, so two runs carry all the cases.
HOST_CASES = [
    ("bridge-missing", "bad-1", _missing_bridge, "host.interfaces", "nc1",
     "br9 (storage bridge) does not exist"),
    ("gateway-external-interface", "bad-1", _missing_external_interface, "host.interfaces", "frontend",
     "em1 (midonet_gateway_external_interface (MASQUERADE out of it)) does not exist"),
    ("os-not-el7", "bad-1", _unsupported_os, "host.os", "frontend", "does not run Eucalyptus 4.4 (supported: RedHat-7)"),
    ("mtu-headroom", "bad-1", _no_mtu_headroom, "host.mtu", "nc1",
     "MTU 1500 - 42 bytes of gre = 1458 for instance packets, below 1490"),
    ("forward-drop", "bad-1", None, "host.forward_policy", "frontend",
     "the FORWARD policy is DROP: the gateway forwards the public IPs"),
    ("dns-wrong-address", "bad-2", _wrong_dns, "host.dns", "nc1", "nc1.euca resolves to"),
    ("bridge-not-a-bridge", "bad-2", _not_a_bridge, "host.interfaces", "nc1",
     "eth0 (VNET_BRIDGE (in VPCMIDO a bridge without the NIC)) is not a bridge"),
]


@pytest.fixture(scope="module")
def host_runs(lab, tmp_path_factory):
    """The two bad runs at once; during them the gateway's FORWARD policy is DROP (as Docker sets it)."""
    tmp = tmp_path_factory.mktemp("preflight-hosts")
    jobs = {}
    for _name, run, mutate, _check, _host_name, _words in HOST_CASES:
        inv = jobs.setdefault(run, inventory(lab))
        if mutate:
            mutate(inv)
    container = lab["frontend"]["container"]
    sh(container, "iptables -P FORWARD DROP")
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            futures = dict((n, pool.submit(run_preflight, tmp, inv, n)) for n, inv in jobs.items())
            return dict((n, f.result()) for n, f in futures.items())
    finally:
        sh(container, "iptables -P FORWARD ACCEPT")


@pytest.mark.parametrize("case", HOST_CASES, ids=[c[0] for c in HOST_CASES])
def test_bad_host_fails_its_check(host_runs, case):
    _name, run, _mutate, check, host, words = case
    result = host_runs[run]
    assert result.rc != 0
    matches = [r for r in result.failed() if r["check"] == check and r["host"] == host]
    assert matches and words in matches[0]["reason"], (run, check, result.failed())
    assert "preflight failed:" in result.failure_message() and check in result.failure_message()
    assert set(result.changed().values()) == {0}, result.changed()


def test_only_gateways_are_asked_for_their_forward_policy(host_runs):
    assert [r["host"] for r in _records(host_runs["bad-1"], "host.forward_policy")] == ["frontend"]
    # with the policy back to ACCEPT in bad-2's inventory... both runs saw DROP; bad-2 fails on it too
    assert _records(host_runs["bad-2"], "host.forward_policy")[0]["status"] == "failed"


def test_vlan_clean_test_skips_without_8021q(lab, tmp_path):
    """MANAGED (4.2) on the lab hosts: this kernel has no 802.1q, so the VLAN test says so."""
    inv = inventory(lab)
    doc = {"Mode": "MANAGED", "InstanceDnsServers": ["192.0.2.53"], "Clusters": [{"Name": "zone1"}],
           "PublicIps": ["203.0.113.31"],
           "ManagedSubnet": {"Subnet": "172.16.0.0", "Netmask": "255.255.0.0", "MinVlan": "512", "MaxVlan": "639"}}
    inv["all"]["vars"].update({"eucalyptus_version": "4.2", "eucalyptus_network_mode": "MANAGED",
                               "eucalyptus_network_configuration": doc, "midonet_version": ""})
    # seed 002: the CC and the NC on different machines; the NC on the second lab host only
    inv["all"]["children"]["cc"] = {"hosts": {"frontend": None}}
    inv["all"]["vars"]["preflight_extra_platforms"] = ["Debian-12"]
    inv["all"]["children"]["nc"]["hosts"]["nc1"]["eucalyptus_common_vnet_pubinterface"] = "eth0"
    result = run_preflight(tmp_path, inv, "managed-vlan")
    vlan = _records(result, "host.vlan_clean")
    assert sorted(r["host"] for r in vlan) == ["frontend", "nc1"]
    for record in vlan:
        assert record["status"] == "skipped"
        assert "this kernel has no 802.1q VLAN support" in record["reason"]
    assert set(result.changed().values()) == {0}
