"""The eucalyptus_verify role run by ansible-playbook on localhost against the MidoNet API
stand-in (flavors 1 and 5), with the walk-through's topology built by plain HTTP: it passes on
the complete topology (also under --check) and prints the midonet-cli listing; it fails with a
message naming what is missing when the default route, the binding or the link to eucabr is not
there; with credentials, they never show at -vvv. The services part needs
eucalyptus.cloud.euca_service_info, written separately: it is skipped with
eucalyptus_verify_services=false in the MidoNet tests, and its assertions are tested with a
test-only fake of that module's contract (fakes/euca_service_info.py) in a temporary copy of the
collection."""
import json
import os
import subprocess
import sys
import uuid

import pytest

import seed_topology as st
from midonet_standin import HOSTS, PASSWORD, TOP, USER, StandIn
from module_runner import target_python

CLC = HOSTS["clc.euca"]

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: eucalyptus.cloud.eucalyptus_verify
"""

# The walk-through's network.json (4.1 legacy form); GatewayHost is the midolman host name.
LEGACY = {
    "Mode": "VPCMIDO", "InstanceDnsServers": ["10.111.5.100"], "PublicIps": ["172.19.0.20-172.19.0.30"],
    "Mido": {"EucanetdHost": "clc.euca", "GatewayHost": "clc.euca", "GatewayIP": st.GATEWAY_IP,
             "GatewayInterface": "veth1", "PublicNetworkCidr": "172.19.0.0/30",
             "PublicGatewayIP": st.PUBLIC_GATEWAY_IP}}


def run_role(tmp_path, url, config, *extra, **kw):
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    extra_vars = {"eucalyptus_network_configuration": config, "eucalyptus_verify_services": False,
                  "eucalyptus_verify_midonet_api_url": url, "eucalyptus_verify_retries": 0,
                  "eucalyptus_verify_delay": 0, "ansible_python_interpreter": target_python()}
    extra_vars.update(kw.pop("extra_vars", {}))
    (tmp_path / "vars.json").write_text(json.dumps(extra_vars))
    collections = kw.pop("collections", None) or os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(
        TOP, ".cache", "collections")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, **kw.pop("env", {}))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_CALLBACK_RESULT_FORMAT="json",
               ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    proc = subprocess.run([ansible_playbook, "-i", "localhost,", "-c", "local", str(tmp_path / "play.yml"),
                           "-e", "@" + str(tmp_path / "vars.json")] + list(extra),
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def api(mido):
    return st.Api(mido.url, mido.flavor)


def _build(api, **kw):
    return st.build(api, kw.pop("host", CLC), zone_name="tz-" + uuid.uuid4().hex[:8], **kw)


def test_complete_topology_passes_and_prints_the_listing(mido, api, tmp_path):
    ids = _build(api)
    try:
        rc, out = run_role(tmp_path, mido.url, LEGACY)
        assert rc == 0, out[-4000:]
        for line in ("router router0 name eucart state up",
                     "host host0 interface veth1 port router0:port0",
                     "route route0 type normal src 0.0.0.0/0 dst 0.0.0.0/0 gw 172.19.0.1 port router0:port0 weight 0",
                     "port port0 device bridge0 state up peer router0:port1"):
            assert line in out, out[-4000:]
        assert "changed=0" in out and "failed=0" in out
        rc, out = run_role(tmp_path, mido.url, LEGACY, "--check")
        assert rc == 0 and "changed=0" in out, out[-4000:]
    finally:
        st.teardown(api, ids)


def test_missing_default_route_fails_with_its_name(mido, api, tmp_path):
    ids = _build(api, with_default_route=False)
    try:
        rc, out = run_role(tmp_path, mido.url, LEGACY)
        assert rc != 0
        assert "eucart has no default route (0.0.0.0/0) via 172.19.0.1 on the gateway port router0:port0" in out, out[-4000:]
        assert "not bound" not in out
    finally:
        st.teardown(api, ids)


def test_missing_binding_fails_with_its_name(mido, api, tmp_path):
    ids = _build(api, bind=False)
    try:
        rc, out = run_role(tmp_path, mido.url, LEGACY, "--check")
        assert rc != 0
        assert ("the gateway port router0:port0 of eucart (address 172.19.0.2) is not bound to any host "
                "interface; expected veth1 on clc.euca") in out, out[-4000:]
        assert "no default route" not in out
    finally:
        st.teardown(api, ids)


def test_binding_to_another_interface_or_host_fails(mido, api, tmp_path):
    ids = _build(api, interface="veth7")
    try:
        rc, out = run_role(tmp_path, mido.url, LEGACY)
        assert rc != 0
        assert "is bound to interface veth7 on host clc.euca, not to veth1 on clc.euca" in out, out[-4000:]
        other = dict(LEGACY, Mido=dict(LEGACY["Mido"], GatewayHost="ufs.euca", GatewayInterface="veth7"))
        rc, out = run_role(tmp_path, mido.url, other)
        assert rc != 0 and "not to veth7 on ufs.euca" in out, out[-4000:]
    finally:
        st.teardown(api, ids)


def test_unlinked_bridge_and_missing_router(mido, api, tmp_path):
    ids = _build(api)
    try:
        requests_delete_link(mido, ids["rt_port"])
        rc, out = run_role(tmp_path, mido.url, LEGACY)
        assert rc != 0 and "eucart is not linked to eucabr" in out, out[-4000:]
    finally:
        st.teardown(api, ids)
    rc, out = run_role(tmp_path, mido.url, LEGACY)
    assert rc != 0 and "no MidoNet router named eucart; no MidoNet bridge named eucabr" in out, out[-4000:]


def test_new_form_gateway_matched_by_host_address(mido, api, tmp_path):
    """4.4 new form: the gateway host is its IP (Ip), found among the MidoNet host's addresses."""
    host_id = str(uuid.uuid4())
    mido.register_host("gw44.euca", host_id)       # addresses ["192.0.2.1"]
    ids = _build(api, host=host_id, interface="em1")
    new_form = {"Mode": "VPCMIDO", "PublicIps": ["172.19.0.20-172.19.0.30"],
                "Mido": {"Gateways": [{"Ip": "192.0.2.1", "ExternalDevice": "em1", "ExternalCidr": "172.19.0.0/30",
                                       "ExternalIp": st.GATEWAY_IP, "ExternalRouterIp": st.PUBLIC_GATEWAY_IP}]}}
    try:
        rc, out = run_role(tmp_path, mido.url, new_form)
        assert rc == 0, out[-4000:]
        wrong = json.loads(json.dumps(new_form))
        wrong["Mido"]["Gateways"][0]["Ip"] = "192.0.2.99"
        rc, out = run_role(tmp_path, mido.url, wrong)
        assert rc != 0 and "not to em1 on 192.0.2.99" in out, out[-4000:]
    finally:
        st.teardown(api, ids)


def test_bad_network_configuration_fails_first(mido, tmp_path):
    rc, out = run_role(tmp_path, mido.url, {"Mode": "EDGE", "PublicIps": ["10.0.0.1"]})
    assert rc != 0 and "Mode is 'EDGE', not VPCMIDO" in out, out[-4000:]
    broken = dict(LEGACY, Mido=dict((k, v) for k, v in LEGACY["Mido"].items() if k != "PublicGatewayIP"))
    rc, out = run_role(tmp_path, mido.url, broken)
    assert rc != 0 and "missing Mido.PublicGatewayIP" in out, out[-4000:]


def requests_delete_link(mido, port_id):
    import requests
    r = requests.delete(mido.url + "/ports/%s/link" % port_id, timeout=10)
    assert r.status_code == 204, r.text


def test_credentials_reach_the_module_and_never_show(mido_auth, tmp_path):
    """Keystone-like authentication: the module logs in (the topology is read: what is missing is
    eucanetd's core, not access), and the password does not appear at -vvv."""
    rc, out = run_role(tmp_path, mido_auth.url, LEGACY, "-vvv", extra_vars={
        "midonet_api_username": USER, "midonet_api_password": PASSWORD})
    assert rc != 0
    assert "no MidoNet router named eucart; no MidoNet bridge named eucabr" in out, out[-4000:]
    assert PASSWORD not in out


# -- services (tasks/services.yml) with the test-only fake of euca_service_info ----------------

FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fakes", "euca_service_info.py")


def overlay_collection(tmp_path):
    """A copy of the collection made of links to this checkout, plus the fake euca_service_info."""
    root = tmp_path / "overlay" / "ansible_collections" / "eucalyptus" / "cloud"
    (root / "plugins" / "modules").mkdir(parents=True)
    for name in os.listdir(TOP):
        if not name.startswith(".") and name != "plugins":
            os.symlink(os.path.join(TOP, name), str(root / name))
    for name in os.listdir(os.path.join(TOP, "plugins")):
        if name != "modules":
            os.symlink(os.path.join(TOP, "plugins", name), str(root / "plugins" / name))
    for name in os.listdir(os.path.join(TOP, "plugins", "modules")):
        os.symlink(os.path.join(TOP, "plugins", "modules", name), str(root / "plugins" / "modules" / name))
    assert not os.path.exists(os.path.join(TOP, "plugins", "modules", "euca_service_info.py")), \
        "the real euca_service_info exists now: test the role with it"
    os.symlink(FAKE, str(root / "plugins" / "modules" / "euca_service_info.py"))
    others = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or ""
    return ":".join([str(tmp_path / "overlay")] + [p for p in others.split(":") if p])


def svc(name, stype, state, zone=None, host="10.111.5.100"):
    return {"name": name, "type": stype, "zone": zone, "host": host, "state": state}


CLOUD = [svc("API_5", "user-api", "enabled"), svc("walrus", "walrusbackend", "enabled"),
         svc("cc-01", "cluster", "enabled", "home-cloud-az01"), svc("sc-01", "storage", "enabled", "home-cloud-az01")]


def run_services(tmp_path, mido, answers, retries=0):
    tmp_path.mkdir()
    (tmp_path / "services.json").write_text(json.dumps(answers))
    return run_role(tmp_path, mido.url, LEGACY, collections=overlay_collection(tmp_path),
                    env={"EUCLOUD_FAKE_SERVICES": str(tmp_path / "services.json")},
                    extra_vars={"eucalyptus_verify_services": True, "eucalyptus_verify_retries": retries})


def test_services_enabled_pass_broken_fail(tmp_path):
    mido = StandIn(5)      # (the services checks do not depend on the MidoNet flavor)
    api = st.Api(mido.url, 5)
    ids = _build(api)
    try:
        rc, out = run_services(tmp_path / "a", mido, [CLOUD])
        assert rc == 0 and "4 services enabled: API_5, walrus, cc-01, sc-01" in out, out[-4000:]
        broken = [dict(s, state="broken") if s["type"] == "storage" else s for s in CLOUD]
        rc, out = run_services(tmp_path / "b", mido, [broken])
        assert rc != 0 and "storage sc-01 (zone home-cloud-az01, host 10.111.5.100) is broken" in out, out[-4000:]
        assert "eucart" not in out.split("services not enabled")[-1]     # it stopped at the services
        # not enabled at first, enabled on the third read: the retries wait for it
        notyet = [dict(s, state="notready") if s["type"] == "cluster" else s for s in CLOUD]
        rc, out = run_services(tmp_path / "c", mido, [notyet, notyet, CLOUD], retries=3)
        assert rc == 0, out[-4000:]
        assert open(str(tmp_path / "c" / "services.json.n")).read() == "3"
        rc, out = run_services(tmp_path / "d", mido, [[]])
        assert rc != 0 and "no Eucalyptus service is registered" in out, out[-4000:]
        rc, out = run_services(tmp_path / "e", mido, ["euserv-describe-services: the CLC does not answer"])
        assert rc != 0 and "could not read the registered services: euserv-describe-services: the CLC" in out, out[-4000:]
    finally:
        st.teardown(api, ids)
        mido.stop()
