"""The Eucalyptus CLC stand-in (tests/lab/standins/eucalyptus_cloud.py) and the admin tools of both
product generations (euca_admin.py) against the shared reference eucalyptus-admin-tools.md.

Each generation gets its own $EUCALYPTUS tree in /tmp (0755: PostgreSQL runs as a non-root user,
``eucalyptus`` if it exists, else ``nobody``), initialised with the generation's own command, a real
PostgreSQL cluster (Debian's postgresql, see scripts/bootstrap.sh) on a free port, and the CLC on a
free port (lab settings EUCA_LAB_CLC_PORT / EUCA_LAB_DB_PORT / EUCA_LAB_CHECK_INTERVAL). The tools
run as installed: symlinks named as the real tools in a bin directory. A small HTTP server stands in
for a CC (answers /axis2/services with EucalyptusCC, /lab/nodes with its NODES). The registered
services are read back with ``psql``, a client nobody here wrote.
"""
import http.server
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
import zipfile

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
STANDINS = os.path.join(TOP, "tests", "lab", "standins")
TOOLS = {"4.4": ["euserv-register-service", "euserv-deregister-service", "euserv-describe-services", "euctl",
                 "euca_conf", "clcadmin-initialize-cloud", "clcadmin-assume-system-credentials",
                 "clcadmin-copy-keys", "clusteradmin-copy-keys", "clusteradmin-register-nodes",
                 "clusteradmin-deregister-nodes"],
         "4.1": ["euca_conf", "euca-describe-services", "euca-describe-properties", "euca-modify-property"]}
CHECK = "0.2"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (PostgreSQL runs as another user)")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def host_ip():
    out = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        f = line.split()
        ip = f[f.index("inet") + 1].split("/")[0]
        if not ip.startswith("127."):
            return ip
    pytest.fail("this machine has no non-loopback IPv4 address (registration refuses loopback)")


class FakeCC(object):
    """Something answering HTTP as a CC (the CLC's cluster check) with a NODES list."""

    def __init__(self):
        self.nodes = []
        me = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                body = (json.dumps(me.nodes) if self.path == "/lab/nodes" else
                        "<html>Available services: EucalyptusCC</html>").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("0.0.0.0", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Cloud(object):
    def __init__(self, line):
        self.line = line
        self.dir = tempfile.mkdtemp(prefix="clc-standin-%s." % line)
        os.chmod(self.dir, 0o755)
        self.user = "eucalyptus" if _user_exists("eucalyptus") else "nobody"
        self.ip = host_ip()
        self.clc_port, self.db_port = free_port(), free_port()
        self.cc = FakeCC()
        self.cc_port = self.cc.port
        os.makedirs(self.p("etc/eucalyptus"))
        with open(self.p("etc/eucalyptus/eucalyptus-version"), "w") as f:
            f.write({"4.1": "4.1.2", "4.4": "4.4.5"}[line] + "\n")
        with open(self.p("etc/eucalyptus/eucalyptus.conf"), "w") as f:
            f.write('EUCALYPTUS="%s"\nEUCA_USER="%s"\nCLOUD_OPTS="--bind-addr=%s"\nCC_PORT="%d"\nNODES=""\n'
                    'VNET_MODE="VPCMIDO"\n' % (self.dir, self.user, self.ip, free_port()))
        os.makedirs(self.p("bin"))
        os.makedirs(self.p("usr/sbin"))
        for t in TOOLS[line]:
            os.symlink(os.path.join(STANDINS, "euca_admin.py"), self.p("bin", t))
        os.symlink(os.path.join(STANDINS, "eucalyptus_cloud.py"), self.p("usr/sbin/eucalyptus-cloud"))
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("AWS_", "EC2_", "EUCA_", "S3_", "EUARE_"))}
        self.env.update(PATH=self.p("bin") + ":" + os.environ["PATH"], EUCALYPTUS=self.dir,
                        EUCA_LAB_CLC_PORT=str(self.clc_port), EUCA_LAB_DB_PORT=str(self.db_port),
                        EUCA_LAB_CHECK_INTERVAL=CHECK)
        self.proc = None

    def p(self, *parts):
        return os.path.join(self.dir, *parts)

    def run(self, *argv, env=None, input=None):
        e = dict(self.env)
        e.update(env or {})
        return subprocess.run(list(argv), env=e, capture_output=True, text=True, input=input, timeout=60,
                              cwd=self.dir, check=False)

    def start(self):
        self.log = open(self.p("clc.log"), "ab")
        self.proc = subprocess.Popen([self.p("usr/sbin/eucalyptus-cloud"), "--bind-addr=%s" % self.ip],
                                     env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/services/Heartbeat" % self.clc_port, timeout=1).read()
                return
            except OSError:
                assert self.proc.poll() is None, open(self.p("clc.log")).read()
                time.sleep(0.1)
        pytest.fail("CLC did not answer: " + open(self.p("clc.log")).read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)

    def psql(self, sql):
        return subprocess.run(["psql", "-X", "-h", self.p("var/lib/eucalyptus/db/data"), "-p", str(self.db_port),
                               "-U", "eucalyptus", "-d", "eucalyptus_shared", "-At", "-F", "|", "-c", sql],
                              capture_output=True, text=True, timeout=30, check=False)

    def cleanup(self):
        self.stop()
        self.cc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def wait_for(fn, timeout=20):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > deadline:
            return v
        time.sleep(0.2)


# =============================================================================================
# 4.4: clcadmin-*, euserv-*, euctl, clusteradmin-*

@pytest.fixture(scope="module")
def clouds():
    """Both generations, initialised in parallel (each with its own command) and started."""
    made = {line: Cloud(line) for line in ("4.4", "4.1")}
    cmds = {"4.4": ["clcadmin-initialize-cloud"], "4.1": ["euca_conf", "--initialize"]}
    try:
        threads = []
        for line, c in made.items():
            t = threading.Thread(target=lambda c=c, line=line: setattr(c, "init_result", c.run(*cmds[line])))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        for line, c in made.items():
            assert c.init_result.returncode == 0, c.init_result.stdout + c.init_result.stderr
            c.start()
        yield made
    finally:
        for c in made.values():     # stop both at once, then clean up
            if c.proc and c.proc.poll() is None:
                c.proc.send_signal(signal.SIGTERM)
        for c in made.values():
            c.cleanup()


@pytest.fixture(scope="module")
def c44(clouds):
    return clouds["4.4"]


def creds(c):
    r = c.run("clcadmin-assume-system-credentials")
    assert r.returncode == 0, r.stderr
    env = {}
    for line in r.stdout.splitlines():
        m = re.match(r'^export (\w+)="?([^";]*)"?;$', line)
        if m:
            env[m.group(1)] = m.group(2)
    return r, env


def test_44_initialize_markers_and_refusal(c44):
    data = c44.p("var/lib/eucalyptus/db/data")
    assert os.path.exists(os.path.join(data, "ibdata1")) and os.path.exists(os.path.join(data, "server.crt"))
    for k in ("cloud-cert.pem", "cloud-pk.pem", "euca.p12"):
        assert os.path.exists(c44.p("var/lib/eucalyptus/keys", k))
    assert pwd.getpwuid(os.stat(data).st_uid).pw_name == c44.user
    r = c44.run("clcadmin-initialize-cloud")
    assert r.returncode == 1 and r.stderr.strip().endswith("clcadmin-initialize-cloud: cloud initialization failed")


def test_44_heartbeat_without_credentials(c44):
    body = urllib.request.urlopen("http://%s:%d/services/Heartbeat" % (c44.ip, c44.clc_port)).read().decode()
    line = re.compile(r"^name=.{20} enabled=.{10} local=.{10} initialized=.{10}$")
    assert body.splitlines() and all(line.match(x) for x in body.splitlines())
    assert any(x.startswith("name=eucalyptus ") and "enabled=true " in x for x in body.splitlines())
    req = urllib.request.Request("http://127.0.0.1:%d/services/Heartbeat" % c44.clc_port, data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 405


def test_44_credentials(c44):
    r, env = creds(c44)
    base = "http://127.0.0.1:%d/services" % c44.clc_port
    assert r.stdout.splitlines()[:3] == ["export AWS_IAM_URL=%s/Euare;" % base,
                                         "export EUCA_BOOTSTRAP_URL=%s/Empyrean;" % base,
                                         "export EUCA_PROPERTIES_URL=%s/Properties;" % base]
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_ACCESS_KEY"] == env["EC2_ACCESS_KEY"]
    assert env["AWS_SECRET_ACCESS_KEY"] == env["EC2_SECRET_KEY"] and len(env["AWS_SECRET_ACCESS_KEY"]) >= 20
    for v in ("AWS_CREDENTIAL_FILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "EC2_USER_ID"):
        assert "unset %s;" % v in r.stdout
    # the key really is the one in the CLC's database
    assert c44.psql("SELECT access_key FROM eucalyptus_auth.access_keys").stdout.split() == [env["AWS_ACCESS_KEY_ID"]]
    r = c44.run("clcadmin-assume-system-credentials", "extra")
    assert r.returncode == 1 and r.stdout == ""
    # the tools refuse to run without valid credentials
    r = c44.run("euserv-describe-services")
    assert r.returncode == 1 and r.stdout == "" and \
        r.stderr.strip() == "euserv-describe-services: error: missing access key ID; please supply one with -I"
    bad = dict(env, AWS_ACCESS_KEY_ID="AKIBOGUS")
    r = c44.run("euctl", "objectstorage.providerclient", env=bad)
    assert r.returncode == 1 and r.stderr.startswith("euctl: error (InvalidAccessKeyId): ")
    r = c44.run("euserv-register-service", "-t", "cluster", "-h", c44.ip, "-z", "zx", "zx-cc",
                env=dict(env, AWS_SECRET_ACCESS_KEY="wrong"))
    assert r.returncode == 1 and "error (SignatureDoesNotMatch)" in r.stderr
    assert c44.psql("SELECT count(*) FROM eucalyptus_config.services WHERE name='zx-cc'").stdout.strip() == "0"


def describe(c, env, *args):
    r = c.run("euserv-describe-services", *args, env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout


def rows(text):
    return [line.split() for line in text.splitlines()]


def state_of(c, env, name):
    for f in rows(describe(c, env, "--show-empty-fields", name)):
        if f[3] == name:
            return f[4]
    return None


def test_44_registration_states_and_properties(c44):
    c = c44
    _out, env = creds(c)

    def reg(*a):
        return c.run("euserv-register-service", *a, env=env)

    # nothing printed and exit 0, for success AND refusal (reference §2.2)
    for argv in (["-t", "cluster", "-h", c.ip, "-z", "zone1", "--port", str(c.cc_port), "zone1-cc"],
                 ["-t", "storage", "-h", c.ip, "-z", "zone1", "--port", str(c.clc_port), "zone1-sc"],
                 ["-t", "user-api", "-h", c.ip, "--port", str(c.clc_port), "api." + c.ip],
                 ["-t", "walrusbackend", "-h", c.ip, "--port", str(c.clc_port), "walrus." + c.ip],
                 ["-t", "walrusbackend", "-h", "127.0.0.1", "walrus-lo"],          # loopback: refused
                 ["-t", "cluster", "-h", c.ip, "-z", "zone1", "--port", str(c.cc_port), "zone1-cc-b"]):  # same host
        r = reg(*argv)
        assert (r.returncode, r.stdout, r.stderr) == (0, "", ""), argv
    names = [f[3] for f in rows(describe(c, env))]
    assert "walrus-lo" not in names and "zone1-cc-b" not in names
    assert {"zone1-cc", "zone1-sc", "api." + c.ip, "walrus." + c.ip} <= set(names)
    # registration only returns; the state checks move the services
    assert wait_for(lambda: state_of(c, env, "zone1-cc") == "enabled"), describe(c, env)
    assert wait_for(lambda: state_of(c, env, "walrus." + c.ip) == "enabled")
    assert wait_for(lambda: state_of(c, env, "api." + c.ip) == "enabled")
    assert state_of(c, env, "zone1-sc") == "broken"
    assert state_of(c, env, "api.%s.objectstorage" % c.ip) == "broken"
    # the real client: the services table in the CLC's PostgreSQL
    q = c.psql("SELECT name, type, partition, host, state FROM eucalyptus_config.services ORDER BY name")
    assert q.returncode == 0, q.stderr
    table = {r.split("|")[0]: r.split("|")[1:] for r in q.stdout.splitlines()}
    assert table["zone1-cc"] == ["cluster", "zone1", c.ip, "ENABLED"]
    assert table["zone1-sc"] == ["storage", "zone1", c.ip, "BROKEN"]
    assert table["walrus." + c.ip][:2] == ["walrusbackend", "walrus." + c.ip]
    # euctl: zone properties exist now; set the backends
    r = c.run("euctl", "zone1.storage.blockstoragemanager=overlay", env=env)
    assert (r.returncode, r.stdout) == (0, "zone1.storage.blockstoragemanager = overlay\n"), r.stderr
    r = c.run("euctl", "objectstorage.providerclient=walrus", env=env)
    assert r.stdout == "objectstorage.providerclient = walrus\n"
    assert wait_for(lambda: state_of(c, env, "zone1-sc") == "enabled")
    assert wait_for(lambda: state_of(c, env, "api.%s.objectstorage" % c.ip) == "enabled")
    # same name, new port: silently re-pointed (reference §2.4)
    port2 = c.cc_port
    r = reg("-t", "cluster", "-h", c.ip, "-z", "zone1", "--port", "1", "zone1-cc")
    assert (r.returncode, r.stdout) == (0, "")
    expert = describe(c, env, "--expert", "zone1-cc")
    assert "http://%s:1/axis2/services/EucalyptusCC" % c.ip in expert
    assert wait_for(lambda: state_of(c, env, "zone1-cc") == "notready")   # nothing answers on port 1
    reg("-t", "cluster", "-h", c.ip, "-z", "zone1", "--port", str(port2), "zone1-cc")
    assert wait_for(lambda: state_of(c, env, "zone1-cc") == "enabled")


def test_44_describe_formats(c44):
    c = c44
    _out, env = creds(c)
    assert wait_for(lambda: state_of(c, env, "zone1-cc") == "enabled")
    out = describe(c, env)
    lines = out.splitlines()
    # prettytable: no header, space-aligned, every cell padded to its column width + 2
    assert lines and all(l.startswith("SERVICE  ") and l.endswith("  ") for l in lines)
    assert len({len(l) for l in lines}) == 1
    assert all(len(f) == 5 for f in rows(out))
    types = [f[1] for f in rows(out)]
    assert types == sorted(types)                                   # grouped by type, sorted
    assert all(f[4] == f[4].lower() for f in rows(out))             # lower-case states
    hdr = describe(c, env, "--show-headers").splitlines()[0]
    assert hdr.split() == ["SERVICE", "TYPE", "ZONE", "NAME", "STATE"]
    expert = rows(describe(c, env, "--expert", "--show-empty-fields"))
    assert all(len(f) == 6 and f[5] == "(nil)" for f in expert)
    assert ["SERVICE", "arn:euca:eucalyptus:zone1:cluster:zone1-cc/", "enabled"] == expert[
        [f[1] for f in expert].index("arn:euca:eucalyptus:zone1:cluster:zone1-cc/")][:3]
    assert rows(describe(c, env, "--expert"))[0][-1] != "(nil)"      # without the option the cell is empty
    only = rows(describe(c, env, "--filter", "service-type=cluster", "--filter", "service-type=storage"))
    assert sorted(f[1] for f in only) == ["cluster", "storage"]
    byhost = rows(describe(c, env, "--group-by-host", "--filter", "availability-zone=zone1"))
    assert {f[1] for f in byhost} == {c.ip}
    assert describe(c, env, "no-such-service") == ""
    # node entries only with -a (the CC reports its NODES)
    c.cc.nodes = ["10.99.0.7"]
    assert wait_for(lambda: any(f[1] == "node" for f in rows(describe(c, env, "-a"))))
    assert not any(f[1] == "node" for f in rows(describe(c, env)))
    node = [f for f in rows(describe(c, env, "-a")) if f[1] == "node"][0]
    assert node[2:4] == ["zone1", "10.99.0.7"]


def test_44_euctl(c44, tmp_path):
    c = c44
    _out, env = creds(c)
    r = c.run("euctl", "-n", "objectstorage.providerclient", env=env)
    assert r.stdout == "walrus\n"
    r = c.run("euctl", "authentication", env=env)
    names = [l.split(" = ")[0] for l in r.stdout.splitlines()]
    assert "authentication.access_keys_limit" in names and "authentication.ldap_integration_configuration" not in names
    assert all(n.startswith("authentication") for n in names)
    r = c.run("euctl", "-A", "cloud.network.network_configuration", env=env)
    assert r.stdout == "" and r.stderr == "use euctl --dump to view cloud.network.network_configuration\n"
    r = c.run("euctl", "authentication.access_keys_limit=3", env=env)
    assert r.stdout == "authentication.access_keys_limit = 3\n"
    r = c.run("euctl", "-r", "authentication.access_keys_limit", env=env)
    assert r.stdout == "authentication.access_keys_limit = 2\n"
    r = c.run("euctl", "no.such.property", env=env)
    assert (r.returncode, r.stdout) == (0, "")
    r = c.run("euctl", "no.such.property=1", env=env)
    assert r.returncode == 1 and \
        r.stderr == "euctl: error (ModifyPropertyValueType): Failed to set property: No such property: no.such.property\n"
    r = c.run("euctl", "cloud.network.network_configuration=@" + str(tmp_path / "missing.json"), env=env)
    assert r.returncode == 1 and r.stderr == "euctl: error: No such file or directory: %s\n" % (tmp_path / "missing.json")
    nc = {"Mode": "VPCMIDO", "InstanceDnsServers": [c.ip], "PublicIps": ["172.19.1.10-172.19.1.20"],
          "Mido": {"EucanetdHost": c.ip, "GatewayHost": c.ip, "GatewayIP": "172.19.0.2",
                   "GatewayInterface": "veth1", "PublicGatewayIP": "172.19.0.1",
                   "PublicNetworkCidr": "172.19.0.0/30"}}
    f = tmp_path / "network.json"
    f.write_text("\n\n  " + json.dumps(nc, indent=4) + "\n\n")
    r = c.run("euctl", "cloud.network.network_configuration=@%s" % f, env=env)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")            # JSON properties print nothing
    r = c.run("euctl", "cloud.network", env=env)
    assert r.stdout == ""
    r = c.run("euctl", "--format", "raw", "--dump", "cloud.network.network_configuration", env=env)
    assert r.stdout == json.dumps(nc, indent=4) + "\n"                  # @FILE stripped
    r = c.run("euctl", "--dump", "cloud.network.network_configuration", env=env)
    assert json.loads(r.stdout) == nc and r.stdout == json.dumps(nc, indent=2) + "\n"
    r = c.run("euctl", "--dump", "a", "b", env=env)
    assert r.returncode == 2 and "argument --dump must be accompanied by exactly one variable name" in r.stderr
    # the GNI follows the configuration and the registered CC
    gtext = wait_for(lambda: "VPCMIDO" in _read(c.p("var/run/eucalyptus/global_network_info.xml"))
                     and _read(c.p("var/run/eucalyptus/global_network_info.xml")))
    import importlib.util
    spec = importlib.util.spec_from_file_location("gni_t", os.path.join(STANDINS, "gni.py"))
    g = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(g)
    doc = g.parse(gtext)
    assert doc["enabled_clc_ip"] == c.ip and doc["mode"] == "VPCMIDO"
    assert doc["network_configuration"]["Mido"]["GatewayInterface"] == "veth1"
    assert [(x["name"], x["cc_host"]) for x in doc["clusters"]] == [("zone1", c.ip)]
    # a bad document is refused with the CLC's message and the old one stays
    bad = dict(nc)
    del bad["PublicIps"]
    f.write_text(json.dumps(bad))
    r = c.run("euctl", "cloud.network.network_configuration=@%s" % f, env=env)
    assert r.returncode == 1 and r.stderr == \
        'euctl: error (ModifyPropertyValueType): Missing required property "PublicIps"\n'
    for doc_, msg in ((dict(nc, _comment="x"), 'Unrecognized field "_comment"'),
                      (dict(nc, Mode="MANAGED-VLAN"), 'Invalid mode "Mode": "MANAGED-VLAN"'),
                      (dict(nc, PrivateIps=["10.0.0.1"]), "Private IP configuration not permitted for VPCMIDO."),
                      (dict(nc, Mido=dict(nc["Mido"], Gateways=[{"Ip": "10.0.0.1"}])),
                       'Invalid use of property "Mido.PublicNetworkCidr"')):
        f.write_text(json.dumps(doc_))
        r = c.run("euctl", "cloud.network.network_configuration=@%s" % f, env=env)
        assert r.returncode == 1 and msg in r.stderr, (doc_, r.stderr)
    r = c.run("euctl", "--format", "raw", "--dump", "cloud.network.network_configuration", env=env)
    assert json.loads(r.stdout) == nc


def _read(p):
    try:
        with open(p) as f:
            return f.read()
    except OSError:
        return ""


def test_44_limits_deregister_and_stub(c44):
    c = c44
    _out, env = creds(c)
    # one CC per host (another zone, same host: refused), at most two CCs per zone
    r = c.run("euserv-register-service", "-t", "cluster", "-h", c.ip, "-z", "zone9", "--port", str(c.cc_port),
              "cc-same-host", env=env)
    assert (r.returncode, r.stdout) == (0, "")
    for i in (1, 2, 3):
        r = c.run("euserv-register-service", "-t", "cluster", "-h", "192.0.2.%d" % (200 + i), "-z", "zone2",
                  "cc-%d" % i, env=env)
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    names = [f[3] for f in rows(describe(c, env, "--filter", "service-type=cluster"))]
    assert "cc-same-host" not in names and "cc-1" in names and "cc-2" in names and "cc-3" not in names
    for n in ("cc-1", "cc-2"):
        c.run("euserv-deregister-service", n, env=env)
    r = c.run("euserv-deregister-service", "no-such-name", env=env)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = c.run("euserv-deregister-service", "walrus." + c.ip, env=env)
    assert (r.returncode, r.stdout) == (0, "")
    assert "walrus." + c.ip not in [f[3] for f in rows(describe(c, env))]
    r = c.run("euca_conf", "--register-nodes", "10.0.0.1")
    assert r.returncode == 1 and r.stdout == "" and "euca_conf is no longer supported." in r.stderr \
        and "clusteradmin-register-nodes" in r.stderr


def test_44_clusteradmin_nodes(c44):
    c = c44
    conf = c.p("etc/eucalyptus/eucalyptus.conf")
    r = c.run("clusteradmin-register-nodes", "10.0.0.3", "10.0.0.4")
    assert (r.returncode, r.stdout) == (0, "")
    nodes = re.search(r'^NODES="([^"]*)"$', _read(conf), re.M).group(1).split()
    assert sorted(nodes) == ["10.0.0.3", "10.0.0.4"]
    r = c.run("clusteradmin-register-nodes", "10.0.0.3", "10.0.0.5")
    assert sorted(re.search(r'^NODES="([^"]*)"$', _read(conf), re.M).group(1).split()) == \
        ["10.0.0.3", "10.0.0.4", "10.0.0.5"]
    r = c.run("clusteradmin-register-nodes", "node7")
    assert (r.returncode, r.stdout) == (0, "Use only IPv4 addresses while registering new nodes. "
                                           "The node7 is not a valid IP.\n")
    r = c.run("clusteradmin-deregister-nodes", "10.0.0.4")
    assert sorted(re.search(r'^NODES="([^"]*)"$', _read(conf), re.M).group(1).split()) == ["10.0.0.3", "10.0.0.5"]
    other = c.p("other")
    os.makedirs(c.p("other/etc/eucalyptus"))
    with open(c.p("other/etc/eucalyptus/eucalyptus.conf"), "w") as f:
        f.write('#NODES=""\n')
    r = c.run("clusteradmin-register-nodes", "10.0.0.9", env={"EUCALYPTUS": other})
    assert r.returncode == 0 and _read(c.p("other/etc/eucalyptus/eucalyptus.conf")) == '#NODES=""\n'
    r = c.run("clusteradmin-register-nodes", "10.0.0.9", env={"EUCALYPTUS": c.p("nowhere")})
    assert r.returncode == 1 and "cannot access" in r.stderr


def test_44_copy_keys_local(c44):
    c = c44
    remote = c.p("remote-keys")
    r = c.run("clcadmin-copy-keys", "-z", "zone1", "--remote-keydir", remote, c.ip)
    assert r.returncode == 0, r.stderr
    for f in ("cloud-cert.pem", "euca.p12", "cloud-pk.pem", "zone1/node-pk.pem", "cluster-cert.pem", "node-pk.pem"):
        assert os.path.exists(os.path.join(remote, f)), f
    r = c.run("clcadmin-copy-keys", "-z", "nozone", "--remote-keydir", remote, c.ip)
    assert r.returncode == 1 and "Traceback" in r.stderr and "nozone" in r.stderr
    r = c.run("clusteradmin-copy-keys", "--local-keydir", remote, "--remote-keydir", c.p("nc-keys"), c.ip)
    assert r.returncode == 0 and sorted(os.listdir(c.p("nc-keys"))) == \
        ["cloud-cert.pem", "cluster-cert.pem", "cluster-pk.pem", "node-cert.pem", "node-pk.pem"]


def test_44_clc_down(c44):
    c = c44
    _out, env = creds(c)
    c.stop()
    try:
        r = c.run("euserv-describe-services", env=env)
        assert r.returncode == 1 and r.stdout == "" and r.stderr.startswith("euserv-describe-services: error: ") \
            and "Connection refused" in r.stderr
        r = c.run("euctl", "objectstorage.providerclient=walrus", env=env)
        assert r.returncode == 1 and "Connection refused" in r.stderr
        r = c.run("euserv-register-service", "-t", "cluster", "-h", c.ip, "-z", "z9", "z9-cc", env=env)
        assert r.returncode == 1 and "Connection refused" in r.stderr
        r = c.run("clcadmin-assume-system-credentials")
        assert r.returncode != 0 and r.stdout == "" and "psql" in r.stderr
    finally:
        c.start()
    # state survives the restart (it is in PostgreSQL)
    assert state_of(c, env, "zone1-cc") in ("enabled", "notready", "disabled")


# =============================================================================================
# 4.1: euca_conf, euca-describe-services, euca-describe-properties, euca-modify-property

@pytest.fixture(scope="module")
def c41(clouds):
    return clouds["4.1"]


def eucarc_env(c):
    with zipfile.ZipFile(c.p("admin.zip")) as z:
        text = z.read("eucarc").decode()
    env = {}
    for line in text.splitlines():
        m = re.match(r"^export (\w+)='?([^']*)'?$", line)
        if m and "$" not in m.group(2):
            env[m.group(1)] = m.group(2)
    return env


def test_41_initialize(c41):
    assert c41.init_result.stdout == ("Initializing a new cloud.  This may take a few minutes.\n"
                                      "Initialize command succeeded\n")
    r = c41.run("euca_conf", "--initialize")
    assert (r.returncode, r.stdout) == (1, "error: database in %s already exists\n" % c41.p("var/lib/eucalyptus/db"))


def test_41_credentials_and_local_auth(c41):
    c = c41
    r = c.run("euca-describe-properties", "objectstorage")
    assert (r.returncode, r.stdout) == (1, "Unable to find credentials.\n")
    r = c.run("euca-describe-services")
    assert r.returncode == 0 and "warning: No credentials found; attempting local authentication" in r.stderr
    f = r.stdout.splitlines()[0].split("\t")
    assert f[0] == "SERVICE" and f[1].strip() == "eucalyptus" and f[4].strip() == "ENABLED" and len(f) == 8
    assert len(f[1]) == 18 and len(f[2]) == 10 and len(f[4]) == 8        # %-18s, %-10s, %-8s
    r = c.run("euca_conf", "--get-credentials", "admin.zip")
    assert (r.returncode, r.stdout) == (0, "")
    env = eucarc_env(c)
    assert env["EC2_URL"] == "http://%s:%d/services/compute" % (c.ip, c.clc_port)
    assert env["EC2_ACCESS_KEY"] == env["AWS_ACCESS_KEY"]
    r = c.run("euca_conf", "--get-credentials", "admin.zip")
    assert (r.returncode, r.stdout) == (1, "file admin.zip already exists, please remove and try again\n")
    r = c.run("euca-describe-properties", "objectstorage.providerclient", env=env)
    assert (r.returncode, r.stdout) == (0, "PROPERTY\tobjectstorage.providerclient\t\n")


def test_41_register_and_properties(c41, tmp_path):
    c = c41
    env = eucarc_env(c)
    kd = c.p("var/lib/eucalyptus/keys")
    # --register-nodes before the CC is local and before its keys exist
    r = c.run("euca_conf", "--register-nodes", "10.0.0.3")
    assert (r.returncode, r.stderr) == (1, "warning: CC must be local service to run this command\n")
    with open(c.p("etc/eucalyptus/eucalyptus.conf")) as f:
        text = f.read()
    with open(c.p("etc/eucalyptus/eucalyptus.conf"), "w") as f:
        f.write(re.sub(r'CC_PORT="\d+"', 'CC_PORT="%d"' % c.cc_port, text))
    r = c.run("euca_conf", "--register-nodes", "10.0.0.3")
    assert r.returncode == 1 and r.stdout.startswith("The following expected credentials are missing:\n")
    r = c.run("euca_conf", "--register-cluster", "-P", "zone1", "-H", c.ip, "-C", "zone1-cc",
              "--cc-port", str(c.cc_port), env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.splitlines() == ["Created new partition 'zone1'"]
    f = r.stdout.rstrip("\n").split("\t")
    assert [x.strip() for x in f[:3]] == ["SERVICE", "cluster", "zone1"] and f[3].strip() == "zone1-cc"
    assert f[-1] == "arn:euca:eucalyptus:zone1:cluster:zone1-cc/"
    r2 = c.run("euca_conf", "--register-cluster", "-P", "zone1", "-H", c.ip, "-C", "zone1-cc",
               "--cc-port", str(c.cc_port), env=env)
    assert r2.returncode == 0 and r2.stderr == "" and r2.stdout.split("\t")[3].strip() == "zone1-cc"   # identical
    r = c.run("euca_conf", "--register-cluster", "-P", "zone1", "-H", c.ip, "-C", "other-cc",
              "--cc-port", str(c.cc_port), env=env)
    assert (r.returncode, r.stdout) == (1, "error: Component with host=%s already exists with name=zone1-cc\n" % c.ip)
    r = c.run("euca_conf", "--register-cluster", "-P", "zone1", "-H", c.ip, env=env)
    assert r.returncode == 2 and "option(s) ['-C/--component'] is/are required" in r.stderr
    assert os.path.exists(os.path.join(kd, "zone1", "vtunpass")) and os.path.exists(os.path.join(kd, "node-cert.pem"))
    r = c.run("euca_conf", "--register-sc", "-P", "zone1", "-H", c.ip, "-C", "zone1-sc", env=env)
    assert r.returncode == 0 and r.stdout.startswith("SERVICE\tstorage")
    r = c.run("euca_conf", "--register-walrusbackend", "walrus", c.ip, env=env)      # positional form
    assert r.returncode == 0 and "walrusbackend-%s" % c.ip in r.stdout
    r = c.run("euca_conf", "--register-service", "-T", "user-api", "-H", c.ip, "-N", "API_1",
              "--service-port", str(c.clc_port), env=env)
    want = ["SERVICE", "%-18s" % "user-api", "%-10s" % "API_1", "%-21s" % "API_1"]
    assert r.returncode == 0 and r.stdout.split("\t")[:4] == want
    r = c.run("euca_conf", "--register-service", "-T", "user-api", "-H", "127.0.0.1", "-N", "API_lo", env=env)
    assert r.returncode == 1 and r.stdout.startswith("error: registration failed\nERROR\t") and \
        "Components cannot be registered using local, link-local, or multicast addresses." in r.stdout

    def st(name):
        out = c.run("euca-describe-services", name, env=env).stdout
        return out.split("\t")[4].strip() if out else None
    assert wait_for(lambda: st("zone1-cc") == "ENABLED")
    assert st("zone1-sc") == "BROKEN"
    r = c.run("euca-describe-services", "-E", "zone1-sc", env=env)
    assert "SERVICEEVENT" in r.stdout and "blockstorageamanger not configured" in r.stdout
    r = c.run("euca-modify-property", "-p", "zone1.storage.blockstoragemanager=overlay", env=env)
    assert (r.returncode, r.stdout) == (0, "PROPERTY\tzone1.storage.blockstoragemanager\toverlay was unset\n")
    assert wait_for(lambda: st("zone1-sc") == "ENABLED")
    r = c.run("euca-modify-property", "-p", "no.such=1", env=env)
    assert (r.returncode, r.stdout) == (1, "Error(ModifyPropertyValueType): Failed to set property: "
                                           "No such property: no.such\n")
    r = c.run("euca-modify-property", "-p", "novalue", env=env)
    assert (r.returncode, r.stdout) == (1, "Options must be of the form KEY=VALUE: novalue\n")
    r = c.run("euca-modify-property", "-f", "cloud.network.network_configuration=/no/file", env=env)
    assert (r.returncode, r.stdout) == (1, "Error: Unable to read file: /no/file\n")
    nc = {"Mode": "VPCMIDO", "InstanceDnsServers": [c.ip], "PublicIps": ["172.19.1.10-172.19.1.20"],
          "Mido": {"EucanetdHost": "clc", "GatewayHost": "clc", "GatewayIP": "172.19.0.2",
                   "GatewayInterface": "veth1", "PublicGatewayIP": "172.19.0.1",
                   "PublicNetworkCidr": "172.19.0.0/30"}}
    raw = json.dumps(nc, indent=2) + "\n\n"
    (tmp_path / "network.json").write_text(raw)
    r = c.run("euca-modify-property", "-f", "cloud.network.network_configuration=%s" % (tmp_path / "network.json"),
              env=env)
    assert r.returncode == 0 and r.stdout == "PROPERTY\tcloud.network.network_configuration\t%s was \n" % raw
    r = c.run("euca-describe-properties", "cloud.network.network_configuration", env=env)
    assert r.stdout == "PROPERTY\tcloud.network.network_configuration\t%s\n" % raw   # raw, not stripped
    # 4.1 requires all six Mido keys and knows no Gateways list
    bad = dict(nc, Mido={k: v for k, v in nc["Mido"].items() if k != "EucanetdHost"})
    r = c.run("euca-modify-property", "-p", "cloud.network.network_configuration=" + json.dumps(bad), env=env)
    assert (r.returncode, r.stdout) == (1, 'Error(ModifyPropertyValueType): Missing required property '
                                           '"Mido.EucanetdHost"\n')
    r = c.run("euca-modify-property", "-p", "cloud.network.network_configuration=" +
              json.dumps(dict(nc, Mode="MANAGED")), env=env)
    assert r.returncode == 1 and 'Invalid mode "Mode": "MANAGED"' in r.stdout
    gtext = wait_for(lambda: "veth1" in _read(c.p("var/run/eucalyptus/global_network_info.xml"))
                     and _read(c.p("var/run/eucalyptus/global_network_info.xml")))
    assert "<property name=\"gatewayInterface\">" in gtext and "name=\"gateways\"" not in gtext   # 4.1 shape
    # nodes on the CC host
    r = c.run("euca_conf", "--register-nodes", "10.0.0.3 10.0.0.4", "--no-sync")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("INFO: We expect all nodes to have eucalyptus installed in $EUCALYPTUS for key "
                               "synchronization.\n") and r.stdout.endswith("...done\n")
    assert re.search(r'^NODES="10.0.0.3 10.0.0.4"$', _read(c.p("etc/eucalyptus/eucalyptus.conf")), re.M)
    r = c.run("euca_conf", "--deregister-nodes", "10.0.0.9")
    assert (r.returncode, r.stderr) == (0, "warning: Node 10.0.0.9 is not currently registered\n")
    r = c.run("euca_conf", "--deregister-nodes", "10.0.0.3")
    assert r.returncode == 0 and re.search(r'^NODES="10.0.0.4"$', _read(c.p("etc/eucalyptus/eucalyptus.conf")), re.M)
    # deregistration
    r = c.run("euca_conf", "--deregister-walrusbackend", "-P", "walrusbackend", "-C", "walrusbackend-" + c.ip, env=env)
    assert (r.returncode, r.stdout) == (0, "")
    r = c.run("euca_conf", "--deregister-walrusbackend", "-P", "walrusbackend", "-C", "nothing", env=env)
    assert r.returncode == 1 and r.stdout.startswith("error: ")
    q = c.psql("SELECT name FROM eucalyptus_config.services ORDER BY name")
    assert q.stdout.split() == sorted([c.ip, "API_1", "zone1-cc", "zone1-sc"])


def test_41_clc_down(c41):
    c = c41
    env = eucarc_env(c)
    c.stop()
    try:
        r = c.run("euca-describe-services", env=env)
        assert r.returncode == 1 and "Connection refused" in r.stdout
        r = c.run("euca-modify-property", "-p", "objectstorage.providerclient=walrus", env=env)
        assert r.returncode == 1 and "Connection refused" in r.stdout
    finally:
        c.start()


# =============================================================================================
# a host without a database (UFS/Walrus/SC only) and the lab packages

def test_non_clc_host_serves_only_the_heartbeat():
    d = tempfile.mkdtemp(prefix="clc-standin-ufs.")
    try:
        os.makedirs(os.path.join(d, "etc/eucalyptus"))
        with open(os.path.join(d, "etc/eucalyptus/eucalyptus-version"), "w") as f:
            f.write("4.4.5\n")
        port = free_port()
        env = dict(os.environ, EUCALYPTUS=d, EUCA_LAB_CLC_PORT=str(port), EUCA_LAB_CHECK_INTERVAL=CHECK)
        proc = subprocess.Popen([os.path.join(STANDINS, "eucalyptus_cloud.py")], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            body = wait_for(lambda: _get("http://127.0.0.1:%d/services/Heartbeat" % port))
            assert body and "name=bootstrap            enabled=true       local=true" in body
            assert "name=eucalyptus           enabled=false" in body
            req = urllib.request.Request("http://127.0.0.1:%d/services/Empyrean/" % port, data=b"{}", method="POST")
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(req)
            assert e.value.code == 503
            assert not os.path.exists(os.path.join(d, "var/lib/eucalyptus/db"))
        finally:
            proc.terminate()
            proc.wait(10)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _get(url):
    try:
        return urllib.request.urlopen(url, timeout=1).read().decode()
    except OSError:
        return None


def test_lab_packages_per_line(tmp_path):
    out = tmp_path / "repo"
    r = subprocess.run([os.path.join(TOP, "tests", "lab", "packages", "build.sh"), str(out)],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    for line, version in (("4.1", "4.1.2"), ("4.4", "4.4.5")):
        repo = out / ("eucalyptus-" + line)
        stanzas = (repo / "Packages").read_text().split("\n\n")
        pk = {s.split("\n")[0].split(": ")[1]: s for s in stanzas if s.strip()}
        assert {"eucalyptus", "eucalyptus-cloud", "eucalyptus-admin-tools"} <= set(pk)
        assert all("Version: %s-lab1" % version in s for s in pk.values())
        assert "postgresql" in pk["eucalyptus-cloud"].split("Depends: ")[1].split("\n")[0]
        deb = repo / ("eucalyptus_%s-lab1_all.deb" % version)
        x = tmp_path / ("x" + line)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(x)], check=True)
        assert (x / "etc/eucalyptus/eucalyptus-version").read_text() == version + "\n"
        conf = (x / "etc/eucalyptus/eucalyptus.conf").read_text()
        assert ('\nVNET_MODE="MANAGED-NOVLAN"' in conf) == (line == "4.1") and ('#VNET_MODE="EDGE"' in conf) == (line == "4.4")
        post = subprocess.run(["dpkg-deb", "-I", str(deb), "postinst"], capture_output=True, text=True, check=False).stdout
        assert "useradd -r -g eucalyptus" in post
        cloud = subprocess.run(["dpkg-deb", "-c", str(repo / ("eucalyptus-cloud_%s-lab1_all.deb" % version))],
                               capture_output=True, text=True, check=False).stdout
        unit = "./lib/systemd/system/eucalyptus-cloud.service" if line == "4.4" else "./etc/init.d/eucalyptus-cloud"
        assert unit in cloud and "./usr/sbin/eucalyptus-cloud -> ../share/eucalyptus/lab/eucalyptus_cloud.py" in cloud
        tools = subprocess.run(["dpkg-deb", "-c", str(repo / ("eucalyptus-admin-tools_%s-lab1_all.deb" % version))],
                               capture_output=True, text=True, check=False).stdout
        names = ["euctl", "euserv-describe-services"] if line == "4.4" else ["euca-modify-property", "euca_conf"]
        assert all(n in tools for n in names)
        assert ("euca-describe-properties" in tools) == (line == "4.1")
