"""The services part of the eucalyptus_verify role (tasks/services.yml) with the real
eucalyptus.cloud.euca_service_info against the CLC stand-in with its PostgreSQL and the stand-in
admin tools of each product line (4.1 euca-describe-services with the eucarc of
``euca_conf --get-credentials``, 4.4 euserv-describe-services with the system credentials), the
whole role run by ansible-playbook; its MidoNet part asks the MidoNet API stand-in (flavor 5)
holding the walk-through's topology, so a pass is the whole role's.

In order, on one cloud per line (the CLC's own service, type eucalyptus, is always listed): a CC,
a user-api, a walrusbackend and an SC registered before <zone>.storage.blockstoragemanager is set
-> the role fails naming the storage service broken (as the CLC's table says), and exactly the
services the CLC lists as not enabled, before the MidoNet part; the property (and
objectstorage.providerclient) set -> the role waits for the SC and passes naming every service
listed; the CLC down -> "could not read the registered services"; the CLC's services table emptied
-> "no Eucalyptus service is registered".
"""
import os
import re
import sys
import time

import pytest

from euca_cloud import ok

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "midonet"))

import seed_topology as st  # noqa: E402  (the MidoNet stand-in set-up of tests/integration/midonet)
from midonet_standin import HOSTS, StandIn  # noqa: E402
from verify_role import LEGACY, run_role  # noqa: E402

ZONE = "zone1"
MIDONET_TASK = "MidoNet holds what eucanetd builds"


@pytest.fixture(scope="module")
def mido():
    """The MidoNet API stand-in with the walk-through's complete topology (eucart, eucabr, ...)."""
    s = StandIn(5)
    api = st.Api(s.url, 5)
    ids = st.build(api, HOSTS["clc.euca"])
    yield s
    st.teardown(api, ids)
    s.stop()


def verify(cloud, mido, tmp_path, retries=0, delay=0):
    tmp_path.mkdir()
    defaults = {"eucarc": cloud.eucarc} if cloud.eucarc else {}
    return run_role(tmp_path, mido.url, LEGACY, env=cloud.c.env, euca_defaults=defaults or None,
                    extra_vars={"eucalyptus_verify_services": True, "eucalyptus_verify_retries": retries,
                                "eucalyptus_verify_delay": delay})


def register(cloud, name, type_, zone=None, **extra):
    args = dict(name=name, type=type_, host=cloud.ip, wait=False)      # the role is what waits
    if type_ == "cluster":
        args["port"] = cloud.c.cc_port
    elif cloud.line != "4.1" or type_ == "user-api":   # euca_conf 4.1: SC/Walrus on the CLC's port
        args["port"] = cloud.c.clc_port
    if zone:
        args["zone"] = zone
    args.update(extra)
    return ok(cloud.module("euca_service", args))


def settled(cloud, timeout=20):
    """The CLC's services table once the CLC's checks have moved every service out of its
    transitional states (notready/initialized/loaded/stopped)."""
    deadline = time.time() + timeout
    while True:
        db = cloud.services_db()
        if all(s[3] in ("enabled", "broken", "disabled") for s in db.values()) or time.time() > deadline:
            return db
        time.sleep(0.2)


def not_enabled(services):
    return ["%(type)s %(name)s (zone %(zone)s, host %(host)s) is %(state)s" % s
            for s in services if s["state"] != "enabled"]


def test_storage_before_blockstoragemanager_is_broken(cloud, mido, tmp_path):
    assert [s[0] for s in cloud.services_db().values()] == ["eucalyptus"]      # the CLC's own service
    register(cloud, ZONE + "-cc", "cluster", ZONE)
    register(cloud, "api-1", "user-api")
    register(cloud, "walrus-1", "walrusbackend")
    register(cloud, ZONE + "-sc", "storage", ZONE)
    db = settled(cloud)
    assert db[ZONE + "-sc"] == ("storage", ZONE, cloud.ip, "broken")
    assert [n for n, s in db.items() if s[3] != "enabled"] == [ZONE + "-sc"]
    rc, out = verify(cloud, mido, tmp_path / "broken", retries=1, delay=0)
    assert rc != 0, out[-4000:]
    m = re.search(r"services not enabled \(2 reads\): (.*)", out)
    assert m, out[-4000:]
    named = m.group(1).rstrip().rstrip('"').split("; ")
    assert "storage %s-sc (zone %s, host %s) is broken" % (ZONE, ZONE, cloud.ip) in named, m.group(0)
    # exactly what the CLC lists as not enabled (the user-api's objectstorage, too, until
    # objectstorage.providerclient is set), nothing else
    assert sorted(named) == sorted(not_enabled(ok(cloud.module("euca_service_info"))["services"])), m.group(0)
    assert "zone1-cc" not in m.group(1) and "walrus-1" not in m.group(1)
    assert MIDONET_TASK not in out                     # the play stopped at the services


def test_enabled_services_pass_naming_them(cloud, mido, tmp_path):
    ok(cloud.module("euca_property", dict(properties={ZONE + ".storage.blockstoragemanager": "overlay",
                                                      "objectstorage.providerclient": "walrus"})))
    # the CLC enables the SC at its next check; the role asks again until then
    rc, out = verify(cloud, mido, tmp_path / "enabled", retries=40, delay=1)
    assert rc == 0, out[-4000:]
    db = cloud.services_db()
    assert db[ZONE + "-sc"] == ("storage", ZONE, cloud.ip, "enabled")
    assert set(s[3] for s in db.values()) == {"enabled"}
    listed = ok(cloud.module("euca_service_info"))["services"]
    assert not not_enabled(listed) and set(db) <= set(s["name"] for s in listed)
    m = re.search(r"(\d+) services enabled: ([^\"\n]+)", out)
    assert m, out[-4000:]
    assert int(m.group(1)) == len(listed), m.group(0)
    assert m.group(2).strip().split(", ") == [s["name"] for s in listed], m.group(0)
    assert "router router0 name eucart state up" in out        # and the MidoNet part ran and passed
    assert "failed=0" in out and "changed=0" in out


def test_clc_down_services_cannot_be_read(cloud, mido, tmp_path):
    cloud.c.stop()
    try:
        rc, out = verify(cloud, mido, tmp_path / "down")
    finally:
        cloud.c.start()
    assert rc != 0, out[-4000:]
    m = re.search(r"could not read the registered services: (.*)", out)
    assert m, out[-4000:]
    tool = "clcadmin-assume-system-credentials" if cloud.line == "4.4" else "euca-describe-services"
    assert tool in m.group(1), m.group(0)
    assert MIDONET_TASK not in out


def test_no_service_registered(cloud, mido, tmp_path):
    """The CLC always lists its own service (type eucalyptus); an empty listing is a CLC whose
    services table is empty: emptied here with psql (the CLC stand-in reads it at every describe)."""
    q = cloud.c.psql("DELETE FROM eucalyptus_config.services")
    assert q.returncode == 0, q.stderr
    assert cloud.services_db() == {}
    assert ok(cloud.module("euca_service_info"))["services"] == []
    rc, out = verify(cloud, mido, tmp_path / "none")
    assert rc != 0, out[-4000:]
    assert "no Eucalyptus service is registered" in out, out[-4000:]
    assert MIDONET_TASK not in out                     # the play stopped at the services
