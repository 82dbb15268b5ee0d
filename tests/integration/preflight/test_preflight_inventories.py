"""playbooks/preflight.yml on bad inventories: each fails one named check with a clear reason,
before any host is contacted (only localhost runs tasks), and changes nothing (changed=0 for
every host of the recap). Good inventories of each mode pass the same checks.

The hosts are reached with ansible_connection=local, so a check that wrongly went on to the host
phase would show up as tasks of frontend/nc1 in the json output."""
import concurrent.futures
import copy

import pytest

from preflight_run import (MANAGED_DOC, VPC_DOC, edge_inventory, groups_of, hostvars_of, local_host,
                           managed_inventory, run_preflight, vpc_inventory)


def _vars(inv):
    return inv["all"]["vars"]


def _doc(inv):
    return _vars(inv)["eucalyptus_network_configuration"]


def _set(**values):
    def mutate(inv):
        _vars(inv).update(values)
    return mutate


def _del(name):
    def mutate(inv):
        _vars(inv).pop(name)
    return mutate


def _group_hosts(group, hosts):
    def mutate(inv):
        groups_of(inv)[group] = {"hosts": dict((h, None) for h in hosts)}
    return mutate


def _add_host(group, host, **hostvars):
    def mutate(inv):
        groups_of(inv).setdefault(group, {"hosts": {}})
        groups_of(inv)[group].setdefault("hosts", {})
        groups_of(inv)[group]["hosts"][host] = hostvars or None
    return mutate


def _doc_set(path, value):
    def mutate(inv):
        node = _doc(inv)
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return mutate


def _hostvar(host, **values):
    def mutate(inv):
        hostvars_of(inv, host).update(values)
    return mutate


def _gateway_var(**values):
    def mutate(inv):
        groups_of(inv)["midonet_gateway"]["vars"].update(values)
    return mutate


def _both(*mutations):
    def mutate(inv):
        for m in mutations:
            m(inv)
    return mutate


def _seven_gateways(inv):
    gw = groups_of(inv)["midonet_gateway"]["hosts"]
    for i in range(2, 8):
        name = "gw%d" % i
        hostvars = local_host("198.51.100.%d" % (40 + i))
        hostvars.pop("eucalyptus_zone")
        gw[name] = hostvars
        groups_of(inv)["midolman"]["hosts"][name] = None


def _managed_41(inv):
    """4.1 MANAGED: eucalyptus.conf values, no network.json."""
    _vars(inv).update({"eucalyptus_version": "4.1", "eucalyptus_common_vnet_subnet": "10.10.0.0",
                       "eucalyptus_common_vnet_netmask": "255.255.0.0"})
    _vars(inv).pop("eucalyptus_network_configuration")


def _shared_cc_nc(inv):
    groups_of(inv)["nc"]["hosts"]["frontend"] = None


# (id, base inventory, mutation, failed check, words of its reason)
CASES = [
    ("version-unsupported", vpc_inventory, _set(eucalyptus_version="4.0"), "version", "'4.0' is not a supported release"),
    ("version-missing", vpc_inventory, _del("eucalyptus_version"), "version", "is not a supported release"),
    ("mode-missing", vpc_inventory, _del("eucalyptus_network_mode"), "mode", "eucalyptus_network_mode is not set"),
    ("mode-system", edge_inventory, _set(eucalyptus_network_mode="SYSTEM"), "mode", "SYSTEM is a 3.x network mode"),
    ("mode-static-42", managed_inventory, _set(eucalyptus_network_mode="STATIC"), "mode", "STATIC is a 3.x network mode"),
    ("mode-managed-44", managed_inventory, _set(eucalyptus_version="4.4"), "mode",
     "managed network modes were removed from the product in 4.4.0"),
    ("mode-typo", vpc_inventory, _set(eucalyptus_network_mode="VPC"), "mode", "'VPC' is not a network mode of Eucalyptus 4.4"),
    ("midonet-1-on-44", vpc_inventory, _set(midonet_version="1.9"), "midonet_version",
     "does not go with Eucalyptus 4.4, whose eucanetd speaks MidoNet 5.x"),
    ("tunnel-zone-name-44", vpc_inventory, _set(midolman_tunnel_zone_name="tz-main"), "tunnel_zone",
     "only uses mido-tz, midotz, euca-tz or eucatz"),
    ("two-clcs", vpc_inventory, _add_host("clc", "nc1"), "inventory.clc", "exactly one host must be in group clc, found 2"),
    ("no-clc", edge_inventory, lambda inv: groups_of(inv).update({"clc": {"hosts": {}}}), "inventory.clc",
     "found 0 (none)"),
    ("no-ufs", vpc_inventory, _group_hosts("ufs", []), "inventory.components", "group ufs is empty"),
    ("three-walrus", edge_inventory, _both(_add_host("walrus", "nc1"), _add_host("walrus", "nc2")),
     "inventory.components", "group walrus has 3 hosts"),
    ("zone-without-sc", edge_inventory, _hostvar("nc2", eucalyptus_zone="zone2"), "inventory.zones",
     "zone zone2 has no CC; zone zone2 has no SC"),
    ("three-ccs", edge_inventory, _both(_add_host("cc", "nc1"), _add_host("cc", "nc2")), "inventory.zones",
     "zone zone1 has 3 CCs"),
    ("nc-outside-cluster", edge_inventory, _hostvar("nc1", eucalyptus_zone="zone9"), "inventory.clusters",
     "NCs outside any cluster (no CC in their zone): nc1 (zone zone9)"),
    ("host-without-zone", edge_inventory, _hostvar("nc2", eucalyptus_zone=""), "inventory.zones",
     "no zone for nc2 (nc): set eucalyptus_zone"),
    ("zookeeper-even", vpc_inventory, _add_host("zookeeper", "nc1"), "inventory.zookeeper",
     "the ZooKeeper ensemble has 2 members"),
    ("zookeeper-empty", vpc_inventory, _group_hosts("zookeeper", []), "inventory.zookeeper", "group zookeeper is empty"),
    ("zookeeper-duplicate-id", vpc_inventory,
     _both(_add_host("zookeeper", "nc1"), _add_host("zookeeper", "zk3", ansible_connection="local",
                                                    eucalyptus_host_ip="198.51.100.30"),
           _hostvar("frontend", zookeeper_id=1), _hostvar("nc1", zookeeper_id=1)),
     "inventory.zookeeper", "both get id 1"),
    ("api-not-on-clc", vpc_inventory, _group_hosts("midonet_api", ["nc1"]), "inventory.midonet",
     "the MidoNet API runs on nc1, not on the CLC frontend"),
    ("nc-without-midolman", vpc_inventory, _group_hosts("midolman", ["frontend"]), "inventory.midonet",
     "midolman must run on the CLC, every NC and every gateway host; missing on nc1"),
    ("seven-gateways", vpc_inventory, _seven_gateways, "inventory.midonet", "7 MidoNet gateways"),
    ("eucanetd-on-nc-vpcmido", vpc_inventory, _group_hosts("eucanetd", ["frontend", "nc1"]), "inventory.eucanetd",
     "VPCMIDO: the CLC only): not on nc1"),
    ("eucanetd-missing-nc-edge", edge_inventory, _group_hosts("eucanetd", ["nc1"]), "inventory.eucanetd",
     "EDGE: every NC): missing on nc2"),
    ("no-network-configuration", vpc_inventory, _del("eucalyptus_network_configuration"), "network.configuration",
     "no network configuration: set eucalyptus_network_configuration"),
    ("public-ips-reversed-range", vpc_inventory, _doc_set("PublicIps", ["203.0.113.14-203.0.113.2"]),
     "network.configuration", 'Invalid IP or IP range for "PublicIps[0]"'),
    ("unknown-key", vpc_inventory, _doc_set("_comment", "from the docs' template"), "network.configuration",
     'Unrecognized field "_comment"'),
    ("document-mode-mismatch", edge_inventory, _doc_set("Mode", "VPCMIDO"), "network.configuration",
     "network.json Mode is VPCMIDO, eucalyptus_network_mode is EDGE"),
    ("host-in-public-ips", vpc_inventory,
     _both(_doc_set("PublicIps", ["198.51.100.20-198.51.100.25"]),
           _gateway_var(midonet_gateway_public_ips=["198.51.100.20-198.51.100.25"])),
     "network.addresses", "nc1 (198.51.100.21) is inside PublicIps"),
    ("gateway-ip-not-uplink", vpc_inventory, _gateway_var(midonet_gateway_gateway_ip="192.0.2.3"),
     "network.addresses", "Mido GatewayIP 192.0.2.2 differs from midonet_gateway_gateway_ip 192.0.2.3"),
    ("gateway-interface-not-peer", vpc_inventory, _doc_set("Mido.GatewayInterface", "eth1"),
     "network.addresses", "Mido GatewayInterface eth1 is not the up-link peer veth1"),
    ("public-ips-not-uplink", vpc_inventory, _gateway_var(midonet_gateway_public_ips=["203.0.113.2-203.0.113.10"]),
     "network.addresses", "PublicIps (203.0.113.2-203.0.113.14) differ from midonet_gateway_public_ips"),
    ("gateway-host-unknown", vpc_inventory, _doc_set("Mido.GatewayHost", "ufs.euca"), "network.addresses",
     "Mido GatewayHost 'ufs.euca' is not a host of group midonet_gateway"),
    ("eucanetd-host-ip-43", vpc_inventory,
     _both(_set(eucalyptus_version="4.3", midonet_version="1.9"), _doc_set("Mido.EucanetdHost", "198.51.100.10")),
     "network.addresses", "Mido EucanetdHost '198.51.100.10' is an IP: eucanetd 4.3 matches it against the MidoNet host name"),
    ("eucanetd-host-not-clc", vpc_inventory, _doc_set("Mido.EucanetdHost", "nc1.euca"), "network.addresses",
     "Mido EucanetdHost 'nc1.euca' is not the CLC"),
    ("cluster-not-a-zone", edge_inventory, _doc_set("Clusters", [dict(copy.deepcopy(edge_inventory()["all"]["vars"]
                                                                            ["eucalyptus_network_configuration"]
                                                                            ["Clusters"][0]), Name="PARTI00")]),
     "network.clusters", "Clusters PARTI00 are not zones of the inventory"),
    ("managed-segment-too-large", managed_inventory,
     _doc_set("ManagedSubnet", {"Subnet": "172.16.0.0", "Netmask": "255.255.255.224", "SegmentSize": "64",
                                "MinVlan": "512", "MaxVlan": "639"}),
     "managed.capacity", "ADDRSPERNET 64 is larger than the 32 addresses of 172.16.0.0/255.255.255.224"),
    ("managed-too-many-users", managed_inventory, _set(preflight_managed_users=500), "managed.capacity",
     "128 / 500 users = 0 per user"),
    ("managed-few-instances", managed_inventory,
     _both(_doc_set("ManagedSubnet", dict(MANAGED_DOC["ManagedSubnet"], SegmentSize="16")),
           _set(preflight_managed_min_instances_per_group=10)),
     "managed.capacity", "16 - 11 reserved = 5 instances per security group: fewer than the 10"),
    ("managed-41-addrspernet", managed_inventory, _both(_managed_41, _set(eucalyptus_common_vnet_addrspernet="24")),
     "managed.capacity", "ADDRSPERNET 24 must be a power of 2 from 16 to 2048"),
    ("managed-novlan-one-machine", managed_inventory,
     _both(_set(eucalyptus_network_mode="MANAGED-NOVLAN"), _doc_set("Mode", "MANAGED-NOVLAN"),
           _doc_set("ManagedSubnet", {"Subnet": "172.16.0.0", "Netmask": "255.255.0.0"}), _shared_cc_nc),
     "managed.single_host", "frontend run both CC and NC"),
]

GOOD = [("good-vpcmido-44", vpc_inventory), ("good-edge-44", edge_inventory), ("good-managed-42", managed_inventory),
        ("good-managed-41", lambda: _mutated(managed_inventory, _managed_41))]


def _mutated(base, mutate):
    inv = base()
    mutate(inv)
    return inv


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every inventory run once, four at a time (each run is a separate ansible-playbook)."""
    tmp = tmp_path_factory.mktemp("preflight-inventories")
    jobs = dict((case[0], _mutated(case[1], case[2])) for case in CASES)
    jobs.update((name, base()) for name, base in GOOD)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = dict((name, pool.submit(run_preflight, tmp, inv, name, "-e", "preflight_host_checks=false"))
                       for name, inv in jobs.items())
        return dict((name, f.result()) for name, f in futures.items())


def test_enough_bad_inventories():
    assert len(CASES) >= 25
    assert len(set(c[0] for c in CASES)) == len(CASES)
    # every inventory-level check is exercised by at least one bad inventory
    assert set(c[3] for c in CASES) >= {
        "version", "mode", "midonet_version", "tunnel_zone", "inventory.clc", "inventory.components",
        "inventory.zones", "inventory.clusters", "inventory.zookeeper", "inventory.midonet", "inventory.eucanetd",
        "network.configuration", "network.addresses", "network.clusters", "managed.capacity", "managed.single_host"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_inventory_fails_before_any_host(runs, case):
    name, _base, _mutate, check, words = case
    result = runs[name]
    assert result.rc != 0, "%s: the preflight passed" % name
    failed = result.failed()
    assert any(r["check"] == check and words in r["reason"] for r in failed), \
        "%s: no failed %s record with %r; failed records: %s" % (name, check, words, failed)
    # the report was printed and the run failed on it, naming the check and its reason
    assert any(line.startswith("failed  %s" % check) for line in result.report_lines())
    message = result.failure_message()
    assert "preflight failed before contacting any host" in message and check in message
    # nothing but the first play ran, and only on the controller
    assert result.plays() == ["Preflight 1/3: inventory, versions, mode and network.json (no host contacted)"]
    assert result.task_hosts() == {"localhost"}
    assert set(result.changed().values()) == {0}, result.changed()


@pytest.mark.parametrize("name", [g[0] for g in GOOD])
def test_good_inventory_passes(runs, name):
    result = runs[name]
    assert result.rc == 0, "%s: %s" % (name, result.failed() or result.stderr[-2000:])
    assert result.failed() == []
    statuses = dict((r["check"], r["status"]) for r in result.records())
    assert statuses["version"] == statuses["mode"] == statuses["network.configuration"] == "passed" \
        or name == "good-managed-41"
    assert result.plays()[-1] == "Preflight 3/3: the report"
    assert set(result.changed().values()) == {0}
    assert result.report_lines()[-1].startswith("preflight: ")


def test_managed_capacity_math_of_seed_001(runs):
    """Seed 001: 10.10.0.0/255.255.0.0, ADDRSPERNET 32 -> 2048 concurrent networks."""
    record = [r for r in runs["good-managed-41"].records() if r["check"] == "managed.capacity"][0]
    assert record["status"] == "passed"
    assert "65536 addresses / ADDRSPERNET 32 = 2048 concurrent networks" in record["reason"]
    assert "32 - 11 reserved = 21 instances per security group" in record["reason"]


def test_vpc_document_is_the_validated_one():
    """The good VPCMIDO document is the shape of seed 000 (no accidental edits by the cases)."""
    assert vpc_inventory()["all"]["vars"]["eucalyptus_network_configuration"] == VPC_DOC
