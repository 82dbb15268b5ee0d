"""eucalyptus.cloud.midonet_host_info against the MidoNet API stand-in, flavors 1 and 5."""
import time

import threading

from midonet_standin import DEAD_HOSTS, HOSTS, PASSWORD, USER, M_HOSTS, free_port
from module_runner import run_module


def info(mido, check=False, **args):
    return run_module("midonet_host_info", mido.api_args(**args), check=check)


def ok(result):
    assert not result.failed, (result.get("msg"), result.stderr[-2000:])
    return result


def test_all_hosts(mido):
    r = ok(info(mido))
    assert r["changed"] is False
    direct = mido.get("/hosts", M_HOSTS)
    everyone = dict(HOSTS, **DEAD_HOSTS)
    assert sorted(h["id"] for h in r["hosts"]) == sorted(h["id"] for h in direct)
    assert set(everyone.values()) <= set(h["id"] for h in r["hosts"])
    for h in [x for x in r["hosts"] if x["name"] in everyone]:
        assert set(h) == {"id", "name", "alive", "addresses"}
        assert everyone[h["name"]] == h["id"]
        assert h["alive"] is (h["name"] in HOSTS)
        assert isinstance(h["addresses"], list)
    assert r["api_calls"] == {"GET": 2, "total": 2}
    assert r["api_version"].startswith("v%d" % mido.flavor)


def test_names_exact_and_uuid(mido):
    r = ok(info(mido, names=["nc1.euca", HOSTS["clc.euca"], "nc1", "ghost"]))
    assert [h["name"] for h in r["hosts"]] == ["nc1.euca", "clc.euca"]   # not nc1.euca2
    assert r["missing"] == ["nc1", "ghost"]


def test_check_mode_same(mido):
    r = ok(info(mido, check=True, names=["ufs.euca"]))
    assert [h["id"] for h in r["hosts"]] == [HOSTS["ufs.euca"]]


def test_wait_for_present_hosts(mido):
    started = time.time()
    r = ok(info(mido, names=["clc.euca", "ufs.euca"], wait=True, wait_timeout=30))
    assert time.time() - started < 10 and len(r["hosts"]) == 2


def test_wait_alive(mido):
    r = ok(info(mido, names=["clc.euca", "nc1.euca"], wait=True, wait_alive=True, wait_timeout=10))
    assert all(x["alive"] for x in r["hosts"]) and r["not_alive"] == []
    # registered but dead: found, so wait without wait_alive succeeds ...
    r = ok(info(mido, names=["nc2.euca"], wait=True, wait_timeout=5))
    assert r["hosts"][0]["alive"] is False
    # ... and wait_alive times out naming it
    r = info(mido, names=["clc.euca", "nc2.euca"], wait=True, wait_alive=True, wait_timeout=1, wait_sleep=1)
    assert r.failed and "not alive: nc2.euca" in r["msg"] and r["not_alive"] == ["nc2.euca"]


def test_wait_until_a_host_registers(mido):
    name = "late-%d.euca" % mido.flavor
    hid = "6666666%d-6666-4666-8666-666666666666" % mido.flavor
    timer = threading.Timer(2.0, mido.register_host, args=(name, hid))
    timer.start()
    try:
        started = time.time()
        r = ok(info(mido, names=[name, "clc.euca"], wait=True, wait_alive=True, wait_timeout=30, wait_sleep=1))
        assert 1.5 < time.time() - started < 25
        assert [x["id"] for x in r["hosts"]] == [hid, HOSTS["clc.euca"]]
        assert r["api_calls"]["GET"] >= 3
    finally:
        timer.cancel()


def test_wait_timeout_lists_missing(mido):
    started = time.time()
    r = info(mido, names=["clc.euca", "nc9.euca"], wait=True, wait_timeout=2, wait_sleep=1)
    assert r.failed
    assert "timed out after 2s" in r["msg"] and "not found: nc9.euca" in r["msg"]
    assert r["missing"] == ["nc9.euca"]
    assert 1.5 < time.time() - started < 30
    assert r["api_calls"]["GET"] >= 3      # root + at least two polls


def test_auth(mido_auth):
    r = ok(info(mido_auth, names=["clc.euca"]))
    assert r["hosts"][0]["id"] == HOSTS["clc.euca"]
    r = run_module("midonet_host_info", {"api_url": mido_auth.url, "username": USER, "password": "nope"})
    assert r.failed and "401" in r["msg"] and "nope" not in r.stdout
    assert PASSWORD not in r.stdout


def test_api_down():
    url = "http://127.0.0.1:%d/midonet-api" % free_port()
    r = run_module("midonet_host_info", {"api_url": url, "timeout": 3})
    assert r.failed and "unreachable" in r["msg"] and url in r["msg"]
