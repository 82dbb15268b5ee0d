"""Benchmark: a 500-member MidoNet tunnel zone, eucalyptus.cloud.midonet_tunnel_zone versus a
midonet-cli style loop (one CLI call per member), against the MidoNet API stand-in (memory store).

Scenarios, per flavor (1 = MidoNet 1.x, 5 = 5.x):

* ``module converge``  one module run creating the zone with all N members;
* ``module no-op``     the same run again (must make only GETs);
* ``cli loop converge`` what ``for h in ...; do midonet-cli -A -e "tunnel-zone $TZ add member host
  $h address $ip"; done`` sends: per member a fresh process (new connection) doing the CLI start-up
  (GET root, GET /system_state), then GET /hosts/{id}, POST the member, GET its Location
  (reference section 7); plus one ``tunnel-zone create`` (start-up, POST, GET Location);
* ``cli loop no-op``   the usual guard of such loops, per member: start-up + ``tunnel-zone $TZ list
  member`` (GET the member list) and grep.

The module runs exactly as Ansible runs it on a target (tests/module_runner.py).

    .venv/bin/python benchmarks/midonet/bench.py [--members 500] [--flavors 1,5] [--repeat 3] [--json FILE]
"""
import argparse
import json
import os
import sys
import time
import uuid

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests"))
sys.path.insert(0, os.path.join(TOP, "tests", "integration", "midonet"))
from module_runner import run_module  # noqa: E402
from midonet_standin import StandIn  # noqa: E402  (the integration tests' stand-in launcher)

MT_TZ = "application/vnd.org.midonet.TunnelZone-v1+json"
MT_TZH = "application/vnd.org.midonet.TunnelZoneHost-v1+json"
MT_TZH_COLL = "application/vnd.org.midonet.collection.TunnelZoneHost-v1+json"
MT_HOST = "application/vnd.org.midonet.Host-v3+json"


class CountingCli(object):
    """Sends the requests one midonet-cli invocation sends.

    Every request goes over a new connection. That is the CLI's best case here: the stand-in
    answers GETs on a kept-alive connection ~40 ms late (it writes headers and body in two
    send() calls, so Nagle's algorithm meets the client's delayed ACK), which a real
    Tomcat/Jetty does not do, and the CLI's own start-up (a Python 2 interpreter per member,
    typically 0.3-0.5 s) is not counted either."""

    def __init__(self, url):
        self.url = url
        self.calls = {}

    def req(self, session, method, url, **kw):
        self.calls[method] = self.calls.get(method, 0) + 1
        kw.setdefault("headers", {})["Connection"] = "close"
        with requests.Session() as fresh:
            resp = fresh.request(method, url, timeout=30, **kw)
        if resp.status_code >= 400:
            raise SystemExit("cli emulation: %s %s -> %d %s" % (method, url, resp.status_code, resp.text))
        return resp

    def startup(self, s):
        self.req(s, "GET", self.url + "/", headers={"Accept": "application/json"})
        self.req(s, "GET", self.url + "/system_state",
                 headers={"Accept": "application/vnd.org.midonet.SystemState-v2+json"})

    def create_zone(self, name):
        with requests.Session() as s:
            self.startup(s)
            r = self.req(s, "POST", self.url + "/tunnel_zones", data=json.dumps({"name": name, "type": "gre"}),
                         headers={"Content-Type": MT_TZ, "Accept": MT_TZ})
            self.req(s, "GET", r.headers["Location"], headers={"Accept": MT_TZ})
            return r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    def add_member(self, zid, hid, address):
        with requests.Session() as s:
            self.startup(s)
            self.req(s, "GET", "%s/hosts/%s" % (self.url, hid), headers={"Accept": MT_HOST})
            r = self.req(s, "POST", "%s/tunnel_zones/%s/hosts" % (self.url, zid),
                         data=json.dumps({"hostId": hid, "ipAddress": address}),
                         headers={"Content-Type": MT_TZH, "Accept": MT_TZH})
            self.req(s, "GET", r.headers["Location"], headers={"Accept": MT_TZH})

    def check_member(self, zid, hid):
        with requests.Session() as s:
            self.startup(s)
            r = self.req(s, "GET", "%s/tunnel_zones/%s/hosts" % (self.url, zid), headers={"Accept": MT_TZH_COLL})
            return any(m["hostId"] == hid for m in r.json())


def row(scenario, flavor, calls, seconds, members):
    return {"scenario": scenario, "flavor": flavor, "GET": calls.get("GET", 0), "POST": calls.get("POST", 0),
            "DELETE": calls.get("DELETE", 0), "PUT": calls.get("PUT", 0),
            "total": sum(v for k, v in calls.items() if k != "total"),
            "seconds": round(seconds, 2), "members": members}


def median_rows(runs):
    """Rows of several repetitions -> one row per scenario with the median time."""
    out = []
    for i, first in enumerate(runs[0]):
        times = sorted(run[i]["seconds"] for run in runs)
        for run in runs:
            assert run[i]["total"] == first["total"], "request counts differ between repetitions"
        row_ = dict(first)
        row_["seconds"] = times[len(times) // 2]
        row_["runs"] = len(runs)
        out.append(row_)
    return out


def bench_flavor(flavor, n, repeat):
    hosts = [("node%04d.euca" % i, str(uuid.UUID(int=(flavor << 64) + i + 1, version=4))) for i in range(n)]
    members = [{"host": name, "address": "10.%d.%d.%d" % (1 + i // 65536, (i // 256) % 256, i % 256)}
               for i, (name, dummy) in enumerate(hosts)]
    api = StandIn(flavor, hosts=dict(hosts))
    url = api.url
    runs = []
    try:
        for rep in range(repeat):
            rows = []
            args = {"api_url": url, "name": "mido-tz-%d" % rep, "type": "gre", "members": members, "purge": True}
            t = time.time()
            r = run_module("midonet_tunnel_zone", args)
            dt = time.time() - t
            assert not r.failed and r["changed"], r.get("msg")
            rows.append(row("module converge", flavor, r["api_calls"], dt, n))
            t = time.time()
            r = run_module("midonet_tunnel_zone", args)
            dt = time.time() - t
            assert not r.failed and not r["changed"], r.get("msg")
            assert set(r["api_calls"]) <= {"GET", "total"}, r["api_calls"]
            rows.append(row("module no-op", flavor, r["api_calls"], dt, n))
            got = requests.get(url + "/tunnel_zones/%s/hosts" % r["tunnel_zone"]["id"],
                               headers={"Accept": MT_TZH_COLL}, timeout=30).json()
            assert len(got) == n, len(got)

            cli = CountingCli(url)
            t = time.time()
            zid = cli.create_zone("euca-tz-%d" % rep)
            for m, (name, hid) in zip(members, hosts):
                cli.add_member(zid, hid, m["address"])
            rows.append(row("cli loop converge", flavor, cli.calls, time.time() - t, n))
            cli = CountingCli(url)
            t = time.time()
            for name, hid in hosts:
                assert cli.check_member(zid, hid)
            rows.append(row("cli loop no-op", flavor, cli.calls, time.time() - t, n))
            runs.append(rows)
    finally:
        api.stop()
    return median_rows(runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--flavors", default="1,5")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions; the median time is shown")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args()
    rows = []
    for flavor in [int(f) for f in args.flavors.split(",")]:
        rows.extend(bench_flavor(flavor, args.members, args.repeat))
    print("%d members, MidoNet API stand-in (memory store), median of %d runs" % (args.members, args.repeat))
    head = "%-18s %6s %7s %6s %7s %7s %8s" % ("scenario", "flavor", "GET", "POST", "DELETE", "total", "seconds")
    print(head)
    print("-" * len(head))
    for r in rows:
        print("%-18s %6s %7d %6d %7d %7d %8.2f" % (r["scenario"], "%d.x" % r["flavor"], r["GET"], r["POST"],
                                                   r["DELETE"], r["total"], r["seconds"]))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
