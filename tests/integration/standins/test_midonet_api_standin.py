"""Checks the lab's MidoNet API stand-in (tests/lab/standins/midonet_api.py) against the reference.

Every row of TABLE is one line of a status-code / media-type table of the shared reference
``midonet-api.md`` (the section is in the row id) and runs against flavor 1 (MEM 1.9 webapp in
Tomcat) and flavor 5 (midonet-cluster). The stand-in runs in-process on 127.0.0.1 with the memory
store; a fresh world is built for every row:

    hosts h1 (alive, member of zone tz at 10.0.0.1), h2 (alive), h3 (dead)
    tunnel zone tz "mido-tz" (gre); router "eucart" (tenant euca_tenant_1) with port rport;
    bridge "eucabr" with port bport

The ZooKeeper store and the midolman stand-in are tested at the end when a ZooKeeper answers on
$EUCA_LAB_ZK (default 127.0.0.1:2181); otherwise they are skipped (the molecule scenario runs the
real packaged services against Debian's ZooKeeper).
"""
import base64
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
STANDINS = os.path.join(TOP, "tests", "lab", "standins")


def _load(name):
    spec = importlib.util.spec_from_file_location("standin_" + name, os.path.join(STANDINS, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


mapi = _load("midonet_api")

V = "application/vnd.org.midonet."
TZ, TZC = V + "TunnelZone-v1+json", V + "collection.TunnelZone-v1+json"
TZH, TZHC = V + "TunnelZoneHost-v1+json", V + "collection.TunnelZoneHost-v1+json"
GTZH, GTZHC = V + "GreTunnelZoneHost-v1+json", V + "collection.GreTunnelZoneHost-v1+json"
ERR = V + "Error-v1+json"
JSON = "application/json"
H1, H2, H3 = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
              "33333333-3333-4333-8333-333333333333")
MISSING = "99999999-9999-4999-8999-999999999999"


class Standin:
    """An in-process stand-in on a free 127.0.0.1 port."""

    def __init__(self, flavor, store=None, **kw):
        self.api = mapi.MidonetApi(flavor, store or mapi.MemoryStore(), **kw)
        self.srv = mapi.make_server(self.api, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.base = "http://127.0.0.1:%d/midonet-api" % self.srv.server_address[1]
        self.s = requests.Session()

    def req(self, method, path, headers=None, body=None):
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        return self.s.request(method, self.base + path, headers=headers or {}, data=data, timeout=5)

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def build_world(st):
    ids = {"h1": H1, "h2": H2, "h3": H3, "missing": MISSING}
    mapi.register_host(st.api.store, H1, "node1", ["10.0.0.1"],
                       [{"name": "eth0", "mac": "02:00:00:00:00:01", "mtu": 1500, "type": "Physical",
                         "endpoint": "PHYSICAL", "addresses": ["10.0.0.1"], "status": 3}])
    mapi.register_host(st.api.store, H2, "node2", ["10.0.0.2"], [])
    mapi.register_host(st.api.store, H3, "node3", ["10.0.0.3"], [], alive=False)

    def create(path, body, ctype=JSON):
        r = st.req("POST", path, {"Content-Type": ctype, "Accept": "*/*"}, body)
        assert r.status_code == 201, (path, r.status_code, r.text)
        return r.headers["Location"].rsplit("/", 1)[-1]

    ids["tz"] = create("/tunnel_zones", {"name": "mido-tz", "type": "gre"})
    create("/tunnel_zones/%s/hosts" % ids["tz"], {"hostId": H1, "ipAddress": "10.0.0.1"}, TZH)
    rt = "Router-v3" if st.api.flavor == 5 else "Router-v2"
    ids["router"] = create("/routers", {"name": "eucart", "tenantId": "euca_tenant_1"}, V + rt + "+json")
    ids["bridge"] = create("/bridges", {"name": "eucabr", "tenantId": "euca_tenant_1"})
    ids["rport"] = create("/routers/%s/ports" % ids["router"],
                          {"portAddress": "169.254.0.1", "networkAddress": "169.254.0.0", "networkLength": 17})
    ids["bport"] = create("/bridges/%s/ports" % ids["bridge"], {})
    return ids


def F(v1, v5):
    """A value that differs between flavor 1 and flavor 5."""
    return {1: v1, 5: v5}


def A(accept):
    return {"Accept": accept}


def CT(ctype, accept="*/*"):
    return {"Content-Type": ctype, "Accept": accept}


NOBODY = ""  # expected: empty body
# Each row: id ("§section what"), method, path, request headers, body, expected status,
# expected Content-Type (None: not checked, NOBODY: empty body), expected JSON subset / callable.
TABLE = [
    # §1 root document
    ("§1 root json", "GET", "/", A(JSON), None, 200, JSON,
     lambda b, f: b["version"] == F("v1.9", "v5.0")[f] and "{id}" in b["tunnelZoneTemplate"]
     and b["uri"].endswith(F("/midonet-api", "/midonet-api/")[f])),
    ("§1 root Application-v5", "GET", "/", A(V + "Application-v5+json"), None, 200, V + "Application-v5+json", None),
    ("§1 root Application-v4 (1.9 only)", "GET", "/", A(V + "Application-v4+json"), None,
     F(200, 406), None, None),
    # §2 login / auth (MockAuthService)
    ("§2 login POST Basic", "POST", "/login", {"Authorization": "Basic " + base64.b64encode(b"admin:x").decode()},
     "{}", 200, V + "Token-v1+json", lambda b, f: b["key"] == F("999888777666", "00000000")[f]),
    ("§2 login method not checked (GET)", "GET", "/login",
     {"Authorization": "Basic " + base64.b64encode(b"admin:x").decode()}, None, 200, V + "Token-v1+json", None),
    ("§2 login without Basic header", "POST", "/login", {}, None, 401, ERR, {"code": 401}),
    ("§2 mock auth: no token is admin", "GET", "/tunnel_zones", A("*/*"), None, 200, TZC, None),
    ("§2 mock auth: unknown token is admin", "GET", "/tunnel_zones", {"Accept": "*/*", "X-Auth-Token": "junk"},
     None, 200, TZC, None),
    # §1 media-type checking
    ("§1 5.x missing Accept -> 406 (inferred); 1.x JAX-RS */*", "GET", "/tunnel_zones", {"Accept": ""}, None,
     F(200, 406), None, None),
    ("§1 incompatible Accept", "GET", "/tunnel_zones", A("text/plain"), None, 406, None, None),
    ("§1 Accept json on tunnel zones", "GET", "/tunnel_zones", A(JSON), None, 200, JSON, None),
    ("§1 5.x incompatible Content-Type 406; 1.x 415", "POST", "/tunnel_zones", CT("text/plain"),
     {"name": "x", "type": "gre"}, F(415, 406), None, None),
    # §3.3 tunnel zones
    ("§3.3 list", "GET", "/tunnel_zones", A(TZC), None, 200, TZC,
     lambda b, f: [z["name"] for z in b] == ["mido-tz"] and b[0]["hosts"].endswith("/hosts")),
    ("§3.3 list ignores tenant_id", "GET", "/tunnel_zones?tenant_id=nobody", A(TZC), None, 200, TZC,
     lambda b, f: len(b) == 1),
    ("§3.3 get", "GET", "/tunnel_zones/{tz}", A(TZ), None, 200, TZ,
     lambda b, f: set(b) >= {"id", "name", "type", "uri", "hosts"} and "tenantId" not in b),
    ("§3.3 get missing", "GET", "/tunnel_zones/{missing}", A(TZ), None, 404, ERR, {"code": 404}),
    ("§3.3 create vendor type", "POST", "/tunnel_zones", CT(TZ), {"name": "euca-tz", "type": "vxlan"},
     201, NOBODY, None),
    ("§3.3 create json, unknown field tenantId ignored, id kept", "POST", "/tunnel_zones", CT(JSON),
     {"id": MISSING, "name": "eucatz", "type": "vtep", "tenantId": "euca_tenant_1"}, 201, NOBODY, None),
    ("§3.3 duplicate name (exact)", "POST", "/tunnel_zones", CT(TZ), {"name": "mido-tz", "type": "gre"},
     F(400, 409), ERR,
     lambda b, f: b["code"] == F(400, 409)[f] and ("Tunnel zone name already exists." in json.dumps(b))),
    ("§3.3 duplicate name other case: 1.x case-insensitive", "POST", "/tunnel_zones", CT(TZ),
     {"name": "MIDO-TZ", "type": "gre"}, F(400, 201), None, None),
    ("§3.3 missing name", "POST", "/tunnel_zones", CT(TZ), {"type": "gre"}, 400, ERR,
     lambda b, f: b["violations"][0]["property"] == "name"),
    ("§3.3 missing type", "POST", "/tunnel_zones", CT(TZ), {"name": "t"}, 400, ERR,
     lambda b, f: b["violations"][0]["property"] == "type"),
    ("§3.3 bad type", "POST", "/tunnel_zones", CT(TZ), {"name": "t", "type": "foo"}, 400, ERR,
     lambda b, f: ("violations" in b) == (f == 1)),
    ("§3.3 capwap is not a type", "POST", "/tunnel_zones", CT(TZ), {"name": "t", "type": "capwap"}, 400, ERR, None),
    ("§3.3 update rename", "PUT", "/tunnel_zones/{tz}", CT(TZ), {"name": "midotz", "type": "gre"}, 204, NOBODY, None),
    ("§3.3 update unchanged name", "PUT", "/tunnel_zones/{tz}", CT(TZ), {"name": "mido-tz", "type": "gre"},
     F(400, 409), ERR, None),
    ("§3.3 update without type", "PUT", "/tunnel_zones/{tz}", CT(TZ), {"name": "other"}, 400, ERR, None),
    ("§3.3 update missing zone", "PUT", "/tunnel_zones/{missing}", CT(TZ), {"name": "zz", "type": "gre"},
     404, ERR, None),
    ("§3.3 delete", "DELETE", "/tunnel_zones/{tz}", {}, None, 204, NOBODY, None),
    ("§3.3 delete missing", "DELETE", "/tunnel_zones/{missing}", {}, None, 204, NOBODY, None),
    # §3.4 members
    ("§3.4 add", "POST", "/tunnel_zones/{tz}/hosts", CT(TZH), {"hostId": "{h2}", "ipAddress": "10.0.0.2"},
     201, NOBODY, None),
    ("§3.4 add GRE alias type", "POST", "/tunnel_zones/{tz}/hosts", CT(GTZH),
     {"hostId": "{h2}", "ipAddress": "10.0.0.2"}, 201, NOBODY, None),
    ("§3.4 add with application/json -> 415", "POST", "/tunnel_zones/{tz}/hosts", CT(JSON),
     {"hostId": "{h2}", "ipAddress": "10.0.0.2"}, 415, None, None),
    ("§3.4 already a member (other IP)", "POST", "/tunnel_zones/{tz}/hosts", CT(TZH),
     {"hostId": "{h1}", "ipAddress": "10.9.9.9"}, F(400, 409), F(ERR, NOBODY),
     F({"violations": [{"property": "hostId", "message": "Tunnel zone membership already exists."}]}, None)),
    ("§3.4 unknown hostId", "POST", "/tunnel_zones/{tz}/hosts", CT(TZH),
     {"hostId": "{missing}", "ipAddress": "10.0.0.9"}, F(400, 404), ERR, None),
    ("§3.4 bad ipAddress", "POST", "/tunnel_zones/{tz}/hosts", CT(TZH), {"hostId": "{h2}", "ipAddress": "10.0.0"},
     400, ERR, {"violations": [{"property": "ipAddress", "message": "is an invalid IP format"}]}),
    ("§3.4 missing hostId", "POST", "/tunnel_zones/{tz}/hosts", CT(TZH), {"ipAddress": "10.0.0.2"}, 400, ERR, None),
    ("§3.4 zone missing", "POST", "/tunnel_zones/{missing}/hosts", CT(TZH),
     {"hostId": "{h2}", "ipAddress": "10.0.0.2"}, 404, ERR, None),
    ("§3.4 delete member", "DELETE", "/tunnel_zones/{tz}/hosts/{h1}", {}, None, 204, NOBODY, None),
    ("§3.4 delete non-member", "DELETE", "/tunnel_zones/{tz}/hosts/{h2}", {}, None, F(204, 404), NOBODY, None),
    ("§3.4 get non-member", "GET", "/tunnel_zones/{tz}/hosts/{h2}", A(TZH), None, 404, ERR, None),
    ("§3.4 get member", "GET", "/tunnel_zones/{tz}/hosts/{h1}", A(TZH), None, 200, TZH,
     lambda b, f: b["hostId"] == H1 and b["ipAddress"] == "10.0.0.1" and "id" not in b
     and ("host" in b) == (f == 5)),
    ("§3.4 list members", "GET", "/tunnel_zones/{tz}/hosts", A(TZHC), None, 200, TZHC,
     lambda b, f: [(m["hostId"], m["ipAddress"]) for m in b] == [(H1, "10.0.0.1")] and "name" not in b[0]),
    ("§3.4 list members GRE alias", "GET", "/tunnel_zones/{tz}/hosts", A(GTZHC), None, 200, GTZHC, None),
    ("§3.4 list members */*", "GET", "/tunnel_zones/{tz}/hosts", A("*/*"), None, 200, TZHC, None),
    ("§3.4 list members application/json -> 406", "GET", "/tunnel_zones/{tz}/hosts", A(JSON), None, 406, None, None),
    ("§3.4 no PUT on members", "PUT", "/tunnel_zones/{tz}/hosts/{h1}", CT(TZH),
     {"hostId": "{h1}", "ipAddress": "10.0.0.5"}, 405, None, None),
    # §4 hosts
    ("§4 list Host-v3", "GET", "/hosts", A(V + "collection.Host-v3+json"), None, 200, V + "collection.Host-v3+json",
     lambda b, f: {(h["name"], h["alive"]) for h in b} == {("node1", True), ("node2", True), ("node3", False)}
     and all("hostInterfaces" in h and "addresses" in h for h in b)),
    ("§4 list Host-v2 (1.9 only; interfaces link)", "GET", "/hosts", A(V + "collection.Host-v2+json"), None,
     F(200, 406), None, lambda b, f: f == 5 or all("interfaces" in h and "hostInterfaces" not in h for h in b)),
    ("§4 list json", "GET", "/hosts", A(JSON), None, 200, JSON, None),
    ("§4 no name filter", "GET", "/hosts?name=node1", A(JSON), None, 200, JSON, lambda b, f: len(b) == 3),
    ("§4 get", "GET", "/hosts/{h1}", A(V + "Host-v3+json"), None, 200, V + "Host-v3+json",
     lambda b, f: b["addresses"] == ["10.0.0.1"] and b["hostInterfaces"][0]["name"] == "eth0"),
    ("§4 get missing", "GET", "/hosts/{missing}", A(JSON), None, 404, ERR, None),
    ("§4 no POST on hosts", "POST", "/hosts", CT(JSON), {"name": "x"}, 405, None, None),
    ("§4 5.x PUT needs the four weights", "PUT", "/hosts/{h1}", CT(JSON), {"floodingProxyWeight": 2},
     F(204, 400), None, None),
    ("§4 5.x PUT weights", "PUT", "/hosts/{h1}", CT(JSON),
     {"floodingProxyWeight": 2, "containerWeight": 1, "containerLimit": 5, "enforceContainerLimit": True},
     204, NOBODY, None),
    ("§4 delete alive host refused", "DELETE", "/hosts/{h2}", {}, None, 403, ERR, None),
    ("§4 delete dead host", "DELETE", "/hosts/{h3}", {}, None, 204, NOBODY, None),
    ("§4 interfaces", "GET", "/hosts/{h1}/interfaces", A(V + "collection.Interface-v1+json"), None, 200,
     V + "collection.Interface-v1+json", lambda b, f: b[0]["hostId"] == H1),
    ("§4 bind: host in no tunnel zone", "POST", "/hosts/{h2}/ports", CT(JSON),
     {"portId": "{bport}", "interfaceName": "veth1"}, F(400, 409), ERR,
     {"message": "The specified host is not in any tunnel zone."}),
    ("§4 bind", "POST", "/hosts/{h1}/ports", CT(V + "HostInterfacePort-v1+json"),
     {"portId": "{bport}", "interfaceName": "veth1", "deviceId": "stray"}, 201, NOBODY, None),
    ("§4 bind list", "GET", "/hosts/{h1}/ports", A("*/*"), None, 200, V + "collection.HostInterfacePort-v1+json",
     lambda b, f: b == []),
    # §5 routers, bridges, ports, routes
    ("§5 router list, tenant_id filter", "GET", "/routers?tenant_id=euca_tenant_1", A("*/*"), None, 200,
     F(V + "collection.Router-v2+json", V + "collection.Router-v3+json"), lambda b, f: [r["name"] for r in b] == ["eucart"]),
    ("§5 router list other tenant", "GET", "/routers?tenant_id=other", A("*/*"), None, 200, None, lambda b, f: b == []),
    ("§5 router get Router-v2 (1.9 only)", "GET", "/routers/{router}", A(V + "Router-v2+json"), None,
     F(200, 406), None, None),
    ("§5 router get", "GET", "/routers/{router}", A("*/*"), None, 200, None,
     lambda b, f: b["routes"].endswith("/routes") and b["ports"].endswith("/ports")),
    ("§5 router update", "PUT", "/routers/{router}", CT(JSON), {"name": "eucart", "adminStateUp": False}, 204,
     NOBODY, None),
    ("§5 bridge ports", "GET", "/bridges/{bridge}/ports", A("*/*"), None, 200, None,
     lambda b, f: [p["type"] for p in b] == ["Bridge"]),
    ("§5 router port", "GET", "/ports/{rport}", A("*/*"), None, 200, None,
     lambda b, f: b["type"] == "Router" and b["portAddress"] == "169.254.0.1" and b["peerId"] is None),
    ("§5 link", "POST", "/ports/{rport}/link", CT(V + "PortLink-v1+json"), {"peerId": "{bport}"}, 201, NOBODY, None),
    ("§5 unlink", "DELETE", "/ports/{rport}/link", {}, None, 204, NOBODY, None),
    ("§5 route create", "POST", "/routers/{router}/routes", CT(V + "Route-v1+json"),
     {"type": "Normal", "srcNetworkAddr": "0.0.0.0", "srcNetworkLength": 0, "dstNetworkAddr": "0.0.0.0",
      "dstNetworkLength": 0, "nextHopPort": "{rport}", "nextHopGateway": "169.254.0.2", "weight": 100},
     201, NOBODY, None),
    ("§5 route bad next hop", "POST", "/routers/{router}/routes", CT(JSON),
     {"type": "Normal", "srcNetworkAddr": "0.0.0.0", "srcNetworkLength": 0, "dstNetworkAddr": "0.0.0.0",
      "dstNetworkLength": 0, "nextHopPort": "{bport}"}, 400, ERR, None),
    ("§5 router routes", "GET", "/routers/{router}/routes", A("*/*"), None, 200, V + "collection.Route-v1+json",
     lambda b, f: b == []),
    ("§5 router delete", "DELETE", "/routers/{router}", {}, None, 204, NOBODY, None),
]


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids) if "{" in value and "{id}" not in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _subset(want, got):
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and _subset(v, got[k]) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(_subset(w, g) for w, g in zip(want, got))
    return want == got


def _per_flavor(value, flavor):
    if isinstance(value, dict) and set(value) == {1, 5}:
        return value[flavor]
    return value


@pytest.fixture
def standin(request):
    st = Standin(request.param)
    yield st
    st.close()


@pytest.mark.parametrize("standin", [1, 5], indirect=True, ids=["flavor1", "flavor5"])
@pytest.mark.parametrize("row", TABLE, ids=[r[0] for r in TABLE])
def test_reference_table(standin, row):
    name, method, path, headers, body, status, ctype, check = row
    flavor = standin.api.flavor
    ids = build_world(standin)
    if name.startswith("§4 bind list"):  # the binding row above, then list it
        standin.req("POST", "/hosts/%s/ports" % H1, CT(JSON), {"portId": ids["bport"], "interfaceName": "veth1"})

        def check(b, f):
            return [(x["portId"], x["interfaceName"]) for x in b] == [(ids["bport"], "veth1")]
    payload = None if body is None else (body if isinstance(body, str) else json.dumps(_fill(body, ids)))
    headers = dict(headers.items())
    r = standin.req(method, _fill(path, ids), headers, payload)
    want_status = _per_flavor(status, flavor)
    assert r.status_code == want_status, (r.status_code, r.headers, r.text)
    want_ctype = _per_flavor(ctype, flavor)
    if want_ctype == NOBODY:
        assert r.content == b"", r.text
    elif want_ctype is not None:
        assert r.headers.get("Content-Type") == want_ctype
    if r.status_code == 201:
        assert r.headers["Location"].startswith(standin.base + "/")
        assert requests.get(r.headers["Location"], headers={"Accept": "*/*"}, timeout=5).status_code in (200, 405)
    if r.status_code >= 400 and r.content:
        assert r.headers["Content-Type"] == ERR and r.json()["code"] == r.status_code
    if r.status_code == 401:
        assert r.headers["WWW-Authenticate"] == 'Basic  realm="BASIC_AUTH_REALM"'
    check = _per_flavor(check, flavor)
    if callable(check):
        assert check(r.json(), flavor), r.text
    elif check is not None:
        assert _subset(check, r.json()), r.text


@pytest.mark.parametrize("flavor", [1, 5])
def test_login_cookie_and_keystone_mode(flavor):
    """§2: Set-Cookie sessionId=<token>; keystone-like mode checks users and tokens."""
    st = Standin(flavor, auth="keystone", user="admin", password="secret")
    try:
        r = st.req("POST", "/login", {"Authorization": "Basic " + base64.b64encode(b"admin:wrong").decode()})
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Basic  realm="BASIC_AUTH_REALM"'
        r = st.req("GET", "/tunnel_zones", A("*/*"))
        assert (r.status_code, r.json()) == (401, {"message": "No token was passed in.", "code": 401})
        r = st.req("GET", "/tunnel_zones", {"Accept": "*/*", "X-Auth-Token": "bogus"})
        assert (r.status_code, r.json()["message"]) == (401, "Authentication error")
        assert r.headers["WWW-Authenticate"] == 'Basic  realm="BASIC_AUTH_REALM"'
        r = st.req("POST", "/login", {"Authorization": "Basic " + base64.b64encode(b"admin:secret").decode()}, "{}")
        assert r.status_code == 200
        token = r.headers["Set-Cookie"].split("sessionId=", 1)[1].split(";", 1)[0]
        assert token == r.json()["key"]
        assert st.req("GET", "/tunnel_zones", {"Accept": "*/*", "X-Auth-Token": token}).status_code == 200
    finally:
        st.close()
    st = Standin(flavor)
    try:
        r = st.req("POST", "/login", {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()})
        assert r.headers["Set-Cookie"].startswith("sessionId=%s;" % F("999888777666", "00000000")[flavor])
    finally:
        st.close()


@pytest.mark.parametrize("flavor", [1, 5])
def test_zookeeper_unreachable_is_503(flavor):
    """§2 'Other server-side failures': the 1.x StateFilter / 5.x zkLock message."""
    pytest.importorskip("kazoo")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = "127.0.0.1:%d" % s.getsockname()[1]
    store = mapi.ZooKeeperStore(dead, "/midonet")
    st = Standin(flavor, store=store)
    try:
        r = st.req("GET", "/tunnel_zones", A("*/*"))
        assert r.status_code == 503
        assert r.json() == {"message": F("Can not access topology information",
                                         "Could not acquire lock for storage operation.")[flavor], "code": 503}
        login = st.req("POST", "/login", {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()})
        assert login.status_code == 200  # LoginFilter runs before the StateFilter
    finally:
        st.close()
        store.zk.stop()


@pytest.mark.parametrize("flavor", [1, 5])
def test_lab_fault_injection_off_by_default_then_one_503(flavor):
    """LAB-ONLY hook: nothing armed by default; an armed fault answers exactly the flavor's 503
    (reference §2) for the matching method and path, ``count`` times, and changes nothing."""
    st = Standin(flavor)
    try:
        ids = build_world(st)
        assert st.req("GET", "/_lab/faults").json() == []
        member = {"hostId": H2, "ipAddress": "10.0.0.2"}
        path = "/tunnel_zones/%s/hosts" % ids["tz"]
        r = st.req("POST", "/_lab/faults", CT(JSON), {"method": "POST", "path": "tunnel_zones/[^/]+/hosts"})
        assert r.status_code == 204
        assert st.req("GET", path, A(TZHC)).status_code == 200          # other methods unaffected
        r = st.req("POST", path, CT(TZH), member)
        assert r.status_code == 503 and r.headers["Content-Type"] == ERR
        assert r.json() == {"message": F("Can not access topology information",
                                         "Could not acquire lock for storage operation.")[flavor], "code": 503}
        assert [m["hostId"] for m in st.req("GET", path, A(TZHC)).json()] == [H1]   # not carried out
        assert st.req("POST", path, CT(TZH), member).status_code == 201             # count 1: used up
        assert st.req("DELETE", "/_lab/faults").status_code == 204
        assert st.req("GET", "/_lab/faults").json() == []
    finally:
        st.close()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url, proc, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            return requests.get(url, headers={"Accept": JSON}, timeout=1)
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("stand-in did not start")


def test_cli_flavor1_reads_web_xml_and_tomcat_connector(tmp_path):
    """The CLI contract: --flavor 1 --config web.xml --tomcat-server-xml server.xml --store memory."""
    port = _free_port()
    web = tmp_path / "web.xml"
    web.write_text("""<?xml version="1.0"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">
  <context-param><param-name>rest_api-base_uri</param-name>
    <param-value>http://127.0.0.1:%d/midonet-api</param-value></context-param>
  <context-param><param-name>auth-auth_provider</param-name>
    <param-value>org.midonet.cluster.auth.MockAuthService</param-value></context-param>
  <context-param><param-name>mock_auth-admin_token</param-name><param-value>4242</param-value></context-param>
  <context-param><param-name>zookeeper-zookeeper_hosts</param-name><param-value>127.0.0.1:1</param-value></context-param>
</web-app>""" % port)
    server = tmp_path / "server.xml"
    server.write_text('<Server port="-1"><Service name="Catalina">'
                      '<Connector port="%d" protocol="HTTP/1.1" address="127.0.0.1"/>'
                      '<Connector port="8009" protocol="AJP/1.3"/></Service></Server>' % port)
    proc = subprocess.Popen([sys.executable, os.path.join(STANDINS, "midonet_api.py"), "--flavor", "1",
                             "--config", str(web), "--tomcat-server-xml", str(server), "--store", "memory",
                             "--seed-hosts", "node1=%s" % H1], stderr=subprocess.PIPE, text=True)
    try:
        r = _wait("http://127.0.0.1:%d/midonet-api/" % port, proc)
        assert r.json()["version"] == "v1.9"
        assert r.json()["uri"] == "http://127.0.0.1:%d/midonet-api" % port
        login = requests.post("http://127.0.0.1:%d/midonet-api/login" % port, auth=("a", "b"), timeout=5)
        assert login.json()["key"] == "4242"
        hosts = requests.get("http://127.0.0.1:%d/midonet-api/hosts" % port, timeout=5).json()
        assert [h["id"] for h in hosts] == [H1]
    finally:
        proc.terminate()
        proc.wait(5)


def test_cli_flavor5_defaults_and_mn_conf_file(tmp_path):
    port = _free_port()
    conf = tmp_path / "mn.conf"
    conf.write_text('cluster.rest_api.http_port : %d\ncluster.rest_api.http_host = "127.0.0.1"\n' % port)
    proc = subprocess.Popen([sys.executable, os.path.join(STANDINS, "midonet_api.py"), "--flavor", "5",
                             "--mn-conf", str(conf), "--store", "memory"], stderr=subprocess.PIPE, text=True)
    try:
        r = _wait("http://127.0.0.1:%d/midonet-api/" % port, proc)
        assert r.json()["version"] == "v5.0" and r.json()["uri"].endswith("/midonet-api/")
    finally:
        proc.terminate()
        proc.wait(5)


# ---- ZooKeeper store and the midolman stand-in (need a real ZooKeeper) ---------------------
ZK = os.environ.get("EUCA_LAB_ZK", "127.0.0.1:2181")


def _zk_available():
    host, _sep, port = ZK.split(",")[0].partition(":")
    try:
        with socket.create_connection((host, int(port or 2181)), timeout=0.5) as s:
            s.sendall(b"srvr")
            return b"Zookeeper" in s.recv(200)
    except OSError:
        return False


needs_zk = pytest.mark.skipif(not _zk_available(),
                              reason="no ZooKeeper on %s (set EUCA_LAB_ZK); the molecule scenario covers "
                                     "the packaged stand-ins against a real one" % ZK)


@pytest.mark.may_skip("the molecule scenario runs the packaged stand-ins against Debian's ZooKeeper")
@needs_zk
def test_zookeeper_store_and_midolman(tmp_path):
    from kazoo.client import KazooClient
    root = "/eucalyptus-lab-test-%s/midonet" % uuid.uuid4().hex[:8]
    zk = KazooClient(hosts=ZK)
    zk.start(timeout=5)
    store = mapi.ZooKeeperStore(ZK, root)
    st = Standin(5, store=store)
    conf = tmp_path / "midolman.conf"
    conf.write_text("[zookeeper]\nzookeeper_hosts = %s\nroot_key = %s\n" % (ZK, root))
    idfile = tmp_path / "host_id.properties"
    proc = subprocess.Popen([sys.executable, os.path.join(STANDINS, "midolman.py"), "--config", str(conf),
                             "--host-id-file", str(idfile), "--interval", "0.2"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 10
        while time.time() < deadline and not (idfile.exists() and zk.exists(root + "/hosts")
                                              and zk.get_children(root + "/hosts")):
            time.sleep(0.1)
        hid = idfile.read_text().split("host_uuid=", 1)[1].split()[0]
        assert zk.exists("%s/hosts/%s/alive" % (root, hid)).ephemeralOwner != 0
        deadline = time.time() + 5
        while time.time() < deadline and st.req("GET", "/hosts", A("*/*")).json() == []:
            time.sleep(0.1)
        hosts = st.req("GET", "/hosts", A("*/*")).json()
        assert [(h["id"], h["name"], h["alive"]) for h in hosts] == [(hid, socket.gethostname(), True)]
        r = st.req("POST", "/tunnel_zones", CT(JSON), {"name": "mido-tz", "type": "gre"})
        tz = r.headers["Location"].rsplit("/", 1)[1]
        assert json.loads(zk.get("%s/tunnel_zones/%s" % (root, tz))[0])["name"] == "mido-tz"
        ip = hosts[0]["addresses"][0] if hosts[0]["addresses"] else "127.0.0.1"
        assert st.req("POST", "/tunnel_zones/%s/hosts" % tz, CT(TZH),
                      {"hostId": hid, "ipAddress": ip}).status_code == 201
        assert zk.exists("%s/tunnel_zones/%s/hosts/%s" % (root, tz, hid))
        proc.terminate()
        proc.wait(5)
        assert st.req("GET", "/hosts/" + hid, A("*/*")).json()["alive"] is False
        # "delete ZooKeeper's data": the topology is gone
        zk.delete(root, recursive=True)
        assert st.req("GET", "/tunnel_zones", A("*/*")).json() == []
    finally:
        if proc.poll() is None:
            proc.terminate()
        st.close()
        store.zk.stop()
        zk.delete(root.rsplit("/", 1)[0], recursive=True)
        zk.stop()
