"""End to end in the lab: the eucanetd stand-in builds its core in the MidoNet API stand-in from
the GNI (4.1 against the 1.x flavor, 4.4 against 5.x), and the eucalyptus_verify role, run by
ansible-playbook with the same network configuration, finds it all and prints the midonet-cli
listing; given a network configuration eucanetd was not given (another public gateway, another
gateway interface), it fails naming the difference."""
import copy
import json
import os
import subprocess
import sys

import pytest

# world: a fixture, used by name
from test_eucanetd_standin import GW_IP, PUB_GW, TOP, build, seed, world  # noqa: F401 pylint: disable=unused-import

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: eucalyptus.cloud.eucalyptus_verify
"""


def run_role(tmp_path, url, config, *extra):
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    (tmp_path / "vars.json").write_text(json.dumps({
        "eucalyptus_network_configuration": config, "eucalyptus_verify_services": False,
        "eucalyptus_verify_midonet_api_url": url, "eucalyptus_verify_retries": 0, "eucalyptus_verify_delay": 0,
        "ansible_python_interpreter": sys.executable}))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.environ.get("ANSIBLE_COLLECTIONS_PATH")
               or os.path.join(TOP, ".cache", "collections"), ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                           "-c", "local", str(tmp_path / "play.yml"), "-e", "@" + str(tmp_path / "vars.json")]
                          + list(extra), capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300,
                          check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("ver", ["4.1", "4.4"])
def test_verify_finds_what_eucanetd_built(world, ver, tmp_path):  # noqa: F811
    api, e = world(ver)
    seed(api)
    build(api, e)
    config = e.doc()["network_configuration"]
    rc, out = run_role(tmp_path, api.base, config, "--check")
    assert rc == 0, out[-4000:]
    for line in ("router router0 name eucart state up",
                 "host host0 interface veth1 port router0:port0",
                 "route route0 type normal src 0.0.0.0/0 dst 0.0.0.0/0 gw %s port router0:port0" % PUB_GW,
                 "port port0 device router0 state up",
                 "address %s net 10.111.1.0/24" % GW_IP):
        assert line in out, out[-4000:]
    assert "peer bridge0:port0" in out and "peer router0:port1" in out, out[-4000:]

    other = copy.deepcopy(config)
    other["Mido"]["PublicGatewayIP"] = "10.111.1.254"
    other["Mido"]["GatewayInterface"] = "veth9"
    rc, out = run_role(tmp_path, api.base, other)
    assert rc != 0
    assert "eucart has no default route (0.0.0.0/0) via 10.111.1.254 on the gateway port router0:port0" in out, out[-4000:]
    assert "is bound to interface veth1 on host frontend.invalid, not to veth9" in out, out[-4000:]
