"""euca_service, euca_service_info, euca_property and euca_nodes against the CLC stand-in and the
admin tools of both product lines (4.1 euca_conf/euca-*, 4.4 euserv/euctl/clusteradmin).

Every state assertion is read back from the CLC's PostgreSQL with ``psql`` (or from
eucalyptus.conf for NODES), not only from the module's result. The modules run as on a target
(tests/module_runner.py); one real ``ansible-playbook -vvv`` run checks that no credential leaks.
"""
import json
import os
import subprocess
import time

from euca_cloud import failed, ok
from module_runner import controller_bin, target_python

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
NET = "cloud.network.network_configuration"


def network_doc(ip):
    return {
        "Mode": "VPCMIDO",
        "InstanceDnsServers": [ip],
        "PublicIps": ["203.0.113.10-203.0.113.20"],
        "Mido": {"EucanetdHost": "clc.euca", "GatewayHost": "clc.euca", "GatewayIP": "198.51.100.2",
                 "GatewayInterface": "veth1", "PublicNetworkCidr": "198.51.100.0/24",
                 "PublicGatewayIP": "198.51.100.1"},
    }


def svc_args(cloud, name, type_, zone=None, **extra):
    args = dict(name=name, type=type_, host=cloud.ip, wait_timeout=60)
    # the stand-ins answer on free ports; euca_conf 4.1 has a port option only for CCs and
    # --register-service (its SC and Walrus registrations use the CLC's port)
    if type_ == "cluster":
        args["port"] = cloud.c.cc_port
    elif cloud.line != "4.1" or type_ == "user-api":
        args["port"] = cloud.c.clc_port
    if zone:
        args["zone"] = zone
    args.update(extra)
    return args


# ------------------------------------------------------------------ euca_service

def test_register_check_diff_idempotent(cloud):
    args = svc_args(cloud, "zone1-cc", "cluster", "zone1")
    r = ok(cloud.module("euca_service", args, check=True, diff=True))
    assert r["changed"] is True and r["tools"] == cloud.tools
    assert r["diff"] == {"before": {}, "after": {"name": "zone1-cc", "type": "cluster", "zone": "zone1",
                                                 "host": cloud.ip}}
    assert "zone1-cc" not in cloud.services_db()                       # check mode wrote nothing
    r = ok(cloud.module("euca_service", args, diff=True))
    assert r["changed"] is True
    assert r["service"] == {"name": "zone1-cc", "type": "cluster", "zone": "zone1", "host": cloud.ip,
                            "state": "enabled"}
    assert cloud.services_db()["zone1-cc"] == ("cluster", "zone1", cloud.ip, "enabled")
    r = ok(cloud.module("euca_service", args, diff=True))
    assert r["changed"] is False and r["service"]["state"] == "enabled"
    assert r["diff"]["before"] == r["diff"]["after"]
    # no write tool ran the second time
    assert not [c for c in r["commands"] if "register" in c]


def test_register_other_types(cloud):
    for args in (svc_args(cloud, "api-1", "user-api"), svc_args(cloud, "walrus-1", "walrusbackend")):
        r = ok(cloud.module("euca_service", args))
        assert r["changed"] is True and r["service"]["type"] == args["type"]
        db = cloud.services_db()[args["name"]]
        assert db[0] == args["type"] and db[2] == cloud.ip
        assert db[1] == args["name"]                  # the CLC sets partition = name for these types
        assert r["service"]["state"] == "enabled" == db[3]
        r = ok(cloud.module("euca_service", args))
        assert r["changed"] is False


def test_zone_refused_for_unpartitioned_types(cloud):
    before = cloud.services_db()
    if cloud.line == "4.1":
        r = failed(cloud.module("euca_service", dict(svc_args(cloud, "sc-port", "storage", "zone1"), port=8773)))
        assert "port is not supported for type storage with the 4.1 tools" in r["msg"]
    r = failed(cloud.module("euca_service", svc_args(cloud, "api-z", "user-api", zone="zone1")))
    assert "zone is not accepted for type user-api" in r["msg"]
    r = failed(cloud.module("euca_service", svc_args(cloud, "cc-nozone", "cluster")))
    assert "zone is required for type cluster" in r["msg"]
    assert cloud.services_db() == before


def test_conflicting_host_or_zone_refused(cloud):
    before = cloud.services_db()
    r = failed(cloud.module("euca_service", dict(svc_args(cloud, "zone1-cc", "cluster", "zone1"), host="192.0.2.77")))
    assert "service zone1-cc is already registered with host %s (wanted 192.0.2.77)" % cloud.ip in r["msg"]
    assert "re-registering is destructive" in r["msg"]
    r = failed(cloud.module("euca_service", svc_args(cloud, "zone1-cc", "cluster", "zone2")))
    assert "zone zone1 (wanted zone2)" in r["msg"]
    # another name for a CC on the same host: the CLC would refuse it
    r = failed(cloud.module("euca_service", svc_args(cloud, "zone2-cc", "cluster", "zone2")))
    assert "already has a cluster service named zone1-cc" in r["msg"]
    assert not [c for c in r["commands"] if "register" in c]
    assert cloud.services_db() == before


def test_refusal_by_the_clc_detected_by_read_back(cloud):
    # a loopback host passes the module's checks; the CLC refuses it (euserv exits 0 and prints nothing)
    r = failed(cloud.module("euca_service", dict(svc_args(cloud, "api-lo", "user-api"), host="127.0.0.1")))
    if cloud.line == "4.1":
        assert "Components cannot be registered using local, link-local, or multicast addresses" in r["msg"]
    else:
        assert "the CLC did not register user-api api-lo at 127.0.0.1" in r["msg"]
        assert "it is not listed" in r["msg"]
    assert "api-lo" not in cloud.services_db()


def test_storage_wait_timeout_then_broken_then_enabled(cloud):
    args = svc_args(cloud, "zone1-sc", "storage", "zone1", wait_timeout=3)
    started = time.time()
    r = failed(cloud.module("euca_service", args))
    assert 2.5 < time.time() - started < 30
    assert "service zone1-sc did not reach enabled within 3s; last state seen: broken" in r["msg"]
    assert r["changed"] is True and r["service"]["state"] == "broken"
    with open(cloud.c.p("var/log/eucalyptus/cloud-output.log")) as f:      # written by the CLC stand-in
        last = [ln for ln in f.read().splitlines() if ln.strip()]
    assert last and "last lines of cloud-output.log" in r["msg"] and r["msg"].rstrip().endswith(last[-1].rstrip())
    assert cloud.services_db()["zone1-sc"][3] == "broken"
    r = ok(cloud.module("euca_service", dict(args, wait_states=["enabled", "broken"])))
    assert r["changed"] is False and r["service"]["state"] == "broken"
    r = ok(cloud.module("euca_property", dict(name="zone1.storage.blockstoragemanager", value="overlay")))
    assert r["changed"] is True
    r = ok(cloud.module("euca_service", dict(args, wait_timeout=60)))
    assert r["changed"] is False and r["service"]["state"] == "enabled"


def test_service_info_shape_and_filters(cloud):
    r = ok(cloud.module("euca_service_info"))
    assert r["changed"] is False
    by_name = dict((s["name"], s) for s in r["services"])
    for s in r["services"]:
        assert set(s) == {"name", "type", "zone", "host", "state"}
        assert s["state"] == s["state"].lower()
    db = cloud.services_db()
    for name in ("zone1-cc", "zone1-sc", "api-1", "walrus-1"):
        assert (by_name[name]["type"], by_name[name]["zone"], by_name[name]["host"], by_name[name]["state"]) == db[name]
    r = ok(cloud.module("euca_service_info", dict(type=["cluster", "storage"])))
    assert sorted(s["name"] for s in r["services"]) == ["zone1-cc", "zone1-sc"]
    r = ok(cloud.module("euca_service_info", dict(name=["zone1-cc", "zone1"])))
    assert [s["name"] for s in r["services"]] == ["zone1-cc"]          # exact names, not prefixes


def test_absent(cloud):
    args = dict(name="api-1", state="absent")
    r = ok(cloud.module("euca_service", args, check=True, diff=True))
    assert r["changed"] is True and r["diff"]["after"] == {} and "api-1" in cloud.services_db()
    r = ok(cloud.module("euca_service", args))
    assert r["changed"] is True and r["service"] is None
    assert "api-1" not in cloud.services_db()
    r = ok(cloud.module("euca_service", args))
    assert r["changed"] is False
    r = failed(cloud.module("euca_service", dict(name="zone1-cc", type="storage", state="absent")))
    assert "registered with type cluster, not storage" in r["msg"] and "zone1-cc" in cloud.services_db()


# ------------------------------------------------------------------ euca_property

def test_properties_one_write_per_difference_check_and_diff(cloud):
    props = {"objectstorage.providerclient": "walrus", "system.dns.dnsdomain": "cloud.example.com"}
    r = ok(cloud.module("euca_property", dict(properties=props), check=True, diff=True))
    assert r["changed"] is True and set(r["changed_properties"]) == set(props)
    assert cloud.property_db("objectstorage.providerclient") != "walrus"          # nothing written
    r = ok(cloud.module("euca_property", dict(properties=props), diff=True))
    assert r["changed"] is True
    assert r["changed_properties"]["objectstorage.providerclient"]["after"] == "walrus"
    assert r["diff"]["after"]["system.dns.dnsdomain"] == "cloud.example.com"
    assert cloud.property_db("objectstorage.providerclient") == "walrus"
    assert cloud.property_db("system.dns.dnsdomain") == "cloud.example.com"
    writes = [c for c in r["commands"] if "=" in c]
    assert len(writes) == 2
    props["system.dns.dnsdomain"] = "other.example.com"
    r = ok(cloud.module("euca_property", dict(properties=props)))
    assert list(r["changed_properties"]) == ["system.dns.dnsdomain"]
    assert len([c for c in r["commands"] if "=" in c]) == 1                      # only the one that differs
    r = ok(cloud.module("euca_property", dict(properties=props)))
    assert r["changed"] is False and r["changed_properties"] == {}
    assert not [c for c in r["commands"] if "=" in c]


def test_unknown_property_fails_before_any_write(cloud):
    r = failed(cloud.module("euca_property", dict(properties={"system.dns.dnsdomain": "third.example.com",
                                                              "no.such.property": "1",
                                                              "system.dns": "x"})))
    # "system.dns" is a prefix of existing names, not a property
    assert r["msg"] == "unknown properties: no.such.property, system.dns"
    assert cloud.property_db("system.dns.dnsdomain") == "other.example.com"
    r = failed(cloud.module("euca_property", dict(name="zone9.storage.blockstoragemanager", value="overlay")))
    assert r["msg"] == "unknown property: zone9.storage.blockstoragemanager"


def test_json_property_src_and_reformatting(cloud, tmp_path):
    doc = network_doc(cloud.ip)
    src = tmp_path / "network.json"
    src.write_text(json.dumps(doc, indent=2) + "\n")
    r = ok(cloud.module("euca_property", dict(name=NET, src=str(src)), diff=True))
    assert r["changed"] is True
    stored = cloud.property_db(NET)
    assert json.loads(stored) == doc
    # 4.1 -f sends the file raw, euctl =@FILE stripped: the CLC holds exactly that
    assert stored == (src.read_text() if cloud.line == "4.1" else src.read_text().strip())
    # the same document reformatted (indent, key order) as a file and as a value: no change
    src.write_text(json.dumps(dict(reversed(list(doc.items()))), indent=7, sort_keys=False))
    r = ok(cloud.module("euca_property", dict(name=NET, src=str(src))))
    assert r["changed"] is False
    r = ok(cloud.module("euca_property", dict(properties={NET: json.dumps(doc, separators=(",", ":"))})))
    assert r["changed"] is False
    r = ok(cloud.module("euca_property", dict(properties={NET: doc})))             # a YAML mapping
    assert r["changed"] is False
    assert cloud.property_db(NET) == stored
    # a real change, then a document the CLC refuses: the tool's message, value kept
    changed = dict(doc, PublicIps=["203.0.113.30-203.0.113.40"])
    r = ok(cloud.module("euca_property", dict(name=NET, value=changed)))
    assert r["changed"] is True and json.loads(cloud.property_db(NET))["PublicIps"] == ["203.0.113.30-203.0.113.40"]
    bad = dict(changed)
    del bad["PublicIps"]
    r = failed(cloud.module("euca_property", dict(name=NET, value=bad)))
    assert "PublicIps" in r["msg"]
    assert json.loads(cloud.property_db(NET))["PublicIps"] == ["203.0.113.30-203.0.113.40"]


# ------------------------------------------------------------------ euca_nodes

def test_nodes_add_remove_purge(cloud):
    base = dict(copy_keys=False)
    r = ok(cloud.module("euca_nodes", dict(base, nodes=["10.0.0.3", "10.0.0.4"]), check=True, diff=True))
    assert r["changed"] is True and r["added"] == ["10.0.0.3", "10.0.0.4"] and cloud.nodes() == []
    assert r["diff"] == {"before": {"nodes": []}, "after": {"nodes": ["10.0.0.3", "10.0.0.4"]}}
    r = ok(cloud.module("euca_nodes", dict(base, nodes=["10.0.0.3", "10.0.0.4"])))
    assert (r["added"], r["removed"], r["nodes"]) == (["10.0.0.3", "10.0.0.4"], [], ["10.0.0.3", "10.0.0.4"])
    assert cloud.nodes() == ["10.0.0.3", "10.0.0.4"]
    r = ok(cloud.module("euca_nodes", dict(base, nodes=["10.0.0.4", "10.0.0.3"])))     # a set: order is no change
    assert r["changed"] is False and r["commands"] == []
    r = ok(cloud.module("euca_nodes", dict(base, nodes=["10.0.0.5"])))                   # no purge: added only
    assert r["added"] == ["10.0.0.5"] and cloud.nodes() == ["10.0.0.3", "10.0.0.4", "10.0.0.5"]
    r = ok(cloud.module("euca_nodes", dict(base, nodes=["10.0.0.5", "10.0.0.6"], purge=True)))
    assert (r["added"], r["removed"]) == (["10.0.0.6"], ["10.0.0.3", "10.0.0.4"])
    assert cloud.nodes() == ["10.0.0.5", "10.0.0.6"]
    r = ok(cloud.module("euca_nodes", dict(base, nodes=["10.0.0.6", "10.0.0.9"], state="absent")))
    assert (r["added"], r["removed"], r["nodes"]) == ([], ["10.0.0.6"], ["10.0.0.5"])
    assert cloud.nodes() == ["10.0.0.5"]
    r = failed(cloud.module("euca_nodes", dict(base, nodes=["nc7.example.com"])))
    assert "IPv4" in r["msg"] and cloud.nodes() == ["10.0.0.5"]


def test_nodes_copy_keys_only_to_added(cloud):
    # key copies go to root@NODE over SSH; an address nobody answers on makes the copy fail, and the
    # module says so after NODES was changed (the node is registered, its keys are not there)
    r = failed(cloud.module("euca_nodes", dict(nodes=["10.0.0.5", "192.0.2.1"]),
                            env={"RSYNC_RSH": "ssh -o BatchMode=yes -o ConnectTimeout=2"}))
    assert r["added"] == ["192.0.2.1"] and "192.0.2.1" in r["msg"]
    if cloud.line == "4.1":   # euca_conf copies the keys itself, to the nodes it registers
        assert [c for c in r["commands"] if "--register-nodes" in c] == ["euca_conf --register-nodes 192.0.2.1"]
    else:
        assert r["commands"] == ["clusteradmin-register-nodes 192.0.2.1", "clusteradmin-copy-keys 192.0.2.1"]
    assert cloud.nodes() == ["10.0.0.5", "192.0.2.1"]


# ------------------------------------------------------------------ secrets, CLC down

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/eucalyptus.cloud.euca:
      tools: %(tools)s
      eucarc: %(eucarc)s
  tasks:
    - eucalyptus.cloud.euca_service_info:
      register: info
    - eucalyptus.cloud.euca_property:
        properties:
          system.dns.dnsdomain: vvv.example.com
      register: prop
    - eucalyptus.cloud.euca_service:
        name: zone1-cc
        type: cluster
        host: "%(ip)s"
        zone: zone1
    - eucalyptus.cloud.euca_service:
        name: zone1-cc
        type: cluster
        host: 192.0.2.99
        zone: zone1
      ignore_errors: true
      register: bad
    - ansible.builtin.assert:
        that: [info.services | length > 0, prop is changed, bad is failed]
"""


def test_playbook_vvv_does_not_leak_credentials(cloud, tmp_path):
    secrets = cloud.credentials()
    values = [v for k, v in secrets.items() if "SECRET" in k or "ACCESS_KEY" in k]
    assert values
    (tmp_path / "play.yml").write_text(PLAYBOOK % dict(tools=cloud.tools, eucarc=cloud.eucarc or "/root/.euca/eucarc",
                                                       ip=cloud.ip))
    (tmp_path / "hosts").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n"
                                    % target_python())
    env = dict(cloud.c.env, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    proc = subprocess.run([controller_bin("ansible-playbook"), "-vvv", "-i", str(tmp_path / "hosts"),
                           str(tmp_path / "play.yml")], capture_output=True, text=True, env=env,
                          cwd=str(tmp_path), timeout=300, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "failed=0" in output and "ignored=1" in output
    for v in values:
        assert v not in output
    assert cloud.property_db("system.dns.dnsdomain") == "vvv.example.com"


def test_clc_down(cloud):
    cloud.c.stop()
    try:
        r = failed(cloud.module("euca_service_info"))
        assert r["msg"]
        if cloud.line == "4.4":
            assert "clcadmin-assume-system-credentials failed" in r["msg"]
        r = failed(cloud.module("euca_property", dict(name="system.dns.dnsdomain", value="down.example.com")))
        assert "failed (rc=" in r["msg"]
        r = failed(cloud.module("euca_service", svc_args(cloud, "zone3-cc", "cluster", "zone3")))
        assert "failed (rc=" in r["msg"]
        # with credentials in the environment, the describe itself fails (connection refused)
        if cloud.line == "4.4":
            cloud.c.start()
            creds = cloud.credentials()
            cloud.c.stop()
            r = failed(cloud.module("euca_service_info", env=creds))
            assert "euserv-describe-services" in r["msg"] and "error" in r["msg"]
    finally:
        cloud.c.start()
    assert cloud.property_db("system.dns.dnsdomain") == "vvv.example.com"
