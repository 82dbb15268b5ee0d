"""LAB STAND-IN for the MidoNet REST API. Not MidoNet; for the eucalyptus.cloud lab only.

MidoNet cannot be installed on the lab hosts, so this single file speaks the MidoNet REST API
the way the real servers do, as far as the collection and eucanetd use it:

* ``--flavor 1``: the ``midonet-api`` webapp of MEM 1.9 / OSS 2015.06, which runs in Tomcat
  (default ``http://HOST:8080/midonet-api``, ZooKeeper root ``/midonet/v1``, version "v1.9");
* ``--flavor 5``: the REST API embedded in the ``midonet-cluster`` daemon of MidoNet 5.x
  (default ``http://HOST:8181/midonet-api``, ZooKeeper root ``/midonet``, version "v5.0").

Every behaviour follows the collection's reference notes (the shared ``midonet-api.md``; section
numbers are cited in the code). What it implements:

* the root document ``GET /midonet-api/`` (uri, version, collection URIs, ``{id}`` templates);
* ``/login`` (Basic auth -> ``Set-Cookie: sessionId=...`` + Token-v1 body). ``--auth mock`` is
  MockAuthService (every token is admin; 1.x hands out ``mock_auth-admin_token``, 999888777666 by
  default, 5.x always ``00000000``); ``--auth keystone`` checks ``--user``/``--password`` and
  requires a token issued by /login in ``X-Auth-Token`` on every other request (401 bodies as §2);
* ``/system_state``; hosts (list, get, PUT of the weights, DELETE of dead hosts, interfaces,
  host-interface-port bindings ``/hosts/{id}/ports[/{portId}]``);
* tunnel zones (CRUD) and their members ``/tunnel_zones/{id}/hosts[/{hostId}]`` (§3);
* routers, bridges, chains, port groups (CRUD, ``?tenant_id=`` filter, no name filter), ports
  (``/routers|bridges/{id}/ports``, ``/routers|bridges/{id}/peer_ports``, ``/ports/{id}``,
  ``/ports/{id}/link``), routes
  (``/routers/{id}/routes``, ``/routes/{id}``) (§5);
* port group members ``/port_groups/{id}/ports[/{portId}]`` and ``/ports/{id}/port_groups``
  (PortGroupPort-v1); tenants ``/tenants[/{id}]`` (Tenant-v1 on 1.x, Tenant-v2 on 5.x; the
  tenantIds in use, where the real servers ask the identity service);
* rules ``/chains/{id}/rules``, ``/rules/{id}`` (Rule-v2; the type names of models/Rule.java,
  ``position`` 1-based, default 1 = insert first; the posted condition fields are kept as sent);
* a bridge's DHCP subnets ``/bridges/{id}/dhcp[/{prefix}_{len}]`` and their hosts
  ``.../hosts[/{mac}]`` (DhcpSubnet-v2, DhcpHost-v2 on 5.x; DhcpHost-v1 on 1.x);
* IP address groups ``/ip_addr_groups[/{id}]``, their addresses ``/ip_addr_groups/{id}/ip_addrs``
  and ``/ip_addr_groups/{id}/versions/{4|6}/ip_addrs/{addr}`` (§5; URIs as 5.x models/IpAddrGroupAddr);
* the status codes, media types and Error-v1 bodies of each flavor (§3.3, §3.4, §4; 406 on 5.x
  for an incompatible or missing Accept/Content-Type on generic resources, 415 for a member POST
  without a vendor type; 1.x answers 406/415 the plain JAX-RS way);
* 503 when ZooKeeper is unreachable ("Can not access topology information" on 1.x, "Could not
  acquire lock for storage operation." on 5.x).

Not implemented: BGP, VTEPs, traces, DHCPv6, CORS, roles.

State lives in ZooKeeper (``--store zookeeper``, the default of the packaged services; one JSON
document per object under ``--root-key``) or in memory (``--store memory``, for fast tests).
ZooKeeper layout (ROOT = /midonet on 5.x, /midonet/v1 on 1.x)::

    ROOT/hosts/<id>                   host JSON written by midolman (id, name, addresses,
                                      hostInterfaces)
    ROOT/hosts/<id>/alive             EPHEMERAL, owned by the running midolman -> "alive"
    ROOT/hosts/<id>/settings          weights set through PUT /hosts/<id>
    ROOT/hosts/<id>/ports/<portId>    host-interface-port binding
    ROOT/tunnel_zones/<id>            {"id","name","type"}
    ROOT/tunnel_zones/<id>/hosts/<h>  {"hostId","ipAddress"}
    ROOT/routers|bridges|ports|routes|chains|rules|port_groups|ip_addr_groups/<id>
    ROOT/ip_addr_groups/<id>/ip_addrs/<addr>  {"addr","version"}
    ROOT/config/...                   mn-conf (see mn_conf.py); read for the 5.x settings

Stopping ZooKeeper and deleting its data therefore really empties the topology (the store starts
a fresh ZooKeeper session after 10 s without one, so a wiped and restarted ZooKeeper is picked up).

LAB-ONLY, not part of the MidoNet API: ``POST /midonet-api/_lab/hosts`` (register a fake host,
memory store) and ``DELETE /midonet-api/_lab/hosts/{id}``; ``--seed-hosts name=uuid,...``.

LAB-ONLY failure injection, OFF by default (no fault is armed until a test arms one):
``POST /midonet-api/_lab/faults`` with ``{"method": "POST", "path": "tunnel_zones/[^/]+/hosts",
"count": 1}`` arms a fault: the next ``count`` requests whose method and path (relative to the base
path, matched as a whole by the regular expression ``path``) match, after authentication, are
answered with the flavor's own 503 for an unreachable ZooKeeper (the status and Error-v1 body of
the reference, nothing else) without being carried out. ``DELETE /midonet-api/_lab/faults``
disarms all; ``GET`` lists the armed ones. It simulates a ZooKeeper outage in the middle of a
sequence of calls (e.g. after the DELETE of a tunnel-zone member and before its re-POST).

Usage::

    midonet_api.py --flavor 1|5 [--host 127.0.0.1] [--port N] [--base-path /midonet-api]
                   [--store memory|zookeeper] [--zk-hosts h:2181,...] [--root-key KEY]
                   [--auth mock|keystone --user U --password P] [--config FILE]
                   [--mn-conf FILE] [--tomcat-server-xml FILE] [--base-uri URI]
                   [--seed-hosts name=uuid[@alive|@dead],...]

``--config``: flavor 5 reads an INI file like /etc/midonet/midonet.conf (``[zookeeper]
zookeeper_hosts``, ``root_key``) and then the mn-conf keys ``cluster.rest_api.http_port``,
``http_host``, ``root_uri``, ``cluster.auth.provider_class`` and ``zookeeper.root_key`` from
ZooKeeper (what ``mn-conf set`` wrote) and, on top, from ``--mn-conf FILE`` (JSON object or
``key = value`` lines). Flavor 1 reads the web.xml context-params ``zookeeper-zookeeper_hosts``,
``zookeeper-midolman_root_key``, ``rest_api-base_uri``, ``auth-auth_provider`` and
``mock_auth-admin_token`` (with a KeystoneService provider, the lab-only params
``keystone-user_name``/``keystone-user_password`` name the one valid user); the listening
port/address come from the first HTTP ``<Connector>`` of ``--tomcat-server-xml`` (server.xml).
Precedence: built-in defaults < files < flags.
"""
import argparse
import base64
import configparser
import datetime
import ipaddress
import json
import logging
import os
import re
import secrets
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

VND = "application/vnd.org.midonet."
JSON = "application/json"
ERROR_MT = VND + "Error-v1+json"
TOKEN_MT = VND + "Token-v1+json"
MOCK_TOKEN = {1: "999888777666", 5: "00000000"}
VERSION = {1: "v1.9", 5: "v5.0"}
DEFAULTS = {1: {"port": 8080, "root_key": "/midonet/v1"}, 5: {"port": 8181, "root_key": "/midonet"}}
ZK_DOWN = {1: "Can not access topology information",
           5: "Could not acquire lock for storage operation."}
TZ_TYPES = ("gre", "vxlan", "vtep")
ROUTE_TYPES = ("Normal", "BlackHole", "Reject")
# models/Rule.java @JsonSubTypes (the "type" property picks the subclass)
RULE_TYPES = ("accept", "drop", "dnat", "snat", "jump", "reject", "return", "trace", "rev_dnat", "rev_snat")


def vnd(name, v):
    return "%s%s-v%d+json" % (VND, name, v)


def coll(name, v):
    return "%scollection.%s-v%d+json" % (VND, name, v)


# Media types accepted per resource and flavor (§1, §3.1, §4, §5). The first one is what the
# server answers with for */*. "json": whether application/json is also accepted.
def _types(name, versions, json_ok=True):
    item = [vnd(name, v) for v in versions] + ([JSON] if json_ok else [])
    items = [coll(name, v) for v in versions] + ([JSON] if json_ok else [])
    return {"item": item, "coll": items}


MEDIA = {
    5: {
        "application": {"item": [JSON, vnd("Application", 5)]},
        "host": _types("Host", [3]),
        "interface": _types("Interface", [1]),
        "tunnel_zone": _types("TunnelZone", [1]),
        "tz_host": {"item": [vnd("TunnelZoneHost", 1), vnd("GreTunnelZoneHost", 1)],
                    "coll": [coll("TunnelZoneHost", 1), coll("GreTunnelZoneHost", 1)]},
        "host_port": _types("HostInterfacePort", [1]),
        "routers": _types("Router", [3]),
        "bridges": _types("Bridge", [4]),
        "ports": _types("Port", [3]),
        "routes": _types("Route", [1]),
        "chains": _types("Chain", [1]),
        "rules": _types("Rule", [2]),
        "dhcp_subnets": _types("DhcpSubnet", [2]),
        "dhcp_hosts": _types("DhcpHost", [2]),
        "port_groups": _types("PortGroup", [1]),
        "port_group_ports": _types("PortGroupPort", [1]),
        "ip_addr_groups": _types("IpAddrGroup", [1]),
        "ip_addrs": _types("IpAddrGroupAddr", [1]),
        "port_link": _types("PortLink", [1]),
        "system_state": _types("SystemState", [2]),
        "tenants": _types("Tenant", [2]),  # 5.x MidonetMediaTypes has only Tenant-v2
    },
    1: {
        "application": {"item": [JSON, vnd("Application", 5), vnd("Application", 4)]},
        "host": _types("Host", [3, 2]),
        "interface": _types("Interface", [1]),
        "tunnel_zone": _types("TunnelZone", [1]),
        "tz_host": {"item": [vnd("TunnelZoneHost", 1), vnd("GreTunnelZoneHost", 1)],
                    "coll": [coll("TunnelZoneHost", 1), coll("GreTunnelZoneHost", 1)]},
        "host_port": _types("HostInterfacePort", [1]),
        "routers": _types("Router", [2, 1]),
        "bridges": _types("Bridge", [3, 2, 1]),
        "ports": _types("Port", [2, 1]),
        "routes": _types("Route", [1]),
        "chains": _types("Chain", [1]),
        "rules": _types("Rule", [2]),
        "dhcp_subnets": _types("DhcpSubnet", [2, 1]),
        "dhcp_hosts": _types("DhcpHost", [1]),
        "port_groups": _types("PortGroup", [1]),
        "port_group_ports": _types("PortGroupPort", [1]),
        "ip_addr_groups": _types("IpAddrGroup", [1]),
        "ip_addrs": _types("IpAddrGroupAddr", [1]),
        "port_link": _types("PortLink", [1]),
        "system_state": _types("SystemState", [2]),
        "tenants": _types("Tenant", [1]),
    },
}

# Collection name -> (root-document key, template key)
ROOT_LINKS = [
    ("hosts", "hosts", "hostTemplate"),
    ("tunnel_zones", "tunnelZones", "tunnelZoneTemplate"),
    ("routers", "routers", "routerTemplate"),
    ("bridges", "bridges", "bridgeTemplate"),
    ("ports", "ports", "portTemplate"),
    ("routes", None, "routeTemplate"),
    ("chains", "chains", "chainTemplate"),
    ("rules", None, "ruleTemplate"),
    ("port_groups", "portGroups", "portGroupTemplate"),
    ("ip_addr_groups", "ipAddrGroups", "ipAddrGroupTemplate"),
    ("tenants", "tenants", "tenantTemplate"),
    ("vteps", "vteps", "vtepTemplate"),
    ("traces", "traceRequests", "traceRequestTemplate"),
]
DEVICES = ("routers", "bridges", "chains", "port_groups")
DEVICE_FIELDS = {
    "routers": {"name": None, "tenantId": None, "adminStateUp": True, "inboundFilterId": None,
                "outboundFilterId": None},
    "bridges": {"name": None, "tenantId": None, "adminStateUp": True, "inboundFilterId": None,
                "outboundFilterId": None},
    "chains": {"name": None, "tenantId": None},
    "port_groups": {"name": None, "tenantId": None, "stateful": False},
}


class HttpError(Exception):
    """An HTTP error answer. message=None gives an empty body."""

    def __init__(self, status, message=None, violations=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.violations = violations
        self.headers = headers or {}


class StoreUnavailable(Exception):
    pass


def validation_error(*violations):
    return HttpError(400, "Validation error(s) found",
                     violations=[{"property": p, "message": m} for p, m in violations])


# --------------------------------------------------------------------------------------------
# State stores: paths relative to the root key, one JSON document per node.
# --------------------------------------------------------------------------------------------
class MemoryStore:
    def __init__(self):
        self.nodes = {}  # path -> bytes
        self.lock = threading.RLock()

    def check(self):
        return True

    def get(self, path):
        with self.lock:
            raw = self.nodes.get(path)
        return None if raw is None else (json.loads(raw) if raw else {})

    def exists(self, path):
        with self.lock:
            return path in self.nodes

    def children(self, path):
        prefix = path + "/"
        with self.lock:
            return sorted({p[len(prefix):].split("/")[0] for p in self.nodes if p.startswith(prefix)})

    def put(self, path, obj, ephemeral=False):
        with self.lock:
            parts = path.split("/")
            for i in range(1, len(parts)):
                self.nodes.setdefault("/".join(parts[:i]), b"")
            self.nodes[path] = b"" if obj is None else json.dumps(obj).encode()

    def delete(self, path):
        with self.lock:
            for p in [p for p in self.nodes if p == path or p.startswith(path + "/")]:
                del self.nodes[p]


class ZooKeeperStore:
    """kazoo-backed store; every node under ROOT holds one JSON document (or nothing)."""

    def __init__(self, hosts, root, timeout=5.0):
        from kazoo.client import KazooClient  # only needed for this store
        from kazoo.exceptions import KazooException, NoNodeError, NodeExistsError
        from kazoo.handlers.threading import KazooTimeoutError
        self.NoNodeError, self.NodeExistsError = NoNodeError, NodeExistsError
        self.errors = (KazooException, KazooTimeoutError)
        self.root = root.rstrip("/")
        self.new_client = lambda: KazooClient(hosts=hosts, timeout=timeout,
                                              connection_retry={"max_tries": -1, "delay": 0.5, "max_delay": 5})
        self.zk = self.new_client()
        self.zk.start_async()
        threading.Thread(target=self._watchdog, daemon=True).start()

    RESET_AFTER = 10.0

    def _watchdog(self):
        """A ZooKeeper whose data was wiped refuses sessions from clients that have seen a newer
        zxid ("client must try another server"); after RESET_AFTER seconds without a session,
        start over with a fresh client, so "stop ZooKeeper, delete its data, start it" works."""
        down_since = None
        while True:
            time.sleep(1)
            if self.zk.connected:
                down_since = None
                continue
            down_since = down_since or time.monotonic()
            if time.monotonic() - down_since > self.RESET_AFTER:
                old, self.zk = self.zk, self.new_client()
                self.zk.start_async()
                threading.Thread(target=lambda: (old.stop(), old.close()), daemon=True).start()
                down_since = None

    def _p(self, path):
        return self.root + ("/" + path if path else "")

    def check(self):
        if not self.zk.connected:
            raise StoreUnavailable()

    def _call(self, fn, *args, **kw):
        self.check()
        try:
            return fn(*args, **kw)
        except self.errors as exc:
            if isinstance(exc, (self.NoNodeError, self.NodeExistsError)):
                raise
            raise StoreUnavailable() from exc

    def get(self, path):
        try:
            data, _unused = self._call(self.zk.get, self._p(path))
        except self.NoNodeError:
            return None
        return json.loads(data) if data else {}

    def exists(self, path):
        return self._call(self.zk.exists, self._p(path)) is not None

    def children(self, path):
        try:
            return sorted(self._call(self.zk.get_children, self._p(path)))
        except self.NoNodeError:
            return []

    def put(self, path, obj, ephemeral=False):
        data = b"" if obj is None else json.dumps(obj).encode()
        try:
            self._call(self.zk.set, self._p(path), data)
        except self.NoNodeError:
            try:
                self._call(self.zk.create, self._p(path), data, makepath=True, ephemeral=ephemeral)
            except self.NodeExistsError:
                self._call(self.zk.set, self._p(path), data)

    def delete(self, path):
        try:
            self._call(self.zk.delete, self._p(path), recursive=True)
        except self.NoNodeError:
            pass


# --------------------------------------------------------------------------------------------
# Media types
# --------------------------------------------------------------------------------------------
def _parse_media_list(value):
    out = []
    for part in value.split(","):
        bits = [b.strip() for b in part.split(";")]
        mt = bits[0].lower()
        if not mt:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 1.0
        if q > 0:
            out.append(mt)
    return out


def compatible(a, b):
    """javax.ws.rs MediaType.isCompatible on type/subtype (parameters ignored)."""
    try:
        at, asub = a.split("/", 1)
        bt, bsub = b.lower().split("/", 1)
    except ValueError:
        return False
    if at == "*" or bt == "*":
        return True
    if at != bt:
        return False
    return asub == "*" or bsub == "*" or asub == bsub


# --------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------
class Response:
    def __init__(self, status, body=None, ctype=None, headers=None):
        self.status, self.body, self.ctype, self.headers = status, body, ctype, headers or {}


class MidonetApi:
    def __init__(self, flavor, store, base_path="/midonet-api", auth="mock", user=None,
                 password=None, admin_token=None, base_uri=None):
        self.flavor = flavor
        self.store = store
        self.base_path = "/" + base_path.strip("/")
        self.auth = auth
        self.user, self.password = user, password
        self.admin_token = admin_token or MOCK_TOKEN[flavor]
        self.base_uri = base_uri.rstrip("/") if base_uri else None
        self.tokens = set()
        self.lock = threading.RLock()  # serialises read-check-write sequences
        self.media = MEDIA[flavor]
        self.routes = self._build_routes()
        self.faults = []  # LAB-ONLY failure injection (see the header): none armed by default

    # ---- dispatch --------------------------------------------------------------------------
    def _build_routes(self):
        u = "([0-9a-fA-F-]{36})"
        table = [
            ("", self.r_root), ("login", self.r_login), ("system_state", self.r_system_state),
            ("tenants", self.r_tenants), ("tenants/([^/]+)", self.r_tenant),
            ("hosts", self.r_hosts), ("hosts/%s" % u, self.r_host),
            ("hosts/%s/interfaces" % u, self.r_host_interfaces),
            ("hosts/%s/ports" % u, self.r_host_ports), ("hosts/%s/ports/%s" % (u, u), self.r_host_port),
            ("tunnel_zones", self.r_tzs), ("tunnel_zones/%s" % u, self.r_tz),
            ("tunnel_zones/%s/hosts" % u, self.r_tz_hosts),
            ("tunnel_zones/%s/hosts/%s" % (u, u), self.r_tz_host),
            ("(routers|bridges|chains|port_groups)", self.r_devices),
            ("(routers|bridges|chains|port_groups)/%s" % u, self.r_device),
            ("(routers|bridges)/%s/ports" % u, self.r_device_ports),
            ("(routers|bridges)/%s/peer_ports" % u, self.r_device_peer_ports),
            ("routers/%s/routes" % u, self.r_router_routes),
            ("ports", self.r_ports), ("ports/%s" % u, self.r_port), ("ports/%s/link" % u, self.r_port_link),
            ("routes/%s" % u, self.r_route),
            ("chains/%s/rules" % u, self.r_chain_rules), ("rules/%s" % u, self.r_rule),
            ("bridges/%s/dhcp" % u, self.r_dhcp_subnets),
            (r"bridges/%s/dhcp/(\d+\.\d+\.\d+\.\d+_\d+)" % u, self.r_dhcp_subnet),
            (r"bridges/%s/dhcp/(\d+\.\d+\.\d+\.\d+_\d+)/hosts" % u, self.r_dhcp_hosts),
            (r"bridges/%s/dhcp/(\d+\.\d+\.\d+\.\d+_\d+)/hosts/([0-9a-fA-F:-]{17})" % u, self.r_dhcp_host),
            ("port_groups/%s/ports" % u, self.r_pg_ports), ("port_groups/%s/ports/%s" % (u, u), self.r_pg_port),
            ("ports/%s/port_groups" % u, self.r_port_pgs),
            ("ip_addr_groups", self.r_ipags), ("ip_addr_groups/%s" % u, self.r_ipag),
            ("ip_addr_groups/%s/ip_addrs" % u, self.r_ipag_addrs),
            ("ip_addr_groups/%s/versions/(4|6)/ip_addrs/([^/]+)" % u, self.r_ipag_addr),
            ("_lab/hosts", self.r_lab_hosts), ("_lab/hosts/%s" % u, self.r_lab_host),
            ("_lab/faults", self.r_lab_faults),
        ]
        return [(re.compile("^%s$" % pat), fn) for pat, fn in table]

    def handle(self, method, raw_path, headers, body, host_header):
        """Returns a Response. headers: a case-insensitive mapping (http.client.HTTPMessage)."""
        parts = urlsplit(raw_path)
        path = parts.path
        if path != self.base_path and not path.startswith(self.base_path + "/"):
            return self._error(HttpError(404, "Not Found"))
        rel = path[len(self.base_path):].strip("/")
        ctx = Ctx(self, method, rel, parse_qs(parts.query), headers, body, host_header)
        try:
            for rx, fn in self.routes:
                m = rx.match(rel)
                if m:
                    if rel != "login" and not rel.startswith("_lab/"):
                        self._authorize(ctx)
                        if self.flavor == 1 or rel:
                            self.store.check()  # 1.x StateFilter covers every request
                        if self.faults and self._fault(method, rel):
                            raise StoreUnavailable("lab: injected fault")
                    with self.lock:
                        return fn(ctx, *m.groups())
            raise HttpError(404, "Resource not found")
        except HttpError as exc:
            return self._error(exc)
        except StoreUnavailable:
            return self._error(HttpError(503, ZK_DOWN[self.flavor]))

    def _error(self, exc):
        if exc.message is None:
            return Response(exc.status, None, None, exc.headers)
        body = {"message": exc.message, "code": exc.status}
        if exc.violations is not None:
            body["violations"] = exc.violations
        return Response(exc.status, body, ERROR_MT, exc.headers)

    # ---- auth (§2) -------------------------------------------------------------------------
    def _authorize(self, ctx):
        if self.auth != "keystone":
            return  # MockAuthService: no token or any token is admin
        token = ctx.headers.get("X-Auth-Token")
        if not token:
            raise HttpError(401, "No token was passed in.")
        if token not in self.tokens:
            raise HttpError(401, "Authentication error",
                            headers={"WWW-Authenticate": 'Basic  realm="BASIC_AUTH_REALM"'})

    def _show(self, ctx, kind, obj, view, missing="Resource not found", strict=True):
        """GET of one resource: negotiate the media type first, then 404 when it is absent."""
        mt = ctx.accept(self.media[kind]["item"], strict=strict)
        if obj is None:
            raise HttpError(404, missing)
        return Response(200, view(obj), mt)

    def _item_get_or_delete(self, ctx, kind, obj, view, delete, missing="Resource not found", strict=True,
                            only_present=False, absent=None):
        """The GET and DELETE of one item (the other methods a handler serves come before the call).

        GET: :meth:`_show` (``missing``: the 404 message; ``strict=False``: a JAX-RS resource that
        takes a missing Accept header as */*). DELETE: ``delete`` (a store path, removed with its
        children, or a callable) then 204; with ``only_present`` nothing is deleted when ``obj`` is
        None; ``absent`` (an HttpError) is raised instead when ``obj`` is None (5.x answers 404
        where 1.x deletes nothing and answers 204). Any other method: 405."""
        if ctx.method == "GET":
            return self._show(ctx, kind, obj, view, missing, strict)
        if ctx.method == "DELETE":
            if obj is None and absent is not None:
                raise absent
            if obj is not None or not only_present:
                if callable(delete):
                    delete()
                else:
                    self.store.delete(delete)
            return Response(204)
        raise ctx.not_allowed()

    def r_login(self, ctx):
        challenge = {"WWW-Authenticate": 'Basic  realm="BASIC_AUTH_REALM"'}
        hdr = ctx.headers.get("Authorization") or ""
        if not hdr.startswith("Basic "):
            raise HttpError(401, "Authorization header is not set or not Basic.", headers=challenge)
        try:
            user, sep, password = base64.b64decode(hdr[6:].strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            sep = ""
        if not sep:
            raise HttpError(401, "Authentication error", headers=challenge)
        if self.auth == "keystone":
            if not self.user or user != self.user or password != self.password:
                raise HttpError(401, "Authentication error", headers=challenge)
            token = secrets.token_hex(16)
            self.tokens.add(token)
        else:
            token = self.admin_token
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        cookie = "sessionId=%s; Expires=%s" % (token, expires.strftime("%a, %d %b %Y %H:%M:%S GMT"))
        return Response(200, {"key": token, "expires": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z")},
                        TOKEN_MT, {"Set-Cookie": cookie})

    # ---- root document (§1) ----------------------------------------------------------------
    def r_root(self, ctx):
        ctx.only("GET")
        mt = ctx.accept(self.media["application"]["item"], strict=False)
        base = ctx.base()
        doc = {"uri": base + "/" if self.flavor == 5 else base, "version": VERSION[self.flavor]}
        for seg, key, tmpl in ROOT_LINKS:
            if key:
                doc[key] = "%s/%s" % (base, seg)
            doc[tmpl] = "%s/%s/{id}" % (base, seg)
        doc["systemState"] = base + "/system_state"
        doc["login"] = base + "/login"
        doc["hostInterfacePortTemplate"] = base + "/hosts/{hostId}/ports/{portId}"
        return Response(200, doc, mt)

    def r_system_state(self, ctx):
        ctx.only("GET")
        mt = ctx.accept(self.media["system_state"]["item"])
        doc = {"state": "ACTIVE", "availability": "READWRITE", "writeVersion": "1.0",
               "uri": ctx.base() + "/system_state"}
        if self.flavor == 5:
            # midonet-cli 5.2.0 checks the credentials at start with SystemState.get_information()
            # = dto['information'] (KeyError -> "The API server failed to respond normally") and
            # the Eucalyptus 5.2 recipes run that CLI against midonet-cluster, so the 5.2 server
            # has the key; nothing to report -> null. (MidoNet HEAD's models/SystemState.java no
            # longer has it; no source seen for 1.9, so 1.x keeps the fields seen there.)
            doc["information"] = None
        return Response(200, doc, mt)

    def _tenant_ids(self):
        names = set()
        for kind in DEVICES:
            for i in self.store.children(kind):
                t = (self.store.get("%s/%s" % (kind, i)) or {}).get("tenantId")
                if t:
                    names.add(t)
        return sorted(names)

    def _tenant_view(self, ctx, t):
        # models/Tenant.java: the device links are the collections filtered by ?tenant_id=
        base, q = ctx.base(), "?tenant_id=" + quote(t, safe="")
        return {"id": t, "name": t, "description": t, "enabled": True,
                "uri": "%s/tenants/%s" % (base, quote(t, safe="")), "routers": base + "/routers" + q,
                "bridges": base + "/bridges" + q, "chains": base + "/chains" + q,
                "portGroups": base + "/port_groups" + q}

    def r_tenants(self, ctx):
        """Tenants are the tenantIds in use (the real servers ask the identity service)."""
        ctx.only("GET")
        mt = ctx.accept(self.media["tenants"]["coll"])
        return Response(200, [self._tenant_view(ctx, t) for t in self._tenant_ids()], mt)

    def r_tenant(self, ctx, tid):
        ctx.only("GET")
        tid = unquote(tid)
        return self._show(ctx, "tenants", tid if tid in self._tenant_ids() else None,
                          lambda t: self._tenant_view(ctx, t))

    # ---- hosts (§4) ------------------------------------------------------------------------
    def _host_view(self, ctx, hid, mt):
        raw = self.store.get("hosts/" + hid)
        if raw is None:
            return None
        settings = self.store.get("hosts/%s/settings" % hid) or {}
        uri = "%s/hosts/%s" % (ctx.base(), hid)
        ifaces = raw.get("hostInterfaces") or []
        addresses = raw.get("addresses")
        if addresses is None:
            addresses = [a for i in ifaces for a in i.get("addresses", [])]
        view = {"id": hid, "name": raw.get("name"), "alive": self.store.exists("hosts/%s/alive" % hid),
                "addresses": addresses, "floodingProxyWeight": settings.get("floodingProxyWeight", 1),
                "uri": uri, "ports": uri + "/ports"}
        if self.flavor == 5:
            view.update({"containerWeight": settings.get("containerWeight", 1),
                         "containerLimit": settings.get("containerLimit", -1),
                         "enforceContainerLimit": settings.get("enforceContainerLimit", False)})
            # (models/Host.java keeps tunnelZoneIds and portIds @JsonIgnore: not in the answer)
        # getInterfaces() is @Until("3") and getHostInterfaces() @Since("3"); both bounds are
        # inclusive (VersionCheckAnnotationIntrospector drops a member only when until < version
        # or since > version), so Host-v3 carries both; the real client 5.2.0 reads
        # dto['interfaces'] in Host.get_interfaces() (1.x and 5.x alike).
        view["interfaces"] = uri + "/interfaces"
        if not mt.endswith("Host-v2+json"):
            view["hostInterfaces"] = [dict(i, hostId=hid) for i in ifaces]
        return view

    def r_hosts(self, ctx):
        ctx.only("GET")
        mt = ctx.accept(self.media["host"]["coll"])
        out = [self._host_view(ctx, h, mt) for h in self.store.children("hosts")]
        return Response(200, [h for h in out if h], mt)

    def r_host(self, ctx, hid):
        hid = hid.lower()
        if ctx.method == "GET":
            mt = ctx.accept(self.media["host"]["item"])
            view = self._host_view(ctx, hid, mt)
            if view is None:
                raise HttpError(404, "Host %s does not exist." % hid if self.flavor == 1 else
                                "There is no Host with ID %s." % hid)
            return Response(200, view, mt)
        if ctx.method == "PUT":
            ctx.content_type(self.media["host"]["item"])
            if self.store.get("hosts/" + hid) is None:
                raise HttpError(404, "There is no Host with ID %s." % hid)
            data = ctx.json()
            keys = ["floodingProxyWeight"]
            if self.flavor == 5:
                keys += ["containerWeight", "containerLimit", "enforceContainerLimit"]
            missing = [k for k in keys if data.get(k) is None]
            if missing:
                raise validation_error(*[(k, "may not be null") for k in missing])
            settings = self.store.get("hosts/%s/settings" % hid) or {}
            settings.update({k: data[k] for k in keys})
            self.store.put("hosts/%s/settings" % hid, settings)
            return Response(204)
        if ctx.method == "DELETE":
            if self.store.get("hosts/" + hid) is None:
                return Response(204)
            if self.store.exists("hosts/%s/alive" % hid):
                raise HttpError(403, "Midolman Agent is still active.")
            if self.store.children("hosts/%s/ports" % hid):
                raise HttpError(403, "The host has port bindings.")
            for tz in self.store.children("tunnel_zones"):
                self.store.delete("tunnel_zones/%s/hosts/%s" % (tz, hid))
            self.store.delete("hosts/" + hid)
            return Response(204)
        raise ctx.not_allowed()

    def r_host_interfaces(self, ctx, hid):
        ctx.only("GET")
        mt = ctx.accept(self.media["interface"]["coll"])
        raw = self.store.get("hosts/" + hid.lower())
        if raw is None:
            raise HttpError(404, "There is no Host with ID %s." % hid)
        return Response(200, [dict(i, hostId=hid.lower()) for i in raw.get("hostInterfaces") or []], mt)

    def _binding_view(self, ctx, hid, b):
        uri = "%s/hosts/%s/ports/%s" % (ctx.base(), hid, b["portId"])
        return {"hostId": hid, "portId": b["portId"], "interfaceName": b["interfaceName"], "uri": uri,
                "host": "%s/hosts/%s" % (ctx.base(), hid), "port": "%s/ports/%s" % (ctx.base(), b["portId"])}

    def r_host_ports(self, ctx, hid):
        hid = hid.lower()
        if self.store.get("hosts/" + hid) is None:
            raise HttpError(404, "There is no Host with ID %s." % hid)
        if ctx.method == "GET":
            mt = ctx.accept(self.media["host_port"]["coll"])
            out = [self.store.get("hosts/%s/ports/%s" % (hid, p)) for p in self.store.children("hosts/%s/ports" % hid)]
            return Response(200, [self._binding_view(ctx, hid, b) for b in out if b], mt)
        if ctx.method == "POST":
            ctx.content_type(self.media["host_port"]["item"])
            data = ctx.json()
            conflict = 409 if self.flavor == 5 else 400
            pid, ifname = str(data.get("portId") or "").lower(), data.get("interfaceName")
            viol = []
            if not _is_uuid(pid):
                viol.append(("portId", "may not be null"))
            if not ifname:
                viol.append(("interfaceName", "may not be null"))
            if viol:
                raise validation_error(*viol)
            port = self.store.get("ports/" + pid)
            if port is None:
                raise HttpError(404 if self.flavor == 5 else 400, "There is no Port with ID %s." % pid)
            if not any(self.store.exists("tunnel_zones/%s/hosts/%s" % (tz, hid))
                       for tz in self.store.children("tunnel_zones")):
                raise HttpError(conflict, "The specified host is not in any tunnel zone.")
            if port.get("hostId") and (port["hostId"] != hid or port.get("interfaceName") != ifname):
                raise HttpError(conflict, "The port is already bound to an interface.")
            for p in self.store.children("hosts/%s/ports" % hid):
                b = self.store.get("hosts/%s/ports/%s" % (hid, p)) or {}
                if b.get("interfaceName") == ifname and p != pid:
                    raise HttpError(conflict, "The interface %s is already bound to a port." % ifname)
            self.store.put("hosts/%s/ports/%s" % (hid, pid), {"portId": pid, "interfaceName": ifname})
            port.update(hostId=hid, interfaceName=ifname)
            self.store.put("ports/" + pid, port)
            return ctx.created("%s/hosts/%s/ports/%s" % (ctx.base(), hid, pid))
        raise ctx.not_allowed()

    def r_host_port(self, ctx, hid, pid):
        hid, pid = hid.lower(), pid.lower()
        b = self.store.get("hosts/%s/ports/%s" % (hid, pid))
        return self._item_get_or_delete(ctx, "host_port", b, lambda b: self._binding_view(ctx, hid, b),
                                        lambda: self._unbind(hid, pid), only_present=True,
                                        absent=HttpError(404, "Resource not found") if self.flavor == 5 else None)

    def _unbind(self, hid, pid):
        self.store.delete("hosts/%s/ports/%s" % (hid, pid))
        port = self.store.get("ports/" + pid)
        if port is not None:
            port.update(hostId=None, interfaceName=None)
            self.store.put("ports/" + pid, port)

    # ---- tunnel zones (§3) -----------------------------------------------------------------
    def _tz_view(self, ctx, tz):
        uri = "%s/tunnel_zones/%s" % (ctx.base(), tz["id"])
        return {"id": tz["id"], "name": tz["name"], "type": tz["type"], "uri": uri, "hosts": uri + "/hosts"}

    def _tz_validate(self, data):
        name, tztype = data.get("name"), data.get("type")
        viol = []
        if name is None:
            viol.append(("name", "may not be null"))
        elif not isinstance(name, str) or not 1 <= len(name) <= 255:
            viol.append(("name", "size must be between 1 and 255"))
        if tztype is None:
            viol.append(("type", "may not be null"))
        elif tztype not in TZ_TYPES:
            if self.flavor == 5:  # Jackson enum parse error wrapped in BadRequestHttpException
                raise HttpError(400, "Can not construct instance of org.midonet.cluster.rest_api.models."
                                     "TunnelZone$TunnelZoneType from String value '%s': value not one of "
                                     "declared Enum instance names: [gre, vxlan, vtep]" % tztype)
            viol.append(("type", "Must be one of [gre, vxlan, vtep]."))
        if viol:
            raise validation_error(*viol)
        return name, tztype

    def _tz_name_taken(self, name):
        for i in self.store.children("tunnel_zones"):
            other = (self.store.get("tunnel_zones/" + i) or {}).get("name") or ""
            if (other == name) if self.flavor == 5 else (other.lower() == name.lower()):
                return True
        return False

    def _tz_duplicate(self):
        if self.flavor == 5:
            return HttpError(409, "Tunnel zone name already exists.")
        return validation_error(("name", "Tunnel zone name already exists."))

    def r_tzs(self, ctx):
        if ctx.method == "GET":  # no server-side filters; ?tenant_id is ignored
            mt = ctx.accept(self.media["tunnel_zone"]["coll"])
            out = [self.store.get("tunnel_zones/" + i) for i in self.store.children("tunnel_zones")]
            return Response(200, [self._tz_view(ctx, t) for t in out if t], mt)
        if ctx.method == "POST":
            ctx.content_type(self.media["tunnel_zone"]["item"])
            data = ctx.json()
            name, tztype = self._tz_validate(data)
            tid = ctx.new_id(data, "tunnel_zones")
            if self._tz_name_taken(name):
                raise self._tz_duplicate()
            self.store.put("tunnel_zones/" + tid, {"id": tid, "name": name, "type": tztype})
            return ctx.created("%s/tunnel_zones/%s" % (ctx.base(), tid))
        raise ctx.not_allowed()

    def r_tz(self, ctx, tid):
        tid = tid.lower()
        tz = self.store.get("tunnel_zones/" + tid)
        if ctx.method == "PUT":  # §3.3 "Update"
            ctx.content_type(self.media["tunnel_zone"]["item"])
            if tz is None:
                raise HttpError(404, "There is no TunnelZone with ID %s." % tid)
            data = ctx.json()
            name, tztype = self._tz_validate(data)
            if self._tz_name_taken(name):  # does not exclude the zone itself (both flavors)
                raise self._tz_duplicate()
            tz["name"] = name
            if self.flavor == 5:
                tz["type"] = tztype  # 1.x writes only the name
            self.store.put("tunnel_zones/" + tid, tz)
            return Response(204)
        # DELETE: 204 even when missing
        return self._item_get_or_delete(ctx, "tunnel_zone", tz, lambda tz: self._tz_view(ctx, tz), "tunnel_zones/" + tid,
                                        "Tunnel zone %s does not exist." % tid if self.flavor == 1 else
                                        "There is no TunnelZone with ID %s." % tid)

    def _member_view(self, ctx, tid, m):
        uri = "%s/tunnel_zones/%s/hosts/%s" % (ctx.base(), tid, m["hostId"])
        view = {"tunnelZoneId": tid, "hostId": m["hostId"], "ipAddress": m["ipAddress"], "uri": uri}
        if self.flavor == 5:
            view["host"] = "%s/hosts/%s" % (ctx.base(), m["hostId"])
            view["tunnelZone"] = "%s/tunnel_zones/%s" % (ctx.base(), tid)
        return view

    def r_tz_hosts(self, ctx, tid):
        tid = tid.lower()
        types = self.media["tz_host"]
        if ctx.method == "GET":
            if self.flavor == 1 and not self.store.exists("tunnel_zones/" + tid):
                raise HttpError(404, "Tunnel zone %s does not exist." % tid)
            mt = ctx.accept(types["coll"], strict=False)  # JAX-RS @Produces, vendor types only
            if not self.store.exists("tunnel_zones/" + tid):
                raise HttpError(404, "There is no TunnelZone with ID %s." % tid)
            out = [self.store.get("tunnel_zones/%s/hosts/%s" % (tid, h))
                   for h in self.store.children("tunnel_zones/%s/hosts" % tid)]
            return Response(200, [self._member_view(ctx, tid, m) for m in out if m], mt)
        if ctx.method == "POST":
            if self.flavor == 1 and not self.store.exists("tunnel_zones/" + tid):
                raise HttpError(404, "Tunnel zone %s does not exist." % tid)  # sub-resource locator
            ctx.content_type(types["item"], status=415)  # @Consumes: vendor types only
            if not self.store.exists("tunnel_zones/" + tid):
                raise HttpError(404, "There is no TunnelZone with ID %s." % tid)
            data = ctx.json()
            hid, ip = str(data.get("hostId") or "").lower(), data.get("ipAddress")
            viol = []
            if not data.get("hostId"):
                viol.append(("hostId", "may not be null"))
            elif not _is_uuid(hid):
                viol.append(("hostId", "Host ID is not valid."))
            if ip is None:
                viol.append(("ipAddress", "may not be null"))
            elif not _is_ipv4(ip):
                viol.append(("ipAddress", "is an invalid IP format"))
            if viol:
                raise validation_error(*viol)
            if self.store.get("hosts/" + hid) is None:
                if self.flavor == 5:
                    raise HttpError(404, "There is no Host with ID %s." % hid)
                raise validation_error(("hostId", "Host ID is not valid."))
            if self.store.exists("tunnel_zones/%s/hosts/%s" % (tid, hid)):
                if self.flavor == 5:
                    raise HttpError(409)  # empty body
                raise validation_error(("hostId", "Tunnel zone membership already exists."))
            self.store.put("tunnel_zones/%s/hosts/%s" % (tid, hid), {"hostId": hid, "ipAddress": ip})
            return ctx.created("%s/tunnel_zones/%s/hosts/%s" % (ctx.base(), tid, hid))
        raise ctx.not_allowed()

    def r_tz_host(self, ctx, tid, hid):
        tid, hid = tid.lower(), hid.lower()
        if self.flavor == 1 and not self.store.exists("tunnel_zones/" + tid):
            raise HttpError(404, "Tunnel zone %s does not exist." % tid)
        m = self.store.get("tunnel_zones/%s/hosts/%s" % (tid, hid))
        # DELETE of a missing member: 5.x 404 with an empty body, 1.x silently 204; no PUT on members: 405
        return self._item_get_or_delete(ctx, "tz_host", m, lambda m: self._member_view(ctx, tid, m),
                                        "tunnel_zones/%s/hosts/%s" % (tid, hid), strict=False, only_present=True,
                                        absent=HttpError(404) if self.flavor == 5 else None)

    # ---- routers, bridges, chains, port groups (§5) ----------------------------------------
    def _device_view(self, ctx, kind, obj):
        uri = "%s/%s/%s" % (ctx.base(), kind, obj["id"])
        view = dict(obj, uri=uri)
        if kind in ("routers", "bridges"):
            view.update(ports=uri + "/ports", peerPorts=uri + "/peer_ports")
        if kind == "bridges":
            view["dhcpSubnets"] = uri + "/dhcp"
        if kind == "routers":
            view["routes"] = uri + "/routes"
        if kind == "chains":
            view["rules"] = uri + "/rules"
        if kind == "port_groups":
            view["ports"] = uri + "/ports"
        return view

    def r_devices(self, ctx, kind):
        if ctx.method == "GET":
            mt = ctx.accept(self.media[kind]["coll"])
            tenant = (ctx.query.get("tenant_id") or [None])[0]
            out = [self.store.get("%s/%s" % (kind, i)) for i in self.store.children(kind)]
            out = [o for o in out if o and (tenant is None or o.get("tenantId") == tenant)]
            return Response(200, [self._device_view(ctx, kind, o) for o in out], mt)
        if ctx.method == "POST":
            ctx.content_type(self.media[kind]["item"])
            data = ctx.json()
            did = ctx.new_id(data, kind)
            obj = {"id": did}
            for k, default in DEVICE_FIELDS[kind].items():
                obj[k] = data.get(k, default)
            self.store.put("%s/%s" % (kind, did), obj)
            return ctx.created("%s/%s/%s" % (ctx.base(), kind, did))
        raise ctx.not_allowed()

    def r_device(self, ctx, kind, did):
        did = did.lower()
        obj = self.store.get("%s/%s" % (kind, did))
        if ctx.method == "PUT":
            ctx.content_type(self.media[kind]["item"])
            if obj is None:
                raise HttpError(404, "Resource not found")
            data = ctx.json()
            for k in DEVICE_FIELDS[kind]:
                if k in data:
                    obj[k] = data[k]
            self.store.put("%s/%s" % (kind, did), obj)
            return Response(204)
        return self._item_get_or_delete(ctx, kind, obj, lambda obj: self._device_view(ctx, kind, obj),
                                        lambda: self._delete_device(kind, did), only_present=True)

    def _delete_device(self, kind, did):
        for pid in list(self.store.children("ports")):
            if (self.store.get("ports/" + pid) or {}).get("deviceId") == did:
                self._delete_port(pid)
        for rid in list(self.store.children("routes")):
            if (self.store.get("routes/" + rid) or {}).get("routerId") == did:
                self.store.delete("routes/" + rid)
        for rid in list(self.store.children("rules")):
            if (self.store.get("rules/" + rid) or {}).get("chainId") == did:
                self.store.delete("rules/" + rid)
        self.store.delete("%s/%s" % (kind, did))

    # ---- ports ----------------------------------------------------------------------------
    def _port_view(self, ctx, p):
        uri = "%s/ports/%s" % (ctx.base(), p["id"])
        kind = "routers" if p["type"] == "Router" else "bridges"
        return dict(p, uri=uri, link=uri + "/link", portGroups=uri + "/port_groups",
                    device="%s/%s/%s" % (ctx.base(), kind, p["deviceId"]),
                    peer=("%s/ports/%s" % (ctx.base(), p["peerId"])) if p.get("peerId") else None)

    def _delete_port(self, pid):
        p = self.store.get("ports/" + pid)
        if p is None:
            return
        if p.get("peerId"):
            peer = self.store.get("ports/" + p["peerId"])
            if peer is not None:
                peer["peerId"] = None
                self.store.put("ports/" + p["peerId"], peer)
        if p.get("hostId"):
            self.store.delete("hosts/%s/ports/%s" % (p["hostId"], pid))
        for rid in list(self.store.children("routes")):
            if (self.store.get("routes/" + rid) or {}).get("nextHopPort") == pid:
                self.store.delete("routes/" + rid)
        for g in self.store.children("port_groups"):
            self.store.delete("port_groups/%s/ports/%s" % (g, pid))
        self.store.delete("ports/" + pid)

    def r_device_ports(self, ctx, kind, did):
        did = did.lower()
        if self.store.get("%s/%s" % (kind, did)) is None:
            raise HttpError(404, "Resource not found")
        if ctx.method == "GET":
            mt = ctx.accept(self.media["ports"]["coll"])
            out = [self.store.get("ports/" + p) for p in self.store.children("ports")]
            return Response(200, [self._port_view(ctx, p) for p in out if p and p.get("deviceId") == did], mt)
        if ctx.method == "POST":
            ctx.content_type(self.media["ports"]["item"])
            data = ctx.json()
            pid = ctx.new_id(data, "ports")
            port = {"id": pid, "type": "Router" if kind == "routers" else "Bridge", "deviceId": did,
                    "adminStateUp": data.get("adminStateUp", True), "peerId": None, "hostId": None,
                    "interfaceName": None, "inboundFilterId": data.get("inboundFilterId"),
                    "outboundFilterId": data.get("outboundFilterId")}
            if kind == "routers":
                viol = [(k, "may not be null") for k in ("portAddress", "networkAddress", "networkLength")
                        if data.get(k) is None]
                if viol:
                    raise validation_error(*viol)
                port.update(portAddress=data["portAddress"], networkAddress=data["networkAddress"],
                            networkLength=data["networkLength"],
                            portMac=data.get("portMac") or "ac:ca:ba:%02x:%02x:%02x" % tuple(os.urandom(3)))
            else:
                port["vlanId"] = data.get("vlanId")
            self.store.put("ports/" + pid, port)
            return ctx.created("%s/ports/%s" % (ctx.base(), pid))
        raise ctx.not_allowed()

    def r_device_peer_ports(self, ctx, kind, did):
        """GET /routers|bridges/{id}/peer_ports: the ports linked to this device's ports (the
        ``peerPorts`` link of §5; the real client's Router/Bridge.get_peer_ports())."""
        did = did.lower()
        ctx.only("GET")
        mt = ctx.accept(self.media["ports"]["coll"])
        if self.store.get("%s/%s" % (kind, did)) is None:
            raise HttpError(404, "Resource not found")
        mine = [self.store.get("ports/" + p) for p in self.store.children("ports")]
        peers = [self.store.get("ports/" + p["peerId"]) for p in mine
                 if p and p.get("deviceId") == did and p.get("peerId")]
        return Response(200, [self._port_view(ctx, p) for p in peers if p], mt)

    def r_ports(self, ctx):
        ctx.only("GET")
        mt = ctx.accept(self.media["ports"]["coll"])
        out = [self.store.get("ports/" + p) for p in self.store.children("ports")]
        return Response(200, [self._port_view(ctx, p) for p in out if p], mt)

    def r_port(self, ctx, pid):
        pid = pid.lower()
        p = self.store.get("ports/" + pid)
        if ctx.method == "PUT":
            ctx.content_type(self.media["ports"]["item"])
            if p is None:
                raise HttpError(404, "Resource not found")
            data = ctx.json()
            for k in ("adminStateUp", "inboundFilterId", "outboundFilterId", "portAddress",
                      "networkAddress", "networkLength", "portMac", "vlanId"):
                if k in data and (k in p or k in ("adminStateUp", "inboundFilterId", "outboundFilterId")):
                    p[k] = data[k]
            self.store.put("ports/" + pid, p)
            return Response(204)
        return self._item_get_or_delete(ctx, "ports", p, lambda p: self._port_view(ctx, p),
                                        lambda: self._delete_port(pid))

    def r_port_link(self, ctx, pid):
        pid = pid.lower()
        p = self.store.get("ports/" + pid)
        if p is None:
            raise HttpError(404, "Resource not found")
        if ctx.method == "POST":
            ctx.content_type(self.media["port_link"]["item"])
            data = ctx.json()
            peer_id = str(data.get("peerId") or "").lower()
            if not _is_uuid(peer_id):
                raise validation_error(("peerId", "may not be null"))
            peer = self.store.get("ports/" + peer_id)
            if peer is None:
                raise HttpError(404, "Resource not found")
            conflict = 409 if self.flavor == 5 else 400
            if p.get("peerId") or peer.get("peerId"):
                raise HttpError(conflict, "Port is already linked.")
            if p.get("hostId") or peer.get("hostId"):
                raise HttpError(conflict, "Port is bound to an interface.")
            p["peerId"], peer["peerId"] = peer_id, pid
            self.store.put("ports/" + pid, p)
            self.store.put("ports/" + peer_id, peer)
            return ctx.created("%s/ports/%s/link" % (ctx.base(), pid))
        if ctx.method == "DELETE":
            if p.get("peerId"):
                peer = self.store.get("ports/" + p["peerId"])
                if peer is not None:
                    peer["peerId"] = None
                    self.store.put("ports/" + p["peerId"], peer)
                p["peerId"] = None
                self.store.put("ports/" + pid, p)
            return Response(204)
        raise ctx.not_allowed()

    # ---- routes ---------------------------------------------------------------------------
    def _route_view(self, ctx, r):
        return dict(r, uri="%s/routes/%s" % (ctx.base(), r["id"]))

    def r_router_routes(self, ctx, rid):
        rid = rid.lower()
        if self.store.get("routers/" + rid) is None:
            raise HttpError(404, "Resource not found")
        if ctx.method == "GET":
            mt = ctx.accept(self.media["routes"]["coll"])
            out = [self.store.get("routes/" + r) for r in self.store.children("routes")]
            return Response(200, [self._route_view(ctx, r) for r in out if r and r.get("routerId") == rid], mt)
        if ctx.method == "POST":
            ctx.content_type(self.media["routes"]["item"])
            data = ctx.json()
            viol = [(k, "may not be null") for k in ("srcNetworkAddr", "srcNetworkLength", "dstNetworkAddr",
                                                     "dstNetworkLength", "type") if data.get(k) is None]
            if data.get("type") is not None and data["type"] not in ROUTE_TYPES:
                viol.append(("type", "Must be one of [Normal, BlackHole, Reject]."))
            for k in ("srcNetworkAddr", "dstNetworkAddr"):
                if data.get(k) is not None and not _is_ipv4(data[k]):
                    viol.append((k, "is an invalid IP format"))
            nh = str(data.get("nextHopPort") or "").lower() or None
            if data.get("type") == "Normal":
                nhp = self.store.get("ports/" + nh) if nh and _is_uuid(nh) else None
                if nhp is None or nhp.get("deviceId") != rid:
                    viol.append(("nextHopPort", "Next hop port must be a port of this router."))
            if viol:
                raise validation_error(*viol)
            route_id = ctx.new_id(data, "routes")
            route = {"id": route_id, "routerId": rid, "type": data["type"], "nextHopPort": nh,
                     "nextHopGateway": data.get("nextHopGateway"), "weight": data.get("weight", 100),
                     "learned": False, "attributes": data.get("attributes")}
            for k in ("srcNetworkAddr", "srcNetworkLength", "dstNetworkAddr", "dstNetworkLength"):
                route[k] = data[k]
            self.store.put("routes/" + route_id, route)
            return ctx.created("%s/routes/%s" % (ctx.base(), route_id))
        raise ctx.not_allowed()

    def r_route(self, ctx, route_id):
        route_id = route_id.lower()
        r = self.store.get("routes/" + route_id)
        # routes cannot be updated: PUT is 405
        return self._item_get_or_delete(ctx, "routes", r, lambda r: self._route_view(ctx, r), "routes/" + route_id)

    # ---- DHCP subnets and hosts of a bridge (§5 dhcpSubnets; eucanetd's VPC subnets) --------
    DHCP_FIELDS = {"defaultGateway": None, "serverAddr": None, "dnsServerAddrs": None, "interfaceMTU": None,
                   "opt121Routes": [], "enabled": True}

    def _dhcp_view(self, ctx, bid, d):
        uri = "%s/bridges/%s/dhcp/%s_%d" % (ctx.base(), bid, d["subnetPrefix"], d["subnetLength"])
        return dict(d, uri=uri, hosts=uri + "/hosts")

    def _dhcp_host_view(self, ctx, bid, sub, h):
        # 1.x ResourceUriBuilder writes a MAC into a URI with '-' for ':'
        return dict(h, uri="%s/bridges/%s/dhcp/%s/hosts/%s" % (ctx.base(), bid, sub, h["macAddr"].replace(":", "-")))

    def _dhcp_check(self, data):
        viol = []
        prefix, length = data.get("subnetPrefix"), data.get("subnetLength")
        if prefix is None:
            viol.append(("subnetPrefix", "may not be null"))
        elif not _is_ipv4(prefix):
            viol.append(("subnetPrefix", "is an invalid IPv4 format"))
        if not isinstance(length, int) or not 0 <= length <= 32:
            viol.append(("subnetLength", "must be between 0 and 32"))
        for k in ("defaultGateway", "serverAddr"):
            if data.get(k) is not None and not _is_ipv4(data[k]):
                viol.append((k, "is an invalid IPv4 format"))
        if viol:
            raise validation_error(*viol)

    def r_dhcp_subnets(self, ctx, bid):
        bid = bid.lower()
        if ctx.method == "GET":
            mt = ctx.accept(self.media["dhcp_subnets"]["coll"])
        elif ctx.method == "POST":
            ctx.content_type(self.media["dhcp_subnets"]["item"])
        else:
            raise ctx.not_allowed()
        if self.store.get("bridges/" + bid) is None:
            raise HttpError(404, "Resource not found")
        base = "bridges/%s/dhcp" % bid
        if ctx.method == "GET":
            out = [self.store.get("%s/%s" % (base, d)) for d in self.store.children(base)]
            return Response(200, [self._dhcp_view(ctx, bid, d) for d in out if d], mt)
        data = ctx.json()
        self._dhcp_check(data)
        sub = "%s_%d" % (data["subnetPrefix"], data["subnetLength"])
        if self.store.get("%s/%s" % (base, sub)) is not None:
            raise HttpError(409 if self.flavor == 5 else 400, "DHCP subnet %s already exists." % sub)
        d = {"subnetPrefix": data["subnetPrefix"], "subnetLength": data["subnetLength"]}
        for k, default in self.DHCP_FIELDS.items():
            d[k] = data.get(k, default)
        self.store.put("%s/%s" % (base, sub), d)
        return ctx.created(self._dhcp_view(ctx, bid, d)["uri"])

    def r_dhcp_subnet(self, ctx, bid, sub):
        bid = bid.lower()
        path = "bridges/%s/dhcp/%s" % (bid, sub)
        d = self.store.get(path) if self.store.get("bridges/" + bid) is not None else None
        if ctx.method == "PUT":
            ctx.content_type(self.media["dhcp_subnets"]["item"])
            if d is None:
                raise HttpError(404, "Resource not found")
            data = ctx.json()
            for k in self.DHCP_FIELDS:
                if k in data:
                    d[k] = data[k]
            self.store.put(path, d)
            return Response(204)
        return self._item_get_or_delete(ctx, "dhcp_subnets", d, lambda d: self._dhcp_view(ctx, bid, d), path)

    def r_dhcp_hosts(self, ctx, bid, sub):
        bid = bid.lower()
        if ctx.method == "GET":
            mt = ctx.accept(self.media["dhcp_hosts"]["coll"])
        elif ctx.method == "POST":
            ctx.content_type(self.media["dhcp_hosts"]["item"])
        else:
            raise ctx.not_allowed()
        path = "bridges/%s/dhcp/%s" % (bid, sub)
        if self.store.get("bridges/" + bid) is None or self.store.get(path) is None:
            raise HttpError(404, "Resource not found")
        if ctx.method == "GET":
            out = [self.store.get("%s/hosts/%s" % (path, m)) for m in self.store.children(path + "/hosts")]
            return Response(200, [self._dhcp_host_view(ctx, bid, sub, h) for h in out if h], mt)
        data = ctx.json()
        viol = [(k, "may not be null") for k in ("macAddr", "ipAddr", "name") if data.get(k) is None]
        mac_ok = re.match(r"^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$", str(data.get("macAddr")))
        if data.get("macAddr") is not None and not mac_ok:
            viol.append(("macAddr", "is an invalid MAC format"))
        if data.get("ipAddr") is not None and not _is_ipv4(data["ipAddr"]):
            viol.append(("ipAddr", "is an invalid IPv4 format"))
        if viol:
            raise validation_error(*viol)
        mac = data["macAddr"].lower().replace("-", ":")
        h = {"macAddr": mac, "ipAddr": data["ipAddr"], "name": data["name"],
             "extraDhcpOpts": data.get("extraDhcpOpts") or []}
        self.store.put("%s/hosts/%s" % (path, mac.replace(":", "-")), h)
        return ctx.created(self._dhcp_host_view(ctx, bid, sub, h)["uri"])

    def r_dhcp_host(self, ctx, bid, sub, mac):
        bid, mac = bid.lower(), mac.lower().replace(":", "-")
        path = "bridges/%s/dhcp/%s/hosts/%s" % (bid, sub, mac)
        h = self.store.get(path)
        return self._item_get_or_delete(ctx, "dhcp_hosts", h, lambda h: self._dhcp_host_view(ctx, bid, sub, h), path)

    # ---- rules (§5; chains/{id}/rules, rules/{id}) -----------------------------------------
    def _chain_rules(self, cid):
        out = [self.store.get("rules/" + r) for r in self.store.children("rules")]
        return sorted((r for r in out if r and r.get("chainId") == cid), key=lambda r: r["position"])

    def _rule_view(self, ctx, r):
        return dict(r, uri="%s/rules/%s" % (ctx.base(), r["id"]))

    def r_chain_rules(self, ctx, cid):
        cid = cid.lower()
        if ctx.method == "GET":
            mt = ctx.accept(self.media["rules"]["coll"])
            if self.store.get("chains/" + cid) is None:
                raise HttpError(404, "Resource not found")
            return Response(200, [self._rule_view(ctx, r) for r in self._chain_rules(cid)], mt)
        if ctx.method == "POST":
            ctx.content_type(self.media["rules"]["item"])
            if self.store.get("chains/" + cid) is None:
                raise HttpError(404, "Resource not found")
            data = ctx.json()
            rtype = data.get("type")
            if rtype not in RULE_TYPES:  # Jackson: no subtype for this type id
                raise HttpError(400, "Could not resolve type id '%s' into a subtype of Rule" % rtype)
            rules = self._chain_rules(cid)
            position = data.get("position") or 1  # models/Rule.java: position = 1 by default
            if not isinstance(position, int) or position < 1 or position > len(rules) + 1:
                raise validation_error(("position", "Position exceeds number of rules in chain"
                                        if isinstance(position, int) and position > 0 else
                                        "must be greater than or equal to 1"))
            viol = []
            if rtype == "jump" and not _is_uuid(str(data.get("jumpChainId") or "")):
                viol.append(("jumpChainId", "may not be null"))
            if rtype in ("dnat", "snat") and not data.get("natTargets"):
                viol.append(("natTargets", "may not be null"))
            if viol:
                raise validation_error(*viol)
            rid = ctx.new_id(data, "rules")
            for r in rules:  # insert: the rules at and after ``position`` move down one
                if r["position"] >= position:
                    r["position"] += 1
                    self.store.put("rules/" + r["id"], r)
            rule = dict((k, v) for k, v in data.items() if k not in ("uri", "id", "chainId", "position"))
            rule.update(id=rid, chainId=cid, type=rtype, position=position)
            self.store.put("rules/" + rid, rule)
            return ctx.created("%s/rules/%s" % (ctx.base(), rid))
        raise ctx.not_allowed()

    def _delete_rule(self, rid):
        r = self.store.get("rules/" + rid)
        if r is None:
            return
        self.store.delete("rules/" + rid)
        for o in self._chain_rules(r["chainId"]):
            if o["position"] > r["position"]:
                o["position"] -= 1
                self.store.put("rules/" + o["id"], o)

    def r_rule(self, ctx, rid):
        rid = rid.lower()
        r = self.store.get("rules/" + rid)
        return self._item_get_or_delete(ctx, "rules", r, lambda r: self._rule_view(ctx, r),
                                        lambda: self._delete_rule(rid))

    # ---- port group members (§5; eucanetd's eucapg) ---------------------------------------
    def _pg_port_view(self, ctx, pgid, pid):
        base = ctx.base()
        return {"portGroupId": pgid, "portId": pid, "uri": "%s/port_groups/%s/ports/%s" % (base, pgid, pid),
                "portGroup": "%s/port_groups/%s" % (base, pgid), "port": "%s/ports/%s" % (base, pid)}

    def r_pg_ports(self, ctx, pgid):
        pgid = pgid.lower()
        if ctx.method == "GET":
            mt = ctx.accept(self.media["port_group_ports"]["coll"])
            if self.store.get("port_groups/" + pgid) is None:
                raise HttpError(404, "Resource not found")
            return Response(200, [self._pg_port_view(ctx, pgid, p)
                                  for p in self.store.children("port_groups/%s/ports" % pgid)], mt)
        if ctx.method == "POST":
            ctx.content_type(self.media["port_group_ports"]["item"])
            if self.store.get("port_groups/" + pgid) is None:
                raise HttpError(404, "Resource not found")
            pid = str(ctx.json().get("portId") or "").lower()
            if not _is_uuid(pid):
                raise validation_error(("portId", "may not be null"))
            if self.store.get("ports/" + pid) is None:
                raise HttpError(404, "Resource not found")
            if self.store.exists("port_groups/%s/ports/%s" % (pgid, pid)):
                raise HttpError(409 if self.flavor == 5 else 400, "The port is already a member of the port group.")
            self.store.put("port_groups/%s/ports/%s" % (pgid, pid), {"portId": pid})
            return ctx.created(self._pg_port_view(ctx, pgid, pid)["uri"])
        raise ctx.not_allowed()

    def r_pg_port(self, ctx, pgid, pid):
        pgid, pid = pgid.lower(), pid.lower()
        m = self.store.get("port_groups/%s/ports/%s" % (pgid, pid))
        return self._item_get_or_delete(ctx, "port_group_ports", m, lambda m: self._pg_port_view(ctx, pgid, pid),
                                        "port_groups/%s/ports/%s" % (pgid, pid))

    def r_port_pgs(self, ctx, pid):
        """GET /ports/{id}/port_groups (the port's ``portGroups`` link): PortGroupPort objects."""
        pid = pid.lower()
        ctx.only("GET")
        mt = ctx.accept(self.media["port_group_ports"]["coll"])
        if self.store.get("ports/" + pid) is None:
            raise HttpError(404, "Resource not found")
        return Response(200, [self._pg_port_view(ctx, g, pid) for g in self.store.children("port_groups")
                              if self.store.exists("port_groups/%s/ports/%s" % (g, pid))], mt)

    # ---- IP address groups (§5; eucanetd's metadata_ip) -----------------------------------
    def _ipag_view(self, ctx, g):
        uri = "%s/ip_addr_groups/%s" % (ctx.base(), g["id"])
        return dict(g, uri=uri, addrs=uri + "/ip_addrs")

    def _ipag_addr_view(self, ctx, gid, a):
        # models/IpAddrGroupAddr.java: uri = group/versions/<v>/ip_addrs/<URL-encoded addr>
        uri = "%s/ip_addr_groups/%s/versions/%d/ip_addrs/%s" % (ctx.base(), gid, a["version"],
                                                                quote(a["addr"], safe=""))
        return {"addr": a["addr"], "version": a["version"], "ipAddrGroupId": gid, "uri": uri,
                "ipAddrGroup": "%s/ip_addr_groups/%s" % (ctx.base(), gid)}

    def r_ipags(self, ctx):
        if ctx.method == "GET":
            mt = ctx.accept(self.media["ip_addr_groups"]["coll"])
            out = [self.store.get("ip_addr_groups/" + i) for i in self.store.children("ip_addr_groups")]
            return Response(200, [self._ipag_view(ctx, g) for g in out if g], mt)
        if ctx.method == "POST":
            ctx.content_type(self.media["ip_addr_groups"]["item"])
            data = ctx.json()
            name = data.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 255:
                raise validation_error(("name", "size must be between 1 and 255" if isinstance(name, str)
                                        else "may not be null"))
            gid = ctx.new_id(data, "ip_addr_groups")
            self.store.put("ip_addr_groups/" + gid, {"id": gid, "name": name})
            return ctx.created("%s/ip_addr_groups/%s" % (ctx.base(), gid))
        raise ctx.not_allowed()

    def r_ipag(self, ctx, gid):
        gid = gid.lower()
        g = self.store.get("ip_addr_groups/" + gid)
        return self._item_get_or_delete(ctx, "ip_addr_groups", g, lambda g: self._ipag_view(ctx, g),
                                        "ip_addr_groups/" + gid)

    def r_ipag_addrs(self, ctx, gid):
        gid = gid.lower()
        if self.store.get("ip_addr_groups/" + gid) is None:
            raise HttpError(404, "Resource not found")
        if ctx.method == "GET":
            mt = ctx.accept(self.media["ip_addrs"]["coll"])
            out = [self.store.get("ip_addr_groups/%s/ip_addrs/%s" % (gid, a))
                   for a in self.store.children("ip_addr_groups/%s/ip_addrs" % gid)]
            return Response(200, [self._ipag_addr_view(ctx, gid, a) for a in out if a], mt)
        if ctx.method == "POST":
            ctx.content_type(self.media["ip_addrs"]["item"])
            data = ctx.json()
            version, addr = data.get("version"), data.get("addr")
            if str(version) not in ("4", "6"):  # JsonTypeInfo on "version": 4 or 6
                raise HttpError(400, "Could not resolve type id '%s' into a subtype of IpAddrGroupAddr" % version)
            version = int(version)
            try:
                canon = str(ipaddress.ip_address(str(addr))) if addr is not None else None
            except ValueError:
                canon = None
            if addr is None:
                raise validation_error(("addr", "may not be null"))
            if canon is None or ipaddress.ip_address(canon).version != version:
                raise validation_error(("addr", "is not a valid IP address"))
            self.store.put("ip_addr_groups/%s/ip_addrs/%s" % (gid, canon), {"addr": canon, "version": version})
            return ctx.created(self._ipag_addr_view(ctx, gid, {"addr": canon, "version": version})["uri"])
        raise ctx.not_allowed()

    def r_ipag_addr(self, ctx, gid, version, addr):
        gid, addr = gid.lower(), unquote(addr)
        if self.store.get("ip_addr_groups/" + gid) is None:
            raise HttpError(404, "Resource not found")
        a = self.store.get("ip_addr_groups/%s/ip_addrs/%s" % (gid, addr))
        if a is not None and str(a["version"]) != version:
            a = None
        return self._item_get_or_delete(ctx, "ip_addrs", a, lambda a: self._ipag_addr_view(ctx, gid, a),
                                        "ip_addr_groups/%s/ip_addrs/%s" % (gid, addr), only_present=True)

    # ---- LAB-ONLY endpoints (not part of the MidoNet API) ----------------------------------
    def r_lab_hosts(self, ctx):
        ctx.only("POST")
        data = ctx.json()
        hid = str(data.get("id") or uuid.uuid4()).lower()
        if not _is_uuid(hid) or not data.get("name"):
            raise HttpError(400, "lab: a host needs a UUID id and a name")
        register_host(self.store, hid, data["name"], data.get("addresses") or [],
                      data.get("hostInterfaces") or [], alive=data.get("alive", True))
        return ctx.created("%s/hosts/%s" % (ctx.base(), hid))

    def _fault(self, method, rel):
        with self.lock:
            for fault in self.faults:
                if fault["count"] > 0 and fault["method"] == method and fault["rx"].match(rel):
                    fault["count"] -= 1
                    return True
        return False

    def r_lab_faults(self, ctx):
        if ctx.method == "DELETE":
            del self.faults[:]
            return Response(204)
        if ctx.method == "GET":
            return Response(200, [dict((k, v) for k, v in f.items() if k != "rx") for f in self.faults],
                            "application/json")
        ctx.only("POST")
        data = ctx.json()
        try:
            rx = re.compile("^(?:%s)$" % data["path"])
            fault = {"method": str(data["method"]).upper(), "path": data["path"], "rx": rx,
                     "count": int(data.get("count", 1))}
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise HttpError(400, "lab: a fault needs method, path (regex) and count: %s" % exc)
        self.faults.append(fault)
        return Response(204)

    def r_lab_host(self, ctx, hid):
        ctx.only("DELETE")
        self.store.delete("hosts/" + hid.lower())
        return Response(204)


def register_host(store, hid, name, addresses, interfaces, alive=True):
    """What midolman writes (see midolman.py); also used for seeded/lab hosts."""
    store.put("hosts/" + hid, {"id": hid, "name": name, "addresses": addresses,
                               "hostInterfaces": interfaces})
    if alive:
        store.put("hosts/%s/alive" % hid, None, ephemeral=True)
    else:
        store.delete("hosts/%s/alive" % hid)


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
        return len(str(value)) == 36
    except ValueError:
        return False


def _is_ipv4(value):
    try:
        ipaddress.IPv4Address(str(value))
        return True
    except ValueError:
        return False


class Ctx:
    """One request."""

    def __init__(self, api, method, rel, query, headers, body, host_header):
        self.api, self.method, self.rel, self.query = api, method, rel, query
        self.headers, self.body, self.host_header = headers, body, host_header

    def base(self):
        if self.api.base_uri:
            return self.api.base_uri
        return "http://%s%s" % (self.host_header, self.api.base_path)

    def only(self, *methods):
        if self.method not in methods:
            raise self.not_allowed()

    def not_allowed(self):
        return HttpError(405, "Method Not Allowed")

    def accept(self, allowed, strict=True):
        """Pick the response media type, or 406. 5.x generic resources (validateMediaType) refuse
        a missing Accept header; JAX-RS resources (1.x, 5.x members/root) treat it as */*."""
        value = self.headers.get("Accept")
        if not value:
            if strict and self.api.flavor == 5:
                raise HttpError(406, "Missing Accept header")
            return allowed[0]
        for want in _parse_media_list(value):
            if want == JSON and JSON in allowed:
                return JSON
            for have in allowed:
                if compatible(want, have):
                    return have if have != JSON or want == JSON else allowed[0]
        raise HttpError(406, "Not Acceptable")

    def content_type(self, allowed, status=None):
        """5.x generic create/update: 406 (validateMediaType); JAX-RS @Consumes: 415, empty body."""
        if status is None:
            status = 406 if self.api.flavor == 5 else 415
        value = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if value and "/" in value and "*" not in value and any(compatible(value, a) for a in allowed):
            return value
        if status == 406:
            raise HttpError(406, "Unsupported Content-Type: %s" % (value or "(none)"))
        raise HttpError(status)

    def json(self):
        try:
            data = json.loads(self.body or b"{}")
        except ValueError as exc:
            raise HttpError(400, "Invalid JSON: %s" % exc)
        if not isinstance(data, dict):
            raise HttpError(400, "Invalid JSON: an object is required")
        return data

    def new_id(self, data, kind):
        if data.get("id"):
            oid = str(data["id"]).lower()
            if not _is_uuid(oid):
                raise validation_error(("id", "is not a valid UUID"))
            if self.api.store.exists("%s/%s" % (kind, oid)):
                raise HttpError(409, "Object with ID %s already exists." % oid)
            return oid
        return str(uuid.uuid4())

    def created(self, location):
        return Response(201, None, None, {"Location": location})


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MidoNet-lab-stand-in"
    # headers and body go out in separate sends; without TCP_NODELAY a kept-alive client
    # waits ~40 ms (Nagle + delayed ACK) on every response
    disable_nagle_algorithm = True
    api = None  # set by make_server

    def _do(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        resp = self.api.handle(self.command, self.path, self.headers, body, host)
        payload = b"" if resp.body is None else json.dumps(resp.body).encode()
        self.send_response(resp.status)
        if payload:
            self.send_header("Content-Type", resp.ctype or JSON)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _do

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("midonet-api-standin: %s %s\n" % (self.address_string(), fmt % args))


def make_server(api, host, port, verbose=False):
    handler = type("BoundHandler", (Handler,), {"api": api})
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer((host, port), handler)
    srv.daemon_threads = True
    srv.verbose = verbose
    return srv


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------
def read_ini(path):
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.read(path)
    return cp


def read_web_xml(path):
    """web.xml <context-param> name -> value (namespaces ignored)."""
    params = {}
    root = ET.parse(path).getroot()
    for el in root.iter():
        if el.tag.split("}")[-1] == "context-param":
            name = value = None
            for child in el:
                tag = child.tag.split("}")[-1]
                if tag == "param-name":
                    name = (child.text or "").strip()
                elif tag == "param-value":
                    value = (child.text or "").strip()
            if name:
                params[name] = value
    return params


def read_tomcat_connector(path):
    """(address, port) of the first HTTP/1.1 <Connector> of a Tomcat server.xml."""
    root = ET.parse(path).getroot()
    for el in root.iter("Connector"):
        proto = el.get("protocol", "HTTP/1.1")
        if "AJP" in proto.upper():
            continue
        return el.get("address"), int(el.get("port", "8080"))
    return None, None


def read_flat_conf(path):
    """mn-conf overrides file: a JSON object or `key = value` / `key : value` lines."""
    with open(path) as f:
        text = f.read()
    try:
        data = json.loads(text)
        return {k: str(v) for k, v in data.items()}
    except ValueError:
        pass
    out = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.match(r"^([\w.\-]+)\s*[=:]\s*(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip().strip('"')
    return out


def zk_mn_conf(zk_hosts, root, timeout=30.0):
    """The mn-conf keys mn_conf.py stored in ZooKeeper (template "default"); {} when unreachable."""
    try:
        from kazoo.client import KazooClient
    except ImportError:
        return {}
    zk = KazooClient(hosts=zk_hosts, timeout=timeout)
    try:
        zk.start(timeout=timeout)
    except Exception:  # noqa: BLE001 - unreachable: use defaults, serve 503s later
        sys.stderr.write("midonet-api-standin: ZooKeeper %s unreachable; mn-conf defaults used\n" % zk_hosts)
        return {}
    try:
        data, _unused = zk.get(root.rstrip("/") + "/config/templates/default")
        return {k: str(v) for k, v in json.loads(data or b"{}").items()}
    except Exception:  # noqa: BLE001
        return {}
    finally:
        zk.stop()
        zk.close()


def resolve(args):
    """Fill in every setting: defaults < config files < command-line flags."""
    flavor = args.flavor
    s = {"host": "0.0.0.0", "port": DEFAULTS[flavor]["port"], "root_key": DEFAULTS[flavor]["root_key"],
         "zk_hosts": "127.0.0.1:2181", "auth": "mock", "base_path": "/midonet-api", "base_uri": None,
         "admin_token": MOCK_TOKEN[flavor]}
    if flavor == 5 and args.config:
        cp = read_ini(args.config)
        if cp.has_option("zookeeper", "zookeeper_hosts"):
            s["zk_hosts"] = cp.get("zookeeper", "zookeeper_hosts").strip()
        if cp.has_option("zookeeper", "root_key"):
            s["root_key"] = cp.get("zookeeper", "root_key").strip()
    if flavor == 5 and (args.config or args.mn_conf):
        keys = {}
        if args.config and (args.store or "zookeeper") == "zookeeper":
            keys.update(zk_mn_conf(args.zk_hosts or s["zk_hosts"], args.root_key or s["root_key"]))
        if args.mn_conf:
            keys.update(read_flat_conf(args.mn_conf))
        s["port"] = int(keys.get("cluster.rest_api.http_port", s["port"]))
        s["host"] = keys.get("cluster.rest_api.http_host", s["host"])
        s["base_path"] = keys.get("cluster.rest_api.root_uri", s["base_path"])
        s["root_key"] = keys.get("zookeeper.root_key", s["root_key"])
        if "keystone" in keys.get("cluster.auth.provider_class", "").lower():
            s["auth"] = "keystone"
            s["user"] = keys.get("cluster.auth.keystone.user_name")
            s["password"] = keys.get("cluster.auth.keystone.user_password")
    if flavor == 1 and args.config:
        p = read_web_xml(args.config)
        s["zk_hosts"] = p.get("zookeeper-zookeeper_hosts") or s["zk_hosts"]
        s["root_key"] = p.get("zookeeper-midolman_root_key") or s["root_key"]
        s["base_uri"] = p.get("rest_api-base_uri") or None
        s["admin_token"] = p.get("mock_auth-admin_token") or s["admin_token"]
        if "keystone" in (p.get("auth-auth_provider") or "").lower():
            s["auth"] = "keystone"
            s["user"] = p.get("keystone-user_name")
            s["password"] = p.get("keystone-user_password")
    if flavor == 1 and args.tomcat_server_xml:
        address, port = read_tomcat_connector(args.tomcat_server_xml)
        if port:
            s["port"] = port
        if address:
            s["host"] = address
    for key in ("host", "port", "root_key", "zk_hosts", "auth", "base_path", "base_uri", "user", "password"):
        value = getattr(args, key, None)
        if value is not None:
            s[key] = value
    s["store"] = args.store or ("zookeeper" if args.config else "memory")
    return s


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="LAB STAND-IN for the MidoNet REST API (1.x webapp / 5.x cluster).")
    p.add_argument("--flavor", type=int, choices=(1, 5), required=True)
    p.add_argument("--host", help="listen address (default 0.0.0.0, or from the config)")
    p.add_argument("--port", type=int, help="default 8080 (flavor 1) / 8181 (flavor 5)")
    p.add_argument("--base-path", help="context path / cluster.rest_api.root_uri (default /midonet-api)")
    p.add_argument("--base-uri", help="1.x rest_api-base_uri: base of the returned links")
    p.add_argument("--store", choices=("memory", "zookeeper"),
                   help="default: zookeeper with --config, memory otherwise")
    p.add_argument("--zk-hosts", help="h:2181,... (default 127.0.0.1:2181)")
    p.add_argument("--root-key", help="default /midonet/v1 (flavor 1) or /midonet (flavor 5)")
    p.add_argument("--auth", choices=("mock", "keystone"))
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--config", help="flavor 5: midonet.conf (INI); flavor 1: the webapp's web.xml")
    p.add_argument("--mn-conf", help="flavor 5: JSON or key=value file of mn-conf keys (overrides ZooKeeper)")
    p.add_argument("--tomcat-server-xml", help="flavor 1: Tomcat server.xml; port/address of its HTTP Connector")
    p.add_argument("--seed-hosts", default="", help="name=uuid[@dead],... registered at start (lab only)")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv=None):
    # kazoo logs every failed reconnection attempt; our own messages say when ZooKeeper is away
    logging.basicConfig(level=logging.ERROR, format="%(name)s: %(message)s")
    args = parse_args(argv)
    s = resolve(args)
    if s["auth"] == "keystone" and not (s.get("user") and s.get("password")):
        # Like a KeystoneService without a reachable Keystone: every login and request is 401.
        sys.stderr.write("midonet-api-standin: keystone auth without --user/--password: nobody can log in\n")
    if s["store"] == "zookeeper":
        store = ZooKeeperStore(s["zk_hosts"], s["root_key"])
    else:
        store = MemoryStore()
    for item in filter(None, (x.strip() for x in args.seed_hosts.split(","))):
        name, _sep, rest = item.partition("=")
        hid, _sep, state = rest.partition("@")
        register_host(store, (hid or str(uuid.uuid5(uuid.NAMESPACE_DNS, name))).lower(), name, [], [],
                      alive=state != "dead")
    api = MidonetApi(args.flavor, store, base_path=s["base_path"], auth=s["auth"], user=s.get("user"),
                     password=s.get("password"), admin_token=s["admin_token"], base_uri=s["base_uri"])
    srv = make_server(api, s["host"], s["port"], verbose=args.verbose)
    sys.stderr.write("midonet-api-standin: LAB STAND-IN flavor %d on http://%s:%d%s (store %s%s, auth %s)\n"
                     % (args.flavor, s["host"], srv.server_address[1], api.base_path, s["store"],
                        " " + s["zk_hosts"] + s["root_key"] if s["store"] == "zookeeper" else "", s["auth"]))
    sys.stderr.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()


if __name__ == "__main__":
    main()
