"""Checks the lab's eucanetd stand-in (tests/lab/standins/eucanetd.py) and the CC/NC daemon
stand-ins (euca_daemons.py) against the shared reference (eucalyptus-admin-tools.md section 6 and 8,
eucalyptus.md 2) and seeds 000/004.

Everything runs as real processes on 127.0.0.1: the MidoNet API stand-in (``midonet_api.py
--store memory``, flavor 1 for 4.1-4.3 as MEM 1.9, flavor 5 for 4.4 as MidoNet 5.2) and
``eucanetd.py`` with a temporary ``$EUCALYPTUS`` tree (eucalyptus-version, eucalyptus.conf, the
GNI written by the CLC stand-in's ``gni.write``), a short POLLING_FREQUENCY and the lab-only
knobs (free UDP lock port, API URL, retry scale). Every assertion about MidoNet is read back
through the REST API with ``requests`` (not the stand-in's code); the world is seeded through the
API stand-in's lab endpoint ``_lab/hosts`` (there is no midolman here) and plain REST calls.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
STANDINS = os.path.join(TOP, "tests", "lab", "standins")
EUCANETD = os.path.join(STANDINS, "eucanetd.py")
DAEMONS = os.path.join(STANDINS, "euca_daemons.py")
sys.path.insert(0, STANDINS)
import gni  # noqa: E402  (the CLC stand-in's GNI writer)

V = "application/vnd.org.midonet."
J = {"Accept": "application/json"}
CLC = "11111111-1111-4111-8111-111111111111"      # frontend: CLC, eucanetd and gateway host
NODE = "22222222-2222-4222-8222-222222222222"     # a node known to MidoNet
HOSTNAME = "frontend.invalid"                      # RFC 2606: never resolves
GW_HOST_IP, GW_IP, PUB_CIDR, PUB_GW = "10.111.1.5", "10.111.1.6", "10.111.1.0/24", "10.111.1.1"
FLAVOR = {"4.1": 1, "4.2": 1, "4.3": 1, "4.4": 5}
FULL = {"4.1": "4.1.2", "4.2": "4.2.2", "4.3": "4.3.1", "4.4": "4.4.5"}


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def local_ips():
    out = subprocess.run(["ip", "-j", "-4", "addr"], capture_output=True, text=True, check=False).stdout
    return [a["local"] for i in json.loads(out or "[]") for a in i.get("addr_info", [])] or ["127.0.0.1"]


def wait_for(fn, timeout=8.0, step=0.05):
    end = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > end:
            return value
        time.sleep(step)


class Api:
    """midonet_api.py as a process; REST helpers with plain requests."""

    def __init__(self, flavor, extra=()):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, os.path.join(STANDINS, "midonet_api.py"), "--flavor",
                                      str(flavor), "--host", "127.0.0.1", "--port", str(self.port),
                                      "--store", "memory"] + list(extra),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = "http://127.0.0.1:%d/midonet-api" % self.port
        self.url = self.base + "/"
        assert wait_for(self._up, 10), "MidoNet API stand-in did not start"

    def _up(self):
        try:
            return requests.get(self.url, headers=J, timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def get(self, path):
        r = requests.get(self.base + "/" + path, headers=J, timeout=5)
        r.raise_for_status()
        return r.json()

    def post(self, path, body, ctype="application/json"):
        r = requests.post(self.base + "/" + path, data=json.dumps(body), timeout=5,
                          headers={"Content-Type": ctype, "Accept": "application/json"})
        assert r.status_code in (201, 204), (path, r.status_code, r.text)
        return r.headers.get("Location", "").rsplit("/", 1)[-1]

    def named(self, kind, name):
        return [o for o in self.get(kind) if o.get("name") == name]

    def names(self, kind):
        return sorted(o.get("name") for o in self.get(kind))

    def close(self):
        self.proc.terminate()
        self.proc.wait(5)


def seed(api, tz_name="mido-tz", members=(CLC, NODE), node_in_mn=True):
    api.post("_lab/hosts", {"id": CLC, "name": HOSTNAME, "addresses": local_ips() + [GW_HOST_IP],
                            "hostInterfaces": [{"name": "eth0", "addresses": [GW_HOST_IP]},
                                               {"name": "veth1", "addresses": []}]})
    if node_in_mn:
        api.post("_lab/hosts", {"id": NODE, "name": "node1.invalid", "addresses": ["10.111.2.7"],
                                "hostInterfaces": [{"name": "eth0", "addresses": ["10.111.2.7"]}]})
    if tz_name:
        tz = api.post("tunnel_zones", {"name": tz_name, "type": "gre"})
        for h, ip in ((CLC, GW_HOST_IP), (NODE, "10.111.2.7")):
            if h in members:
                api.post("tunnel_zones/%s/hosts" % tz, {"hostId": h, "ipAddress": ip}, V + "TunnelZoneHost-v1+json")
        return tz
    return None


def add_vpc_objects(api):
    """What a VPC leaves in MidoNet (seed 000 step 6): router vr_vpc-…, bridge vb_vpc-…, an SG chain."""
    vr = api.post("routers", {"name": "vr_vpc-56403811_2", "tenantId": "euca_tenant_1"})
    api.post("bridges", {"name": "vb_vpc-56403811_subnet-8e279423", "tenantId": "euca_tenant_1"})
    api.post("chains", {"name": "sg_ingress_sg-4a4b5f0e", "tenantId": "euca_tenant_1"})
    return vr


class Euca:
    """A temporary $EUCALYPTUS tree and eucanetd.py runs against it."""

    def __init__(self, tmp_path, ver, api_urls, conf=None, gni_doc=None, mido=None):
        self.ver, self.root = ver, str(tmp_path / ("root-" + ver))
        for d in ("etc/eucalyptus", "var/run/eucalyptus", "var/log/eucalyptus"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        with open(self.path("etc/eucalyptus/eucalyptus-version"), "w") as f:
            f.write(FULL[ver] + "\n")
        settings = {"VNET_MODE": "VPCMIDO", "POLLING_FREQUENCY": "0.1", "LOGLEVEL": "DEBUG"}
        settings.update(conf or {})
        with open(self.path("etc/eucalyptus/eucalyptus.conf"), "w") as f:
            f.write("# eucalyptus.conf (POSIX shell)\n")
            for k, v in settings.items():
                if v is not None:
                    f.write('%s="%s"\n' % (k, v))
        self.lock_port = free_port(socket.SOCK_DGRAM)
        self.env = dict(os.environ, EUCALYPTUS=self.root, EUCANETD_LAB_LOCK_PORT=str(self.lock_port),
                        EUCANETD_LAB_API_URLS=" ".join(api_urls), EUCANETD_LAB_RETRY_SCALE="0.01")
        self.write_gni(gni_doc or self.doc(mido))
        self.procs = []

    def path(self, rel):
        return os.path.join(self.root, rel)

    def doc(self, mido=None):
        host = GW_HOST_IP if self.ver == "4.4" else HOSTNAME
        m = {"EucanetdHost": HOSTNAME, "GatewayHost": host, "GatewayIP": GW_IP, "GatewayInterface": "veth1",
             "PublicNetworkCidr": PUB_CIDR, "PublicGatewayIP": PUB_GW}
        m.update(mido or {})
        return {"version": "4.1" if self.ver == "4.1" else "4.4", "mode": "VPCMIDO", "enabled_clc_ip": "127.0.0.1",
                "network_configuration": {"Mode": "VPCMIDO", "PublicIps": ["10.111.1.100-10.111.1.110"],
                                          "InstanceDnsServers": ["10.111.1.5"], "Mido": m},
                "clusters": [{"name": "home-cloud-az01", "cc_host": "127.0.0.1",
                              "nodes": ["10.111.2.7", "10.111.2.99"]}]}

    def write_gni(self, doc):
        gni.write(self.path("var/run/eucalyptus/global_network_info.xml"), doc)

    def start(self, *args):
        p = subprocess.Popen([sys.executable, EUCANETD] + list(args or ["-d"]), env=self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.procs.append(p)
        return p

    def run(self, *args, timeout=20):
        p = subprocess.run([sys.executable, EUCANETD] + list(args), env=self.env, capture_output=True,
                           text=True, timeout=timeout, check=False)
        return p.returncode, p.stdout + p.stderr

    def stop(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        out = p.communicate(timeout=10)[0]
        return p.returncode, out

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.communicate()


@pytest.fixture
def world(tmp_path):
    made = []

    def make(ver, api_extra=(), api_urls=None, **kw):
        api = Api(FLAVOR[ver], api_extra)
        e = Euca(tmp_path, ver, api_urls or [api.url], **kw)
        made.append((api, e))
        return api, e

    yield make
    for api, e in made:
        e.close()
        api.close()


def core_built(api):
    return api.named("routers", "eucart") and wait_route(api)


def wait_route(api):
    rt = api.named("routers", "eucart")
    if not rt:
        return False
    return any(r["dstNetworkLength"] == 0 and r.get("nextHopGateway") == PUB_GW
               for r in api.get("routers/%s/routes" % rt[0]["id"]))


def build(api, e):
    """Run the daemon until the core is there, then stop it."""
    p = e.start("-d")
    assert wait_for(lambda: core_built(api) and os.path.exists(
        e.path("var/run/eucalyptus/global_network_info.version"))), e.stop(p)[1]
    rc, out = e.stop(p)
    return out


# --------------------------------------------------------------------------------------------
# the loop: what eucanetd builds (seed 000 step 4, reference 6.6/6.7)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ver", ["4.1", "4.2", "4.3", "4.4"])
def test_loop_builds_the_core_and_deletes_what_the_gni_lacks(world, ver):
    api, e = world(ver)
    seed(api)
    vr = add_vpc_objects(api)
    other = api.post("routers", {"name": "someone-elses", "tenantId": "other"})
    lonely = api.post("routers/%s/ports" % other, {"portAddress": "192.0.2.9", "networkAddress": "192.0.2.0",
                                                   "networkLength": 24},
                      V + ("Port-v2+json" if FLAVOR[ver] == 1 else "Port-v3+json"))
    p = e.start("-d")
    assert wait_for(lambda: core_built(api)), e.stop(p)[1]
    assert wait_for(lambda: not api.named("routers", "vr_vpc-56403811_2"))
    # 4.3+: the first pass deletes unconnected objects (every port with neither peer nor interface)
    assert (lonely in {x["id"] for x in api.get("ports")}) is (ver in ("4.1", "4.2"))
    assert api.named("routers", "someone-elses")
    rt, = api.named("routers", "eucart")
    br, = api.named("bridges", "eucabr")
    assert rt["tenantId"] == br["tenantId"] == "euca_tenant_1"
    rports = api.get("routers/%s/ports" % rt["id"])
    bports = api.get("bridges/%s/ports" % br["id"])
    # the eucart <-> eucabr link (seed: "port1 ... peer bridge0:port0")
    link = [p for p in rports if p.get("peerId") in {b["id"] for b in bports}]
    assert len(link) == 1 and link[0]["portAddress"] == "169.254.0.1"
    # the gateway port, bound on the gateway host to veth1 (seed: "host host0 interface veth1 port router0:port0")
    gw, = [p for p in rports if p.get("portAddress") == GW_IP]
    assert (gw["networkAddress"], gw["networkLength"]) == ("10.111.1.0", 24)
    binding = api.get("hosts/%s/ports" % CLC)
    assert [(b["portId"], b["interfaceName"]) for b in binding] == [(gw["id"], "veth1")]
    routes = {(r["dstNetworkAddr"], r["dstNetworkLength"], r["nextHopPort"], r.get("nextHopGateway"))
              for r in api.get("routers/%s/routes" % rt["id"])}
    assert ("0.0.0.0", 0, gw["id"], PUB_GW) in routes
    assert ("10.111.1.0", 24, gw["id"], None) in routes
    assert ("169.254.0.0", 17, link[0]["id"], None) in routes
    ipag, = api.named("ip_addr_groups", "metadata_ip")
    assert [a["addr"] for a in api.get("ip_addr_groups/%s/ip_addrs" % ipag["id"])] == ["169.254.169.254"]
    if ver == "4.1":
        assert not api.named("port_groups", "eucapg")
    else:
        pg, = api.named("port_groups", "eucapg")
        assert [m["portId"] for m in api.get("port_groups/%s/ports" % pg["id"])] == [gw["id"]]
    if ver == "4.4":
        ch, = api.named("chains", "eucabr_infilter")
        assert api.get("bridges/%s" % br["id"])["inboundFilterId"] == ch["id"]
        assert ("10.111.1.1", 32, gw["id"], None) in routes
        assert api.named("ip_addr_groups", "euca_version")
    assert not api.named("bridges", "vb_vpc-56403811_subnet-8e279423")
    assert not api.named("chains", "sg_ingress_sg-4a4b5f0e")
    assert not [r for r in api.get("routers") if r["id"] == vr]
    # success is recorded; the GNI version is eucanetd's
    text = open(e.path("var/run/eucalyptus/global_network_info.xml")).read()
    assert wait_for(lambda: os.path.exists(e.path("var/run/eucalyptus/global_network_info.version")))
    with open(e.path("var/run/eucalyptus/global_network_info.version")) as f:
        assert f.read().strip() == gni.parse(text)["gni_version"]
    # further passes change nothing (names are the identity: no duplicates)
    counts = (len(api.get("routers")), len(api.get("ports")), len(api.get("routers/%s/routes" % rt["id"])))
    time.sleep(0.5)
    assert (len(api.get("routers")), len(api.get("ports")), len(api.get("routers/%s/routes" % rt["id"]))) == counts
    if ver == "4.4":
        # a VPC router added later survives until the GNI changes or SIGHUP (the scrub runs on change)
        api.post("routers", {"name": "vr_vpc-0d2a81d9_3", "tenantId": "euca_tenant_1"})
        time.sleep(0.4)
        assert api.named("routers", "vr_vpc-0d2a81d9_3")
        p.send_signal(signal.SIGHUP)
        assert wait_for(lambda: not api.named("routers", "vr_vpc-0d2a81d9_3"))
    rc, out = e.stop(p)
    assert "system_scrub complete" in out


def test_gni_change_moves_the_gateway(world):
    api, e = world("4.4")
    seed(api)
    p = e.start("-d")
    assert wait_for(lambda: core_built(api)), e.stop(p)[1]
    e.write_gni(e.doc({"GatewayIP": "10.111.1.8", "PublicGatewayIP": "10.111.1.2"}))
    rt, = api.named("routers", "eucart")

    def moved():
        addrs = {p.get("portAddress") for p in api.get("routers/%s/ports" % rt["id"])}
        gws = {r.get("nextHopGateway") for r in api.get("routers/%s/routes" % rt["id"])} - {None}
        return addrs == {"169.254.0.1", "10.111.1.8"} and gws == {"10.111.1.2"}
    assert wait_for(moved), e.stop(p)[1]
    e.stop(p)


def test_daemonises_with_pid_file_and_log(world):
    api, e = world("4.4")
    seed(api)
    rc, out = e.run()          # no -d: forks (unit Type=forking), the parent exits 0
    assert rc == 0, out
    pid = int(open(e.path("var/run/eucalyptus/eucanetd.pid")).read())
    try:
        os.kill(pid, 0)
        assert wait_for(lambda: core_built(api))
        log = open(e.path("var/log/eucalyptus/eucanetd.log")).read()
        assert "eucanetd (version 4.4.5) started" in log and " | " in log
    finally:
        os.kill(pid, signal.SIGTERM)
    assert wait_for(lambda: not os.path.exists("/proc/%d" % pid) or
                    open("/proc/%d/stat" % pid).read().split()[2] == "Z", 5)


# --------------------------------------------------------------------------------------------
# tunnel zone (6.4), host matching and API discovery (6.5), mode source (8)
# --------------------------------------------------------------------------------------------
def test_44_waits_for_the_tunnel_zone_forever_then_builds(world):
    api, e = world("4.4")
    seed(api, tz_name=None)
    p = e.start("-d")
    time.sleep(1.0)
    assert not api.named("routers", "eucart")
    assert p.poll() is None
    tz = api.post("tunnel_zones", {"name": "mido-tz", "type": "gre"})
    for h, ip in ((CLC, GW_HOST_IP), (NODE, "10.111.2.7")):
        api.post("tunnel_zones/%s/hosts" % tz, {"hostId": h, "ipAddress": ip}, V + "TunnelZoneHost-v1+json")
    assert wait_for(lambda: core_built(api)), e.stop(p)[1]
    rc, out = e.stop(p)
    assert "Cannot proceed without a valid tunnel-zone" in out


def test_44_requires_every_known_host_in_the_zone(world):
    api, e = world("4.4")
    seed(api, members=(CLC,))          # node1 (10.111.2.7) is known to MidoNet but not a member
    p = e.start("-d")
    time.sleep(1.0)
    assert not api.named("routers", "eucart")
    rc, out = e.stop(p)
    assert "\t\t10.111.2.7 not found in MN tunnel-zone." in out
    assert "\t\t10.111.2.99 not found in MN." in out     # unknown to MidoNet: logged, not blocking


@pytest.mark.parametrize("name", ["tz", "euca"])
def test_44_tunnel_zone_name_is_a_substring_test(world, name):
    api, e = world("4.4")
    seed(api, tz_name=name, members=(CLC, NODE))
    p = e.start("-d")
    assert wait_for(lambda: core_built(api)), e.stop(p)[1]
    e.stop(p)


def test_43_gives_up_after_30_tries_on_a_wrong_zone_name(world):
    api, e = world("4.3")
    seed(api, tz_name="euca-mido", members=(CLC, NODE))    # seed 000's 4.1 zone name
    p = e.start("-d")
    time.sleep(2.0)                                       # 30 x 3 s, scaled by 0.01
    assert not api.named("routers", "eucart")
    rc, out = e.stop(p)
    assert "Cannot proceed without a valid tunnel-zone." in out
    assert "failed to implement GNI version" in out


def test_42_has_no_tunnel_zone_check(world):
    api, e = world("4.2")
    seed(api, tz_name="euca-mido", members=(CLC,))
    p = e.start("-d")
    assert wait_for(lambda: core_built(api)), e.stop(p)[1]
    e.stop(p)


def test_43_matches_gateway_host_by_name_not_ip(world):
    api, e = world("4.3", mido={"GatewayHost": GW_HOST_IP})
    seed(api, members=(CLC, NODE))
    p = e.start("-d")
    time.sleep(0.8)
    assert not api.named("routers", "eucart")
    rc, out = e.stop(p)
    assert "cannot find gateway host '%s' in MidoNet hosts (by name)" % GW_HOST_IP in out


def test_44_matches_gateway_host_by_ip_not_name(world):
    api, e = world("4.4", mido={"GatewayHost": HOSTNAME})
    seed(api, members=(CLC, NODE))
    p = e.start("-d")
    time.sleep(0.8)
    assert not api.named("routers", "eucart")
    rc, out = e.stop(p)
    assert "cannot find gateway host '%s' in MidoNet hosts (by IP)" % HOSTNAME in out


def test_44_probes_and_follows_the_root_uri(world, tmp_path):
    dead = "http://127.0.0.1:%d/midonet-api/" % free_port()
    # the root document's uri points elsewhere: 4.4 follows it and fails, 4.2 (hard-coded) builds
    wrong = ["--base-uri", "http://127.0.0.1:%d/midonet-api" % free_port()]
    api1 = Api(1, wrong)
    try:
        seed(api1, members=(CLC, NODE))
        e44 = Euca(tmp_path, "4.4", [api1.url])
        p = e44.start("-d")
        time.sleep(0.8)
        assert not api1.named("routers", "eucart")
        e44.stop(p)
        e42 = Euca(tmp_path, "4.2", [api1.base])
        p = e42.start("-d")
        assert wait_for(lambda: core_built(api1)), e42.stop(p)[1]
        e42.stop(p)
    finally:
        api1.close()
    # alternating probe: the first URL is dead, the second answers
    api, e = world("4.4")
    e.env["EUCANETD_LAB_API_URLS"] = " ".join([dead, api.url])
    seed(api, members=(CLC, NODE))
    p = e.start("-d")
    assert wait_for(lambda: core_built(api)), e.stop(p)[1]
    rc, out = e.stop(p)
    assert "version v5.0 (probed %s)" % api.url in out


def test_42_mode_from_eucalyptus_conf_44_from_the_gni(world):
    api, e = world("4.2", conf={"VNET_MODE": "MANAGED-NOVLAN"})   # the 4.1/4.2 template default
    seed(api, members=(CLC, NODE))
    p = e.start("-d")
    time.sleep(0.8)
    assert not api.named("routers", "eucart")
    rc, out = e.stop(p)
    assert "MANAGED-NOVLAN" in out and "retrying" in out
    api, e = world("4.4", conf={"VNET_MODE": "EDGE"})
    seed(api, members=(CLC, NODE))
    p = e.start("-d")
    assert wait_for(lambda: core_built(api)), e.stop(p)[1]
    rc, out = e.stop(p)
    assert "Inconsistent network mode in GNI(VPCMIDO) and eucalyptus.conf(EDGE)" in out


# --------------------------------------------------------------------------------------------
# flushes (6.3) and their exit codes (6.2)
# --------------------------------------------------------------------------------------------
CORE = {"routers": {"eucart"}, "bridges": {"eucabr"}}


@pytest.mark.parametrize("ver,flag,core_kept,ports_swept", [
    ("4.1", "-F", True, False),     # setupcore is 0 when -F runs: eucart/eucabr survive
    ("4.2", "-F", False, False),    # 4.2 -F ~ 4.4 -Z
    ("4.2", "-f", True, False),     # 4.2 -f ~ 4.4 -C
    ("4.3", "-Z", False, True),
    ("4.4", "-C", True, True),
    ("4.4", "-Z", False, True),
])
def test_flush_removes_what_the_reference_says(world, ver, flag, core_kept, ports_swept):
    api, e = world(ver)
    seed(api, members=(CLC, NODE))
    build(api, e)
    add_vpc_objects(api)
    other = api.post("routers", {"name": "someone-elses", "tenantId": "other"})
    lonely = api.post("routers/%s/ports" % other, {"portAddress": "192.0.2.9", "networkAddress": "192.0.2.0",
                                                   "networkLength": 24},
                      V + ("Port-v2+json" if FLAVOR[ver] == 1 else "Port-v3+json"))
    rc, out = e.run(flag)
    assert rc == 0, out
    assert "flushing of euca networking artifacts done" in out
    assert not [n for n in api.names("routers") if n.startswith("vr_")]
    assert not [n for n in api.names("bridges") if n.startswith("vb_")]
    assert not [n for n in api.names("chains") if n.startswith("sg_")]
    assert ("eucart" in api.names("routers")) is core_kept
    assert ("eucabr" in api.names("bridges")) is core_kept
    if ver != "4.1":
        assert ("eucapg" in api.names("port_groups")) is core_kept
    assert ("metadata_ip" in api.names("ip_addr_groups")) is core_kept
    if ver == "4.4":
        assert ("eucabr_infilter" in api.names("chains")) is core_kept
        assert ("euca_version" in api.names("ip_addr_groups")) is core_kept
    if core_kept:
        rt, = api.named("routers", "eucart")
        assert [b["interfaceName"] for b in api.get("hosts/%s/ports" % CLC)] == ["veth1"]
        assert wait_route(api)
    # the sweep deletes every port with neither peer nor interface, not only Eucalyptus ones
    assert (lonely in {p["id"] for p in api.get("ports")}) is not ports_swept
    assert api.named("routers", "someone-elses")
    # the pid file is written by the flush too (6.2)
    assert int(open(e.path("var/run/eucalyptus/eucanetd.pid")).read()) > 0


def test_43_44_refuse_F_and_f_in_vpcmido_with_exit_0(world):
    api, e = world("4.3")
    seed(api, members=(CLC, NODE))
    build(api, e)
    add_vpc_objects(api)
    before = (api.names("routers"), api.names("bridges"))
    for flag in ("-F", "-f"):
        rc, out = e.run(flag)
        assert rc == 0 and "options '-f' and '-F' cannot be used in VPCMIDO mode" in out
    assert (api.names("routers"), api.names("bridges")) == before


def test_flush_exit_codes_when_the_api_fails(world):
    dead = "http://127.0.0.1:%d/midonet-api/" % free_port()
    for ver, flag, want in (("4.4", "-Z", 0), ("4.3", "-C", 0), ("4.2", "-F", 0), ("4.1", "-F", 1)):
        api, e = world(ver, api_urls=[dead])
        e.env["EUCANETD_LAB_RETRY_SCALE"] = "0.001"       # 4.4 probes 100 x 5 s
        rc, out = e.run(flag)
        assert rc == want, (ver, out)
        assert "flushing of euca networking artifacts failed" in out
        if ver == "4.1":
            assert "manual flushing of all euca networking artifacts (iptables, ebtables, ipset) failed" in out


def test_flush_preflight(world):
    api, e = world("4.4")
    os.unlink(e.path("var/run/eucalyptus/global_network_info.xml"))
    rc, out = e.run("-Z")
    assert rc == 1 and "Unable to complete eucanetd pre-flight checks. Flush aborted." in out
    doc = e.doc()
    doc["enabled_clc_ip"] = "192.0.2.254"                  # not a local address: no CLC peer here
    e.write_gni(doc)
    rc, out = e.run("-C")
    assert rc == 1 and "requires CLC service peer" in out
    api, e = world("4.2")
    os.unlink(e.path("var/run/eucalyptus/global_network_info.xml"))
    with pytest.raises(subprocess.TimeoutExpired):          # 4.1/4.2 flushes wait for the GNI
        e.run("-F", timeout=1.5)


def test_44_teardown_retries_forever_while_the_api_fails(world):
    api, e = world("4.4")
    seed(api, members=(CLC, NODE))
    build(api, e)
    add_vpc_objects(api)
    fault = {"method": "GET", "path": "routers/[^/]+/ports", "count": 1000000}
    r = requests.post(api.base + "/_lab/faults", json=fault, timeout=5)
    assert r.status_code == 204
    p = e.start("-Z")
    time.sleep(1.5)
    assert p.poll() is None, "the flush ended although the metadata-proxy teardown kept failing"
    assert api.named("routers", "eucart")
    requests.delete(api.base + "/_lab/faults", timeout=5)
    p.wait(10)
    out = p.stdout.read()
    assert p.returncode == 0
    assert out.count("retrying metadata proxy teardown") > 5
    assert not api.named("routers", "eucart") and not api.named("routers", "vr_vpc-56403811_2")


# --------------------------------------------------------------------------------------------
# single-instance lock (6.2) and command line (6.1)
# --------------------------------------------------------------------------------------------
def test_lock_refuses_a_second_instance_on_43_44(world):
    api, e = world("4.4")
    seed(api, members=(CLC, NODE))
    p = e.start("-d")
    assert wait_for(lambda: core_built(api)), e.stop(p)[1]
    for args in (["-d"], ["-Z"], ["-C"], ["-F"], ["-U"], ["-T", "eth0"], []):
        rc, out = e.run(*args)
        assert rc == 1 and "Cannot start eucanetd: another eucanetd might be running" in out, (args, out)
    assert api.named("routers", "eucart")                 # the refused -Z deleted nothing
    for args in (["-l"], ["-u"], ["-m"], ["-g"], ["-v", "vpc-56403811"]):
        rc, out = e.run(*args)
        assert rc == 0, (args, out)
    rc, out = e.run("-g")
    assert "gateway %s/24 host %s interface veth1" % (GW_IP, HOSTNAME) in out
    e.stop(p)
    # the lock is the UDP port itself: anyone bound to it blocks eucanetd 4.3 (+ the SELinux hint)
    api, e = world("4.3")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", e.lock_port))
    try:
        rc, out = e.run("-C")
        assert rc == 1
        assert "another eucanetd might be running. Check SELinux policies for eucanetd." in out
    finally:
        s.close()


def test_42_has_no_lock(world):
    api, e = world("4.2")
    seed(api, members=(CLC, NODE))
    p = e.start("-d")
    assert wait_for(lambda: core_built(api)), e.stop(p)[1]
    rc, out = e.run("-f")                                  # runs next to the live daemon
    assert rc == 0 and "another eucanetd" not in out
    assert p.poll() is None
    e.stop(p)


@pytest.mark.parametrize("ver,args,rc", [
    ("4.1", ["-h"], 1), ("4.2", ["-h"], 1), ("4.3", ["-h"], 1), ("4.4", ["-h"], 1),
    ("4.3", ["-H"], 1), ("4.4", ["-H"], 1),
    ("4.1", ["-f"], 1), ("4.2", ["-C"], 1), ("4.3", ["-g"], 1), ("4.3", ["-T", "eth0"], 1),
    ("4.4", ["-x"], 1),
])
def test_command_line_per_version(tmp_path, ver, args, rc):
    e = Euca(tmp_path, ver, ["http://127.0.0.1:9/midonet-api"])
    got, out = e.run(*args, timeout=10)
    assert got == rc, out
    if args == ["-h"] and ver == "4.4":
        assert "Eucalyptus version 4.4.5 - eucanetd" in out and "-Z" in out and "over 1 hour" in out
    if args == ["-h"] and ver == "4.3":
        assert "options '-f' and '-F' do not work in VPCMIDO mode" in out and "\t-Z" not in out
    if args == ["-H"]:
        assert ("-g" in out) is (ver == "4.4") and "-C" in out and "-Z" in out
    if args[0] in ("-f", "-C", "-g", "-T", "-x"):
        assert "invalid option" in out


def test_44_T_creates_the_tunnel_zone(world):
    api, e = world("4.4")
    seed(api, tz_name=None)
    rc, out = e.run("-T", "eth0")
    assert rc == 0, out
    tz, = api.get("tunnel_zones")
    assert (tz["name"], tz["type"]) == ("mido-tz", "gre")
    members = {(m["hostId"], m["ipAddress"]) for m in requests.get(
        api.base + "/tunnel_zones/%s/hosts" % tz["id"], headers={"Accept": V + "collection.TunnelZoneHost-v1+json"},
        timeout=5).json()}
    assert members == {(CLC, GW_HOST_IP), (NODE, "10.111.2.7")}


# --------------------------------------------------------------------------------------------
# eucalyptus-cluster / eucalyptus-node (eucalyptus.md 2, admin-tools 8)
# --------------------------------------------------------------------------------------------
def daemon_root(tmp_path, ver, conf):
    root = tmp_path / ("d-" + ver + "-" + uuid.uuid4().hex[:6])
    (root / "etc/eucalyptus").mkdir(parents=True)
    (root / "etc/eucalyptus/eucalyptus-version").write_text(FULL[ver] + "\n")
    (root / "etc/eucalyptus/eucalyptus.conf").write_text("".join('%s="%s"\n' % kv for kv in conf.items()))
    return str(root)


@pytest.mark.parametrize("kind,ver,mode,ok", [
    ("cc", "4.4", "MANAGED", False), ("cc", "4.4", "MANAGED-NOVLAN", False), ("nc", "4.4", "MANAGED", False),
    ("cc", "4.1", "SYSTEM", False), ("nc", "4.1", "STATIC", False), ("cc", "4.4", "SYSTEM", False),
    ("cc", "4.4", "", False), ("nc", "4.4", "", False),
    ("cc", "4.1", "MANAGED-NOVLAN", True), ("nc", "4.1", "VPCMIDO", True),
    ("cc", "4.4", "VPCMIDO", True), ("nc", "4.4", "EDGE", True),
])
def test_cc_nc_vnet_mode(tmp_path, kind, ver, mode, ok):
    port = free_port()
    key = "CC_PORT" if kind == "cc" else "NC_PORT"
    root = daemon_root(tmp_path, ver, {"VNET_MODE": mode, key: str(port), "VNET_BRIDGE": "br0"})
    env = dict(os.environ, EUCALYPTUS=root)
    p = subprocess.Popen([sys.executable, DAEMONS, kind], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    try:
        if not ok:
            assert p.wait(10) == 1
            log = open(os.path.join(root, "var/log/eucalyptus/%s.log" % kind)).read()
            assert ("VNET_MODE is not defined!" if not mode else "Invalid network mode!") in log
            return

        def answers():
            try:
                return requests.get("http://127.0.0.1:%d/axis2/services/Eucalyptus%s" % (port, kind.upper()),
                                    timeout=1).status_code == 200
            except requests.RequestException:
                return False
        assert wait_for(answers, 10), p.poll()
    finally:
        if p.poll() is None:
            p.terminate()
            p.wait(5)


def test_nc_44_needs_vnet_bridge(tmp_path):
    root = daemon_root(tmp_path, "4.4", {"VNET_MODE": "VPCMIDO", "NC_PORT": str(free_port())})
    p = subprocess.run([sys.executable, DAEMONS, "nc"], env=dict(os.environ, EUCALYPTUS=root),
                       capture_output=True, text=True, timeout=10, check=False)
    assert p.returncode == 1 and "VNET_BRIDGE" in p.stderr


@pytest.mark.parametrize("ver,clean,wiped", [("4.4", False, True), ("4.1", False, False), ("4.1", True, True)])
def test_cc_wipes_its_state_on_start(tmp_path, ver, clean, wiped):
    port = free_port()
    root = daemon_root(tmp_path, ver, {"VNET_MODE": "VPCMIDO", "CC_PORT": str(port)})
    state = os.path.join(root, "var/lib/eucalyptus/CC")
    os.makedirs(os.path.join(state, "sub"))
    open(os.path.join(state, "instanceCache"), "w").close()
    pidfile = os.path.join(root, "var/run/eucalyptus/eucalyptus-cc.pid")
    args = [sys.executable, DAEMONS, "cc", "--background", "--pidfile", pidfile] + (["--clean"] if clean else [])
    p = subprocess.run(args, env=dict(os.environ, EUCALYPTUS=root), capture_output=True, text=True, timeout=10,
                       check=False)
    assert p.returncode == 0, p.stderr
    pid = int(open(pidfile).read())
    try:
        assert requests.get("http://127.0.0.1:%d/" % port, timeout=5).status_code == 200
        assert (os.listdir(state) == []) is wiped
        assert "Listen %d" % port in open(os.path.join(root, "var/run/eucalyptus/httpd-cc.conf")).read()
    finally:
        os.kill(pid, signal.SIGTERM)


# --------------------------------------------------------------------------------------------
# the lab packages (real names, Provides, units per line), read with dpkg-deb
# --------------------------------------------------------------------------------------------
def test_lab_packages_names_provides_units(tmp_path):
    subprocess.run([os.path.join(TOP, "tests", "lab", "packages", "build.sh"), str(tmp_path / "repo")],
                   check=True, capture_output=True, timeout=120)

    def deb(line, name):
        path, = [os.path.join(str(tmp_path / "repo" / ("eucalyptus-" + line)), f)
                 for f in os.listdir(str(tmp_path / "repo" / ("eucalyptus-" + line))) if f.startswith(name + "_")]
        fields = subprocess.run(["dpkg-deb", "-f", path], capture_output=True, text=True, check=True).stdout
        files = subprocess.run(["dpkg-deb", "-c", path], capture_output=True, text=True, check=True).stdout
        return fields, files
    want = {
        ("4.4", "eucalyptus-cc"): ("Provides: eucalyptus-cluster", [
            "./lib/systemd/system/eucalyptus-cluster.service",
            "./lib/systemd/system/eucalyptus-cc.service -> eucalyptus-cluster.service",
            "./usr/sbin/eucalyptus-cluster -> "]),
        ("4.4", "eucalyptus-nc"): ("Provides: eucalyptus-node", [
            "./lib/systemd/system/eucalyptus-node.service",
            "./lib/systemd/system/eucalyptus-nc.service -> eucalyptus-node.service",
            "./usr/sbin/eucalyptus-node -> "]),
        ("4.4", "eucanetd"): (None, ["./lib/systemd/system/eucanetd.service", "./usr/sbin/eucanetd -> "]),
        ("4.1", "eucalyptus-cc"): (None, ["./etc/init.d/eucalyptus-cc"]),
        ("4.1", "eucalyptus-nc"): (None, ["./etc/init.d/eucalyptus-nc"]),
        ("4.1", "eucanetd"): (None, ["./etc/init.d/eucanetd", "./usr/sbin/eucanetd -> "]),
    }
    for (line, name), (provides, paths) in want.items():
        fields, files = deb(line, name)
        assert ("Provides:" in fields) is bool(provides), (line, name, fields)
        if provides:
            assert provides in fields
        for path in paths:
            assert path in files, (line, name, path, files)
        if line == "4.1":
            assert "systemd" not in files
    unit = open(os.path.join(TOP, "tests/lab/packages/eucalyptus/eucanetd/4.4/lib/systemd/system/eucanetd.service")).read()
    assert "Type=forking" in unit and "PIDFile=/run/eucalyptus/eucanetd.pid" in unit
