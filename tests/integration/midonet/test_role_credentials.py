"""The midolman role's tunnel_zone entry point against the stand-in with keystone-like
authentication: the credentials come from inventory variables (midonet_api_username /
midonet_api_password), reach midonet_host_info and midonet_tunnel_zone, the zone converges, and
neither the password nor the tokens the modules obtained appear in ``ansible-playbook -vvv``
output (also in check mode)."""
import os
import subprocess
import sys

from midonet_standin import HOSTS, PASSWORD, TOP, USER, RecordingProxy

CLC, NC1 = HOSTS["clc.euca"], HOSTS["nc1.euca"]

INVENTORY = """
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: %(python)s
    midonet_api_username: %(user)s
    midonet_api_password: %(password)s
    eucalyptus_version: "4.2"  # the zone names of these tests are free-form before 4.3
  children:
    midonet_api:
      hosts:
        api1:
    midolman:
      hosts:
        api1:
          midolman_host_id: %(clc)s
          midolman_tunnel_address: 10.0.7.1
        nc1:
          midolman_host_id: %(nc1)s
          midolman_tunnel_address: 10.0.7.2
"""

PLAYBOOK = """
- hosts: midonet_api[0]
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: eucalyptus.cloud.midolman
        tasks_from: tunnel_zone
      vars:
        midolman_api_url: "{{ api_url }}"
        midolman_tunnel_zone_name: "{{ zone }}"
"""


def _run(tmp_path, url, zone, *extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default")
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    proc = subprocess.run([ansible_playbook, "-vvv", "-i", str(tmp_path / "hosts.yml"), str(tmp_path / "play.yml"),
                           "-e", "api_url=%s zone=%s" % (url, zone)] + list(extra),
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_role_passes_credentials_and_never_prints_them(mido_auth, zone_name, tmp_path):
    (tmp_path / "hosts.yml").write_text(INVENTORY % {
        "python": sys.executable, "user": USER, "password": PASSWORD, "clc": CLC, "nc1": NC1})
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    proxy = RecordingProxy(mido_auth.url)
    try:
        rc, check_out = _run(tmp_path, proxy.url, zone_name, "--check")
        assert rc == 0, check_out[-4000:]
        assert mido_auth.zone(zone_name) is None          # check mode wrote nothing
        rc, out = _run(tmp_path, proxy.url, zone_name)
        assert rc == 0, out[-4000:]
    finally:
        proxy.stop()
    assert mido_auth.members(zone_name) == {CLC: "10.0.7.1", NC1: "10.0.7.2"}
    assert proxy.tokens, "the modules never logged in: the credentials did not reach them"
    for output in (check_out, out):
        assert PASSWORD not in output
        for token in proxy.tokens:
            assert token not in output
