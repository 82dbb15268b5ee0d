"""Real ansible-playbook runs of the midonet_gateway role inside a namespace: check/diff, converge,
idempotence, and the boot-time script re-creating the same up-link from scratch."""
import os
import re
import subprocess

import yaml

from conftest import TOP, ipt_rules, routes, sh, snapshot

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


def playbook(ns, path, *extra):
    env = dict(os.environ)
    env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(TOP, ".cache", "collections")
    env["ANSIBLE_ROLES_PATH"] = os.path.join(TOP, "roles")
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_STDOUT_CALLBACK"] = "default"
    cmd = ["ip", "netns", "exec", ns, os.path.join(TOP, ".venv", "bin", "ansible-playbook"),
           "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=%s" % os.path.join(TOP, ".venv", "bin", "python"), path] + list(extra)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=TOP, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recap = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)", proc.stdout)
    return int(recap.group(2)), proc.stdout


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
    changed, out = playbook(netns, str(pb), "--check", "--diff")
    assert changed >= 3, out
    assert "+link uplinkbridge bridge" in out.replace("+ ", "+") or "uplinkbridge" in out
    assert snapshot(netns) == before, "check mode changed the kernel"
    assert not os.path.exists(confdir)

    changed, out = playbook(netns, str(pb))
    assert changed >= 3, out
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
