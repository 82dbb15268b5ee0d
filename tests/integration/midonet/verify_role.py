"""Runs the eucalyptus_verify role with ansible-playbook on localhost (local connection, the target
Python of tests/module_runner.py), with the walk-through's network.json; used by
test_verify_role.py (MidoNet part) and tests/integration/euca/test_verify_role_services.py."""
import json
import os
import subprocess
import sys

import seed_topology as st
from midonet_standin import TOP
from module_runner import target_python

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: eucalyptus.cloud.eucalyptus_verify
"""

# The role with module defaults for the euca modules (the 4.1 tools' eucarc, for instance).
PLAYBOOK_EUCA_DEFAULTS = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/eucalyptus.cloud.euca: %s
  roles:
    - role: eucalyptus.cloud.eucalyptus_verify
"""

# The walk-through's network.json (4.1 legacy form); GatewayHost is the midolman host name.
LEGACY = {
    "Mode": "VPCMIDO", "InstanceDnsServers": ["10.111.5.100"], "PublicIps": ["172.19.0.20-172.19.0.30"],
    "Mido": {"EucanetdHost": "clc.euca", "GatewayHost": "clc.euca", "GatewayIP": st.GATEWAY_IP,
             "GatewayInterface": "veth1", "PublicNetworkCidr": "172.19.0.0/30",
             "PublicGatewayIP": st.PUBLIC_GATEWAY_IP}}


def run_role(tmp_path, url, config, *extra, **kw):
    """(exit code, output) of the role; keywords: extra_vars, env, collections, euca_defaults."""
    euca_defaults = kw.pop("euca_defaults", None)
    (tmp_path / "play.yml").write_text(PLAYBOOK_EUCA_DEFAULTS % json.dumps(euca_defaults) if euca_defaults
                                       else PLAYBOOK)
    extra_vars = {"eucalyptus_network_configuration": config, "eucalyptus_verify_services": False,
                  "eucalyptus_verify_midonet_api_url": url, "eucalyptus_verify_retries": 0,
                  "eucalyptus_verify_delay": 0, "ansible_python_interpreter": target_python()}
    extra_vars.update(kw.pop("extra_vars", {}))
    (tmp_path / "vars.json").write_text(json.dumps(extra_vars))
    collections = kw.pop("collections", None) or os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(
        TOP, ".cache", "collections")
    env = dict(os.environ, **kw.pop("env", {}))
    env.update(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    proc = subprocess.run([ansible_playbook, "-i", "localhost,", "-c", "local", str(tmp_path / "play.yml"),
                           "-e", "@" + str(tmp_path / "vars.json")] + list(extra),
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr
