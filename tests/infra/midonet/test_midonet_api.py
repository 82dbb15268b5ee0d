"""testinfra checks of the `midonet_api` role and the tunnel zone (molecule/midonet).

The API is asked from the host itself (it listens on 127.0.0.1 only, as Eucalyptus wants).
"""
import json
import os

import pytest

API = os.environ.get("MIDONET_API_URL", "http://127.0.0.1:8080/midonet-api")
ZONE = os.environ.get("MIDONET_TUNNEL_ZONE", "mido-tz")


def api_get(host, path, accept="application/json"):
    out = host.check_output("curl -sS -f -H 'Accept: %s' %s%s" % (accept, API, path))
    return json.loads(out)


def flavor(host):
    return "5" if host.package("midonet-cluster").is_installed else "1"


def host_id(host):
    for line in host.file("/etc/midonet_host_id.properties").content_string.splitlines():
        key, _sep, value = line.partition("=")
        if key.strip() == "host_uuid":
            return value.strip()
    pytest.fail("no host_uuid")


def test_service_running_and_enabled(host):
    svc = host.service("midonet-cluster" if flavor(host) == "5" else "tomcat")
    assert svc.is_running
    assert svc.is_enabled


def test_listens_on_loopback_8080_only(host):
    assert host.socket("tcp://127.0.0.1:8080").is_listening
    assert not host.socket("tcp://0.0.0.0:8080").is_listening


def test_root_document(host):
    root = api_get(host, "/")
    assert root["version"] == ("v5.0" if flavor(host) == "5" else "v1.9")
    assert root["uri"].startswith("http://127.0.0.1:8080/midonet-api") or \
        root["uri"].startswith("http://localhost:8080/midonet-api")
    for key in ("hosts", "tunnelZones", "tunnelZoneTemplate", "hostTemplate"):
        assert key in root


def test_configuration_files(host):
    if flavor(host) == "5":
        conf = host.file("/etc/midonet/midonet.conf").content_string
        assert "[zookeeper]" in conf
        assert ":2181" in conf.split("zookeeper_hosts", 1)[1].splitlines()[0]
        for key, value in (("cluster.rest_api.http_port", "8080"), ("cluster.rest_api.http_host", "127.0.0.1")):
            out = host.check_output("mn-conf get %s" % key)
            assert out.split("=", 1)[1].strip().strip('"') == value
    else:
        ctx = host.file("/etc/tomcat/Catalina/localhost/midonet-api.xml")
        assert ctx.exists and 'docBase="/usr/share/midonet-api"' in ctx.content_string
        web = host.file("/usr/share/midonet-api/WEB-INF/web.xml")
        assert web.mode == 0o640
        assert "org.midonet.cluster.auth.MockAuthService" in web.content_string


def test_tunnel_zone_has_this_host_alive(host):
    zones = [z for z in api_get(host, "/tunnel_zones") if z["name"] == ZONE]
    assert len(zones) == 1, "exactly one zone named %s" % ZONE
    zone = zones[0]
    assert zone["type"] == "gre"
    # member lists take only the vendor type (as eucanetd 4.4 asks for them)
    members = api_get(host, "/tunnel_zones/%s/hosts" % zone["id"],
                      "application/vnd.org.midonet.collection.TunnelZoneHost-v1+json")
    hid = host_id(host)
    mine = [m for m in members if m["hostId"] == hid]
    assert len(mine) == 1, members
    # the member address is the host's own address on its default route
    addr = host.check_output("ip -4 -o route get 1.1.1.1").split(" src ")[1].split()[0]
    assert mine[0]["ipAddress"] == addr
    me = api_get(host, "/hosts/%s" % hid)
    assert me["name"] == host.check_output("hostname")
    assert me["alive"] is True
