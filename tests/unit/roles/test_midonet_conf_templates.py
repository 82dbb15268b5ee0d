"""Render tests of the ZooKeeper and Cassandra server lists of `midolman` and `midonet_api`
through Ansible (rolerender.py): both roles list the same servers as the zookeeper role."""
import configparser

from rolerender import inventory

HV = {
    "zk2": {"eucalyptus_host_ip": "10.0.0.2"},
    "zk1": {"zookeeper_address": "10.0.1.1", "eucalyptus_host_ip": "10.0.0.1"},
    "db1": {"cassandra_listen_address": "10.0.2.1"},
    "db2": {"ansible_host": "10.0.0.32"},
    "nc1": {"eucalyptus_host_ip": "10.0.0.21"},
}
GROUPS = {"zookeeper": ["zk2", "zk1"], "cassandra": ["db2", "db1"], "midonet_api": ["zk1"], "midolman": ["nc1"]}


def section(text, name):
    cp = configparser.ConfigParser()
    cp.read_string(text)
    return dict(cp[name])


def test_midolman_conf_lists_the_ensemble(render_role):
    r = render_role("midolman", inventory(GROUPS, HV), hosts="nc1", templates=["midolman.conf.j2"])
    assert r.rc == 0, r.output
    zk = section(r.files["nc1"]["midolman.conf.j2"], "zookeeper")
    assert zk["zookeeper_hosts"] == "10.0.1.1:2181,10.0.0.2:2181"
    assert zk["root_key"] == "/midonet"


def test_midonet_api_conf_and_mn_conf_keys(render_role):
    r = render_role("midonet_api", inventory(GROUPS, HV), hosts="zk1", templates=["midonet.conf.j2"],
                    facts=["_midonet_api_mn_conf"])
    assert r.rc == 0, r.output
    assert section(r.files["zk1"]["midonet.conf.j2"], "zookeeper")["zookeeper_hosts"] == "10.0.1.1:2181,10.0.0.2:2181"
    keys = r.facts["zk1"]["_midonet_api_mn_conf"]
    assert keys["zookeeper.zookeeper_hosts"] == "10.0.1.1:2181,10.0.0.2:2181"
    assert keys["cassandra.servers"] == "10.0.2.1,10.0.0.32"


def test_given_server_lists_need_no_addresses(render_role):
    hv = dict(HV, zk3={"ansible_python_interpreter": "/nonexistent/python"})
    groups = dict(GROUPS, zookeeper=["zk1", "zk2", "zk3"])
    r = render_role("midolman", inventory(groups, hv), hosts="nc1", templates=["midolman.conf.j2"],
                    role_vars={"midolman_zookeeper_hosts": "zk.example.com:2181"})
    assert r.rc == 0, r.output
    assert section(r.files["nc1"]["midolman.conf.j2"], "zookeeper")["zookeeper_hosts"] == "zk.example.com:2181"
    r = render_role("midolman", inventory(groups, hv), hosts="nc1", templates=["midolman.conf.j2"])
    assert r.rc != 0
    assert "No address known for zk3" in r.output
