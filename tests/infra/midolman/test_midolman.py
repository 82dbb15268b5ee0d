"""testinfra checks of the `midolman` role (molecule/midonet, and `make lab` on every midolman host).

The MidoNet API listens on the loopback of the API host only (as Eucalyptus wants), so the
registration of an agent is asked there: MIDONET_API_HOST is the testinfra host spec of the
inventory's midonet_api host (tests/lab/lab.py sets it); unset, the agent's host is the API host
(molecule's single-host scenarios).
"""
import json
import os
import re
import uuid

import testinfra

API = os.environ.get("MIDONET_API_URL", "http://127.0.0.1:8080/midonet-api")
API_HOST = os.environ.get("MIDONET_API_HOST")


def api_host(host):
    return testinfra.get_host(API_HOST) if API_HOST else host


def host_uuid(host):
    content = host.file("/etc/midonet_host_id.properties").content_string
    match = re.search(r"^host_uuid=(\S+)$", content, re.M)
    assert match, content
    return match.group(1)


def test_host_id_is_a_stable_uuid(host):
    hid = host_uuid(host)
    assert str(uuid.UUID(hid)) == hid


def test_midolman_conf(host):
    conf = host.file("/etc/midolman/midolman.conf")
    assert conf.mode == 0o644
    text = conf.content_string
    assert "[zookeeper]" in text
    hosts = re.search(r"^zookeeper_hosts\s*=\s*(\S+)", text, re.M).group(1)
    assert all(h.endswith(":2181") for h in hosts.split(","))
    root = re.search(r"^root_key\s*=\s*(\S+)", text, re.M).group(1)
    assert root in ("/midonet", "/midonet/v1")


def test_service_running_and_enabled(host):
    svc = host.service("midolman")
    assert svc.is_running
    assert svc.is_enabled


def test_host_registered_and_alive(host):
    out = api_host(host).check_output("curl -sS -f -H 'Accept: application/json' %s/hosts/%s"
                                      % (API, host_uuid(host)))
    me = json.loads(out)
    assert me["id"] == host_uuid(host)
    assert me["alive"] is True


def test_mn_conf_template(host):
    if host.package("midonet-tools").is_installed:
        out = host.check_output("mn-conf template-get -h local")
        assert "default" in out.split()
