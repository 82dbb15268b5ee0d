"""Drives the lab's MidoNet API stand-in with the REAL MidoNet client, python-midonetclient 5.2.0.

The stand-in (tests/lab/standins/midonet_api.py) and the collection's own client
(plugins/module_utils/midonet.py) were written from the same reading of the reference, so the
stand-in's own tests cannot show that it speaks MidoNet. Here the client operators use (PyPI's
``midonetclient`` 5.2.0, the library behind ``midonet-cli``) talks to it instead, through its own
API (``midonetclient.api.MidonetApi`` and the resource objects), as an operator's script would:
list hosts and their interfaces, create a GRE tunnel zone, add/list/remove members, create a
router and a bridge, add and link their ports, add a route, bind a port to a host interface;
also IP address groups, port groups and their ports, tenants, chains and rules, a bridge's DHCP
subnets and hosts; in both flavours (``--flavor 1`` = MEM 1.9 webapp, ``--flavor 5`` =
midonet-cluster), with MockAuthService and with the keystone-like mode (the client's own login).
Every result the client reports is also read back from the stand-in directly, and the
collection's own MidonetClient must read what the real client wrote (and the other way round).

How the client gets here: ``scripts/bootstrap.sh`` downloads the wheels pinned (with hashes) in
``requirements/midonetclient.txt`` into ``.cache/midonetclient/``. The ``mn`` fixture checks
their hashes, unpacks them into a temporary directory and converts ``midonetclient`` (Python 2
code) with 2to3 (``python -m lib2to3 -w -n``, all default fixers; lib2to3 ships with Python 3.11
and was removed in 3.13), and the wheel's ``midonet-cli`` script likewise (copied to
``midonet_cli.py`` so that 2to3 takes it), which then runs in its eval mode (``-A --midonet-url=URL -e COMMAND``, as the Eucalyptus recipes use it). When the
wheels are missing the tests FAIL (they never skip).

Changes to the converted copy beyond 2to3 (Python 3 only, none touches what is sent over HTTP
except making the request possible at all):

1. ``auth_lib.py``, ``Auth.login``: ``base64.b64encode(self.username + ':' + self.password)``
   encodes the str first and decodes the result (``b64encode`` takes bytes on Python 3); the
   ``Authorization: Basic ...`` header is byte-for-byte what Python 2 sent.

Known client behaviour on Python 3 that is NOT patched and that the tests simply avoid: ``str()``
of the webob exceptions fails because httplib2 hands them a bytes body (tests read ``.code``).

What the client 5.2.0 cannot do against flavour 1 is asserted as such, not hidden: it hard-wires
the 5.x media types Router-v3, Bridge-v4, Port-v3, Tenant-v2 and DhcpHost-v2, which MEM 1.9 does
not have (reference §5: 1.9 uses Router-v2, Bridge-v2/v3, Port-v2), so the 1.x stand-in refuses
them (415 on POST, 406 on GET), as the real 1.9 webapp would; the resource objects then get 1.x
types through their own ``headers=`` argument (create/get), which is how the client's API allows
it. The 5.2.0 ``midonet-cli`` runs against flavour 5 only (1.9 operators have the 1.9 CLI).
"""
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile

import pytest
import requests

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(TOP, "tests", "integration", "midonet"))
from midonet_standin import DEAD_HOSTS, HOSTS, PASSWORD, USER, StandIn  # noqa: E402

REQS = os.path.join(TOP, "requirements", "midonetclient.txt")
WHEELS = os.path.join(TOP, ".cache", "midonetclient")

V = "application/vnd.org.midonet."
ROUTER1, BRIDGE1, PORT1 = V + "Router-v2+json", V + "Bridge-v3+json", V + "Port-v2+json"
PORTS1 = V + "collection.Port-v2+json"
ROUTERS1 = V + "collection.Router-v2+json"
TENANT = "euca_tenant_1"
NC1, NC2, CLC = HOSTS["nc1.euca"], HOSTS["nc1.euca2"], HOSTS["clc.euca"]

# The one edit beyond 2to3 (see the module docstring): file, exact old text, new text.
PATCHES = [
    ("midonetclient/auth_lib.py",
     "auth = base64.b64encode(self.username + ':' + self.password)",
     "auth = base64.b64encode((self.username + ':' + self.password).encode()).decode()"),
]


def _pins():
    """[(wheel-name-prefix, sha256)] from requirements/midonetclient.txt."""
    out = []
    with open(REQS) as f:
        for line in f:
            m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s]+)\s+--hash=sha256:([0-9a-f]{64})", line)
            if m:
                out.append(("%s-%s-" % (m.group(1).replace("-", "_"), m.group(2)), m.group(3)))
    return out


@pytest.fixture(scope="module")
def mn(tmp_path_factory):
    """The converted real client: a namespace with ``api`` (midonetclient.api) and ``exc``
    (webob.exc, the exceptions it raises)."""
    pins = _pins()
    assert len(pins) == 4, "requirements/midonetclient.txt: expected 4 pinned wheels, got %r" % pins
    have = os.listdir(WHEELS) if os.path.isdir(WHEELS) else []
    dest = str(tmp_path_factory.mktemp("midonetclient"))
    for prefix, digest in pins:
        found = [w for w in have if w.lower().startswith(prefix.lower()) and w.endswith(".whl")]
        if not found:
            pytest.fail("%s*.whl is missing from %s: run scripts/bootstrap.sh (it downloads "
                        "requirements/midonetclient.txt)" % (prefix, WHEELS))
        path = os.path.join(WHEELS, found[0])
        with open(path, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest, "%s does not match its pinned hash" % path
        with zipfile.ZipFile(path) as z:
            z.extractall(dest)
    shutil.copy(os.path.join(dest, "midonetclient-5.2.0.data", "scripts", "midonet-cli"),
                os.path.join(dest, "midonet_cli.py"))
    conv = subprocess.run([sys.executable, "-W", "ignore", "-m", "lib2to3", "-w", "-n", "--no-diffs", "-j", "2",
                           "midonetclient", "midonet_cli.py"], cwd=dest, capture_output=True, text=True, check=False)
    assert conv.returncode == 0, conv.stderr[-3000:]
    for rel in ("midonetclient/api_lib.py", "midonet_cli.py"):
        assert "RefactoringTool: Refactored %s" % rel in conv.stderr, conv.stderr[-3000:]
    for rel, old, new in PATCHES:
        p = os.path.join(dest, rel)
        with open(p) as f:
            text = f.read()
        assert text.count(old) == 1, "%s: the text to patch is not there once (client changed?)" % rel
        with open(p, "w") as f:
            f.write(text.replace(old, new))
    for name in [m for m in sys.modules if m.split(".")[0] in ("midonetclient", "webob", "httplib2")]:
        del sys.modules[name]
    sys.path.insert(0, dest)
    try:
        api = importlib.import_module("midonetclient.api")
        exc = importlib.import_module("webob.exc")
        auth_lib = importlib.import_module("midonetclient.auth_lib")
        assert api.__file__.startswith(dest), api.__file__
    finally:
        sys.path.remove(dest)

    class NS(object):
        pass
    ns = NS()
    ns.api, ns.exc, ns.auth_lib, ns.dir = api, exc, auth_lib, dest
    ns.cli = os.path.join(dest, "midonet_cli.py")
    yield ns
    shutil.rmtree(dest, ignore_errors=True)


@pytest.fixture(params=[1, 5], ids=["flavor1", "flavor5"])
def standin(request):
    st = StandIn(request.param)
    yield st
    st.stop()


def new_process(mn):
    """The client keeps its token in a module global shared by every MidonetApi (reference §2);
    forget it, as a new operator process would start."""
    mn.auth_lib._token = None


def raises_status(mn, status, fn, *args, **kw):
    """Call fn; it must raise the webob HTTP error with ``status``. Returns the exception."""
    with pytest.raises(mn.exc.HTTPError) as info:
        fn(*args, **kw)
    assert info.value.code == status, (info.value.code, info.value.detail)
    return info.value


def read(st, path, accept):
    """Direct read of the stand-in (requests), independent of the client under test."""
    r = requests.get(st.url + path, headers={"Accept": accept}, timeout=10)
    assert r.status_code == 200, (path, r.status_code, r.text)
    return r.json()


# ---- hosts ----------------------------------------------------------------------------------
def test_hosts_and_interfaces(mn, standin):
    iface = {"name": "eth0", "mac": "02:00:00:00:00:07", "mtu": 1500, "type": "Physical",
             "endpoint": "PHYSICAL", "addresses": ["10.11.12.7"], "status": 3}
    hid = str(uuid.uuid4())
    r = requests.post(standin.url + "/_lab/hosts", timeout=5, headers={"Content-Type": "application/json"},
                      data=json.dumps({"id": hid, "name": "gw.euca", "addresses": ["10.11.12.7"],
                                       "hostInterfaces": [iface]}))
    assert r.status_code == 201, r.text
    api = mn.api.MidonetApi(standin.url, None, None)

    hosts = api.get_hosts()
    seen = dict((h.get_name(), (h.get_id(), h.is_alive())) for h in hosts)
    want = dict((n, (i, True)) for n, i in HOSTS.items())
    want.update((n, (i, False)) for n, i in DEAD_HOSTS.items())
    want["gw.euca"] = (hid, True)
    assert seen == want

    gw = api.get_host(hid)
    assert (gw.get_name(), gw.get_addresses()) == ("gw.euca", ["10.11.12.7"])
    ifs = gw.get_interfaces()
    assert [(i.get_name(), i.get_mac(), i.get_addresses(), i.get_host_id()) for i in ifs] == \
        [("eth0", "02:00:00:00:00:07", ["10.11.12.7"], hid)]
    raises_status(mn, 404, api.get_host, str(uuid.uuid4()))


# ---- tunnel zones and members (§3) ----------------------------------------------------------
def test_gre_tunnel_zone_and_members(mn, standin):
    api = mn.api.MidonetApi(standin.url, None, None)
    five = standin.flavor == 5

    tz = api.add_gre_tunnel_zone().name("mido-tz").create()  # POST, then GET on Location
    direct = standin.zone("mido-tz")
    assert (tz.get_id(), tz.get_name(), tz.get_type()) == (direct["id"], "mido-tz", "gre")
    assert [(z.get_id(), z.get_name(), z.get_type()) for z in api.get_tunnel_zones()] == \
        [(tz.get_id(), "mido-tz", "gre")]
    assert api.get_tunnel_zone(tz.get_id()).get_name() == "mido-tz"
    # duplicate name: 409 on 5.x, 400 (validation) on 1.x -- and case-insensitive on 1.x only
    raises_status(mn, 409 if five else 400, api.add_gre_tunnel_zone().name("mido-tz").create)
    if five:
        other = api.add_vxlan_tunnel_zone().name("MIDO-TZ").create()
        assert other.get_type() == "vxlan"
        other.delete()
    else:
        raises_status(mn, 400, api.add_vxlan_tunnel_zone().name("MIDO-TZ").create)
    assert [z["name"] for z in standin.zones()] == ["mido-tz"]

    added = []
    for hid, ip in ((NC1, "10.0.0.11"), (NC2, "10.0.0.12")):
        m = tz.add_tunnel_zone_host().host_id(hid).ip_address(ip).create()  # GreTunnelZoneHost-v1
        assert (m.get_tunnel_zone_id(), m.get_host_id(), m.get_ip_address()) == (tz.get_id(), hid, ip)
        added.append(m)
    assert standin.members("mido-tz") == {NC1: "10.0.0.11", NC2: "10.0.0.12"}
    assert sorted((m.get_host_id(), m.get_ip_address()) for m in tz.get_hosts()) == \
        sorted([(NC1, "10.0.0.11"), (NC2, "10.0.0.12")])

    # already a member (any address): 409 with an empty body on 5.x, 400 on 1.x
    err = raises_status(mn, 409 if five else 400,
                        tz.add_tunnel_zone_host().host_id(NC1).ip_address("10.0.0.99").create)
    assert (err.detail == b"") == five
    # unknown host: 404 on 5.x, 400 (validation) on 1.x
    raises_status(mn, 404 if five else 400,
                  tz.add_tunnel_zone_host().host_id(str(uuid.uuid4())).ip_address("10.0.0.98").create)
    # bad address: 400 on both
    raises_status(mn, 400, tz.add_tunnel_zone_host().host_id(CLC).ip_address("10.0.0.300").create)
    assert standin.members("mido-tz") == {NC1: "10.0.0.11", NC2: "10.0.0.12"}

    added[0].delete()
    assert standin.members("mido-tz") == {NC2: "10.0.0.12"}
    # removing a non-member: 404 on 5.x, silently 204 on 1.x
    if five:
        raises_status(mn, 404, added[0].delete)
    else:
        assert added[0].delete() is None
    assert [m.get_host_id() for m in tz.get_hosts()] == [NC2]

    # rename (PUT, then GET)
    assert tz.name("euca-tz").update().get_name() == "euca-tz"
    assert standin.zone("euca-tz")["id"] == tz.get_id() and standin.zone("mido-tz") is None
    tz.delete()
    assert standin.zones() == []
    raises_status(mn, 404, api.get_tunnel_zone, tz.get_id())


# ---- routers, bridges, ports, routes, bindings (§4, §5) -------------------------------------
def test_router_bridge_ports_link_route_binding(mn, standin):
    api = mn.api.MidonetApi(standin.url, None, None)
    five = standin.flavor == 5

    def types(mt):
        """{} on 5.x (the client's own media types); the 1.x type through ``headers=`` on 1.x."""
        return {} if five else {"headers": {"Content-Type": mt, "Accept": mt}}

    if not five:
        # The client's hard-wired 5.x types are not MEM 1.9's: 415 on POST, 406 on GET.
        raises_status(mn, 415, api.add_router().name("eucart").tenant_id(TENANT).create)
        raises_status(mn, 415, api.add_bridge().name("eucabr").tenant_id(TENANT).create)
        raises_status(mn, 406, api.get_routers)
        raises_status(mn, 406, api.get_bridges)
        assert read(standin, "/routers", ROUTERS1) == []

    rt = api.add_router().name("eucart").tenant_id(TENANT).create(**types(ROUTER1))
    br = api.add_bridge().name("eucabr").tenant_id(TENANT).create(**types(BRIDGE1))
    assert (rt.get_name(), rt.get_tenant_id(), br.get_name(), br.get_tenant_id()) == \
        ("eucart", TENANT, "eucabr", TENANT)
    if five:
        # lists, with the ?tenant_id= filter (urllib.urlencode -> urllib.parse.urlencode by 2to3)
        assert [r.get_id() for r in api.get_routers({"tenant_id": TENANT})] == [rt.get_id()]
        assert api.get_routers({"tenant_id": "someone-else"}) == []
        assert [b.get_name() for b in api.get_bridges()] == ["eucabr"]
        assert api.get_router(rt.get_id()).get_name() == "eucart"

    rp = rt.add_port().port_address("169.254.0.1").network_address("169.254.0.0") \
        .network_length(17).create(**types(PORT1))
    bp = br.add_port().create(**types(PORT1))
    assert (rp.get_type(), rp.get_device_id(), rp.get_port_address()) == ("Router", rt.get_id(), "169.254.0.1")
    assert (bp.get_type(), bp.get_device_id()) == ("Bridge", br.get_id())

    # link: POST /ports/{id}/link (PortLink-v1, fine on both), then GET with Port-v3 (5.x only)
    if five:
        rp.link(bp.get_id())
    else:
        raises_status(mn, 406, rp.link, bp.get_id())
        rp.get(headers={"Accept": PORT1})
    assert rp.get_peer_id() == bp.get_id()
    accept = V + ("Port-v3+json" if five else "Port-v2+json")
    assert read(standin, "/ports/" + bp.get_id(), accept)["peerId"] == rp.get_id()
    if five:
        assert [p.get_id() for p in rt.get_ports()] == [rp.get_id()]
        assert [p.get_id() for p in br.get_ports()] == [bp.get_id()]
        assert [p.get_id() for p in rt.get_peer_ports()] == [bp.get_id()]
        assert [p.get_id() for p in br.get_peer_ports()] == [rp.get_id()]
        assert api.get_port(bp.get_id()).get_peer_id() == rp.get_id()
    else:
        raises_status(mn, 406, rt.get_ports)
        raises_status(mn, 406, rt.get_peer_ports)
        peers = read(standin, "/routers/%s/peer_ports" % rt.get_id(), PORTS1)
        assert [p["id"] for p in peers] == [bp.get_id()]

    # a gateway port with a default route (Route-v1 on both)
    gp = rt.add_port().port_address("192.0.2.10").network_address("192.0.2.0") \
        .network_length(24).create(**types(PORT1))
    route = api.add_router_route(rt, src_network_addr="0.0.0.0", src_network_length=0,
                                 dst_network_addr="0.0.0.0", dst_network_length=0,
                                 next_hop_port=gp.get_id(), next_hop_gateway="192.0.2.1", weight=100)
    assert (route.get_router_id(), route.get_next_hop_port(), route.get_next_hop_gateway()) == \
        (rt.get_id(), gp.get_id(), "192.0.2.1")
    assert [(r.get_id(), r.get_dst_network_addr(), r.get_dst_network_length()) for r in rt.get_routes()] == \
        [(route.get_id(), "0.0.0.0", 0)]
    assert api.get_route(route.get_id()).get_type() == "Normal"

    # bind the gateway port to a host interface (HostInterfacePort-v1): the host must be in a
    # tunnel zone first (409 on 5.x, 400 on 1.x)
    host = api.get_host(CLC)
    raises_status(mn, 409 if five else 400, api.add_host_interface_port, host, gp.get_id(), "veth1")
    tz = api.add_gre_tunnel_zone().name("mido-tz").create()
    tz.add_tunnel_zone_host().host_id(CLC).ip_address("10.0.0.1").create()
    b = api.add_host_interface_port(host, gp.get_id(), "veth1")
    assert (b.get_host_id(), b.get_port_id(), b.get_interface_name()) == (CLC, gp.get_id(), "veth1")
    assert [(x.get_port_id(), x.get_interface_name()) for x in host.get_ports()] == [(gp.get_id(), "veth1")]
    direct = read(standin, "/hosts/%s/ports" % CLC, V + "collection.HostInterfacePort-v1+json")
    assert [(x["portId"], x["interfaceName"]) for x in direct] == [(gp.get_id(), "veth1")]

    # unlink (DELETE /ports/{id}/link), delete the router: its ports and routes go with it
    if five:
        rp.unlink()
    else:
        raises_status(mn, 406, rp.unlink)
        rp.get(headers={"Accept": PORT1})
    assert rp.get_peer_id() is None
    assert read(standin, "/ports/" + bp.get_id(), accept)["peerId"] is None
    rt.delete()
    br.delete()
    assert read(standin, "/routers", V + ("collection.Router-v3+json" if five else "collection.Router-v2+json")) == []
    assert read(standin, "/ports", V + ("collection.Port-v3+json" if five else "collection.Port-v2+json")) == []
    assert read(standin, "/hosts/%s/ports" % CLC, V + "collection.HostInterfacePort-v1+json") == []


# ---- authentication (§2) --------------------------------------------------------------------
@pytest.mark.parametrize("flavor", [1, 5])
def test_keystone_login_with_the_real_client(mn, flavor):
    st = StandIn(flavor, auth="keystone")
    try:
        new_process(mn)
        api = mn.api.MidonetApi(st.url, USER, PASSWORD)  # POST /login, token from Set-Cookie
        tz = api.add_gre_tunnel_zone().name("mido-tz").create()
        assert st.zone("mido-tz")["id"] == tz.get_id()
        assert [z.get_name() for z in api.get_tunnel_zones()] == ["mido-tz"]
        # the token the client parsed out of Set-Cookie is one the server issued
        zones = V + "collection.TunnelZone-v1+json"
        for token, status in ((mn.auth_lib._token, 200), ("0" * 32, 401)):
            r = requests.get(st.url + "/tunnel_zones", headers={"Accept": zones, "X-Auth-Token": token},
                             timeout=5)
            assert r.status_code == status, (token, r.text)
        new_process(mn)
        raises_status(mn, 401, mn.api.MidonetApi(st.url, USER, PASSWORD + "x").get_tunnel_zones)
    finally:
        st.stop()


def test_mock_auth_login_with_the_real_client(mn, standin):
    """MockAuthService: the client logs in all the same when given a user (token 999888777666 on
    1.x, 00000000 on 5.x, both accepted)."""
    new_process(mn)
    api = mn.api.MidonetApi(standin.url, "admin", "anything")
    assert [h.get_name() for h in api.get_hosts() if h.is_alive()] == sorted(HOSTS, key=lambda n: HOSTS[n])
    assert mn.auth_lib._token == ("00000000" if standin.flavor == 5 else "999888777666")


# ---- IP address groups (§5; eucanetd's metadata_ip) -----------------------------------------
def test_ip_addr_group(mn, standin):
    api = mn.api.MidonetApi(standin.url, None, None)
    g = api.add_ip_addr_group().name("metadata_ip").create()
    a = g.add_ipv4_addr().addr("169.254.169.254").create()  # POST .../ip_addrs, GET on Location
    assert (a.get_addr(), a.get_version(), a.get_ip_addr_group_id()) == ("169.254.169.254", 4, g.get_id())
    assert [x.get_name() for x in api.get_ip_addr_groups()] == ["metadata_ip"]
    assert api.get_ip_addr_group(g.get_id()).get_name() == "metadata_ip"
    assert [(x.get_addr(), x.get_version()) for x in g.get_addrs()] == [("169.254.169.254", 4)]
    direct = read(standin, "/ip_addr_groups/%s/ip_addrs" % g.get_id(), V + "collection.IpAddrGroupAddr-v1+json")
    assert [x["addr"] for x in direct] == ["169.254.169.254"]
    raises_status(mn, 400, g.add_ipv4_addr().addr("169.254.169.300").create)
    raises_status(mn, 400, api.add_ip_addr_group().create)  # no name
    a.delete()
    assert g.get_addrs() == []
    g.delete()
    assert api.get_ip_addr_groups() == []


# ---- port groups and tenants (§5; eucanetd's eucapg and euca_tenant_1) ----------------------
def test_port_group_members_and_tenants(mn, standin):
    api = mn.api.MidonetApi(standin.url, None, None)
    five = standin.flavor == 5
    pg = api.add_port_group().name("eucapg").tenant_id(TENANT).create()
    assert (pg.get_name(), pg.get_tenant_id(), pg.is_stateful()) == ("eucapg", TENANT, False)
    assert [g.get_id() for g in api.get_port_groups({"tenant_id": TENANT})] == [pg.get_id()]
    kw = {} if five else {"headers": {"Content-Type": ROUTER1, "Accept": ROUTER1}}
    rt = api.add_router().name("eucart").tenant_id(TENANT).create(**kw)
    kw = {} if five else {"headers": {"Content-Type": PORT1, "Accept": PORT1}}
    rp = rt.add_port().port_address("10.9.0.1").network_address("10.9.0.0").network_length(24).create(**kw)

    m = pg.add_port_group_port().port_id(rp.get_id()).create()  # PortGroupPort-v1
    assert (m.get_port_group_id(), m.get_port_id()) == (pg.get_id(), rp.get_id())
    assert [x.get_port_id() for x in pg.get_ports()] == [rp.get_id()]
    assert [x.get_port_group_id() for x in rp.get_port_groups()] == [pg.get_id()]
    direct = read(standin, "/port_groups/%s/ports" % pg.get_id(), V + "collection.PortGroupPort-v1+json")
    assert [x["portId"] for x in direct] == [rp.get_id()]
    m.delete()
    assert pg.get_ports() == []

    # tenants: Tenant-v2 on 5.x (the client's type); MEM 1.9 has Tenant-v1 only -> 406
    if five:
        ts = api.get_tenants({})
        assert [t.get_id() for t in ts] == [TENANT]
        assert [r.get_id() for r in ts[0].get_routers()] == [rt.get_id()]
        assert [g.get_id() for g in ts[0].get_port_groups()] == [pg.get_id()]
        assert api.get_tenant(TENANT).get_name() == TENANT
    else:
        raises_status(mn, 406, api.get_tenants, {})
    rt.delete()
    pg.delete()
    assert api.get_port_groups() == []


# ---- midonet-cli, eval mode (as the Eucalyptus recipes run it) ------------------------------
def test_midonet_cli_eval_mode(mn, tmp_path):
    """``midonet-cli -A --midonet-url=URL -e ...`` against flavor 5 (the CLI of the 5.2.0 wheel;
    MEM 1.9 operators have the 1.9 CLI, not on PyPI). Eval mode prints UUIDs, no aliases."""
    st = StandIn(5)
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("MIDO_"))
    env.update(HOME=str(tmp_path), PYTHONPATH=mn.dir)  # no ~/.midonetrc

    def cli(*words):
        r = subprocess.run([sys.executable, "-W", "ignore", mn.cli, "-A", "--midonet-url=" + st.url, "-e"]
                           + list(words), env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=60, check=False)
        assert r.returncode == 0, (words, r.returncode, r.stdout, r.stderr)
        assert "error" not in r.stdout.lower(), (words, r.stdout)
        return r.stdout.strip()

    try:
        hosts = dict(re.match(r"^host (\S+) name (\S+) alive (\S+)", line).group(2, 1)
                     for line in cli("host", "list").splitlines())
        assert hosts == dict(list(HOSTS.items()) + list(DEAD_HOSTS.items()))

        tz = cli("tunnel-zone", "create", "name", "mido-tz", "type", "gre")
        assert standin_zone_id(st, "mido-tz") == tz
        assert cli("tunnel-zone", "list") == "tzone %s name mido-tz type gre" % tz
        for hid, ip in ((NC1, "10.0.0.11"), (NC2, "10.0.0.12")):
            assert cli("tunnel-zone", tz, "add", "member", "host", hid, "address", ip) == \
                "zone %s host %s address %s" % (tz, hid, ip)
        assert st.members("mido-tz") == {NC1: "10.0.0.11", NC2: "10.0.0.12"}
        assert sorted(cli("tunnel-zone", tz, "list", "member").splitlines()) == sorted(
            "zone %s host %s address %s" % (tz, h, a) for h, a in ((NC1, "10.0.0.11"), (NC2, "10.0.0.12")))
        cli("tunnel-zone", tz, "delete", "member", "host", NC1)
        assert st.members("mido-tz") == {NC2: "10.0.0.12"}

        rt = cli("router", "create", "name", "eucart")
        br = cli("bridge", "create", "name", "eucabr")
        rp = cli("router", rt, "add", "port", "address", "169.254.0.1", "net", "169.254.0.0/17")
        bp = cli("bridge", br, "add", "port")
        cli("router", rt, "port", rp, "set", "peer", bp)
        assert read(st, "/ports/" + bp, V + "Port-v3+json")["peerId"] == rp
        assert cli("router", rt, "list", "port") == \
            "port %s device %s state up mac %s address 169.254.0.1 net 169.254.0.0/17 peer %s" % (
                rp, rt, read(st, "/ports/" + rp, V + "Port-v3+json")["portMac"], bp)
        cli("delete", "tunnel-zone", tz)
        assert st.zones() == []
    finally:
        st.stop()


def standin_zone_id(st, name):
    z = st.zone(name)
    return z and z["id"]


# ---- chains and rules (§5; eucanetd's vc_/ic_/natc_ chains) ---------------------------------
def test_chain_rules(mn, standin):
    api = mn.api.MidonetApi(standin.url, None, None)
    c = api.add_chain().name("natc_vpc-1").tenant_id(TENANT).create()
    other = api.add_chain().name("ic_vpc-1").tenant_id(TENANT).create()
    assert sorted(x.get_name() for x in api.get_chains({"tenant_id": TENANT})) == ["ic_vpc-1", "natc_vpc-1"]
    # api.add_chain_rule sends every condition field, position null (= 1 on the server)
    accept = api.add_chain_rule(c, action="accept", nw_src_addr="10.0.0.0", nw_src_length=8)
    assert (accept.get_nw_src_address(), accept.get_nw_src_length(), accept.get_position()) == ("10.0.0.0", 8, 1)
    drop = c.add_rule().type("drop").position(2).create()
    jump = c.add_rule().type("jump").jump_chain_id(other.get_id()).position(1).create()  # goes first
    targets = [{"addressFrom": "192.0.2.20", "addressTo": "192.0.2.20", "portFrom": 0, "portTo": 0}]
    dnat = c.add_rule().type("dnat").nw_dst_address("203.0.113.5").nw_dst_length(32) \
        .flow_action("accept").nat_targets(targets).position(4).create()
    got = [(r.get_id(), r.get_type(), r.get_position()) for r in c.get_rules()]
    assert got == [(jump.get_id(), "jump", 1), (accept.get_id(), "accept", 2), (drop.get_id(), "drop", 3),
                   (dnat.get_id(), "dnat", 4)]
    assert api.get_rule(dnat.get_id()).get_nat_targets() == targets
    direct = read(standin, "/chains/%s/rules" % c.get_id(), V + "collection.Rule-v2+json")
    assert [(r["id"], r["chainId"]) for r in direct] == [(i, c.get_id()) for i, _type, _pos in got]
    raises_status(mn, 400, c.add_rule().type("no-such-type").create)
    raises_status(mn, 400, c.add_rule().type("accept").position(9).create)
    accept.delete()
    assert [(r.get_type(), r.get_position()) for r in c.get_rules()] == [("jump", 1), ("drop", 2), ("dnat", 3)]
    c.delete()  # its rules go with it
    raises_status(mn, 404, api.get_rule, drop.get_id())
    other.delete()


# ---- the collection's client and the real one see the same state ----------------------------
def test_collection_client_and_real_client_agree(mn, standin):
    """What the collection's MidonetClient writes, the real client reads, and the other way
    round (a shared misreading of the reference by the stand-in and the collection's client
    would show up here)."""
    from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet import MidonetClient
    ours = MidonetClient(standin.url)
    real = mn.api.MidonetApi(standin.url, None, None)

    zid = ours.create_zone("mido-tz", "gre")
    assert ours.add_member(zid, NC1, "10.0.0.11") is True
    tz = real.get_tunnel_zone(zid)
    assert (tz.get_name(), tz.get_type()) == ("mido-tz", "gre")
    assert [(m.get_host_id(), m.get_ip_address()) for m in tz.get_hosts()] == [(NC1, "10.0.0.11")]

    tz.add_tunnel_zone_host().host_id(NC2).ip_address("10.0.0.12").create()  # GreTunnelZoneHost-v1
    assert sorted((m["hostId"], m["ipAddress"]) for m in ours.list_members(zid)) == \
        [(NC1, "10.0.0.11"), (NC2, "10.0.0.12")]
    assert ours.add_member(zid, NC2, "10.0.0.12") is False  # already a member, either flavour
    vx = real.add_vxlan_tunnel_zone().name("vx-tz").create()
    assert sorted((z["name"], z["type"]) for z in ours.list_zones()) == [("mido-tz", "gre"), ("vx-tz", "vxlan")]
    assert ours.create_zone("vx-tz", "vxlan") is None  # duplicate name, either flavour
    assert dict((h["id"], h["name"]) for h in ours.list_hosts()) == \
        dict((h.get_id(), h.get_name()) for h in real.get_hosts())
    assert ours.remove_member(zid, NC1) is True
    assert [m.get_host_id() for m in tz.get_hosts()] == [NC2]
    vx.delete()
    ours.delete_zone(zid)
    assert real.get_tunnel_zones() == []


# ---- a bridge's DHCP (§5 dhcpSubnets; eucanetd's VPC subnets) --------------------------------
def test_bridge_dhcp(mn, standin):
    api = mn.api.MidonetApi(standin.url, None, None)
    five = standin.flavor == 5
    kw = {} if five else {"headers": {"Content-Type": BRIDGE1, "Accept": BRIDGE1}}
    br = api.add_bridge().name("vb_vpc-1_subnet-1").tenant_id(TENANT).create(**kw)
    sub = br.add_dhcp_subnet().default_gateway("172.31.0.1").server_addr("172.31.0.2") \
        .subnet_prefix("172.31.0.0").subnet_length(20).dns_server_addrs(["8.8.8.8"]).create()  # DhcpSubnet-v2
    assert (sub.get_subnet_prefix(), sub.get_subnet_length(), sub.get_default_gateway(),
            sub.get_dns_server_addrs(), sub.is_enabled()) == ("172.31.0.0", 20, "172.31.0.1", ["8.8.8.8"], True)
    assert br.get_dhcp_subnet("172.31.0.0_20").get_server_addr() == "172.31.0.2"
    raises_status(mn, 409 if five else 400,
                  br.add_dhcp_subnet().subnet_prefix("172.31.0.0").subnet_length(20).create)
    raises_status(mn, 400, br.add_dhcp_subnet().subnet_prefix("172.31.0.300").subnet_length(20).create)
    if five:
        h = sub.add_dhcp_host().name("i-1").ip_addr("172.31.0.10").mac_addr("d0:0d:aa:bb:cc:01").create()
    else:  # DhcpHost-v2 is 5.x; MEM 1.9 has DhcpHost-v1
        raises_status(mn, 415, sub.add_dhcp_host().name("i-1").ip_addr("172.31.0.10")
                      .mac_addr("d0:0d:aa:bb:cc:01").create)
        mt = V + "DhcpHost-v1+json"
        h = sub.add_dhcp_host().name("i-1").ip_addr("172.31.0.10").mac_addr("d0:0d:aa:bb:cc:01") \
            .create(headers={"Content-Type": mt, "Accept": mt})
    assert (h.get_name(), h.get_ip_addr(), h.get_mac_addr()) == ("i-1", "172.31.0.10", "d0:0d:aa:bb:cc:01")
    hosts_mt = V + ("collection.DhcpHost-v2+json" if five else "collection.DhcpHost-v1+json")
    direct = read(standin, "/bridges/%s/dhcp/172.31.0.0_20/hosts" % br.get_id(), hosts_mt)
    assert [(x["macAddr"], x["ipAddr"]) for x in direct] == [("d0:0d:aa:bb:cc:01", "172.31.0.10")]
    if five:
        assert sub.get_dhcp_host("172.31.0.10", "d0:0d:aa:bb:cc:01").get_name() == "i-1"
    h.delete()
    assert read(standin, "/bridges/%s/dhcp/172.31.0.0_20/hosts" % br.get_id(), hosts_mt) == []
    sub.delete()
    assert br.get_dhcp_subnets() == []
    br.delete()


def test_host_fields_are_the_models(mn, standin):
    """The host object carries only what MidoNet's Host model serializes (5.x models/Host.java:
    id, name, addresses, hostInterfaces, alive, the four weights, uri, interfaces, ports (later
    versions add vppBindings); tunnelZoneIds and portIds are @JsonIgnore. 1.x api/host/Host.java:
    the same without the container weights, plus hostCommands), so no client can come to depend
    on a stand-in-only field; and at least what the real client reads."""
    api = mn.api.MidonetApi(standin.url, None, None)
    keys = set(api.get_host(CLC).dto)
    model = {"id", "name", "addresses", "hostInterfaces", "alive", "floodingProxyWeight", "uri",
             "interfaces", "ports"}
    model |= ({"containerWeight", "containerLimit", "enforceContainerLimit", "vppBindings"}
              if standin.flavor == 5 else {"hostCommands"})
    assert keys <= model, keys - model
    assert keys >= {"id", "name", "alive", "addresses", "floodingProxyWeight", "interfaces", "ports"}
