#!/usr/bin/env python3
"""LAB STAND-IN for MidoNet's ``mn-conf`` (package midonet-tools). Not MidoNet; lab only.

Keeps MidoNet configuration in ZooKeeper like the real tool, but as flat JSON objects
(``{"cluster.rest_api.http_port": "8080", ...}``) instead of HOCON text:

    ROOT/config/templates/<name>     keys of a template ("default" is what `set` writes to)
    ROOT/config/nodes/<host-uuid>    keys of one node (`-h local|UUID`)
    ROOT/config/template-mappings    {"<host-uuid>": "<template>"} (`template-set`)

The API stand-in (midonet_api.py --flavor 5 --config ...) reads ``templates/default`` at start,
so, as with the real cluster, ``mn-conf set`` is followed by a restart of midonet-cluster.

Bootstrap (as the real tool): ``MIDO_ZOOKEEPER_HOSTS`` / ``MIDO_ZOOKEEPER_ROOT_KEY``, then
``~/.midonetrc``, ``/etc/midonet/midonet.conf``, ``/etc/midolman/midolman.conf`` (``[zookeeper]
zookeeper_hosts``, ``root_key``); default 127.0.0.1:2181 and /midonet.

    mn-conf set [-t TEMPLATE | -h local|UUID] [key=value ...]   (no pairs: HOCON-ish on stdin:
                 `a.b : v`, `a.b = v`, `a { b = "v" }`, comments, quoted strings)
    mn-conf get [-t TEMPLATE | -h local|UUID] KEY               prints `KEY = VALUE`
    mn-conf dump [-t TEMPLATE | -h local|UUID]
    mn-conf unset [-t TEMPLATE | -h local|UUID] KEY
    mn-conf template-set -h local|UUID -t TEMPLATE
    mn-conf template-get -h local|UUID
    mn-conf template-list

Without -t/-h, get/dump show the effective value (built-in schema defaults < template
"default"); node and mapped-template keys are stored but not merged (the lab needs no agent
tuning). Exit 0 on success, 1 on errors (e.g. ZooKeeper unreachable).
"""
import argparse
import configparser
import json
import os
import sys

SCHEMA = {  # the few defaults of MidoNet 5.2's schemas the lab cares about (reference §6.2)
    "zookeeper.zookeeper_hosts": "127.0.0.1:2181",
    "zookeeper.root_key": "/midonet",
    "zookeeper.session_timeout": "30s",
    "cassandra.servers": "",
    "cassandra.replication_factor": "1",
    "cassandra.cluster": "midonet",
    "cluster.rest_api.enabled": "true",
    "cluster.rest_api.http_port": "8181",
    "cluster.rest_api.https_port": "8443",
    "cluster.rest_api.root_uri": "/midonet-api",
    "cluster.rest_api.http_host": "0.0.0.0",
    "cluster.auth.provider_class": "org.midonet.cluster.auth.MockAuthService",
}
TEMPLATES = ["default", "agent-compute-large", "agent-compute-medium", "agent-gateway-large",
             "agent-gateway-medium"]


def fail(msg):
    sys.stderr.write("mn-conf: %s\n" % msg)
    sys.exit(1)


def bootstrap():
    zk = os.environ.get("MIDO_ZOOKEEPER_HOSTS")
    root = os.environ.get("MIDO_ZOOKEEPER_ROOT_KEY")
    for path in (os.path.expanduser("~/.midonetrc"), "/etc/midonet/midonet.conf", "/etc/midolman/midolman.conf"):
        cp = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            cp.read(path)
        except configparser.Error:
            continue
        if cp.has_section("zookeeper"):
            zk = zk or cp.get("zookeeper", "zookeeper_hosts", fallback=None)
            root = root or cp.get("zookeeper", "root_key", fallback=None)
    return (zk or "127.0.0.1:2181").strip(), (root or "/midonet").strip().rstrip("/")


def parse_hocon(text):
    """A HOCON subset -> flat {dotted.key: str}: `k = v`, `k : v`, `k { ... }`, quotes, comments."""
    out, i, n = {}, 0, len(text)
    stack = []

    def skip_ws(i, newlines=True):
        while i < n:
            c = text[i]
            if c in " \t\r" or (newlines and c in "\n,"):
                i += 1
            elif c == "#" or text.startswith("//", i):
                while i < n and text[i] != "\n":
                    i += 1
            else:
                break
        return i

    def read_string(i):
        j, buf = i + 1, []
        while j < n and text[j] != '"':
            if text[j] == "\\" and j + 1 < n:
                j += 1
            buf.append(text[j])
            j += 1
        return "".join(buf), j + 1

    while True:
        i = skip_ws(i)
        if i >= n:
            break
        if text[i] == "}":
            if not stack:
                raise ValueError("unbalanced }")
            stack.pop()
            i += 1
            continue
        if text[i] == '"':
            key, i = read_string(i)
        else:
            j = i
            while j < n and text[j] not in " \t\r\n=:{}\"#,":
                j += 1
            key, i = text[i:j], j
        if not key:
            raise ValueError("syntax error near %r" % text[i:i + 20])
        i = skip_ws(i, newlines=False)
        if i < n and text[i] == "{":
            stack.append(key)
            i += 1
            continue
        if i >= n or text[i] not in "=:":
            raise ValueError("expected = or : after %r" % key)
        i = skip_ws(i + 1, newlines=False)
        if i < n and text[i] == "{":
            stack.append(key)
            i += 1
            continue
        if i < n and text[i] == '"':
            value, i = read_string(i)
        else:
            j = i
            while j < n and text[j] not in "\n,}#":
                j += 1
            value, i = text[i:j].strip(), j
        out[".".join(stack + [key])] = value
    if stack:
        raise ValueError("unbalanced {")
    return out


class Conf:
    def __init__(self):
        from kazoo.client import KazooClient
        hosts, root = bootstrap()
        self.base = root + "/config"
        self.zk = KazooClient(hosts=hosts, timeout=10)
        try:
            self.zk.start(timeout=10)
        except Exception:  # noqa: BLE001
            fail("cannot connect to ZooKeeper at %s" % hosts)

    def read(self, path):
        if self.zk.exists(self.base + path) is None:
            return {}
        data = self.zk.get(self.base + path)[0]
        return json.loads(data) if data else {}

    def write(self, path, obj):
        data = json.dumps(obj, sort_keys=True, indent=1).encode()
        if self.zk.exists(self.base + path) is None:
            self.zk.create(self.base + path, data, makepath=True)
        else:
            self.zk.set(self.base + path, data)

    def close(self):
        self.zk.stop()
        self.zk.close()


def local_host_id():
    for path in ("/etc/midonet_host_id.properties", "/etc/midolman/host_uuid.properties"):
        try:
            with open(path) as f:
                for line in f:
                    k, sep, v = line.strip().partition("=")
                    if sep and k.strip() == "host_uuid":
                        return v.strip()
        except OSError:
            pass
    fail("no host id (/etc/midonet_host_id.properties); is midolman installed?")


def target(args):
    if args.host:
        return "/nodes/" + (local_host_id() if args.host == "local" else args.host)
    if args.template:
        return "/templates/" + args.template
    return None


def effective(conf):
    values = dict(SCHEMA)
    values.update(conf.read("/templates/default"))
    return values


def main(argv=None):
    p = argparse.ArgumentParser(prog="mn-conf", description="LAB STAND-IN for MidoNet mn-conf", add_help=False)
    p.add_argument("--help", action="help")
    p.add_argument("command", choices=["set", "get", "dump", "unset", "template-set", "template-get",
                                       "template-list"])
    p.add_argument("-t", "--template")
    p.add_argument("-h", "--host")
    p.add_argument("args", nargs="*")
    # options may follow the command's arguments (`mn-conf get -t default KEY`), as in mn-conf
    args = p.parse_intermixed_args(argv)
    conf = Conf()
    try:
        where = target(args)
        if args.command == "set":
            try:
                pairs = parse_hocon("\n".join(args.args) if args.args else sys.stdin.read())
            except ValueError as exc:
                fail("cannot parse configuration: %s" % exc)
            path = where or "/templates/default"
            values = conf.read(path)
            values.update(pairs)
            conf.write(path, values)
        elif args.command in ("get", "dump"):
            values = conf.read(where) if where else effective(conf)
            keys = args.args if args.command == "get" else sorted(values)
            if args.command == "get" and not keys:
                fail("get needs a key")
            for key in keys:
                matches = {k: v for k, v in values.items() if k == key or k.startswith(key + ".")}
                for k in sorted(matches):
                    print('%s = %s' % (k, json.dumps(matches[k]) if not matches[k].isdigit() else matches[k]))
        elif args.command == "unset":
            path = where or "/templates/default"
            values = conf.read(path)
            for key in args.args:
                values.pop(key, None)
            conf.write(path, values)
        elif args.command == "template-set":
            if not (args.host and args.template):
                fail("template-set needs -h and -t")
            hid = local_host_id() if args.host == "local" else args.host
            mappings = conf.read("/template-mappings")
            mappings[hid] = args.template
            conf.write("/template-mappings", mappings)
        elif args.command == "template-get":
            mappings = conf.read("/template-mappings")
            hosts = [local_host_id() if args.host == "local" else args.host] if args.host else sorted(mappings)
            for hid in hosts:
                print("%s %s" % (hid, mappings.get(hid, "default")))
        elif args.command == "template-list":
            names = set(TEMPLATES)
            if conf.zk.exists(conf.base + "/templates"):
                names.update(conf.zk.get_children(conf.base + "/templates"))
            print("\n".join(sorted(names)))
    finally:
        conf.close()


if __name__ == "__main__":
    main()
