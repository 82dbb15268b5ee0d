"""Helpers for the MidoNet module integration tests: start the MidoNet API stand-in, read it back.

The stand-in (``tests/lab/standins/midonet_api.py``) is written separately; when the file is
absent every test here is skipped with that reason. Each server runs on a free loopback port
with an in-memory store, flavor 1 (MidoNet 1.x status codes/media types) or 5 (5.x).
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

try:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
except ImportError:  # pragma: no cover - python 2 never runs these tests
    BaseHTTPRequestHandler = ThreadingHTTPServer = object

import pytest

try:
    import requests
except ImportError:  # pragma: no cover
    requests = None

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
STANDIN = os.path.join(TOP, "tests", "lab", "standins", "midonet_api.py")
TESTS = os.path.join(TOP, "tests")
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)  # module_runner

# Hosts registered in every stand-in (name -> uuid); names chosen to catch substring matching.
HOSTS = {
    "clc.euca": "11111111-1111-4111-8111-111111111111",
    "nc1.euca": "22222222-2222-4222-8222-222222222222",
    "nc1.euca2": "33333333-3333-4333-8333-333333333333",
    "ufs.euca": "44444444-4444-4444-8444-444444444444",
}
# Registered but not alive (midolman down).
DEAD_HOSTS = {"nc2.euca": "55555555-5555-4555-8555-555555555555"}
USER = "midoadmin"
PASSWORD = "Pw-" + uuid.uuid4().hex[:12] + "-sekret"

M_ZONES = "application/vnd.org.midonet.collection.TunnelZone-v1+json"
M_MEMBERS = "application/vnd.org.midonet.collection.TunnelZoneHost-v1+json"
M_HOSTS = "application/vnd.org.midonet.collection.Host-v3+json"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class StandIn(object):
    """One running stand-in process plus direct-read helpers (requests, not the module)."""

    def __init__(self, flavor, auth="mock", hosts=None):
        if not os.path.exists(STANDIN):
            pytest.skip("MidoNet API stand-in %s is absent (it is provided separately; nothing to test against)" % STANDIN)
        if requests is None:
            pytest.skip("requests is not installed")
        self.flavor = flavor
        self.auth = auth
        self.port = free_port()
        self.url = "http://127.0.0.1:%d/midonet-api" % self.port
        self.hosts = dict(HOSTS if hosts is None else hosts)
        cmd = [sys.executable, STANDIN, "--flavor", str(flavor), "--host", "127.0.0.1",
               "--port", str(self.port), "--store", "memory"]
        if auth != "mock":
            cmd += ["--auth", auth, "--user", USER, "--password", PASSWORD]
        seeds = ["%s=%s" % kv for kv in sorted(self.hosts.items())]
        seeds += ["%s=%s@dead" % kv for kv in sorted(DEAD_HOSTS.items())]
        cmd += ["--seed-hosts", ",".join(seeds)]
        self.log = open(os.devnull, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        self._token = None
        deadline = time.time() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("stand-in exited with %s: %s" % (self.proc.returncode, " ".join(cmd)))
            try:
                requests.get(self.url + "/", timeout=1)
                break
            except requests.exceptions.ConnectionError:
                if time.time() > deadline:
                    self.stop()
                    raise RuntimeError("stand-in did not listen on %s" % self.url)
                time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()

    # -- direct API access (independent of the module under test) ---------------------------

    def headers(self, accept):
        h = {"Accept": accept}
        if self.auth != "mock":
            if self._token is None:
                r = requests.post(self.url + "/login", auth=(USER, PASSWORD), timeout=5)
                r.raise_for_status()
                self._token = r.json().get("key") or r.cookies.get("sessionId")
            h["X-Auth-Token"] = self._token
        return h

    def get(self, path, accept):
        r = requests.get(self.url + path, headers=self.headers(accept), timeout=10)
        r.raise_for_status()
        return r.json()

    def zones(self):
        return self.get("/tunnel_zones", M_ZONES)

    def zone(self, name):
        found = [z for z in self.zones() if z["name"] == name]
        assert len(found) <= 1, found
        return found[0] if found else None

    def members(self, name):
        """{host_id: address} of the zone named ``name`` (None when the zone is absent)."""
        z = self.zone(name)
        if z is None:
            return None
        return dict((m["hostId"], m["ipAddress"]) for m in self.get("/tunnel_zones/%s/hosts" % z["id"], M_MEMBERS))

    def register_host(self, name, host_id, alive=True):
        """LAB-ONLY endpoint of the stand-in: a midolman registering itself."""
        r = requests.post(self.url + "/_lab/hosts", data=json.dumps(
            {"id": host_id, "name": name, "addresses": ["192.0.2.1"], "alive": alive}),
            headers={"Content-Type": "application/json"}, timeout=5)
        assert r.status_code in (200, 201, 204), r.text

    def arm_fault(self, method, path, count=1):
        """LAB-ONLY failure injection of the stand-in (see its header): the next ``count`` requests
        ``method`` on a path matching the regex ``path`` get the flavor's 503 (ZooKeeper unreachable)."""
        r = requests.post(self.url + "/_lab/faults", data=json.dumps({"method": method, "path": path, "count": count}),
                          headers={"Content-Type": "application/json"}, timeout=5)
        assert r.status_code == 204, r.text

    def faults(self):
        return requests.get(self.url + "/_lab/faults", timeout=5).json()

    def disarm_faults(self):
        assert requests.delete(self.url + "/_lab/faults", timeout=5).status_code == 204

    def api_args(self, **extra):
        args = {"api_url": self.url}
        if self.auth != "mock":
            args.update(username=USER, password=PASSWORD)
        args.update(extra)
        return args


class RecordingProxy(object):
    """A loopback HTTP proxy in front of a stand-in that records every auth token it sees
    (``X-Auth-Token`` request headers and the ``key`` of /login answers), so a test can check
    that the token the module really used never shows up in Ansible's output."""

    def __init__(self, target):
        self.target = target.rstrip("/")
        self.tokens = set()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = dict((k, v) for k, v in self.headers.items()
                               if k.lower() not in ("host", "content-length", "connection"))
                if headers.get("X-Auth-Token"):
                    proxy.tokens.add(headers["X-Auth-Token"])
                path = self.path.split("/midonet-api", 1)[-1]
                resp = requests.request(self.command, proxy.target + path, headers=headers, data=body,
                                        allow_redirects=False, timeout=30)
                if path.startswith("/login") and resp.status_code == 200:
                    try:
                        proxy.tokens.add(resp.json()["key"])
                    except (ValueError, KeyError):
                        pass
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                         "content-encoding", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/midonet-api" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.daemon = True
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
