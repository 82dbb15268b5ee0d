"""Real ansible-playbook runs of the midonet_gateway role inside a namespace: check/diff, converge,
idempotence, and the boot-time script re-creating the same up-link from scratch."""
import json
import os
import re
import subprocess

import yaml

from conftest import TOP, ipt_rules, routes, sh, snapshot
from module_runner import controller_bin, target_python

from ansible_collections.eucalyptus.cloud.plugins.module_utils import iproute

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: midonet_gateway
      vars:
        midonet_gateway_public_ips: ["203.0.113.10-203.0.113.19", "198.51.100.7"]
        midonet_gateway_bridge_address: 172.19.0.2/30
        midonet_gateway_gateway_ip: 172.19.0.1
        midonet_gateway_external_interface: br0
        midonet_gateway_manage_packages: false
        midonet_gateway_systemd: false
        midonet_gateway_config_dir: "{confdir}"
        midonet_gateway_sysctl_file: "{confdir}.sysctl.conf"
"""


def playbook(ns, path, *extra, **kw):
    """ansible-playbook of the controller running the tests (its venv), modules on target_python().

    Returns (changed, stdout); with results=True the json callback is used and the third item
    maps each task name (without the role's prefix) to its result for localhost."""
    env = dict(os.environ)
    # the collection, plus (el7 stage) the collections it depends on for the 2.16 controller
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(TOP, ".cache", "collections"))
    env["ANSIBLE_ROLES_PATH"] = os.path.join(TOP, "roles")
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_STDOUT_CALLBACK"] = "json" if kw.get("results") else "default"
    cmd = ["ip", "netns", "exec", ns, controller_bin("ansible-playbook"),
           "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=%s" % target_python(), path] + list(extra)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=TOP, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if kw.get("results"):
        data = json.loads(proc.stdout)
        tasks = dict((t["task"]["name"].split(" : ", 1)[-1], t["hosts"]["localhost"]) for t in data["plays"][0]["tasks"]
                     if "localhost" in t["hosts"])
        return data["stats"]["localhost"]["changed"], proc.stdout, tasks
    recap = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)", proc.stdout)
    return int(recap.group(2)), proc.stdout


UPLINK_LINKS = ["uplinkbridge", "veth0", "veth1"]
UPLINK_TASK = "Veth pair and up-link bridge"
ROUTES_TASK = "One static route per public IP through the MidoNet gateway IP"
MASQ_TASK = "MASQUERADE and FORWARD rules per public IP"


def kernel_links(ns):
    """The up-link as the test reads it from the kernel, in the lines of the modules' diff."""
    return iproute.describe_links(iproute.parse_links(json.loads(sh(ns, "ip", "-json", "-details", "addr", "show"))),
                                  UPLINK_LINKS)


def route_keys(lines):
    """{(destination/len, gateway, device)} of route diff lines ("203.0.113.10/32 via G dev D ...")."""
    keys = set()
    for line in lines:
        words = line.split()
        keys.add((words[0], words[words.index("via") + 1], words[words.index("dev") + 1]))
    return keys


def kernel_route_keys(ns):
    return set((r["dst"] if "/" in r["dst"] else r["dst"] + "/32", r.get("gateway"), r.get("dev"))
               for r in routes(ns) if r.get("protocol") == "150")


def kernel_rules(ns):
    """iptables-save -A lines of nat and filter (nft backend), in the modules' "-t TABLE ..." form."""
    return sorted("-t %s %s" % (table, rule) for table in ("nat", "filter") for rule in ipt_rules(ns, "nft", table))


def state(ns):
    return (sorted(r["dst"] + " via " + r.get("gateway", "") for r in routes(ns) if r.get("protocol") == "150"),
            ipt_rules(ns, "nft", "nat"), ipt_rules(ns, "nft", "filter"))


def test_role_check_diff_converge_persist(netns, tmp_path):
    sh(netns, "ip", "link", "add", "br0", "type", "bridge")
    confdir = str(tmp_path / "conf")
    pb = tmp_path / "site.yml"
    pb.write_text(PLAYBOOK.replace("{confdir}", confdir))
    yaml.safe_load(pb.read_text())

    before = snapshot(netns)
    changed, out, predicted = playbook(netns, str(pb), "--check", "--diff", results=True)
    assert changed >= 3, out
    for task in (UPLINK_TASK, ROUTES_TASK, MASQ_TASK):
        assert predicted[task]["changed"] and "diff" in predicted[task], (task, predicted.get(task))
    assert predicted[UPLINK_TASK]["diff"]["before"] == []
    assert snapshot(netns) == before, "check mode changed the kernel"
    assert not os.path.exists(confdir)

    changed, out = playbook(netns, str(pb))
    assert changed >= 3, out
    # what check mode predicted is what the real run made, read back from the kernel
    assert kernel_links(netns) == predicted[UPLINK_TASK]["diff"]["after"]
    assert kernel_route_keys(netns) == route_keys(predicted[ROUTES_TASK]["diff"]["after"])
    assert kernel_rules(netns) == sorted(predicted[MASQ_TASK]["diff"]["after"])
    converged = state(netns)
    assert len(converged[0]) == 11
    assert "-A EUCLOUD-MASQ -s 203.0.113.10/32 -o br0 -j MASQUERADE" in converged[1]
    assert "-A POSTROUTING -j EUCLOUD-MASQ" in converged[1]
    assert "-A EUCLOUD-FWD -s 198.51.100.7/32 -j ACCEPT" in converged[2]
    assert sh(netns, "sysctl", "-n", "net.ipv4.ip_forward").strip() == "1"

    snap = snapshot(netns)
    changed, out = playbook(netns, str(pb))
    assert changed == 0, out
    changed, out = playbook(netns, str(pb), "--check", "--diff")
    assert changed == 0, out
    assert snapshot(netns) == snap

    # boot-time script: idempotent on the converged state ...
    script = os.path.join(confdir, "uplink.sh")
    sh(netns, script)
    sh(netns, script)
    assert state(netns) == converged
    # ... and re-creates the same up-link after a "reboot" (everything gone)
    sh(netns, "ip", "link", "del", "veth0")
    sh(netns, "ip", "link", "del", "uplinkbridge")
    sh(netns, "iptables-nft", "-t", "nat", "-F")
    sh(netns, "iptables-nft", "-t", "nat", "-X")
    sh(netns, "iptables-nft", "-F")
    sh(netns, "iptables-nft", "-X")
    assert state(netns)[0] == []
    sh(netns, script)
    assert state(netns) == converged
    # and the modules agree it is converged
    changed, out = playbook(netns, str(pb))
    assert changed == 0, out
