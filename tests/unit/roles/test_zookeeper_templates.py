"""Render tests of the `zookeeper` role through Ansible (rolerender.py): zoo.cfg and myid of
every member, computed by the role's own tasks from an inventory."""
from rolerender import inventory, parse_properties

THREE = {
    "zk-c": {"eucalyptus_host_ip": "10.0.0.3"},
    "zk-a": {"eucalyptus_host_ip": "10.0.0.1"},
    "zk-b": {"zookeeper_address": "10.0.9.2", "eucalyptus_host_ip": "10.0.0.2"},
}


def members(r):
    """{host: (myid, {id: server line})} of a render."""
    out = {}
    for host, files in r.files.items():
        cfg = parse_properties(files["zoo.cfg.j2"])
        servers = {int(k.split(".", 1)[1]): v for k, v in cfg.items() if k.startswith("server.")}
        out[host] = (int(r.facts[host]["_zookeeper_myid"]), servers)
    return out


def test_single_host_defaults(render_role):
    r = render_role("zookeeper", inventory({"zookeeper": ["frontend"]}, {"frontend": {"eucalyptus_host_ip": "10.89.200.10"}}),
                    templates=["zoo.cfg.j2"], facts=["_zookeeper_myid"])
    assert r.rc == 0, r.output
    text = r.files["frontend"]["zoo.cfg.j2"]
    assert text.startswith("# Ansible managed")
    cfg = parse_properties(text)
    assert cfg["dataDir"] == "/var/lib/zookeeper/data"
    assert cfg["clientPort"] == "2181"
    assert cfg["autopurge.snapRetainCount"] == "3"
    assert cfg["autopurge.purgeInterval"] == "1"
    assert cfg["4lw.commands.whitelist"] == "ruok,srvr,stat,mntr,conf"
    assert cfg["admin.enableServer"] == "false"
    assert "admin.serverPort" not in cfg
    assert cfg["server.1"] == "10.89.200.10:2888:3888"
    assert r.facts["frontend"]["_zookeeper_myid"] in (1, "1")


def test_lab_inventory(render_role):
    r = render_role("zookeeper", "inventories/lab-multinode/hosts.yml", hosts="zookeeper",
                    templates=["zoo.cfg.j2"], facts=["_zookeeper_myid"])
    assert r.rc == 0, r.output
    assert members(r) == {"frontend": (1, {1: "10.89.201.10:2888:3888"})}


def test_every_member_writes_the_same_sorted_ensemble_and_its_own_line(render_role):
    r = render_role("zookeeper", inventory({"zookeeper": ["zk-c", "zk-a", "zk-b"]}, THREE),
                    templates=["zoo.cfg.j2"], facts=["_zookeeper_myid"])
    assert r.rc == 0, r.output
    got = members(r)
    expected = {1: "10.0.0.1:2888:3888", 2: "10.0.9.2:2888:3888", 3: "10.0.0.3:2888:3888"}
    assert {h: s for h, (_id, s) in got.items()} == {"zk-a": expected, "zk-b": expected, "zk-c": expected}
    assert {h: i for h, (i, _server) in got.items()} == {"zk-a": 1, "zk-b": 2, "zk-c": 3}


def test_pinned_id_in_the_inventory(render_role):
    hv = {k: dict(v) for k, v in THREE.items()}
    hv["zk-c"]["zookeeper_id"] = 7
    r = render_role("zookeeper", inventory({"zookeeper": ["zk-a", "zk-b", "zk-c"]}, hv),
                    templates=["zoo.cfg.j2"], facts=["_zookeeper_myid"])
    assert r.rc == 0, r.output
    for host, (myid, servers) in members(r).items():
        assert sorted(servers) == [1, 2, 7]
        assert servers[myid].startswith(hv[host].get("zookeeper_address", hv[host]["eucalyptus_host_ip"]) + ":")


def test_host_outside_the_group_with_a_pinned_id_runs_alone(render_role):
    hv = dict(THREE, lone={"eucalyptus_host_ip": "10.0.5.5", "zookeeper_id": 9})
    r = render_role("zookeeper", inventory({"zookeeper": ["zk-a", "zk-b", "zk-c"], "other": ["lone"]}, hv),
                    templates=["zoo.cfg.j2"], facts=["_zookeeper_myid"])
    assert r.rc == 0, r.output
    assert members(r)["lone"] == (9, {9: "10.0.5.5:2888:3888"})
    assert sorted(members(r)["zk-a"][1]) == [1, 2, 3]


def test_id_given_as_a_role_variable_is_refused(render_role):
    r = render_role("zookeeper", inventory({"zookeeper": ["zk-a", "zk-b", "zk-c"]}, THREE), hosts="zk-a",
                    templates=["zoo.cfg.j2"], role_vars={"zookeeper_id": 5})
    assert r.rc != 0
    assert "is a play, role or extra variable" in r.output
    assert r.files == {}


def test_duplicate_ids_are_refused_before_rendering(render_role):
    hv = {k: dict(v) for k, v in THREE.items()}
    hv["zk-c"]["zookeeper_id"] = 1       # zk-a has position 1
    r = render_role("zookeeper", inventory({"zookeeper": ["zk-a", "zk-b", "zk-c"]}, hv), templates=["zoo.cfg.j2"])
    assert r.rc != 0
    assert "zk-a and zk-c both get id 1" in r.output
    assert r.files == {}


def test_unknown_address_stops_before_rendering(render_role):
    # zk-x has no address and its facts cannot be gathered (no interpreter there)
    hv = dict(THREE, **{"zk-x": {"ansible_python_interpreter": "/nonexistent/python"}})
    r = render_role("zookeeper", inventory({"zookeeper": ["zk-a", "zk-b", "zk-c", "zk-x"]}, hv),
                    hosts="zk-a", templates=["zoo.cfg.j2"])
    assert r.rc != 0
    assert "No address known for zk-x" in r.output
    assert r.files == {}


def test_extra_config_and_admin_server(render_role):
    r = render_role("zookeeper", inventory({"zookeeper": ["zk-a"]}, THREE), hosts="zk-a", templates=["zoo.cfg.j2"],
                    role_vars={"zookeeper_admin_server_enabled": True,
                               "zookeeper_extra_config": {"snapCount": 1000, "globalOutstandingLimit": 500}})
    assert r.rc == 0, r.output
    cfg = parse_properties(r.files["zk-a"]["zoo.cfg.j2"])
    assert cfg["admin.enableServer"] == "true"
    assert cfg["admin.serverPort"] == "8089"
    assert cfg["snapCount"] == "1000" and cfg["globalOutstandingLimit"] == "500"
