"""The midonet_gateway role's boot-time script (uplink.sh.j2), rendered by Ansible's own templar
(ansible.builtin.template) and run for real in a network namespace.

It must apply every step even when one fails: with one refused route in the batch, the other
routes and the NAT rules are still applied, the refused route is logged (stderr and logger, to
syslog / the journal) with its line, and the script exits non-zero at the end. ``logger`` is
replaced, inside a private mount namespace only, by a recorder (this machine has no /dev/log).
"""
import os
import subprocess
import sys

import pytest

from conftest import TOP, ipt_rules, routes

PUBLIC = ["203.0.113.10-203.0.113.13", "198.51.100.7"]
WANT = {"203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13", "198.51.100.7"}
BAD = "route replace 203.0.113.99 via 10.9.9.9 dev uplinkbridge table main proto 150"

RENDER = """
- hosts: localhost
  gather_facts: false
  vars_files: ["{top}/roles/midonet_gateway/defaults/main.yml", "{tmp}/vars.yml"]
  tasks:
    - name: Render the boot-time files as the role does
      ansible.builtin.template:
        src: "{top}/roles/midonet_gateway/templates/{{{{ item }}}}.j2"
        dest: "{conf}/{{{{ item }}}}"
        mode: "0755"
      loop: [uplink.sh, uplink-routes.batch, uplink.rules]
"""

# after the role's defaults (vars_files listed later win), as an inventory would set them
VARS = """
midonet_gateway_public_ips: {public}
midonet_gateway_config_dir: "{conf}"
_midonet_gateway_cidrs: "{{{{ midonet_gateway_public_ips | eucalyptus.cloud.cidr_list }}}}"
_midonet_gateway_masq: {{backend: nft}}
"""


@pytest.fixture
def rendered(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (tmp_path / "render.yml").write_text(RENDER.format(top=TOP, conf=conf, tmp=tmp_path))
    (tmp_path / "vars.yml").write_text(VARS.format(conf=conf, public=PUBLIC))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections"),
               ANSIBLE_NOCOLOR="1")
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    proc = subprocess.run([ansible_playbook, "-i", "localhost,", "-c", "local",
                           "-e", "ansible_python_interpreter=%s" % sys.executable, str(tmp_path / "render.yml")],
                          capture_output=True, text=True, env=env, cwd=TOP, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return conf


def run_script(ns, conf, tmp_path):
    """Run uplink.sh in ``ns`` with ``logger`` recorded; return (rc, stderr, logged lines)."""
    logfile = tmp_path / "logger.out"
    fake = tmp_path / "logger"
    fake.write_text("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> %s\n" % logfile)
    fake.chmod(0o755)
    logger = subprocess.run(["sh", "-c", "command -v logger"], capture_output=True, text=True, check=False).stdout.strip()
    assert logger, "no logger on this machine"
    inner = 'mount --bind "$1" "$2" && exec ip netns exec "$3" "$4"'
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", inner, "sh",
                           str(fake), os.path.realpath(logger), ns, str(conf / "uplink.sh")],
                          capture_output=True, text=True, timeout=120, check=False)
    logged = logfile.read_text().splitlines() if logfile.exists() else []
    return proc.returncode, proc.stderr, logged


def ours(ns):
    return {r["dst"] for r in routes(ns) if r.get("protocol") == "150"}


def nat_ok(ns):
    nat = ipt_rules(ns, "nft", "nat")
    fwd = ipt_rules(ns, "nft", "filter")
    return ("-A POSTROUTING -j EUCLOUD-MASQ" in nat and "-A FORWARD -j EUCLOUD-FWD" in fwd
            and sum(1 for l in nat if l.startswith("-A EUCLOUD-MASQ -s ")) == len(WANT)
            and sum(1 for l in fwd if l.startswith("-A EUCLOUD-FWD -s ")) == len(WANT))


def test_boot_script_clean_run(netns, rendered, tmp_path):
    rc, err, logged = run_script(netns, rendered, tmp_path)
    assert rc == 0 and err == "" and logged == [], (rc, err, logged)
    assert ours(netns) == WANT and nat_ok(netns)
    rc, err, logged = run_script(netns, rendered, tmp_path)          # idempotent
    assert rc == 0 and err == "" and logged == [], (rc, err, logged)
    assert ours(netns) == WANT and nat_ok(netns)


def test_boot_script_applies_nat_when_a_route_fails_and_logs_it(netns, rendered, tmp_path):
    batch = rendered / "uplink-routes.batch"
    lines = batch.read_text().splitlines()
    at = len(lines) - 2                      # a refused route among the good ones
    lines.insert(at, BAD)
    batch.write_text("\n".join(lines) + "\n")
    rc, err, logged = run_script(netns, rendered, tmp_path)
    assert rc == 1, (rc, err)
    # every other step was applied: the other routes (ip -force), the NAT rules and their jumps
    assert ours(netns) == WANT, err
    assert nat_ok(netns), err
    # what failed is named on stderr and in the log, with the line of the batch file
    want = "FAILED: route (line %d of %s): %s: " % (at + 1, batch, BAD)
    assert [l for l in err.splitlines() if l.startswith("eucalyptus-uplink: " + want)], err
    assert "1 step(s) failed" in err
    flagged = [l for l in logged if l.startswith("-t eucalyptus-uplink -p daemon.err -- " + want)]
    assert len(flagged) == 1 and "gateway" in flagged[0].lower(), logged
    assert len(logged) == 2 and "1 step(s) failed" in logged[1], logged


def test_boot_script_logs_a_failed_nat_restore(netns, rendered, tmp_path):
    rules = rendered / "uplink.rules"
    rules.write_text(rules.read_text().replace("-j MASQUERADE", "-j NO-SUCH-TARGET", 1))
    rc, err, logged = run_script(netns, rendered, tmp_path)
    assert rc == 1 and ours(netns) == WANT, (rc, err)
    assert [l for l in logged if "FAILED: iptables-nft-restore" in l and "uplink.rules" in l], logged
