"""The lab set-up of the euca_* module integration tests: a CLC stand-in with a real PostgreSQL per
product line (4.1: euca_conf and euca-* tools, 4.4: euserv-*, euctl, clcadmin-*, clusteradmin-*),
set up exactly as tests/integration/standins/test_clc_standin.py does (its ``Cloud`` class: its own
$EUCALYPTUS tree, the stand-in tools as symlinks named as the real tools on PATH, a small HTTP
answer for the CC, ``psql`` to read the CLC's tables).

The modules run as on a target (tests/module_runner.py) with that environment. The 4.1 cloud's
admin credentials come from ``euca_conf --get-credentials`` (the zip's ``eucarc``, given to the
modules as their ``eucarc`` option); the 4.4 modules take the system credentials themselves.
"""
import os
import re
import subprocess
import sys
import zipfile


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "standins"))

from test_clc_standin import Cloud  # noqa: E402  (the stand-in set-up, one place)
from module_runner import run_module  # noqa: E402


class EucaCloud(object):
    """A running CLC stand-in of one product line, and the modules run against it."""

    def __init__(self, line):
        self.line = line
        self.c = Cloud(line)
        self.ip = self.c.ip
        self.eucarc = None

    def setup(self):
        c = self.c
        r = c.run("euca_conf", "--initialize") if self.line == "4.1" else c.run("clcadmin-initialize-cloud")
        assert r.returncode == 0, r.stdout + r.stderr
        c.start()
        # the CC answers on the host's CC_PORT (4.1 euca_conf --register-nodes asks 127.0.0.1:CC_PORT)
        conf = c.p("etc/eucalyptus/eucalyptus.conf")
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            f.write(re.sub(r'CC_PORT="\d+"', 'CC_PORT="%d"' % c.cc_port, text))
        if self.line == "4.1":
            r = c.run("euca_conf", "--get-credentials", "admin.zip")
            assert r.returncode == 0, r.stdout + r.stderr
            os.makedirs(c.p("creds"))
            with zipfile.ZipFile(c.p("admin.zip")) as z:
                z.extractall(c.p("creds"))
            self.eucarc = c.p("creds", "eucarc")
            assert os.path.exists(self.eucarc)

    @property
    def tools(self):
        return "euca_conf" if self.line == "4.1" else "euserv"

    def module(self, name, args=None, check=False, diff=False, env=None):
        args = dict(args or {})
        if self.eucarc:
            args.setdefault("eucarc", self.eucarc)
        e = dict(self.c.env)
        e.update(env or {})
        return run_module(name, args, check=check, diff=diff, env=e)

    def tool(self, *argv, **kw):
        """A stand-in tool run directly, with the line's admin credentials."""
        env = dict(kw.pop("env", None) or {})
        env.update(self.credentials())
        return self.c.run(*argv, env=env, **kw)

    def credentials(self):
        if self.line == "4.4":
            r = self.c.run("clcadmin-assume-system-credentials")
            assert r.returncode == 0, r.stderr
            pattern = r'^export (\w+)="?([^";]*)"?;$'
        else:
            with open(self.eucarc) as f:
                r = type("R", (), {"stdout": f.read()})
            pattern = r"^export (\w+)='?([^']*)'?$"
        env = {}
        for line in r.stdout.splitlines():
            m = re.match(pattern, line)
            if m and "$" not in m.group(2):
                env[m.group(1)] = m.group(2)
        return env

    def services_db(self):
        """name -> (type, partition, host, state) as the CLC's PostgreSQL holds them (psql)."""
        q = self.c.psql("SELECT name, type, partition, host, state FROM eucalyptus_config.services ORDER BY name")
        assert q.returncode == 0, q.stderr
        out = {}
        for line in q.stdout.splitlines():
            name, type_, part, host, state = line.split("|")
            out[name] = (type_, part, host, state.lower())
        return out

    def property_db(self, name):
        q = self.c.psql("SELECT value FROM eucalyptus_config.properties WHERE name='%s'" % name)
        assert q.returncode == 0, q.stderr
        return q.stdout[:-1] if q.stdout.endswith("\n") else q.stdout

    def nodes(self):
        with open(self.c.p("etc/eucalyptus/eucalyptus.conf")) as f:
            m = re.search(r'^NODES="([^"]*)"$', f.read(), re.M)
        return sorted(m.group(1).split())

    def cleanup(self):
        self.c.cleanup()


def ok(result):
    assert not result.failed, (result.get("msg"), result.stderr[-3000:])
    return result


def failed(result):
    assert result.failed, result
    return result


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
