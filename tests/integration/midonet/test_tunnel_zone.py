"""eucalyptus.cloud.midonet_tunnel_zone against the MidoNet API stand-in, flavors 1 and 5.

Every state assertion reads the API back directly (conftest.StandIn, plain requests), not only
the module's result. The module runs exactly as on a target (tests/module_runner.py), plus one
real ``ansible-playbook -vvv`` run checking that neither password nor token leaks.
"""
import json
import os
import subprocess

import pytest
import requests

from midonet_standin import HOSTS, PASSWORD, TOP, USER, RecordingProxy, free_port
from module_runner import controller_bin, run_module, target_python

CLC, NC1, NC1B, UFS = HOSTS["clc.euca"], HOSTS["nc1.euca"], HOSTS["nc1.euca2"], HOSTS["ufs.euca"]
WRITES = ("POST", "PUT", "DELETE", "PATCH")


def tz(mido, check=False, diff=False, **args):
    return run_module("midonet_tunnel_zone", mido.api_args(**args), check=check, diff=diff)


def assert_only_gets(result):
    calls = result["api_calls"]
    assert not [m for m in WRITES if calls.get(m)], calls
    assert calls.get("GET", 0) >= 1


def ok(result):
    assert not result.failed, (result.get("msg"), result.stderr[-2000:])
    return result


def test_create_then_noop(mido, zone_name):
    members = [{"host": "clc.euca", "address": "10.0.0.1"},   # by name
               {"host": NC1, "address": "10.0.0.2"}]          # by UUID
    r = ok(tz(mido, name=zone_name, members=members, diff=True))
    assert r["changed"] is True
    zone = mido.zone(zone_name)
    assert zone is not None and zone["type"] == "gre"
    assert r["tunnel_zone"] == {"id": zone["id"], "name": zone_name, "type": "gre"}
    assert mido.members(zone_name) == {CLC: "10.0.0.1", NC1: "10.0.0.2"}
    assert sorted(r["members"], key=lambda m: m["host"]) == [
        {"host": "clc.euca", "host_id": CLC, "address": "10.0.0.1"},
        {"host": "nc1.euca", "host_id": NC1, "address": "10.0.0.2"}]
    assert r["diff"]["before"] == {"tunnel_zone": None, "members": []}
    assert r["diff"]["after"]["members"] == r["members"]
    assert r["api_calls"]["POST"] == 3 and not r["api_calls"].get("DELETE")

    # second run: zero writes, state identical when read back
    r2 = ok(tz(mido, name=zone_name, members=[{"host": NC1, "address": "10.0.0.2"},
                                              {"host": "clc.euca", "address": "10.0.0.1"}]))
    assert r2["changed"] is False
    assert_only_gets(r2)
    assert r2["api_calls"]["GET"] <= 4          # root, zones, hosts, members
    assert mido.members(zone_name) == {CLC: "10.0.0.1", NC1: "10.0.0.2"}
    assert [z["name"] for z in mido.zones()].count(zone_name) == 1


def test_add_by_name_and_uuid_readdress_and_purge(mido, zone_name):
    ok(tz(mido, name=zone_name, members=[{"host": "clc.euca", "address": "10.0.1.1"},
                                         {"host": "nc1.euca", "address": "10.0.1.2"}]))
    # add ufs by UUID, without purge: existing members stay
    r = ok(tz(mido, name=zone_name, members=[{"host": UFS, "address": "10.0.1.4"}]))
    assert r["changed"] and r["plan"] == {"add": ["ufs.euca"], "remove": [], "readdress": []}
    assert mido.members(zone_name) == {CLC: "10.0.1.1", NC1: "10.0.1.2", UFS: "10.0.1.4"}

    # re-address nc1 (delete + re-add) and purge everything else not listed
    r = ok(tz(mido, name=zone_name, purge=True, diff=True,
              members=[{"host": "nc1.euca", "address": "10.0.1.22"}, {"host": "clc.euca", "address": "10.0.1.1"}]))
    assert r["changed"]
    assert r["plan"] == {"add": [], "remove": ["ufs.euca"], "readdress": ["nc1.euca"]}
    assert r["api_calls"].get("DELETE") == 2 and r["api_calls"].get("POST") == 1
    assert mido.members(zone_name) == {CLC: "10.0.1.1", NC1: "10.0.1.22"}
    before = dict((m["host"], m["address"]) for m in r["diff"]["before"]["members"])
    after = dict((m["host"], m["address"]) for m in r["diff"]["after"]["members"])
    assert before == {"clc.euca": "10.0.1.1", "nc1.euca": "10.0.1.2", "ufs.euca": "10.0.1.4"}
    assert after == {"clc.euca": "10.0.1.1", "nc1.euca": "10.0.1.22"}

    # idempotent after purge
    r = ok(tz(mido, name=zone_name, purge=True,
              members=[{"host": "nc1.euca", "address": "10.0.1.22"}, {"host": "clc.euca", "address": "10.0.1.1"}]))
    assert not r["changed"]
    assert_only_gets(r)

    # purge with an empty list empties the zone but keeps it
    r = ok(tz(mido, name=zone_name, purge=True, members=[]))
    assert r["changed"] and mido.members(zone_name) == {}


def test_members_omitted_are_reported_not_managed(mido, zone_name):
    ok(tz(mido, name=zone_name, members=[{"host": "clc.euca", "address": "10.0.2.1"}]))
    r = ok(tz(mido, name=zone_name, purge=True))
    assert not r["changed"] and r["members"] == [{"host": "clc.euca", "host_id": CLC, "address": "10.0.2.1"}]
    assert mido.members(zone_name) == {CLC: "10.0.2.1"}


def test_absent(mido, zone_name):
    ok(tz(mido, name=zone_name, type="vxlan", members=[{"host": "clc.euca", "address": "10.0.3.1"}]))
    assert mido.zone(zone_name)["type"] == "vxlan"
    r = ok(tz(mido, name=zone_name, state="absent", diff=True))
    assert r["changed"] and r["diff"]["after"] == {"tunnel_zone": None, "members": []}
    assert r["diff"]["before"]["members"][0]["host"] == "clc.euca"
    assert mido.zone(zone_name) is None
    r = ok(tz(mido, name=zone_name, state="absent"))
    assert not r["changed"]
    assert_only_gets(r)


def test_exact_name_never_substring(mido, zone_name):
    longer = zone_name + "2"
    ok(tz(mido, name=longer, members=[{"host": "clc.euca", "address": "10.0.4.1"}]))
    r = ok(tz(mido, name=zone_name, members=[{"host": "nc1.euca", "address": "10.0.4.2"}]))
    assert r["changed"], "a zone named %s must not satisfy %s" % (longer, zone_name)
    assert mido.members(longer) == {CLC: "10.0.4.1"}
    assert mido.members(zone_name) == {NC1: "10.0.4.2"}       # nc1.euca, not nc1.euca2
    r = ok(tz(mido, name=zone_name[:-1], state="absent"))     # a prefix deletes nothing
    assert not r["changed"]
    assert mido.zone(zone_name) and mido.zone(longer)


def test_case_variant_refused(mido, zone_name):
    upper = zone_name.upper()
    ok(tz(mido, name=upper))
    r = tz(mido, name=zone_name)
    assert r.failed and "differing only in case" in r["msg"]
    assert mido.zone(zone_name) is None and mido.zone(upper) is not None


def test_check_mode_changes_nothing(mido, zone_name):
    members = [{"host": "clc.euca", "address": "10.0.5.1"}]
    r = ok(tz(mido, name=zone_name, members=members, check=True, diff=True))
    assert r["changed"] and r["tunnel_zone"]["id"] is None
    assert r["diff"]["after"]["members"] == [{"host": "clc.euca", "host_id": CLC, "address": "10.0.5.1"}]
    assert_only_gets(r)
    assert mido.zone(zone_name) is None

    ok(tz(mido, name=zone_name, members=members))
    r = ok(tz(mido, name=zone_name, check=True, diff=True, purge=True,
              members=[{"host": "clc.euca", "address": "10.0.5.9"}, {"host": "ufs.euca", "address": "10.0.5.4"}]))
    assert r["changed"]
    assert_only_gets(r)
    assert mido.members(zone_name) == {CLC: "10.0.5.1"}
    r = ok(tz(mido, name=zone_name, state="absent", check=True))
    assert r["changed"] and mido.zone(zone_name) is not None
    assert_only_gets(r)


@pytest.mark.parametrize("members,pattern", [
    ([{"host": "ghost.euca", "address": "10.0.6.1"}], "unknown host 'ghost.euca'"),
    ([{"host": "99999999-9999-4999-8999-999999999999", "address": "10.0.6.1"}], "unknown host '9999"),
    ([{"host": "nc1", "address": "10.0.6.1"}], "unknown host 'nc1'"),
    ([{"host": "clc.euca", "address": "10.0.6.256"}], "not a valid IPv4"),
    ([{"host": "clc.euca", "address": "clc.euca"}], "not a valid IPv4"),
    ([{"host": "clc.euca", "address": "10.0.6.1"}, {"host": CLC, "address": "10.0.6.2"}], "listed twice"),
], ids=["name", "uuid", "substring", "address", "hostname-address", "twice"])
def test_invalid_members_fail_before_any_write(mido, zone_name, members, pattern):
    ok_members = [{"host": "ufs.euca", "address": "10.0.6.4"}]
    r = tz(mido, name=zone_name, members=ok_members + members)
    assert r.failed and pattern in r["msg"], r.get("msg")
    assert "nothing was changed" in r["msg"]
    assert_only_gets(r)
    assert mido.zone(zone_name) is None
    # existing zone: still no write
    ok(tz(mido, name=zone_name, members=ok_members))
    r = tz(mido, name=zone_name, members=members, purge=True)
    assert r.failed and pattern in r["msg"]
    assert_only_gets(r)
    assert mido.members(zone_name) == {UFS: "10.0.6.4"}


def test_type_change_refused(mido, zone_name):
    ok(tz(mido, name=zone_name, type="gre"))
    r = tz(mido, name=zone_name, type="vxlan")
    assert r.failed and "has type 'gre', not 'vxlan'" in r["msg"]
    assert_only_gets(r)
    assert mido.zone(zone_name)["type"] == "gre"


def test_member_post_needs_vendor_media_type(mido, zone_name):
    """What the module avoids: the stand-in (like MidoNet) answers 415 to application/json."""
    ok(tz(mido, name=zone_name))
    zid = mido.zone(zone_name)["id"]
    h = mido.headers("application/json")
    h["Content-Type"] = "application/json"
    resp = requests.post(mido.url + "/tunnel_zones/%s/hosts" % zid, headers=h,
                         data=json.dumps({"hostId": CLC, "ipAddress": "10.0.7.1"}), timeout=5)
    assert resp.status_code == 415
    assert mido.members(zone_name) == {}


def test_readdress_that_fails_after_the_delete_says_the_member_is_gone(mido, zone_name):
    """Re-addressing is DELETE then POST (no PUT for members): when the POST fails, the member is
    gone from the zone, and the failure says so (message and result), read back from the API."""
    ok(tz(mido, name=zone_name, members=[{"host": "clc.euca", "address": "10.0.6.1"},
                                         {"host": "nc1.euca", "address": "10.0.6.2"}]))
    zid = mido.zone(zone_name)["id"]
    mido.arm_fault("POST", "tunnel_zones/%s/hosts" % zid)
    r = tz(mido, name=zone_name, members=[{"host": "nc1.euca", "address": "10.0.6.22"}])
    assert r.failed and r["status"] == 503, r
    assert mido.members(zone_name) == {CLC: "10.0.6.1"}            # what the API really holds now
    assert r["changed"] is True and r["member_gone"] is True
    assert r["gone_members"] == [{"host": "nc1.euca", "host_id": NC1, "old_address": "10.0.6.2",
                                  "wanted_address": "10.0.6.22"}]
    assert "is NOT a member of the tunnel zone any more (read back)" in r["msg"]
    assert "nc1.euca (%s)" % NC1 in r["msg"] and "10.0.6.22" in r["msg"] and "HTTP 503" in r["msg"]
    assert r["applied"] == ["removed nc1.euca (%s) (address 10.0.6.2) to re-add it with 10.0.6.22" % NC1]
    assert mido.faults() == [{"method": "POST", "path": "tunnel_zones/%s/hosts" % zid, "count": 0}]
    # the next run adds it back
    r = ok(tz(mido, name=zone_name, members=[{"host": "nc1.euca", "address": "10.0.6.22"}]))
    assert r["changed"] and r["plan"]["add"] == ["nc1.euca"]
    assert mido.members(zone_name) == {CLC: "10.0.6.1", NC1: "10.0.6.22"}

    # the POST and the read-back both fail: the message says it could not check, most likely gone
    mido.arm_fault("POST", "tunnel_zones/%s/hosts" % zid)
    mido.arm_fault("GET", "tunnel_zones/%s/hosts/%s" % (zid, NC1))
    r = tz(mido, name=zone_name, members=[{"host": "nc1.euca", "address": "10.0.6.23"}])
    mido.disarm_faults()
    assert r.failed and r["changed"] is True and r["member_gone"] is None, r
    assert "could not be read back" in r["msg"] and "most likely NOT a member" in r["msg"]
    assert mido.members(zone_name) == {CLC: "10.0.6.1"}


def test_failure_after_other_writes_lists_them(mido, zone_name):
    ok(tz(mido, name=zone_name, members=[{"host": "clc.euca", "address": "10.0.5.1"},
                                         {"host": "ufs.euca", "address": "10.0.5.4"}]))
    zid = mido.zone(zone_name)["id"]
    mido.arm_fault("POST", "tunnel_zones/%s/hosts" % zid)
    r = tz(mido, name=zone_name, purge=True, members=[{"host": "clc.euca", "address": "10.0.5.1"},
                                                      {"host": "nc1.euca", "address": "10.0.5.2"}])
    mido.disarm_faults()
    assert r.failed and r["changed"] is True and "member_gone" not in r, r
    assert r["applied"] == ["removed ufs.euca (%s)" % UFS]
    assert "already applied: removed ufs.euca" in r["msg"]
    assert mido.members(zone_name) == {CLC: "10.0.5.1"}


# ------------------------------------------------------------------ authentication, API down

def test_auth_success(mido_auth, zone_name):
    r = ok(tz(mido_auth, name=zone_name, members=[{"host": "clc.euca", "address": "10.0.8.1"}]))
    assert r["changed"]
    assert mido_auth.members(zone_name) == {CLC: "10.0.8.1"}
    r = ok(tz(mido_auth, name=zone_name, members=[{"host": "clc.euca", "address": "10.0.8.1"}]))
    assert not r["changed"]
    assert_only_gets(r)                             # the login is a GET too
    assert r["api_calls"]["GET"] == 5               # login, root, zones, hosts, members
    assert PASSWORD not in json.dumps(r)


def test_auth_given_token(mido_auth, zone_name):
    token = mido_auth.headers("application/json")["X-Auth-Token"]
    r = ok(run_module("midonet_tunnel_zone", {"api_url": mido_auth.url, "token": token, "name": zone_name}))
    assert r["changed"] and mido_auth.zone(zone_name) is not None
    assert token not in r.stdout


def test_auth_failure(mido_auth, zone_name):
    r = run_module("midonet_tunnel_zone", {"api_url": mido_auth.url, "username": USER,
                                           "password": "wrong-" + PASSWORD, "name": zone_name})
    assert r.failed
    assert "401" in r["msg"] and mido_auth.url + "/login" in r["msg"]
    assert PASSWORD not in r.stdout + r.stderr
    r = run_module("midonet_tunnel_zone", {"api_url": mido_auth.url, "name": zone_name})
    assert r.failed and "HTTP 401" in r["msg"] and "username/password or token" in r["msg"]
    r = run_module("midonet_tunnel_zone", {"api_url": mido_auth.url, "token": "not-a-token", "name": zone_name})
    assert r.failed and "HTTP 401" in r["msg"] and "not-a-token" not in r.stdout
    assert mido_auth.zone(zone_name) is None


def test_api_down():
    url = "http://127.0.0.1:%d/midonet-api" % free_port()
    r = run_module("midonet_tunnel_zone", {"api_url": url, "name": "mido-tz", "username": USER,
                                           "password": PASSWORD, "timeout": 5})
    assert r.failed
    assert "unreachable" in r["msg"] and url in r["msg"]
    assert PASSWORD not in r.stdout + r.stderr


def creds_url(mido, password=PASSWORD):
    return mido.url.replace("http://", "http://%s:%s@" % (USER, password), 1)


def test_api_url_with_userinfo_logs_in_and_never_shows_the_password(mido_auth, zone_name):
    r = ok(run_module("midonet_tunnel_zone", {"api_url": creds_url(mido_auth), "name": zone_name}))
    assert r["changed"] and mido_auth.zone(zone_name) is not None
    assert r["invocation"]["module_args"]["api_url"] == mido_auth.url      # still a useful URL
    assert PASSWORD not in r.stdout + r.stderr and "%s:" % USER not in r.stdout
    r = ok(run_module("midonet_host_info", {"api_url": creds_url(mido_auth), "names": ["clc.euca"]}))
    assert [h["name"] for h in r["hosts"]] == ["clc.euca"]
    assert r["invocation"]["module_args"]["api_url"] == mido_auth.url
    assert PASSWORD not in r.stdout + r.stderr
    # a wrong password in the URL: the login fails, the message names the URL without userinfo
    bad = "wrong-" + PASSWORD
    for module in ("midonet_tunnel_zone", "midonet_host_info"):
        args = {"api_url": creds_url(mido_auth, bad)}
        args.update(name=zone_name) if module == "midonet_tunnel_zone" else None
        r = run_module(module, args)
        assert r.failed and "login failed (HTTP 401) at %s/login" % mido_auth.url in r["msg"], r
        assert bad not in r.stdout + r.stderr and PASSWORD not in r.stdout + r.stderr
        assert r["invocation"]["module_args"]["api_url"] == mido_auth.url


def test_api_url_with_userinfo_is_not_echoed_in_invocation(mido, zone_name):
    """MockAuthService accepts any login: the run succeeds, and the echo of the arguments (what
    Ansible prints at -v) carries the URL without its userinfo."""
    r = ok(run_module("midonet_tunnel_zone", {"api_url": creds_url(mido), "name": zone_name}, diff=True))
    assert r["changed"] and r["invocation"]["module_args"]["api_url"] == mido.url
    assert PASSWORD not in r.stdout + r.stderr and "%s:" % USER not in r.stdout


def test_api_url_with_userinfo_unreachable_never_shows_the_password():
    url = "http://%s:%s@127.0.0.1:%d/midonet-api" % (USER, PASSWORD, free_port())
    r = run_module("midonet_tunnel_zone", {"api_url": url, "name": "mido-tz", "timeout": 5})
    assert r.failed and "unreachable" in r["msg"]
    assert PASSWORD not in r.stdout + r.stderr and "%s:" % USER not in r.stdout


# ------------------------------------------------------------------ real ansible-playbook -vvv

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars_files: [secrets.yml]
  module_defaults:
    group/eucalyptus.cloud.midonet:
      api_url: "{{ api_url }}"
      username: "%(user)s"
      password: "{{ midonet_password }}"
      project: admin
  tasks:
    - eucalyptus.cloud.midonet_host_info:
        names: [clc.euca]
      register: info
    - eucalyptus.cloud.midonet_tunnel_zone:
        name: "{{ zone }}"
        members:
          - {host: clc.euca, address: 10.0.9.1}
          - {host: "%(nc1)s", address: 10.0.9.2}
      register: first
    - eucalyptus.cloud.midonet_tunnel_zone:
        name: "{{ zone }}"
        members:
          - {host: clc.euca, address: 10.0.9.1}
          - {host: "%(nc1)s", address: 10.0.9.2}
      register: second
    - ansible.builtin.assert:
        that:
          - first is changed
          - second is not changed
          - info.hosts | length == 1
    - name: A failing login must not leak the password either
      eucalyptus.cloud.midonet_tunnel_zone:
        name: "{{ zone }}"
        password: "{{ midonet_password }}-wrong"
      ignore_errors: true
      register: bad
    - ansible.builtin.assert:
        that: [bad is failed]
"""


PLAYBOOK_URL = """
- hosts: localhost
  gather_facts: false
  vars_files: [secrets.yml]
  tasks:
    - name: Credentials carried in api_url
      eucalyptus.cloud.midonet_tunnel_zone:
        api_url: "{{ secret_url }}"
        name: "{{ zone }}"
        members: [{host: clc.euca, address: 10.0.9.1}]
      register: first
    - eucalyptus.cloud.midonet_host_info:
        api_url: "{{ secret_url }}"
      register: info
    - name: A given token
      eucalyptus.cloud.midonet_tunnel_zone:
        api_url: "{{ api_url }}"
        token: "{{ midonet_token }}"
        name: "{{ zone }}"
      register: with_token
    - name: A wrong password in api_url must not leak either
      eucalyptus.cloud.midonet_tunnel_zone:
        api_url: "{{ secret_url | replace(midonet_password, midonet_password ~ '-wrong') }}"
        name: "{{ zone }}"
      ignore_errors: true
      register: bad
    - ansible.builtin.assert:
        that: [first is changed, with_token is not changed, bad is failed, info.hosts | length > 0]
"""


def test_playbook_vvv_api_url_userinfo_and_token_do_not_leak(mido_auth, zone_name, tmp_path):
    ansible_playbook = controller_bin("ansible-playbook")
    token = mido_auth.headers("application/json")["X-Auth-Token"]
    (tmp_path / "play.yml").write_text(PLAYBOOK_URL)
    (tmp_path / "secrets.yml").write_text("midonet_password: %s\nsecret_url: %s\nmidonet_token: %s\n"
                                          % (PASSWORD, creds_url(mido_auth), token))
    (tmp_path / "hosts").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n"
                                    % target_python())
    # (results as JSON whatever ansible.cfg says, so the invocation's api_url can be read below)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    proc = subprocess.run([ansible_playbook, "-vvv", "-i", str(tmp_path / "hosts"), str(tmp_path / "play.yml"),
                           "-e", "api_url=%s zone=%s" % (mido_auth.url, zone_name)],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "failed=0" in output and "ignored=1" in output
    assert PASSWORD not in output and token not in output
    assert "%s:" % USER not in output                   # no userinfo at all, masked or not
    # the invocation still shows a useful URL
    assert '"api_url": "%s"' % mido_auth.url in output
    assert mido_auth.members(zone_name) == {CLC: "10.0.9.1"}


def test_playbook_vvv_does_not_leak_secrets(mido_auth, zone_name, tmp_path):
    ansible_playbook = controller_bin("ansible-playbook")
    (tmp_path / "play.yml").write_text(PLAYBOOK % {"user": USER, "nc1": NC1})
    (tmp_path / "secrets.yml").write_text("midonet_password: %s\n" % PASSWORD)
    (tmp_path / "hosts").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n"
                                    % target_python())
    proxy = RecordingProxy(mido_auth.url)   # records the tokens the module really used
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(TOP, ".cache", "collections"))
    proc = subprocess.run([ansible_playbook, "-vvv", "-i", str(tmp_path / "hosts"), str(tmp_path / "play.yml"),
                           "-e", "api_url=%s zone=%s" % (proxy.url, zone_name)],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
    proxy.stop()
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "ok=" in output and "failed=0" in output
    assert PASSWORD not in output
    # the tokens the module obtained at /login and sent (one login per module run: 3 runs)
    assert len(proxy.tokens) == 3, proxy.tokens
    for token in proxy.tokens:
        assert token not in output
    assert "X-Auth-Token" not in output
    assert "api_calls" in output
    assert mido_auth.members(zone_name) == {CLC: "10.0.9.1", NC1: "10.0.9.2"}
