"""static_routes and masquerade through real ansible-playbook with a long address list in a vars file:
the action plugin packs the list for transport; the kernel state, check mode, diff, the bounded
return lists and the error for a bad item must be those of the list as written."""
import json
import os
import subprocess

import yaml

from conftest import GATEWAY, TOP, ipt_rules, routes, snapshot
from test_playbook import playbook
from module_runner import controller_bin, target_python

IPS = ["10.4.%d.%d" % (i // 256, i % 256) for i in range(300)]
EXTRA = ["192.0.2.128/28", "198.51.100.1 - 198.51.100.3"]   # other forms stay items of their own
WANT = set(c + "/32" for c in IPS) | {"192.0.2.128/28", "198.51.100.1/32", "198.51.100.2/32", "198.51.100.3/32"}

PLAY = [{
    "hosts": "localhost", "gather_facts": False, "vars_files": ["ips.yml"],
    "tasks": [
        {"name": "routes", "eucalyptus.cloud.static_routes": {
            "destinations": "{{ ips }}", "gateway": GATEWAY, "device": "uplinkbridge", "purge": True},
         "register": "r"},
        {"name": "masquerade", "eucalyptus.cloud.masquerade": {
            "sources": "{{ ips }}", "out_interface": "br0", "purge": True}, "register": "m"},
        {"name": "results", "ansible.builtin.copy": {"content": "{{ {'r': r, 'm': m} | to_json }}",
                                                     "dest": "{{ out }}"}, "check_mode": False, "diff": False},
    ]}]


def write(tmp_path, items):
    (tmp_path / "ips.yml").write_text(yaml.safe_dump({"ips": items}))
    (tmp_path / "pb.yml").write_text(yaml.safe_dump(PLAY))


def run_pb(ns, tmp_path, *extra):
    out = str(tmp_path / "out.json")
    changed, text = playbook(ns, str(tmp_path / "pb.yml"), "-e", "out=%s" % out, *extra)
    with open(out) as fh:
        return changed, json.load(fh), text


def kernel(ns):
    dsts = set(r["dst"] if "/" in r["dst"] else r["dst"] + "/32" for r in routes(ns) if r.get("protocol") == "150")
    masq = set(l.split()[3] for l in ipt_rules(ns, "nft", "nat") if l.startswith("-A EUCLOUD-MASQ "))
    return dsts, masq


def test_long_list_playbook(uplink_ns, tmp_path):
    write(tmp_path, IPS[:150] + EXTRA + IPS[150:])
    before = snapshot(uplink_ns)
    changed, res, _out = run_pb(uplink_ns, tmp_path, "--check", "--diff")
    assert snapshot(uplink_ns) == before, "check mode changed the kernel"
    r, m = res["r"], res["m"]
    assert r["changed"] and r["added_count"] == len(WANT) and len(r["diff"]["after"]) == len(WANT)
    assert set(r["added"]) == WANT and set(m["added"]) == WANT     # diff mode: full lists
    assert m["added_count"] == len(WANT) and len(m["diff"]["after"]) == 2 * len(WANT) + 2

    changed, res, _out = run_pb(uplink_ns, tmp_path)
    r, m = res["r"], res["m"]
    assert kernel(uplink_ns) == (WANT, WANT)
    assert r["added_count"] == len(WANT) and len(r["added"]) == 50      # bounded outside diff mode
    assert m["added_count"] == len(WANT) and len(m["added"]) == 50

    snap = snapshot(uplink_ns)
    changed, res, _out = run_pb(uplink_ns, tmp_path, "--check", "--diff")
    assert not res["r"]["changed"] and not res["m"]["changed"]
    changed, res, _out = run_pb(uplink_ns, tmp_path)
    assert not res["r"]["changed"] and not res["m"]["changed"] and snapshot(uplink_ns) == snap


def test_long_list_bad_item_named(uplink_ns, tmp_path):
    write(tmp_path, IPS[:200] + ["010.1.1.1"] + IPS[200:])
    before = snapshot(uplink_ns)
    env_out = str(tmp_path / "out.json")
    # results as JSON whatever ansible.cfg says (YAML would quote the message differently per version)
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(TOP, ".cache", "collections"))
    proc = subprocess.run(["ip", "netns", "exec", uplink_ns, controller_bin("ansible-playbook"),
                           "-i", "localhost,", "-c", "local", "-e", "out=%s" % env_out,
                           "-e", "ansible_python_interpreter=%s" % target_python(),
                           str(tmp_path / "pb.yml")], capture_output=True, text=True, env=env, cwd=TOP, timeout=300,
                          check=False)
    assert proc.returncode != 0
    assert "destinations: '010.1.1.1' is not a valid IPv4 address, CIDR or range" in proc.stdout
    assert snapshot(uplink_ns) == before
