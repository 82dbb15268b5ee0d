"""LAB STAND-IN for the MidoNet agent ``midolman``. Not MidoNet; for the eucalyptus.cloud lab only.

It does the one thing of midolman the deployment can observe: host registration. It forwards no
packets and creates no datapath. Run by ``midolman.service`` (package ``midolman``, lab repo):

* host id from ``/etc/midonet_host_id.properties`` (``host_uuid=<uuid>``), else the old
  ``/etc/midolman/host_uuid.properties``; if neither exists a random UUID is generated and
  written to the first, as midolman's HostIdGenerator does;
* ZooKeeper from ``/etc/midolman/midolman.conf``: ``[zookeeper] zookeeper_hosts`` and
  ``root_key`` (1.9 stub) or ``midolman_root_key`` (1.8); default root ``/midonet`` (5.x);
* writes ``ROOT/hosts/<id>`` = ``{"id", "name" (hostname), "addresses", "hostInterfaces"}`` with
  the host's interfaces (name, mac, mtu, type, endpoint, addresses, status) and keeps an
  EPHEMERAL ``ROOT/hosts/<id>/alive`` node while it runs, so the API stand-in reports
  ``alive: true``. Every ``--interval`` seconds it re-checks both (a restarted or wiped ZooKeeper
  gets them back, the interface list follows the host; after 10 s without a session it starts a
  fresh one, as a wiped ZooKeeper refuses clients that have seen a newer zxid). On SIGTERM it
  deletes ``alive`` and leaves the host record, like the real agent (API: ``alive: false``).

    midolman.py [--config /etc/midolman/midolman.conf] [--host-id-file FILE]
                [--zk-hosts h:2181,...] [--root-key KEY] [--interval 5]
"""
import argparse
import configparser
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

ID_FILES = ("/etc/midonet_host_id.properties", "/etc/midolman/host_uuid.properties")


def log(msg):
    sys.stderr.write("midolman-standin: %s\n" % msg)
    sys.stderr.flush()


def host_id(path=None):
    candidates = [path] if path else list(ID_FILES)
    for p in candidates:
        try:
            with open(p) as f:
                for line in f:
                    key, sep, value = line.strip().partition("=")
                    if sep and key.strip() == "host_uuid" and value.strip():
                        return str(uuid.UUID(value.strip()))
        except (OSError, ValueError):
            continue
    hid = str(uuid.uuid4())
    target = candidates[0]
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    with open(target, "w") as f:
        f.write("#LAB STAND-IN midolman: generated host id\nhost_uuid=%s\n" % hid)
    log("generated host id %s in %s" % (hid, target))
    return hid


def read_conf(path):
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.read(path)
    zk = root = None
    if cp.has_section("zookeeper"):
        zk = cp.get("zookeeper", "zookeeper_hosts", fallback=None)
        root = (cp.get("zookeeper", "root_key", fallback=None)
                or cp.get("zookeeper", "midolman_root_key", fallback=None))
    return (zk or "127.0.0.1:2181").strip(), (root or "/midonet").strip()


def _sys(name, attr):
    try:
        with open("/sys/class/net/%s/%s" % (name, attr)) as f:
            return f.read().strip()
    except OSError:
        return None


def interfaces():
    """The host's interfaces in the shape of MidoNet's Interface model (§4)."""
    try:
        data = json.loads(subprocess.run(["ip", "-j", "addr", "show"], capture_output=True, text=True,
                                         check=True).stdout)
    except (OSError, subprocess.CalledProcessError, ValueError):
        data = [{"ifname": n, "address": _sys(n, "address"), "mtu": int(_sys(n, "mtu") or 0),
                 "flags": [], "addr_info": []} for n in sorted(os.listdir("/sys/class/net"))]
    out = []
    for link in data:
        name = link.get("ifname")
        loopback = name == "lo" or "LOOPBACK" in link.get("flags", [])
        physical = os.path.exists("/sys/class/net/%s/device" % name)
        up = "UP" in link.get("flags", []) or _sys(name, "operstate") == "up"
        carrier = _sys(name, "carrier") == "1"
        out.append({
            "name": name, "mac": link.get("address"), "mtu": link.get("mtu"),
            "type": "Physical" if physical else "Virtual",
            "endpoint": "LOCALHOST" if loopback else ("PHYSICAL" if physical else "UNKNOWN"),
            "addresses": [a["local"] for a in link.get("addr_info", []) if a.get("local")],
            "status": (1 if up else 0) | (2 if carrier else 0),
        })
    return out


class Agent:
    RESET_AFTER = 10.0  # seconds without a session before starting over with a fresh client

    def __init__(self, zk_hosts, root, hid, interval):
        from kazoo.client import KazooClient
        self.root, self.hid, self.interval = root.rstrip("/"), hid, interval
        self.new_client = lambda: KazooClient(hosts=zk_hosts, connection_retry={"max_tries": -1, "delay": 0.5,
                                                                                "max_delay": 5})
        self.zk = self.new_client()
        self.stop = threading.Event()
        self.last = None

    def sync(self):
        from kazoo.exceptions import NodeExistsError
        ifaces = interfaces()
        record = {"id": self.hid, "name": socket.gethostname(),
                  "addresses": [a for i in ifaces for a in i["addresses"]], "hostInterfaces": ifaces}
        path = "%s/hosts/%s" % (self.root, self.hid)
        data = json.dumps(record, sort_keys=True).encode()
        if self.zk.exists(path) is None:
            self.zk.create(path, data, makepath=True)
            log("registered host %s (%s) under %s/hosts" % (self.hid, record["name"], self.root))
        elif data != self.zk.get(path)[0]:
            self.zk.set(path, data)
        stat = self.zk.exists(path + "/alive")
        if stat is None or stat.ephemeralOwner != self.zk.client_id[0]:
            if stat is not None:  # left by an earlier session that has not expired yet
                self.zk.delete(path + "/alive")
            try:
                self.zk.create(path + "/alive", b"", ephemeral=True)
            except NodeExistsError:
                pass

    def run(self):
        self.zk.start_async()
        down_since = None
        while not self.stop.is_set():
            if not self.zk.connected:
                # A wiped ZooKeeper refuses clients that have seen a newer zxid: start over.
                down_since = down_since or time.monotonic()
                if time.monotonic() - down_since > self.RESET_AFTER:
                    old, self.zk = self.zk, self.new_client()
                    self.zk.start_async()
                    threading.Thread(target=lambda: (old.stop(), old.close()), daemon=True).start()
                    down_since = None
            else:
                down_since = None
            if self.zk.connected:
                try:
                    self.sync()
                    if self.last != "ok":
                        log("alive in ZooKeeper")
                    self.last = "ok"
                except Exception as exc:  # noqa: BLE001 - keep running like the agent does
                    if self.last != str(exc):
                        log("ZooKeeper error: %r" % exc)
                    self.last = str(exc)
            elif self.last != "down":
                log("waiting for ZooKeeper")
                self.last = "down"
            self.stop.wait(self.interval)
        try:
            if self.zk.connected:
                self.zk.delete("%s/hosts/%s/alive" % (self.root, self.hid))
        except Exception:  # noqa: BLE001
            pass
        self.zk.stop()
        self.zk.close()
        log("stopped")


def main(argv=None):
    # kazoo logs every failed reconnection attempt; our own messages say when ZooKeeper is away
    logging.basicConfig(level=logging.ERROR, format="%(name)s: %(message)s")
    p = argparse.ArgumentParser(description="LAB STAND-IN for midolman (host registration only)")
    p.add_argument("--config", default="/etc/midolman/midolman.conf")
    p.add_argument("--host-id-file", help="default: /etc/midonet_host_id.properties")
    p.add_argument("--zk-hosts")
    p.add_argument("--root-key")
    p.add_argument("--interval", type=float, default=5.0)
    args = p.parse_args(argv)
    zk_hosts, root = read_conf(args.config)
    agent = Agent(args.zk_hosts or zk_hosts, args.root_key or root, host_id(args.host_id_file), args.interval)
    log("LAB STAND-IN midolman: host %s, ZooKeeper %s, root %s" % (agent.hid, args.zk_hosts or zk_hosts, agent.root))
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: agent.stop.set())
    agent.run()


if __name__ == "__main__":
    main()
