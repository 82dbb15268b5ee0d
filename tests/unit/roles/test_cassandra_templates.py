"""Render tests of the `cassandra` role's template through Ansible (rolerender.py); Cassandra
cannot be installed on the lab hosts, so this is where cassandra.yaml is checked."""
import yaml

from rolerender import inventory

THREE = {
    "nsdb1": {"eucalyptus_host_ip": "10.0.0.11"},
    "nsdb2": {"cassandra_listen_address": "10.0.1.12"},   # the node's own variable wins
    "nsdb3": {"ansible_host": "10.0.0.13"},               # ansible_host when it is an IP
}


def conf(r, host):
    return yaml.safe_load(r.files[host]["cassandra.yaml.j2"])


def seeds(c):
    return c["seed_provider"][0]["parameters"][0]["seeds"]


def test_lab_inventory_single_node(render_role):
    r = render_role("cassandra", "inventories/lab/hosts.yml", hosts="cassandra", templates=["cassandra.yaml.j2"])
    assert r.rc == 0, r.output
    text = r.files["frontend"]["cassandra.yaml.j2"]
    assert text.startswith("# Ansible managed")
    c = conf(r, "frontend")
    assert c["cluster_name"] == "midonet"
    assert c["listen_address"] == c["rpc_address"] == "10.89.200.10"     # eucalyptus_host_ip of the lab frontend
    assert seeds(c) == "10.89.200.10"
    assert c["seed_provider"][0]["class_name"] == "org.apache.cassandra.locator.SimpleSeedProvider"
    assert c["start_rpc"] is True and c["rpc_port"] == 9160   # MidoNet 1.x speaks Thrift
    assert c["partitioner"] == "org.apache.cassandra.dht.Murmur3Partitioner"
    assert c["data_file_directories"] == ["/var/lib/cassandra/data"]


def test_three_nodes_seeds_sorted_and_own_addresses(render_role):
    r = render_role("cassandra", inventory({"cassandra": ["nsdb3", "nsdb1", "nsdb2"]}, THREE),
                    templates=["cassandra.yaml.j2"])
    assert r.rc == 0, r.output
    for host, own in (("nsdb1", "10.0.0.11"), ("nsdb2", "10.0.1.12"), ("nsdb3", "10.0.0.13")):
        c = conf(r, host)
        assert seeds(c) == "10.0.0.11,10.0.1.12,10.0.0.13"
        assert c["listen_address"] == c["rpc_address"] == own


def test_explicit_seeds_cluster_name_and_extra(render_role):
    r = render_role("cassandra", inventory({"cassandra": ["nsdb1", "nsdb2", "nsdb3"]}, THREE), hosts="nsdb1",
                    templates=["cassandra.yaml.j2"],
                    role_vars={"cassandra_seeds": ["10.0.0.11"], "cassandra_cluster_name": "euca-nsdb",
                               "cassandra_extra_config": {"concurrent_writes": 64,
                                                          "endpoint_snitch": "GossipingPropertyFileSnitch"}})
    assert r.rc == 0, r.output
    c = conf(r, "nsdb1")
    assert seeds(c) == "10.0.0.11"
    assert c["cluster_name"] == "euca-nsdb"
    assert c["concurrent_writes"] == 64
    assert c["endpoint_snitch"] == "GossipingPropertyFileSnitch"
    assert c["listen_address"] == "10.0.0.11"


def test_a_node_with_no_knowable_address_stops_the_render(render_role):
    hv = dict(THREE, nsdb4={"ansible_host": "nsdb4.example.com", "ansible_python_interpreter": "/nonexistent/python"})
    r = render_role("cassandra", inventory({"cassandra": ["nsdb1", "nsdb2", "nsdb3", "nsdb4"]}, hv), hosts="nsdb1",
                    templates=["cassandra.yaml.j2"])
    assert r.rc != 0
    assert "No address known for nsdb4" in r.output
    assert r.files == {}
