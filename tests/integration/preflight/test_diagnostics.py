"""playbooks/diagnostics.yml against two lab hosts: one tarball on the controller holding every
listed item for each host (present, or recorded as missing), and none of the secrets planted in
an eucarc, the logs and midolman.conf -- neither in the tarball nor in the -vvv output."""
import json
import os
import subprocess
import tarfile
import uuid

import pytest
import yaml

from conftest import podman, sh
from preflight_run import TOP

SECRETS = dict((k, "%s-%s" % (k, uuid.uuid4().hex)) for k in ("aws", "pw", "pem", "token", "mido"))
PIDFILE = "/var/run/eucalyptus/eucanetd.pid"
DAEMON_PID = "4242"

# what playbooks/diagnostics.yml lists for every host (roles/diagnostics/defaults/main.yml)
EVERY_HOST = ["ip-link.json", "ip-addr.json", "ip-route.json", "ip-rule.json", "iptables-save.txt", "bridge-link.txt",
              "sysctl.txt", "services.txt", "logs/cloud-output.log", "logs/cc.log", "logs/nc.log", "logs/eucanetd.log",
              "logs/midolman.log", "logs/midonet-cluster.log", "logs/zookeeper.log", "global_network_info.xml",
              "files/eucalyptus.conf", "files/midolman.conf", "files/eucarc", "MANIFEST.txt"]
FRONTEND_ONLY = ["midonet-topology.txt", "midonet-topology.json", "eucanetd-l.txt", "eucanetd-g.txt"]


def _plant(hosts):
    front, nc = hosts["frontend"]["container"], hosts["nc1"]["container"]
    sh(front, "mkdir -p /root/.euca /var/log/eucalyptus /var/run/eucalyptus /var/log/zookeeper /etc/eucalyptus")
    sh(front, "cat > /root/.euca/eucarc <<'E'\n"
              "export EC2_URL=http://127.0.0.1:8773/services/compute\n"
              "export AWS_ACCESS_KEY_ID=AKIAPLANTED\n"
              "export AWS_SECRET_ACCESS_KEY='%s'\nE\n" % SECRETS["aws"])
    sh(front, "cat > /var/log/eucalyptus/cloud-output.log <<'E'\n"
              "2026-12-01 10:00:00 INFO  Bootstrap: cloud is starting\n"
              "2026-12-01 10:00:01 DEBUG db connect user=eucalyptus password=%s\n"
              "-----BEGIN RSA PRIVATE KEY-----\nMIIE%s\n-----END RSA PRIVATE KEY-----\n"
              "2026-12-01 10:00:02 INFO  done\nE\n" % (SECRETS["pw"], SECRETS["pem"]))
    sh(front, "echo '2026-12-01 eucanetd: GNI version 7 applied' > /var/log/eucalyptus/eucanetd.log")
    sh(front, "echo '<network-data version=\"7\"/>' > /var/run/eucalyptus/global_network_info.xml")
    sh(front, "echo 'zookeeper: binding to port 0.0.0.0/0.0.0.0:2181' > /var/log/zookeeper/zookeeper.log")
    sh(front, "echo 'VNET_MODE=\"VPCMIDO\"' > /etc/eucalyptus/eucalyptus.conf")
    sh(front, "echo %s > %s" % (DAEMON_PID, PIDFILE))
    podman("cp", os.path.join(TOP, "tests", "lab", "standins", "eucanetd_reports.sh"), "%s:/usr/sbin/eucanetd" % front)
    sh(nc, "mkdir -p /var/log/eucalyptus /etc/midolman")
    sh(nc, "echo '2026-12-01 nc: request with X-Auth-Token: %s' > /var/log/eucalyptus/nc.log" % SECRETS["token"])
    sh(nc, "printf '[zookeeper]\\nzookeeper_hosts = 10.0.0.1:2181\\n[keystone]\\npassword = %s\\n' > /etc/midolman/midolman.conf"
       % SECRETS["mido"])
    # the MidoNet API (stand-in, 5.x flavor) on the frontend's 127.0.0.1:8080, with eucanetd's core router
    podman("cp", os.path.join(TOP, "tests", "lab", "standins", "midonet_api.py"), "%s:/usr/local/bin/midonet_api.py" % front)
    podman("exec", "-d", front, "python3", "/usr/local/bin/midonet_api.py", "--flavor", "5", "--host", "127.0.0.1",
           "--port", "8080", "--store", "memory", "--seed-hosts", "frontend=11111111-1111-4111-8111-111111111111")
    sh(front, "for i in $(seq 50); do curl -sf http://127.0.0.1:8080/midonet-api/ >/dev/null && exit 0; sleep 0.2; done; exit 1")
    sh(front, "curl -sf -X POST -H 'Content-Type: application/vnd.org.midonet.Router-v3+json' "
              "-d '{\"name\": \"eucart\", \"tenantId\": \"euca_tenant_1\"}' http://127.0.0.1:8080/midonet-api/routers")


def _inventory(hosts, path):
    def host(name):
        return {"ansible_connection": "containers.podman.podman", "ansible_host": hosts[name]["container"],
                "ansible_python_interpreter": "/usr/bin/python3", "eucalyptus_host_ip": hosts[name]["address"]}
    inv = {"all": {"vars": {"eucalyptus_version": "4.4", "eucalyptus_network_mode": "VPCMIDO"},
                   "children": {"clc": {"hosts": {"frontend": host("frontend")}},
                                "midonet_api": {"hosts": {"frontend": None}},
                                "nc": {"hosts": {"nc1": host("nc1")}}}}}
    with open(path, "w") as fh:
        yaml.safe_dump(inv, fh)


@pytest.fixture(scope="module")
def diagnostics(lab_hosts, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("diagnostics")
    _plant(lab_hosts)
    inventory = str(tmp / "inventory.yml")
    _inventory(lab_hosts, inventory)
    dest = str(tmp / "diag.tar.gz")
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               CONTAINERS_CONF=os.environ.get("CONTAINERS_CONF", os.path.join(TOP, ".cache", "containers.conf")))
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(TOP, ".cache", "collections"))
    proc = subprocess.run([os.path.join(TOP, ".venv", "bin", "ansible-playbook"), "-vvv", "-i", inventory,
                           os.path.join(TOP, "playbooks", "diagnostics.yml"), "-e", "diagnostics_dest=%s" % dest],
                          capture_output=True, text=True, env=env, cwd=TOP, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    extracted = tmp / "x"
    with tarfile.open(dest) as tar:
        members = tar.getnames()
        tar.extractall(str(extracted))
    return {"proc": proc, "dest": dest, "members": members, "dir": str(extracted), "hosts": lab_hosts}


def _read(diag, host, name):
    with open(os.path.join(diag["dir"], host, name), encoding="utf-8") as fh:
        return fh.read()


def _has(diag, host, name):
    return os.path.exists(os.path.join(diag["dir"], host, name))


@pytest.mark.parametrize("host", ["frontend", "nc1"])
def test_every_listed_item_for_every_host(diagnostics, host):
    wanted = EVERY_HOST + (FRONTEND_ONLY if host == "frontend" else [])
    absent = [n for n in wanted if not (_has(diagnostics, host, n) or _has(diagnostics, host, n + ".missing"))]
    assert absent == [], "%s: items neither collected nor recorded missing: %s" % (host, absent)
    manifest = _read(diagnostics, host, "MANIFEST.txt")
    for name in [n for n in wanted if n != "MANIFEST.txt"]:
        assert (" %s " % name) in manifest, (name, manifest)
    # the network state is real output of the host
    links = json.loads(_read(diagnostics, host, "ip-link.json"))
    assert "eth0" in [link["ifname"] for link in links]
    assert json.loads(_read(diagnostics, host, "ip-route.json"))
    assert "net.ipv4.ip_forward = " in _read(diagnostics, host, "sysctl.txt")
    assert "Id=eucanetd.service" in _read(diagnostics, host, "services.txt")


def test_planted_files_are_collected_and_missing_ones_recorded(diagnostics):
    assert "Bootstrap: cloud is starting" in _read(diagnostics, "frontend", "logs/cloud-output.log")
    assert "GNI version 7 applied" in _read(diagnostics, "frontend", "logs/eucanetd.log")
    assert 'network-data version="7"' in _read(diagnostics, "frontend", "global_network_info.xml")
    assert "binding to port" in _read(diagnostics, "frontend", "logs/zookeeper.log")
    assert "zookeeper_hosts = 10.0.0.1:2181" in _read(diagnostics, "nc1", "files/midolman.conf")
    # nothing planted: recorded as missing, not a failure
    assert _read(diagnostics, "nc1", "files/eucarc.missing").startswith("missing: /root/.euca/eucarc")
    assert "missing  logs/cc.log" in _read(diagnostics, "frontend", "MANIFEST.txt")


def test_midonet_topology_and_eucanetd_reports_on_the_clc(diagnostics, lab_hosts):
    assert "name eucart" in _read(diagnostics, "frontend", "midonet-topology.txt")
    topology = json.loads(_read(diagnostics, "frontend", "midonet-topology.json"))
    assert [r["name"] for r in topology["topology"]["routers"]] == ["eucart"]
    assert "VPCMIDO objects" in _read(diagnostics, "frontend", "eucanetd-l.txt")
    assert "gateways" in _read(diagnostics, "frontend", "eucanetd-g.txt")
    # every eucanetd invocation rewrites the pid file: the daemon's pid was put back
    assert sh(lab_hosts["frontend"]["container"], "cat %s" % PIDFILE).stdout.strip() == DAEMON_PID
    # only the MidoNet API host and the CLC get them
    assert not _has(diagnostics, "nc1", "midonet-topology.txt")
    assert not _has(diagnostics, "nc1", "eucanetd-l.txt")


def test_no_planted_secret_in_the_tarball_or_the_output(diagnostics):
    with open(diagnostics["dest"], "rb") as fh:
        packed = fh.read()
    blobs = []
    for root, _dirs, files in os.walk(diagnostics["dir"]):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                blobs.append(fh.read())
    everything = b"\n".join(blobs)
    for secret in SECRETS.values():
        assert secret.encode() not in everything, secret
        assert secret.encode() not in packed
        assert secret not in diagnostics["proc"].stdout and secret not in diagnostics["proc"].stderr
    eucarc = _read(diagnostics, "frontend", "files/eucarc")
    assert "export AWS_SECRET_ACCESS_KEY='<redacted>'" in eucarc
    assert "export EC2_URL=http://127.0.0.1:8773/services/compute" in eucarc
    log = _read(diagnostics, "frontend", "logs/cloud-output.log")
    assert "password=<redacted>" in log and "-----BEGIN RSA PRIVATE KEY-----\n<redacted>\n" in log
    assert "X-Auth-Token: <redacted>" in _read(diagnostics, "nc1", "logs/nc.log")
    assert "password = <redacted>" in _read(diagnostics, "nc1", "files/midolman.conf")
    assert "(2 secrets redacted)" in _read(diagnostics, "frontend", "MANIFEST.txt") or \
        "secrets redacted)" in _read(diagnostics, "frontend", "MANIFEST.txt")


def test_one_tarball_private_to_its_owner(diagnostics):
    assert oct(os.stat(diagnostics["dest"]).st_mode & 0o777) == "0o600"
    assert sorted(set(m.split("/")[0] for m in diagnostics["members"] if "/" in m)) == ["frontend", "nc1"]
