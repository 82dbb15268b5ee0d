"""testinfra checks of the `zookeeper` role (molecule/midonet; usable against `make lab` hosts).

Every check reads real state: the files the server reads, the unit, and the server's own answer
to `srvr` sent over a TCP socket on the host.
"""
import re

import pytest

CONF_CANDIDATES = ["/etc/zookeeper/conf/zoo.cfg", "/etc/zookeeper/zoo.cfg"]
DATA_DIR = "/var/lib/zookeeper/data"

# Sends a four-letter word to 127.0.0.1:2181 from the host itself and prints the answer.
FOUR_LETTER = (
    "import socket,sys\n"
    "s=socket.create_connection(('127.0.0.1',2181),timeout=10)\n"
    "s.sendall(sys.argv[1].encode())\n"
    "b=b''\n"
    "while True:\n"
    "    d=s.recv(4096)\n"
    "    if not d: break\n"
    "    b+=d\n"
    "print(b.decode())\n"
)


def four_letter(host, word):
    return host.check_output("python3 -c %s %s" % (quote(FOUR_LETTER), word))


def quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


@pytest.fixture
def zoo_cfg(host):
    for path in CONF_CANDIDATES:
        f = host.file(path)
        if f.exists:
            return dict(line.split("=", 1) for line in f.content_string.splitlines()
                        if "=" in line and not line.lstrip().startswith("#"))
    pytest.fail("no zoo.cfg in %s" % CONF_CANDIDATES)


def test_zoo_cfg(zoo_cfg):
    assert zoo_cfg["dataDir"] == DATA_DIR
    assert zoo_cfg["clientPort"] == "2181"
    assert zoo_cfg["autopurge.snapRetainCount"] == "3"
    assert zoo_cfg["autopurge.purgeInterval"] == "1"
    assert set(zoo_cfg["4lw.commands.whitelist"].split(",")) >= {"ruok", "srvr", "stat", "mntr", "conf"}
    # the 3.5+ AdminServer would take 8080, the MidoNet API's port
    assert zoo_cfg.get("admin.enableServer") == "false"


def test_myid_matches_ensemble(host, zoo_cfg):
    myid = host.file(DATA_DIR + "/myid")
    assert myid.exists and myid.user == "zookeeper"
    value = int(myid.content_string.strip())
    assert 1 <= value <= 255
    servers = {int(k.split(".")[1]): v for k, v in zoo_cfg.items() if k.startswith("server.")}
    assert value in servers
    assert re.match(r"^[^:]+:2888:3888$", servers[value])
    # Debian: /var/lib/zookeeper/myid -> /etc/zookeeper/conf/myid must tell the same id
    debian = host.file("/etc/zookeeper/conf/myid")
    if debian.exists and host.system_info.distribution == "debian":
        assert int(debian.content_string.strip()) == value


def test_data_dir(host):
    d = host.file(DATA_DIR)
    assert d.is_directory
    assert d.user == "zookeeper"
    # the server wrote its transaction log/snapshot directory there
    assert host.file(DATA_DIR + "/version-2").is_directory


def test_service_running_and_enabled(host):
    svc = host.service("zookeeper")
    assert svc.is_running
    assert svc.is_enabled


def test_srvr_answers(host):
    out = four_letter(host, "srvr")
    assert "Zookeeper version:" in out
    assert re.search(r"Mode: (standalone|leader|follower|observer)", out), out


def test_ruok_answers_imok(host):
    assert four_letter(host, "ruok").strip() == "imok"
