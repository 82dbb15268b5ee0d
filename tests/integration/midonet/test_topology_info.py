"""eucalyptus.cloud.midonet_topology_info against the MidoNet API stand-in, flavors 1 and 5: the
walk-through's topology is built with plain HTTP (seed_topology.py, not the collection's client)
and the module's topology, counts and listing are compared with it and with direct reads."""
import uuid

import pytest

import seed_topology as st
from midonet_standin import HOSTS, M_HOSTS, M_MEMBERS, M_ZONES, PASSWORD, USER
from module_runner import run_module

CLC = HOSTS["clc.euca"]


def info(mido, check=False, **args):
    return run_module("midonet_topology_info", mido.api_args(**args), check=check)


def ok(result):
    assert not result.failed, (result.get("msg"), result.stderr[-2000:])
    return result


@pytest.fixture
def seed(mido):
    """The walk-through's objects in the stand-in for one test, deleted afterwards."""
    api = st.Api(mido.url, mido.flavor)
    ids = st.build(api, CLC, zone_name="tz-" + uuid.uuid4().hex[:8])
    yield ids
    st.teardown(api, ids)


# What midonet-cli prints for the walk-through's topology (seed 000, step 4), with its addresses.
SEED_LISTING = [
    "midonet> list router",
    "router router0 name eucart state up",
    "midonet> list bridge",
    "bridge bridge0 name eucabr state up",
    "midonet> router router0 list port",
    "port port0 device router0 state up mac ac:ca:ba:11:c8:8e address 172.19.0.2 net 172.19.0.0/30",
    "port port1 device router0 state up mac ac:ca:ba:c9:8c:aa address 169.254.0.1 net 169.254.0.0/17 peer bridge0:port0",
    "midonet> host host0 list binding",
    "host host0 interface veth1 port router0:port0",
    "midonet> router router0 list route",
    "route route0 type normal src 0.0.0.0/0 dst 0.0.0.0/0 gw 172.19.0.1 port router0:port0 weight 0",
    "route route1 type normal src 0.0.0.0/0 dst 172.19.0.0/30 port router0:port0 weight 0",
    "route route2 type normal src 0.0.0.0/0 dst 172.19.0.2 port router0:port0 weight 0",
    "route route3 type normal src 0.0.0.0/0 dst 169.254.0.0/17 port router0:port1 weight 0",
    "route route4 type normal src 0.0.0.0/0 dst 169.254.0.1 port router0:port1 weight 0",
    "midonet> bridge bridge0 list port",
    "port port0 device bridge0 state up peer router0:port1",
]


def test_seed_listing_topology_and_counts(mido, seed):
    r = ok(info(mido))
    assert r["changed"] is False
    listing = r["listing"]
    assert listing[:len(SEED_LISTING)] == SEED_LISTING
    # hosts and tunnel zones follow, as midonet-cli lists them
    assert "host host0 name clc.euca alive true" in listing
    assert [x for x in listing if x.startswith("zone ")] == ["zone tzone0 host host0 address 10.111.5.100"]

    t = r["topology"]
    gw = [p for p in t["ports"] if p["address"] == st.GATEWAY_IP]
    assert len(gw) == 1 and gw[0]["id"] == seed["gw_port"]
    assert (gw[0]["host_id"], gw[0]["host_name"], gw[0]["interface_name"]) == (CLC, "clc.euca", "veth1")
    rt = [p for p in t["ports"] if p["id"] == seed["rt_port"]][0]
    assert (rt["peer_id"], rt["peer_device_name"], rt["peer_device_kind"]) == (seed["br_port"], "eucabr", "bridge")
    default = [x for x in t["routes"] if x["dst"] == "0.0.0.0/0"]
    assert len(default) == 1
    assert (default[0]["gateway"], default[0]["next_hop_port"]) == (st.PUBLIC_GATEWAY_IP, seed["gw_port"])
    assert t["bindings"] == [{"host_id": CLC, "host_name": "clc.euca", "interface_name": "veth1",
                              "port_id": seed["gw_port"], "port_alias": "router0:port0"}]

    # counts against direct reads of the API (vendor types of each flavor)
    v = st.TYPES[mido.flavor]
    routers = mido.get("/routers", "application/vnd.org.midonet.collection.%s+json" % v["router"])
    bridges = mido.get("/bridges", "application/vnd.org.midonet.collection.%s+json" % v["bridge"])
    ports = sum(len(mido.get("/%s/%s/ports" % (k, d["id"]), "application/vnd.org.midonet.collection.%s+json" % v["port"]))
                for k, ds in (("routers", routers), ("bridges", bridges)) for d in ds)
    routes = sum(len(mido.get("/routers/%s/routes" % d["id"], "application/vnd.org.midonet.collection.Route-v1+json"))
                 for d in routers)
    zones = mido.get("/tunnel_zones", M_ZONES)
    members = sum(len(mido.get("/tunnel_zones/%s/hosts" % z["id"], M_MEMBERS)) for z in zones)
    assert r["counts"] == {"routers": len(routers), "bridges": len(bridges), "ports": ports, "routes": routes,
                           "tunnel_zones": len(zones), "tunnel_zone_members": members,
                           "hosts": len(mido.get("/hosts", M_HOSTS))}
    assert (r["counts"]["routers"], r["counts"]["ports"], r["counts"]["routes"]) == (1, 3, 5)
    # root, hosts, routers, bridges, ports, 1 route list, zones, 1 member list: GETs only
    assert r["api_calls"] == {"GET": 8, "total": 8}
    assert r["api_version"].startswith("v%d" % mido.flavor)


def test_check_mode_reads_the_same(mido, seed):
    assert ok(info(mido, check=True))["listing"][:len(SEED_LISTING)] == SEED_LISTING


def test_include_and_tenant(mido, seed):
    api = st.Api(mido.url, mido.flavor)
    other = api.post("/routers", "router", {"name": "vr_vpc-56403811_2", "tenantId": "someone"})
    try:
        r = ok(info(mido))
        assert [x for x in r["listing"] if x.startswith("router ")] == [
            "router router0 name eucart state up", "router router1 name vr_vpc-56403811_2 state up"]
        r = ok(info(mido, include=["routers"], tenant=st.TENANT))
        assert r["listing"] == ["midonet> list router", "router router0 name eucart state up"]
        assert sorted(r["topology"]) == ["routers"]
        assert r["counts"]["routers"] == 1 and r["counts"]["routes"] is None and r["counts"]["hosts"] is None
        assert r["api_calls"] == {"GET": 2, "total": 2}
        r = ok(info(mido, include=["routes"], tenant=st.TENANT))   # routes need ports, devices, hosts
        assert r["counts"]["routes"] == 5 and r["counts"]["ports"] == 3 and r["counts"]["tunnel_zones"] is None
        assert [x for x in r["listing"] if x.startswith("midonet>")] == ["midonet> router router0 list route"]
    finally:
        api.delete("/routers/%s" % other)


def test_missing_binding_and_route_show(mido):
    """A gateway port that is not bound and a router without the default route read as such."""
    api = st.Api(mido.url, mido.flavor)
    ids = st.build(api, CLC, zone_name="tz-" + uuid.uuid4().hex[:8], with_default_route=False, bind=False)
    try:
        r = ok(info(mido, include=["routers", "ports", "routes"]))
        gw = [p for p in r["topology"]["ports"] if p["id"] == ids["gw_port"]][0]
        assert gw["host_id"] is None and gw["interface_name"] is None
        assert r["topology"]["bindings"] == []
        assert not [x for x in r["topology"]["routes"] if x["dst"] == "0.0.0.0/0"]
        assert not [x for x in r["listing"] if "list binding" in x]
        assert r["counts"]["routes"] == 4
    finally:
        st.teardown(api, ids)


def test_unknown_include_is_refused(mido):
    r = info(mido, include=["routers", "chains"])
    assert r.failed and "chains" in r["msg"]


def test_unreachable_api():
    r = run_module("midonet_topology_info", {"api_url": "http://127.0.0.1:9/midonet-api", "timeout": 2})
    assert r.failed and "MidoNet API unreachable" in r["msg"]


def test_credentials_never_returned(mido_auth):
    url = mido_auth.url.replace("http://", "http://%s:%s@" % (USER, PASSWORD))
    r = run_module("midonet_topology_info", {"api_url": url, "include": ["hosts"]})
    assert not r.failed, r.get("msg")
    assert PASSWORD not in r.stdout and PASSWORD not in r.stderr
    assert r["counts"]["hosts"] >= 4
    assert r["api_calls"]["GET"] == 3   # login (GET), root, hosts
