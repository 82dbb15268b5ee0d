"""testinfra checks of the cloud-in-a-box (site.yml; molecule cloud-in-a-box and
cloud-in-a-box-41, make lab): the state seed 000 step 4 looks at, asked with clients nobody here
wrote -- psql against the CLC's own PostgreSQL (port 8777) for the registered services, curl
against the MidoNet API for what eucanetd built -- and the units that must run.

The expected values come from the deployed files, not from constants: network.json as the CLC
role wrote it (/etc/eucalyptus/network.json) and the version file of the installed product.
"""
import json
import os

import pytest

API = os.environ.get("MIDONET_API_URL", "http://127.0.0.1:8080/midonet-api")
KEYS = "/var/lib/eucalyptus/keys"


def version(host):
    return host.file("/etc/eucalyptus/eucalyptus-version").content_string.strip() \
        if host.file("/etc/eucalyptus/eucalyptus-version").exists else \
        host.check_output("dpkg-query -W -f '${Version}' eucalyptus").split("-")[0]


def network(host):
    return json.loads(host.file("/etc/eucalyptus/network.json").content_string)


def psql(host, sql):
    # the CLC's database password: sha256 of the RSA-SHA256 signature of "eucalyptus" made with
    # the cloud key (what clcadmin-assume-system-credentials derives, admin-tools 4.2)
    pw = host.check_output("printf eucalyptus | openssl dgst -sha256 -sign %s/cloud-pk.pem | sha256sum | cut -d' ' -f1" % KEYS)
    out = host.check_output("PGPASSWORD=%s psql -h 127.0.0.1 -p 8777 -U eucalyptus -d eucalyptus_shared -AtF '|' -c %s"
                            % (pw, json.dumps(sql)))
    return [line.split("|") for line in out.splitlines() if line]


def api(host, path):
    return json.loads(host.check_output("curl -sS -f -H 'Accept: application/json' %s%s" % (API, path)))


def by_name(items, name):
    found = [i for i in items if i.get("name") == name]
    assert found, "no %s among %s" % (name, [i.get("name") for i in items])
    return found[0]


def units(host):
    """The daemons of the components installed on this host (unit names per version)."""
    old = version(host).startswith("4.1")
    wanted = ["eucalyptus-cloud", "eucanetd"]
    if host.package("eucalyptus-cc").is_installed:
        wanted.append("eucalyptus-cc" if old else "eucalyptus-cluster")
    if host.package("eucalyptus-nc").is_installed:
        wanted.append("eucalyptus-nc" if old else "eucalyptus-node")
    return wanted


def test_eucalyptus_daemons_run_and_are_enabled(host):
    for unit in units(host):
        svc = host.service(unit)
        assert svc.is_running, unit
        assert svc.is_enabled, unit


def test_the_clc_answers_its_heartbeat(host):
    out = host.check_output("curl -sS -f http://127.0.0.1:8773/services/Heartbeat")
    assert "name=" in out and "enabled=" in out


def test_registered_services_in_the_clc_database_are_enabled(host):
    rows = psql(host, "SELECT type, partition, name, host, state FROM eucalyptus_config.services")
    types = {r[0] for r in rows}
    for wanted in ("user-api", "walrusbackend", "cluster", "storage"):
        assert wanted in types, rows
    for r in rows:
        assert r[4].lower() == "enabled", r
    zones = {r[1] for r in rows if r[0] in ("cluster", "storage")}
    assert len(zones) == 1, rows


def test_storage_and_objectstorage_properties(host):
    # one line per row: the JSON value spans lines, so it is read on its own, newlines escaped
    rows = dict(psql(host, "SELECT name, value FROM eucalyptus_config.properties "
                           "WHERE name = 'objectstorage.providerclient' OR name LIKE '%.storage.blockstoragemanager'"))
    assert rows.pop("objectstorage.providerclient") == "walrus"
    assert list(rows.values()) == ["overlay"], rows
    value = psql(host, "SELECT replace(value, E'\\n', ' ') FROM eucalyptus_config.properties "
                       "WHERE name = 'cloud.network.network_configuration'")
    assert json.loads(value[0][0]) == network(host)


def test_admin_credentials_are_private(host):
    f = host.file("/root/.euca/eucarc")
    assert f.exists and f.mode == 0o600 and f.user == "root"
    assert host.file("/root/.euca").mode == 0o700


def test_eucalyptus_conf_mode(host):
    conf = host.file("/etc/eucalyptus/eucalyptus.conf").content_string
    assert 'VNET_MODE="VPCMIDO"' in conf.splitlines()
    if host.package("eucalyptus-cc").is_installed:
        nodes = [line for line in conf.splitlines() if line.startswith("NODES=")]
        assert len(nodes) == 1 and nodes[0] != 'NODES=""', nodes


def test_eucanetd_built_the_core(host):
    routers = api(host, "/routers")
    bridges = api(host, "/bridges")
    eucart = by_name(routers, "eucart")
    eucabr = by_name(bridges, "eucabr")
    mido = network(host)["Mido"]
    ports = api(host, "/routers/%s/ports" % eucart["id"])
    gw = [p for p in ports if p.get("portAddress") == mido["GatewayIP"]]
    assert gw, ports
    # eucart is linked peer-to-peer with eucabr
    br_ports = {p["id"] for p in api(host, "/bridges/%s/ports" % eucabr["id"])}
    assert any(p.get("peerId") in br_ports for p in ports), ports
    # the gateway port is bound to GatewayInterface on the gateway's host
    assert gw[0].get("interfaceName") == mido["GatewayInterface"] or any(
        b.get("interfaceName") == mido["GatewayInterface"] and b.get("portId") == gw[0]["id"]
        for h in api(host, "/hosts") for b in api(host, "/hosts/%s/ports" % h["id"])), gw
    # default route via PublicGatewayIP
    routes = api(host, "/routers/%s/routes" % eucart["id"])
    assert any(r.get("dstNetworkAddr") == "0.0.0.0" and int(r.get("dstNetworkLength", -1)) == 0
               and r.get("nextHopGateway") == mido["PublicGatewayIP"] for r in routes), routes


@pytest.mark.parametrize("path", ["/root/.euca/eucarc", KEYS + "/cloud-pk.pem"])
def test_secrets_are_not_world_readable(host, path):
    assert host.file(path).mode & 0o077 == 0
