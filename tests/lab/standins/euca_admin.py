#!/usr/bin/python3
"""LAB STAND-IN for the Eucalyptus admin tools of 4.1 (eucadmin: ``euca_conf``,
``euca-describe-services``, ``euca-describe-properties``, ``euca-modify-property``) and 4.4
(``euserv-register-service``, ``euserv-deregister-service``, ``euserv-describe-services``, ``euctl``,
the ``euca_conf`` stub, ``clcadmin-initialize-cloud``, ``clcadmin-assume-system-credentials``,
``clcadmin-copy-keys``, ``clusteradmin-copy-keys``, ``clusteradmin-register-nodes``,
``clusteradmin-deregister-nodes``). Not Eucalyptus; for the eucalyptus.cloud lab only.

One file, installed once (/usr/share/eucalyptus/lab/euca_admin.py) and linked under every tool
name; the tool is chosen by ``basename(argv[0])`` (as the real clcadmin/clusteradmin scripts do)
and the product line by ``$EUCALYPTUS/etc/eucalyptus/eucalyptus-version``. Command lines, output
formats, exit codes and failures are those of the shared reference eucalyptus-admin-tools.md
(§1 4.1, §2 euserv, §3 euctl, §4 clcadmin/clusteradmin, §10 condensed); they talk to the CLC
stand-in (eucalyptus_cloud.py) over its internal JSON protocol (euca_common.call).

Credentials: the 4.4 tools need ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` (or -I/-S, or the
EC2_/AWS_ aliases) as printed by clcadmin-assume-system-credentials, and the endpoint from -U,
EUCA_BOOTSTRAP_URL / EUCA_PROPERTIES_URL, else the localhost region
(/etc/eucalyptus-admin/conf.d/localhost.ini, port EUCA_LAB_CLC_PORT or 8773). The 4.1 tools read
``EC2_ACCESS_KEY``/``EC2_SECRET_KEY`` (or AWS_ACCESS_KEY/AWS_SECRET_KEY) and the CLC from
``EC2_URL`` as a sourced eucarc sets them; euca-describe-services and euca_conf --list-* fall back
to local authentication (the admin key read from the CLC's database, reference §1.1).

Not modelled: SOAP/AWS-query signing, SSL, ANSI colours on a TTY, euserv-modify-service,
euserv-describe-node-controllers, euserv-describe-events, clcadmin-grant-admin-access, euctl
--edit, euca_conf --list-clouds/--sync-euca-p12; key copies to OTHER hosts run the real
rsync/scp command (which needs root SSH between hosts; the lab does not set that up), copies to a
local address are done locally.
"""
import argparse
import hashlib
import ipaddress
import json
import os
import shlex
import shutil
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import euca_common as ec  # noqa: E402

PROG = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "euca_admin"
JSON_PROPERTIES = ("authentication.ldap_integration_configuration", "cloud.network.network_configuration",
                   "cloudformation.swf_client_config", "cloudformation.swf_workflow_worker_config",
                   "region.region_configuration")


def out(s=""):
    sys.stdout.write(s + "\n")


def err(s):
    sys.stderr.write(s + "\n")


# ---------------------------------------------------------------------------------------------
# prettytable 0.7.2 as requestbuilder's TableOutputMixin uses it (reference §2.5)

def table(rows, headers=None):
    ncol = max([len(r) for r in rows] + [len(headers or [])])
    widths = [len(h) for h in headers] if headers else [0] * ncol
    for r in rows:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(c))
    lines = []
    for r in ([headers] if headers else []) + rows:
        lines.append("".join(c.ljust(widths[i]) + "  " for i, c in enumerate(r)))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# 4.4 framework (requestbuilder)

def creds44(args):
    ak = getattr(args, "access_key_id", None) or os.environ.get("AWS_ACCESS_KEY_ID") or \
        os.environ.get("AWS_ACCESS_KEY") or os.environ.get("EC2_ACCESS_KEY")
    sk = getattr(args, "secret_key", None) or os.environ.get("AWS_SECRET_ACCESS_KEY") or \
        os.environ.get("AWS_SECRET_KEY") or os.environ.get("EC2_SECRET_KEY")
    if not ak:
        fail44("missing access key ID; please supply one with -I")
    if not sk:
        fail44("missing secret key; please supply one with -S")
    return ak, sk


def fail44(msg, code=None):
    if code is not None:
        err("%s: error (%s): %s" % (PROG, code, msg))
    else:
        err("%s: error: %s" % (PROG, msg))
    sys.exit(1)


def region_url(key):
    ini = "/etc/eucalyptus-admin/conf.d/localhost.ini"
    try:
        import configparser
        cp = configparser.ConfigParser()
        cp.read(ini)
        url = cp.get("region localhost", key)
        if os.environ.get("EUCA_LAB_CLC_PORT"):
            u = urllib.parse.urlparse(url)
            url = u._replace(netloc="%s:%d" % (u.hostname, ec.clc_port())).geturl()
        return url
    except Exception:  # noqa: BLE001
        svc = "Empyrean" if key.startswith("empyrean") else "Properties"
        return "http://127.0.0.1:%d/services/%s/" % (ec.clc_port(), svc)


def url44(args, service):
    if getattr(args, "url", None):
        return args.url
    env = "EUCA_BOOTSTRAP_URL" if service == "empyrean" else "EUCA_PROPERTIES_URL"
    if os.environ.get(env):
        return os.environ[env]
    return region_url(service + "-url")


def call44(args, service, action, params):
    ak, sk = creds44(args)
    try:
        return ec.call(url44(args, service), action, params, ak, sk)
    except ec.ServiceError as e:
        fail44(e.message, e.code)
    except ec.TransportError as e:
        fail44(str(e))


def parser44(prog, description):
    p = argparse.ArgumentParser(prog=prog, description=description, add_help=False)
    p.add_argument("--help", action="help", help="show this help message and exit")
    p.add_argument("-U", "--url")
    p.add_argument("--region")
    p.add_argument("-I", "--access-key-id")
    p.add_argument("-S", "--secret-key")
    p.add_argument("--debug", action="store_true")
    return p


def euserv_register_service(argv):
    p = parser44(PROG, "Register a new instance of a service")
    p.add_argument("-t", "--type", required=True, dest="stype")
    p.add_argument("-h", "--host", required=True)
    p.add_argument("-z", "--availability-zone", dest="zone")
    p.add_argument("--port", type=int)
    p.add_argument("name", metavar="SVCINSTANCE")
    a = p.parse_args(argv)
    port = a.port or (8774 if a.stype.lower() == "cluster" else 8773)
    # no print_result: success and server-side refusal both print nothing, exit 0 (reference §2.2)
    call44(a, "empyrean", "RegisterService", {"Type": a.stype, "Name": a.name, "Host": a.host, "Port": port,
                                              "Partition": a.zone})
    return 0


def euserv_deregister_service(argv):
    p = parser44(PROG, "De-register a service instance")
    p.add_argument("name", metavar="SVCINSTANCE")
    a = p.parse_args(argv)
    call44(a, "empyrean", "DeregisterService", {"Name": a.name})
    return 0


def euserv_describe_services(argv):
    p = parser44(PROG, "Show information about service instances")
    p.add_argument("names", metavar="SVCINSTANCE", nargs="*")
    p.add_argument("-a", "--all", action="store_true")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--group-by-type", action="store_const", dest="group", const="type")
    g.add_argument("--group-by-zone", action="store_const", dest="group", const="zone")
    g.add_argument("--group-by-host", action="store_const", dest="group", const="host")
    g.add_argument("--expert", action="store_const", dest="group", const="expert")
    p.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--show-headers", action="store_true")
    p.add_argument("--show-empty-fields", action="store_true")
    p.add_argument("--show-events", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--show-stack-traces", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    filters = {}
    for f in a.filter:
        if "=" not in f:
            p.error("argument --filter: filter %s must have format NAME=VALUE" % f)
        k, _sep, v = f.partition("=")
        filters.setdefault(k, []).append(v)
    r = call44(a, "empyrean", "DescribeServices",
               {"ListAll": a.all, "Names": a.names, "Filters": [{"Name": k, "Values": v} for k, v in filters.items()]})
    svcs = r.get("services") or []
    nil = "(nil)" if a.show_empty_fields else ""

    def cell(v):
        return str(v) if v not in (None, "") else nil

    group = a.group or "type"
    rows = []
    if group == "type":
        headers = ["SERVICE", "TYPE", "ZONE", "NAME", "STATE"]
        for t in sorted({s["type"] for s in svcs}):
            for s in svcs:
                if s["type"] == t:
                    rows.append(["SERVICE", cell(s["type"]), cell(s["partition"]), cell(s["name"]), cell(s["state"].lower())])
    elif group == "zone":
        headers = ["SERVICE", "ZONE", "TYPE", "NAME", "STATE"]
        for z in sorted({s["partition"] for s in svcs if s["partition"]}):
            for s in svcs:
                if s["partition"] == z:
                    rows.append(["SERVICE", cell(z), cell(s["type"]), cell(s["name"]), cell(s["state"].lower())])
    elif group == "host":
        headers = ["SERVICE", "HOST", "TYPE", "NAME", "STATE"]
        for h in sorted({s["host"] for s in svcs}):
            for s in svcs:
                if s["host"] == h:
                    rows.append(["SERVICE", cell(h), cell(s["type"]), cell(s["name"]), cell(s["state"].lower())])
    else:
        headers = ["SERVICE", "ARN", "STATE", "EPOCH", "URI", "ACCOUNTS"]
        for s in sorted(svcs, key=lambda s: s["fullName"]):
            rows.append(["SERVICE", cell(s["fullName"]), cell(s["state"].lower()), cell(s["epoch"]), cell(s["uri"]),
                         cell("")])
    if rows:
        out(table(rows, headers if a.show_headers else None))
    return 0


def euctl(argv):
    p = parser44(PROG, "Get and/or set cloud properties")
    p.add_argument("items", metavar="NAME[=VALUE|=@FILE]", nargs="*")
    p.add_argument("-A", "--all-types", action="store_true")
    p.add_argument("-r", "--reset", action="store_true")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-d", "--defaults", action="store_true")
    g.add_argument("-s", "--descriptions", action="store_true")
    p.add_argument("-n", action="store_true", dest="no_name")
    p.add_argument("-q", "--quiet", action="store_true")
    g2 = p.add_mutually_exclusive_group()
    g2.add_argument("--edit", action="store_true")
    g2.add_argument("--dump", action="store_true")
    p.add_argument("--format", choices=("json", "yaml", "raw"), default="json")
    a = p.parse_args(argv)
    items = []
    for it in a.items:
        if "=" in it:
            k, _sep, v = it.partition("=")
            if v.startswith("@"):
                fn = v[1:]
                try:
                    with open(fn) as f:
                        v = f.read()
                except OSError as e:
                    fail44("%s: %s" % (e.strerror, fn))
                k, v = k.strip(), v.strip()
            items.append((k, v))
        else:
            items.append((it, None))
    if a.dump or a.edit:
        opt = "--dump" if a.dump else "--edit"
        if len(items) != 1:
            p.error("argument %s must be accompanied by exactly one variable name" % opt)
        if items[0][1] is not None:
            p.error("argument %s may not be used with variable %s" % (opt, items[0][0]))
        if a.edit:
            fail44("--edit is not available in the lab stand-in")
        name = items[0][0]
        r = call44(a, "properties", "DescribeProperties", {"Names": [name]})
        for prop in r.get("properties") or []:
            if prop["name"] != name:
                continue
            val = prop["value"]
            if a.format == "raw":
                sys.stdout.write(val if val.endswith("\n") or not val else val + "\n")
            elif val.strip():
                try:
                    doc = json.loads(val)
                except ValueError:
                    fail44("property %s is not valid JSON" % name)
                if a.format == "yaml":
                    try:
                        import yaml
                        sys.stdout.write(yaml.safe_dump(doc, default_flow_style=False))
                    except ImportError:
                        out(json.dumps(doc, indent=2))
                else:
                    out(json.dumps(doc, indent=2))
        return 0
    if not items:
        items = [("", None)]
    for name, value in items:
        if value is not None:
            call44(a, "properties", "ModifyPropertyValue", {"Name": name, "Value": value})
        elif a.reset:
            call44(a, "properties", "ModifyPropertyValue", {"Name": name, "Reset": True})
        r = call44(a, "properties", "DescribeProperties", {"Names": [name] if name else []})
        if a.quiet:
            continue
        for prop in r.get("properties") or []:
            if prop["name"] in JSON_PROPERTIES:
                if a.all_types:
                    err("use euctl --dump to view %s" % prop["name"])
                continue
            val = prop["default"] if a.defaults else (prop["description"] if a.descriptions else prop["value"])
            out(val if a.no_name else "%s = %s" % (prop["name"], val))
    return 0


def euca_conf_stub(argv):
    repl = [("--register-nodes", "clusteradmin-register-nodes and clusteradmin-copy-keys"),
            ("--deregister-nodes", "clusteradmin-deregister-nodes"),
            ("--register-cluster", "euserv-register-service -t cluster and clcadmin-copy-keys -z"),
            ("--deregister-cluster", "euserv-deregister-service -t cluster"),
            ("--register-sc", "euserv-register-service -t storage and clcadmin-copy-keys -z"),
            ("--deregister-sc", "euserv-deregister-service"),
            ("--register-walrusbackend", "euserv-register-service -t walrusbackend and clcadmin-copy-keys"),
            ("--deregister-walrusbackend", "euserv-deregister-service"),
            ("--register-service", "euserv-register-service"),
            ("--deregister-service", "euserv-deregister-service"),
            ("--get-credentials", "eval `clcadmin-assume-system-credentials` or euare-useraddkey"),
            ("--initialize", "clcadmin-initialize-cloud"),
            ("--synckey", "clcadmin-copy-keys"),
            ("--list-", "euserv-describe-services")]
    for a in argv:
        for opt, r in repl:
            if a.startswith(opt):
                err("error: euca_conf is no longer supported.  Use %s for this operation instead." % r)
                return 1
    err("error: euca_conf is no longer supported.  See eucalyptus-admin(7) and euca2ools(7) for more information.")
    return 1


# ---------------------------------------------------------------------------------------------
# clcadmin-* / clusteradmin-* (E44 tools/)

def clcadmin_initialize_cloud(argv):
    ignore = "--ignore-cloud-opts" in argv
    extra = [a for a in argv if a != "--ignore-cloud-opts"]
    conf = ec.conf_path()
    binary = ec.path("usr/sbin/eucalyptus-cloud")
    if not os.path.exists(conf):
        err("%s: %s does not exist" % (PROG, conf))
        return 1
    if not os.access(binary, os.X_OK):
        err("%s: cannot access %s" % (PROG, binary))
        return 1
    opts = []
    if not ignore:
        with open(conf) as f:
            for line in f:
                if line.startswith("CLOUD_OPTS="):
                    opts = shlex.split(line.partition("=")[2], comments=True)
    r = subprocess.run([binary, "--initialize"] + opts + extra, check=False)
    if r.returncode != 0:
        err("%s: cloud initialization failed" % PROG)
        return 1
    return 0


def clcadmin_assume_system_credentials(argv):
    if argv:
        err("Usage: %s" % PROG)
        err("Print commands that set up the environment for using the cloud's system credentials")
        return 1
    if os.geteuid() != 0:
        err("%s: Permission denied" % PROG)
        return 1
    key = os.path.join(ec.keys_dir(), "cloud-pk.pem")
    try:
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=b"eucalyptus",
                             capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        err("%s: cannot access %s" % (PROG, key))
        return 1
    env = dict(os.environ, PGPASSWORD=hashlib.sha256(sig).hexdigest())
    psql = ["psql", "-h", "127.0.0.1", "-p", str(ec.db_port()), "-U", "eucalyptus", "-d", "eucalyptus_shared",
            "-X", "-q", "-At", "-F", " ", "-c"]
    r = subprocess.run(psql + ["SELECT count(*) FROM eucalyptus_auth.access_keys WHERE account='eucalyptus' "
                               "AND user_name='admin' AND active"], env=env, capture_output=True, text=True, check=False)
    if r.returncode != 0:   # bash -e: psql's own error and status
        sys.stderr.write(r.stderr)
        return r.returncode
    if r.stdout.strip() == "0":
        err("%s: eucalyptus admin has no access keys; please restart eucalyptus-cloud and try again" % PROG)
        return 1
    r = subprocess.run(psql + ["SELECT access_key, secret_key FROM eucalyptus_auth.access_keys WHERE "
                               "account='eucalyptus' AND user_name='admin' AND active ORDER BY created LIMIT 1"],
                       env=env, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        return r.returncode
    parts = r.stdout.split()
    if len(parts) != 2:
        err("%s: failed to obtain access keys; ensure eucalyptus-cloud has finished starting" % PROG)
        return 1
    ak, sk = parts
    base = "http://127.0.0.1:%d/services" % ec.clc_port()
    out("export AWS_IAM_URL=%s/Euare;" % base)
    out("export EUCA_BOOTSTRAP_URL=%s/Empyrean;" % base)
    out("export EUCA_PROPERTIES_URL=%s/Properties;" % base)
    for v in ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "EC2_ACCESS_KEY"):
        out('export %s="%s";' % (v, ak))
    for v in ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "EC2_SECRET_KEY"):
        out('export %s="%s";' % (v, sk))
    for v in ("AWS_CREDENTIAL_FILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "EC2_USER_ID"):
        out("unset %s;" % v)
    out("# If you can read this, rerun this program with eval:")
    out("#     eval `%s`" % PROG)
    return 0


def copy_files(files, host, remote_dir, rsync_cmd, prog):
    """rsync -a SRC HOST:DEST as the real script; a local HOST is copied locally."""
    if ec.is_local(host):
        for src, rel in files:
            dest = os.path.join(remote_dir, rel)
            if os.path.abspath(src) == os.path.abspath(dest):
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if os.path.isdir(src):
                shutil.copytree(src, dest, dirs_exist_ok=True)
            else:
                shutil.copy2(src, dest)
        return 0
    for src, rel in files:
        dest = "%s:%s" % (host, os.path.join(remote_dir, rel))
        r = subprocess.run(shlex.split(rsync_cmd) + [src, dest], check=False)
        if r.returncode == 12:
            err("%s: failed to copy %s to %s; ensure eucalyptus is installed on the target host and %s exists"
                % (prog, src, host, remote_dir))
            return 1
        if r.returncode != 0:
            err("%s: failed to copy %s to %s" % (prog, src, host))
            return 1
    return 0


def py2_ioerror(path_):
    err("Traceback (most recent call last):")
    err('  File "/usr/sbin/%s", line 107, in <module>' % PROG)
    err("    main()")
    err("IOError: [Errno 2] No such file or directory: '%s'" % path_)
    return 1


def clcadmin_copy_keys(argv):
    cluster = PROG.startswith("clusteradmin")
    p = argparse.ArgumentParser(prog=PROG)
    p.add_argument("-z", "--availability-zone", dest="zone", help=argparse.SUPPRESS if cluster else None)
    p.add_argument("--local-keydir", default=ec.keys_dir())
    p.add_argument("--remote-keydir", default="/var/lib/eucalyptus/keys")
    p.add_argument("--rsync", default="rsync -a")
    p.add_argument("hosts", nargs="+", metavar="HOST")
    a = p.parse_args(argv)
    kd = a.local_keydir
    if cluster:
        files = [(os.path.join(kd, f), f) for f in
                 ("cloud-cert.pem", "cluster-cert.pem", "cluster-pk.pem", "node-cert.pem", "node-pk.pem")]
    else:
        files = [(os.path.join(kd, f), f) for f in ("cloud-cert.pem", "euca.p12", "cloud-pk.pem")]
        if a.zone:
            files.append((os.path.join(kd, a.zone), a.zone))
            for f in ("cluster-cert.pem", "cluster-pk.pem", "node-cert.pem", "node-pk.pem"):
                files.append((os.path.join(kd, a.zone, f), f))
    for src, _rel in files:
        if not os.path.exists(src):
            return py2_ioerror(src)
    for h in a.hosts:
        if copy_files(files, h, a.remote_keydir, a.rsync, PROG):
            return 1
    return 0


def clusteradmin_register_nodes(argv):
    register = "deregister" not in PROG
    conf = ec.conf_path()
    try:
        with open(conf) as f:
            lines = f.read().splitlines(True)
    except OSError as e:
        err("%s: cannot access %s: %s" % (PROG, conf, e))
        return 1
    if not argv:
        return 0
    for ipa in argv:
        try:
            ipaddress.IPv4Address(ipa)
        except ValueError:
            out("Use only IPv4 addresses while registering new nodes. The %s is not a valid IP." % ipa)
            return 0
    new = []
    for line in lines:
        if line.startswith("NODES="):
            nodes = set(line.partition("=")[2].strip().strip('"').split())
            if register:
                nodes |= set(argv)
            else:
                nodes -= set(argv)
            line = 'NODES="%s"\n' % " ".join(nodes)
        new.append(line)
    with open(conf + ".new", "w") as f:
        f.writelines(new)
    os.rename(conf + ".new", conf)
    return 0


# ---------------------------------------------------------------------------------------------
# 4.1 eucadmin

def creds41():
    ak = os.environ.get("EC2_ACCESS_KEY") or os.environ.get("AWS_ACCESS_KEY")
    sk = os.environ.get("EC2_SECRET_KEY") or os.environ.get("AWS_SECRET_KEY")
    return (ak, sk) if ak and sk else (None, None)


def clc_base41():
    url = os.environ.get("EC2_URL")
    if url:
        u = urllib.parse.urlparse(url)
        return "http://%s:%d" % (u.hostname, u.port or 8773)
    return "http://127.0.0.1:%d" % ec.clc_port()


def local_auth():
    """The admin key from the CLC's database (eucadmin's local authentication, reference §1.1)."""
    try:
        db = ec.PG()
        rows = db.query("SELECT access_key, secret_key FROM eucalyptus_auth.access_keys WHERE account='eucalyptus' "
                        "AND user_name='admin' AND active ORDER BY created LIMIT 1")
        db.close()
        return tuple(rows[0]) if rows else (None, None)
    except (OSError, ec.PGError):
        return None, None


def call41(service, action, params, allow_local=False):
    ak, sk = creds41()
    if not ak:
        if not allow_local:
            out("Unable to find credentials.")
            sys.exit(1)
        err("warning: No credentials found; attempting local authentication")
        ak, sk = local_auth()
        if not ak:
            ak, sk = "none", "none"
    try:
        return ec.call("%s/services/%s/" % (clc_base41(), service), action, params, ak, sk)
    except ec.TransportError as e:
        out(str(e))
        sys.exit(1)


def service_line41(s):
    return "\t".join(["%s", "%-18s", "%-10s", "%-21s", "%-8s", "%-4s", "%-35s", "%-35s"]) % (
        "SERVICE", s["type"], s["partition"], s["name"], s["state"].upper(), s["epoch"], s["uri"], s["fullName"])


def print_services41(svcs, events=False):
    for s in svcs:
        out(service_line41(s))
        if events and s.get("details"):
            uid = hashlib.md5(s["fullName"].encode()).hexdigest()
            uid = "%s-%s-%s-%s-%s" % (uid[:8], uid[8:12], uid[12:16], uid[16:20], uid[20:32])
            for v in (s["fullName"], "ERROR", "", s["details"]):
                out("SERVICEEVENT\t%-36.36s\t%s" % (uid, v))
    return 0


def euca_describe_services(argv):
    p = argparse.ArgumentParser(prog=PROG)
    p.add_argument("-A", "--all", action="store_true")
    p.add_argument("--system-internal", action="store_true")
    p.add_argument("--user-services", action="store_true")
    p.add_argument("-T", "--filter-type", action="append")
    p.add_argument("-H", "--filter-host", action="append")
    p.add_argument("-F", "--filter-state", action="append")
    p.add_argument("-P", "--filter-partition", action="append")
    p.add_argument("-E", "--events", action="store_true")
    p.add_argument("--events-verbose", action="store_true")
    p.add_argument("names", nargs="*")
    a = p.parse_args(argv)
    filters = []
    for key, vals in (("service-type", a.filter_type), ("host", a.filter_host), ("state", a.filter_state),
                      ("availability-zone", a.filter_partition)):
        if vals:
            filters.append({"Name": key, "Values": vals})
    r = call41("Empyrean", "DescribeServices", {"ListAll": a.all, "Names": a.names, "Filters": filters},
               allow_local=True)
    return print_services41(r.get("services") or [], a.events or a.events_verbose)


def euca_describe_properties(argv):
    p = argparse.ArgumentParser(prog=PROG)
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("names", nargs="*")
    a = p.parse_args(argv)
    try:
        r = call41("Properties", "DescribeProperties", {"Names": a.names})
    except ec.ServiceError as e:
        out("Error(%s): %s" % (e.code, e.message))
        return 1
    for prop in r.get("properties") or []:
        out("PROPERTY\t%s\t%s" % (prop["name"], prop["value"]))
        if a.verbose:
            out("DESCRIPTION\t%s\t%s" % (prop["name"], prop["description"]))
    return 0


def euca_modify_property(argv):
    p = argparse.ArgumentParser(prog=PROG)
    p.add_argument("-p", "--property", action="append", default=[])
    p.add_argument("-f", "--property-from-file", action="append", default=[])
    p.add_argument("-r", "--reset", action="append", default=[])
    a = p.parse_args(argv)
    todo = []
    for it in a.property:
        if "=" not in it:
            out("Options must be of the form KEY=VALUE: %s" % it)
            return 1
        k, _sep, v = it.partition("=")
        todo.append((k, v, False))
    for it in a.property_from_file:
        if "=" not in it:
            out("Options must be of the form KEY=VALUE: %s" % it)
            return 1
        k, _sep, fn = it.partition("=")
        try:
            v = sys.stdin.read() if fn == "-" else open(fn).read()   # raw, no strip (reference §1.2)
        except OSError:
            out("Error: Unable to read file: %s" % fn)
            return 1
        todo.append((k, v, False))
    for k in a.reset:
        todo.append((k, None, True))
    if not todo:
        p.error("one of -p, -f, -r is required")
    for k, v, reset in todo:
        params = {"Name": k, "Reset": True} if reset else {"Name": k, "Value": v}
        try:
            r = call41("Properties", "ModifyPropertyValue", params)
        except ec.ServiceError as e:
            out("Error(%s): %s" % (e.code, e.message))
            return 1
        out("PROPERTY\t%s\t%s was %s" % (r["name"], r["value"], r["old"]))
    return 0


def euca_conf41(argv):
    usage = "euca_conf [options]"
    p = argparse.ArgumentParser(prog="euca_conf", usage=usage)
    for opt in ("--initialize", "--register-service", "--deregister-service", "--register-cluster",
                "--deregister-cluster", "--register-sc", "--deregister-sc", "--register-walrusbackend",
                "--deregister-walrusbackend", "--list-services", "--list-clusters", "--list-scs",
                "--list-walrusbackends", "--list-nodes", "--list-clouds", "--no-sync", "--no-rsync", "--no-scp",
                "--skip-scp-hostcheck", "--sync-euca-p12", "--debug"):
        p.add_argument(opt, action="store_true")
    p.add_argument("--register-nodes", metavar="NODES")
    p.add_argument("--deregister-nodes", metavar="NODES")
    p.add_argument("--get-credentials", metavar="FILE")
    p.add_argument("--cred-account", default="eucalyptus")
    p.add_argument("--cred-user", default="admin")
    p.add_argument("-T", "--service-type")
    p.add_argument("-P", "--partition")
    p.add_argument("-H", "--host")
    p.add_argument("-N", "--service-name")
    p.add_argument("-C", "--component", help=argparse.SUPPRESS)
    p.add_argument("--service-port", type=int, default=8773)
    p.add_argument("--cc-port", type=int, default=8774)
    p.add_argument("-d", dest="euca_dir")
    p.add_argument("args", nargs="*")
    a = p.parse_args(argv)
    if a.euca_dir:
        os.environ["EUCALYPTUS"] = a.euca_dir
    if a.initialize:
        return initialize41()
    if a.get_credentials:
        return get_credentials41(a)
    if a.register_nodes is not None:
        return register_nodes41(a.register_nodes.split(), True, a)
    if a.deregister_nodes is not None:
        return register_nodes41(a.deregister_nodes.split(), False, a)
    if a.register_service:
        missing = [o for o, v in (("-T/--service-type", a.service_type), ("-H/--host", a.host),
                                  ("-N/--service-name", a.service_name)) if not v]
        if missing:
            p.error("option(s) %s is/are required" % missing)
        r = call41("Empyrean", "RegisterService", {"Type": a.service_type, "Name": a.service_name, "Host": a.host,
                                                   "Port": a.service_port,
                                                   "Partition": a.partition or a.service_name})
        if not r.get("return"):
            out("error: registration failed" + "".join("\nERROR\t%s" % m for m in r.get("statusMessages") or []))
            return 1
        for s in r.get("services") or []:
            fields = (s["type"], s["partition"], s["name"], s["uri"], s["fullName"])
            out("SERVICE\t%-18s\t%-10s\t%-21s\t%-35s\t%-35s" % fields)
        sync41(a, a.host, ["euca.p12", "cloud-pk.pem", "cloud-cert.pem"])
        return 0
    if a.deregister_service:
        if not a.service_name:
            p.error("option(s) ['-N/--service-name'] is/are required")
        r = call41("Empyrean", "DeregisterService", {"Name": a.service_name, "Type": a.service_type})
        if not r.get("return"):
            out("error: de-registration failed")
            return 1
        for s in r.get("services") or []:
            out("SERVICE\t%s\t%s\t%s" % (s["type"], s["partition"], s["fullName"]))
        return 0
    for kind, stype in (("cluster", "cluster"), ("sc", "storage"), ("walrusbackend", "walrusbackend")):
        if getattr(a, "register_" + kind):
            return register_component41(p, a, stype)
        if getattr(a, "deregister_" + kind):
            part = a.partition or (a.args[0] if a.args else None)
            name = a.component or (a.args[1] if len(a.args) > 1 else None)
            missing = [o for o, v in (("-P/--partition", part), ("-C/--component", name)) if not v]
            if missing:
                p.error("option(s) %s is/are required" % missing)
            r = call41("Empyrean", "DeregisterService", {"Name": name, "Type": stype})
            if not r.get("return"):
                out("error: %s" % ((r.get("statusMessages") or ["de-registration failed"])[0]))
                return 1
            return 0
    for kind, stype in (("services", None), ("clusters", "cluster"), ("scs", "storage"),
                        ("walrusbackends", "walrusbackend"), ("nodes", "node")):
        if getattr(a, "list_" + kind):
            filters = [{"Name": "service-type", "Values": [stype]}] if stype else []
            r = call41("Empyrean", "DescribeServices", {"ListAll": stype == "node", "Filters": filters},
                       allow_local=True)
            return print_services41(r.get("services") or [])
    p.print_usage(sys.stderr)
    return 1


def register_component41(p, a, stype):
    if a.partition or a.host or a.component:
        missing = [o for o, v in (("-P/--partition", a.partition), ("-H/--host", a.host),
                                  ("-C/--component", a.component)) if not v]
        if missing:
            p.error("option(s) %s is/are required" % missing)
        part, host, name = a.partition, a.host, a.component
    else:
        if len(a.args) < 2:
            p.error("option(s) ['-P/--partition', '-H/--host', '-C/--component'] is/are required")
        part, host = a.args[0], a.args[1]
        name = a.args[2] if len(a.args) > 2 else "%s-%s" % ({"storage": "sc"}.get(stype, stype), host)
        if stype == "walrusbackend":
            part = "walrusbackend"
    port = a.cc_port if stype == "cluster" else ec.clc_port()
    r = call41("Empyrean", "RegisterService", {"Type": stype, "Name": name, "Host": host, "Port": port,
                                               "Partition": part})
    if not r.get("return"):
        msg = (r.get("statusMessages") or ["registration failed"])[0]
        out("error: %s" % msg.split("because of : ", 1)[-1])
        return 1
    svcs = r.get("services") or []
    if svcs and svcs[0].get("new_partition"):
        err("Created new partition '%s'" % part)
    if not svcs:
        out("Registration ok; no service information is available yet")
    for s in svcs:
        out("SERVICE\t%-15.15s\t%-15s\t%-15s\t%-10s\t%-4s\t%-40s\t%s" % (
            s["type"], s["partition"], s["name"], s["state"].upper(), s["epoch"], s["uri"], s["fullName"]))
    if stype == "cluster":
        zone = svcs[0]["partition"] if svcs else part
        zone_files = ("node-cert.pem", "node-pk.pem", "cluster-cert.pem", "cluster-pk.pem", "vtunpass")
        sync41(a, host, ["cloud-cert.pem", "cloud-pk.pem"] + ["%s/%s" % (zone, f) for f in zone_files])
    else:
        sync41(a, host, ["euca.p12"])
    return 0


def sync41(a, host, files):
    """euca_conf's key sync (rsync -az / scp as root@host into /var/lib/eucalyptus/keys)."""
    if a.no_sync or (a.no_rsync and a.no_scp):
        return True
    kd = ec.keys_dir()
    if ec.is_local(host):
        # same host: the files land in the same key directory, zone files flattened into it
        for f in files:
            src, dest = os.path.join(kd, f), os.path.join(kd, os.path.basename(f))
            if src != dest and os.path.exists(src):
                shutil.copy2(src, dest)
        return True
    for f in files:
        src = os.path.join(kd, f)
        dest = "root@%s:/var/lib/eucalyptus/keys/%s" % (host, f)
        cmd = ["rsync", "-az", src, dest] if not a.no_rsync else ["scp", "-p", src, dest]
        try:
            ok = subprocess.run(cmd, capture_output=True, check=False).returncode == 0
        except OSError:
            ok = False
        if not ok:
            err("warning: ERROR: could not synchronize keys with %s" % host)
            return False
    return True


def initialize41():
    marker = os.path.join(ec.data_dir(), "ibdata1")
    if os.path.exists(marker):
        out("error: database in %s already exists" % ec.db_dir())
        return 1
    conf = ec.read_conf()
    binary = ec.path("usr/sbin/eucalyptus-cloud")
    out("Initializing a new cloud.  This may take a few minutes.")
    sys.stdout.flush()
    cmd = [binary, "-u", conf.get("EUCA_USER", "eucalyptus"), "-h", ec.euca_home(), "--initialize"] + \
        shlex.split(conf.get("CLOUD_OPTS", ""))
    try:
        rc = subprocess.run(cmd, check=False).returncode
    except OSError:
        rc = 1
    out("Initialize command succeeded" if rc == 0 else "Initialize command failed")
    return rc


def get_credentials41(a):
    fn = a.get_credentials
    if os.path.exists(fn):
        out("file %s already exists, please remove and try again" % fn)
        return 1
    try:
        db = ec.PG()
        rows = db.query("SELECT token FROM eucalyptus_auth.credential_tokens WHERE account=%s AND user_name=%s"
                        % (ec.lit(a.cred_account), ec.lit(a.cred_user)))
        db.close()
    except (OSError, ec.PGError) as e:
        out("error: unable to read the credential token from the database: %s" % e)
        return 1
    if not rows:
        out("error: no such user %s in account %s" % (a.cred_user, a.cred_account))
        return 1
    url = "%s/getX509?%s" % ("http://127.0.0.1:%d" % ec.clc_port(), urllib.parse.urlencode(
        {"account": a.cred_account, "user": a.cred_user, "force": "true", "code": rows[0][0]}))
    try:
        with ec.urlopen(url, timeout=30) as r:
            data = r.read()
    except OSError as e:
        out(str(getattr(e, "reason", e)))
        return 1
    fd = os.open(fn, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return 0


def register_nodes41(nodes, register, a):
    conf_file = ec.conf_path()
    cc_port = int(ec.read_conf().get("CC_PORT") or 8774)
    try:
        with ec.urlopen("http://127.0.0.1:%d/axis2/services" % cc_port, timeout=5) as r:
            body = r.read().decode("utf-8", "replace")
    except OSError:
        body = ""
    if "EucalyptusCC" not in body:
        err("warning: CC must be local service to run this command")
        return 1
    kd = ec.keys_dir()
    if register:
        missing = [f for f in ("node-cert.pem", "cluster-cert.pem", "cloud-cert.pem", "node-pk.pem", "cluster-pk.pem")
                   if not os.path.exists(os.path.join(kd, f))]
        if missing:
            out("The following expected credentials are missing:")
            for f in missing:
                out("\t%s" % os.path.join(kd, f))
            return 1
    with open(conf_file) as f:
        lines = f.read().splitlines(True)
    current = []
    for line in lines:
        if line.startswith("NODES="):
            current = line.partition("=")[2].strip().strip('"').split()
    if register:
        out("INFO: We expect all nodes to have eucalyptus installed in $EUCALYPTUS for key synchronization.")
        for n in nodes:
            if n not in current:
                current.append(n)
            out("Adding node: %s" % n)
            sync41(a, n, ["node-cert.pem", "cluster-cert.pem", "cloud-cert.pem", "node-pk.pem"])
    else:
        for n in nodes:
            if n not in current:
                err("warning: Node %s is not currently registered" % n)
                continue
            current.remove(n)
    new, seen = [], False
    for line in lines:
        if line.startswith("NODES="):
            line = 'NODES="%s"\n' % " ".join(current)
            seen = True
        new.append(line)
    if not seen:
        new.append('NODES="%s"\n' % " ".join(current))
    with open(conf_file + ".new", "w") as f:
        f.writelines(new)
    os.rename(conf_file + ".new", conf_file)
    if register:
        out("...done")
    return 0


# ---------------------------------------------------------------------------------------------

TOOLS44 = {"euserv-register-service": euserv_register_service, "euserv-deregister-service": euserv_deregister_service,
           "euserv-describe-services": euserv_describe_services, "euctl": euctl, "euca_conf": euca_conf_stub,
           "clcadmin-initialize-cloud": clcadmin_initialize_cloud,
           "clcadmin-assume-system-credentials": clcadmin_assume_system_credentials,
           "clcadmin-copy-keys": clcadmin_copy_keys, "clusteradmin-copy-keys": clcadmin_copy_keys,
           "clusteradmin-register-nodes": clusteradmin_register_nodes,
           "clusteradmin-deregister-nodes": clusteradmin_register_nodes}
TOOLS41 = {"euca_conf": euca_conf41, "euca-describe-services": euca_describe_services,
           "euca-describe-properties": euca_describe_properties, "euca-modify-property": euca_modify_property}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    tools = TOOLS41 if ec.product_line() == "4.1" else TOOLS44
    fn = tools.get(PROG)
    if fn is None:
        err("%s: not a Eucalyptus %s admin tool (LAB STAND-IN euca_admin.py)" % (PROG, ec.product_line()))
        return 127
    return fn(argv)


if __name__ == "__main__":
    sys.exit(main())
