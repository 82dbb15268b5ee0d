"""Helpers for the preflight tests: build small inventories, run playbooks/preflight.yml on them
with the json callback, and read back every check record, the failure and the recap."""
import copy
import json
import os
import subprocess

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PLAYBOOK = os.path.join(TOP, "playbooks", "preflight.yml")

# seed 000's shape, documentation addresses only (RFC 5737)
VPC_DOC = {
    "Mode": "VPCMIDO",
    "InstanceDnsServers": ["192.0.2.53"],
    "PublicIps": ["203.0.113.2-203.0.113.14"],
    "Mido": {"EucanetdHost": "frontend.euca", "GatewayHost": "frontend.euca", "GatewayIP": "192.0.2.2",
             "GatewayInterface": "veth1", "PublicGatewayIP": "192.0.2.1", "PublicNetworkCidr": "192.0.2.0/30"},
}
EDGE_DOC = {
    "Mode": "EDGE",
    "InstanceDnsServers": ["192.0.2.53"],
    "PublicIps": ["203.0.113.20-203.0.113.30"],
    "Clusters": [{"Name": "zone1",
                  "Subnet": {"Name": "10.111.0.0", "Subnet": "10.111.0.0", "Netmask": "255.255.0.0",
                             "Gateway": "10.111.0.1"},
                  "PrivateIps": ["10.111.101.94-10.111.101.120"]}],
}
MANAGED_DOC = {
    "Mode": "MANAGED",
    "InstanceDnsServers": ["192.0.2.53"],
    "Clusters": [{"Name": "zone1", "MacPrefix": "d0:0d"}],
    "PublicIps": ["203.0.113.31", "203.0.113.40"],
    "ManagedSubnet": {"Subnet": "172.16.0.0", "Netmask": "255.255.0.0", "MinVlan": "512", "MaxVlan": "639"},
}


def local_host(address, **extra):
    host = {"ansible_connection": "local", "eucalyptus_host_ip": address, "eucalyptus_zone": "zone1"}
    host.update(extra)
    return host


def vpc_inventory():
    """A good VPCMIDO 4.4 cloud: frontend (everything but NC) and nc1, both reached locally."""
    gateway = {"midonet_gateway_bridge": "uplinkbridge", "midonet_gateway_veth": "veth0",
               "midonet_gateway_peer": "veth1", "midonet_gateway_bridge_address": "192.0.2.1/30",
               "midonet_gateway_gateway_ip": "192.0.2.2", "midonet_gateway_public_ips": ["203.0.113.2-203.0.113.14"],
               "midonet_gateway_external_interface": "eth0"}
    inv = {"all": {
        "vars": {"eucalyptus_version": "4.4", "eucalyptus_network_mode": "VPCMIDO", "midonet_version": "5",
                 "eucalyptus_domain": "euca", "eucalyptus_network_configuration": copy.deepcopy(VPC_DOC),
                 "ansible_python_interpreter": "/usr/bin/python3"},
        "children": {},
    }}
    groups = inv["all"]["children"]
    front = local_host("198.51.100.10")
    groups["clc"] = {"hosts": {"frontend": front}}
    for name in ("ufs", "walrus", "cc", "sc", "zookeeper", "cassandra", "midonet_api"):
        groups[name] = {"hosts": {"frontend": None}}
    groups["nc"] = {"hosts": {"nc1": local_host("198.51.100.21")}}
    groups["midolman"] = {"hosts": {"frontend": None, "nc1": None}}
    groups["midonet_gateway"] = {"hosts": {"frontend": None}, "vars": gateway}
    return inv


def edge_inventory():
    """A good EDGE 4.4 cloud: frontend (CLC, UFS, Walrus, CC, SC) and two NCs."""
    inv = {"all": {
        "vars": {"eucalyptus_version": "4.4", "eucalyptus_network_mode": "EDGE", "eucalyptus_domain": "euca",
                 "eucalyptus_network_configuration": copy.deepcopy(EDGE_DOC)},
        "children": {},
    }}
    groups = inv["all"]["children"]
    groups["clc"] = {"hosts": {"frontend": local_host("198.51.100.10")}}
    for name in ("ufs", "walrus", "cc", "sc"):
        groups[name] = {"hosts": {"frontend": None}}
    groups["nc"] = {"hosts": {"nc1": local_host("198.51.100.21"), "nc2": local_host("198.51.100.22")}}
    return inv


def managed_inventory():
    """A good MANAGED 4.2 cloud: the CC on the frontend, the NCs apart (seed 002's caveat)."""
    inv = edge_inventory()
    inv["all"]["vars"].update({"eucalyptus_version": "4.2", "eucalyptus_network_mode": "MANAGED",
                               "eucalyptus_network_configuration": copy.deepcopy(MANAGED_DOC)})
    return inv


def groups_of(inv):
    return inv["all"]["children"]


def hostvars_of(inv, host):
    for group in groups_of(inv).values():
        hosts = group.get("hosts") or {}
        if hosts.get(host):
            return hosts[host]
    raise KeyError(host)


def run_preflight(tmpdir, inv, name, *extra, **kw):
    """ansible-playbook playbooks/preflight.yml -i <inv>: returns a Result."""
    path = os.path.join(str(tmpdir), "%s.yml" % name)
    with open(path, "w") as fh:
        yaml.safe_dump(inv, fh, default_flow_style=False)
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(TOP, ".cache", "collections"))
    env["ANSIBLE_CONFIG"] = os.path.join(TOP, "ansible.cfg")
    env["ANSIBLE_STDOUT_CALLBACK"] = "json"
    env["ANSIBLE_NOCOLOR"] = "1"
    env.update(kw.get("env") or {})
    cmd = [os.path.join(TOP, ".venv", "bin", "ansible-playbook"), "-i", path, PLAYBOOK] + list(extra)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=TOP, timeout=300, check=False)
    return Result(name, proc)


class Result(object):
    """One preflight run, read from the json callback."""

    def __init__(self, name, proc):
        self.name = name
        self.rc = proc.returncode
        self.stderr = proc.stderr
        try:
            self.data = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError("%s: no json output (rc %d): %s %s" % (name, proc.returncode, proc.stdout[-2000:],
                                                                         proc.stderr[-2000:]))

    @property
    def stats(self):
        return self.data["stats"]

    def plays(self):
        return [p["play"]["name"] for p in self.data["plays"]]

    def task_hosts(self):
        """Every host that ran any task (delegated runs count as their host)."""
        seen = set()
        for play in self.data["plays"]:
            for task in play["tasks"]:
                seen.update(task["hosts"])
        return seen

    def records(self):
        """The check records of the report (inventory phase, or the final report)."""
        out = []
        for play in self.data["plays"]:
            for task in play["tasks"]:
                for host, result in task["hosts"].items():
                    facts = result.get("ansible_facts") or {}
                    for key in ("_preflight_inventory_results", "_preflight_results"):
                        if key in facts:
                            out = facts[key]
        return out

    def failed(self):
        return [r for r in self.records() if r["status"] == "failed"]

    def failure_message(self):
        """The message of the run's last failed task (a rescued render of network.json comes earlier)."""
        message = ""
        for play in self.data["plays"]:
            for task in play["tasks"]:
                for result in task["hosts"].values():
                    if result.get("failed"):
                        message = result.get("msg", "")
        return message

    def report_lines(self):
        lines = []
        for play in self.data["plays"]:
            for task in play["tasks"]:
                if task["task"]["name"].endswith(("Report the inventory checks",
                                                  "Report every check (passed, failed, skipped) with its reason")):
                    for result in task["hosts"].values():
                        lines = result.get("msg") or lines
        return lines

    def changed(self):
        return dict((h, s["changed"]) for h, s in self.stats.items())
