#!/usr/bin/env python3
"""LAB STAND-IN for eucanetd (Eucalyptus 4.1-4.4), VPCMIDO mode. Not Eucalyptus; lab use only.

eucanetd cannot be installed on the lab hosts (EL RPMs, C daemon). This file speaks its interface
as the shared reference ``eucalyptus-admin-tools.md`` section 6 describes it (section numbers
below are that file's; "seed 004" is the eucanetd loop of the project's seeds), against the
MidoNet REST API over real HTTP (tests/lab/standins/midonet_api.py, or a real MidoNet):

* version from ``$EUCALYPTUS/etc/eucalyptus/eucalyptus-version`` (e.g. "4.4.5"): 4.1, 4.2, 4.3, 4.4;
* command line per version exactly as the getopt strings of 6.1 (``-d`` foreground, ``-F``/``-f``,
  and 4.3+ ``-H -l -C -Z -m -M -u -U -v -V -z``, 4.4 ``-g -T``); ``-h``/``-H`` exit 1;
* the 4.3+ single-instance lock on UDP 127.0.0.1:63822 for every option but ``-l -g -m -u -v``
  (6.2): "Cannot start eucanetd: another eucanetd might be running", exit 1; 4.1/4.2 no lock;
* pre-flight (6.2): a readable GNI, a VPCMIDO mode, the GNI's enabled CLC IP a local address.
  4.3/4.4 flushes give up at the first failure ("... Flush aborted.", exit 1); 4.1/4.2 flushes
  and every daemon wait ("retrying");
* mode (8): 4.1/4.2 ``VNET_MODE`` of eucalyptus.conf, 4.3/4.4 the GNI's, logging "Inconsistent
  network mode in GNI(...) and eucalyptus.conf(...)" when they differ;
* the MidoNet API (6.5): 4.1/4.2 hard-coded ``http://localhost:8080/midonet-api``; 4.3 GET of
  ``http://localhost:8080/midonet-api/`` (30 x 1 s), then the root document's ``uri``; 4.4
  ``MIDO_API_URIBASE`` or alternately 127.0.0.1:8080 and :8181 (100 x 5 s), then ``uri``. Media
  types: the 1.9 ones (Router-v2, Bridge-v2, Port-v2, Host-v2) on 4.1-4.3 and on 4.4 against a
  "v1.9" root, the 5.x ones (Router-v3, Bridge-v4, Port-v3, Host-v3) on 4.4 against "v5.0";
  no auth header (midonet-api.md 2);
* the loop (6.6, seed 004): every ``POLLING_FREQUENCY`` s (default 5 on 4.1, 1 later) read the
  GNI; on the first pass, a new GNI version, SIGHUP or after a failure: discover (GET the
  ``euca_tenant_1`` routers, bridges, chains, port groups, IP address groups, all ports, hosts,
  tunnel zones), check the tunnel zone (4.3+, 6.4), delete unconnected ports on the first pass and after a failure
  (4.3+), find-or-create the core (6.7) and delete what the GNI does not hold (VPC objects by
  their name prefixes: the lab's GNI has no VPCs), then write
  ``$EUCALYPTUS/var/run/eucalyptus/global_network_info.version``;
* the core of 6.7 per version: router ``eucart``; bridge ``eucabr`` (4.4 + chain
  ``eucabr_infilter`` with a rule dropping IPv4 to 169.254.0.0/17, set as its inbound filter);
  eucart port 169.254.0.1/17 linked peer-to-peer to an eucabr port, route 169.254.0.0/17 via it;
  one gateway port per gateway (4.1: the single legacy one; 4.2/4.3 ``Gateways`` or legacy;
  4.4 legacy or new form) with its address in the public CIDR, routes to that CIDR and
  0.0.0.0/0 via the public gateway IP (4.4 also peer/32), bound on the gateway host to its
  interface (``POST /hosts/{id}/ports``); port group ``eucapg`` (4.2+) holding the gateway
  ports; IP address group ``metadata_ip`` = 169.254.169.254; 4.4 ``euca_version``;
* host matching (6.5): 4.1-4.3 ``EucanetdHost``/``GatewayHost`` by exact MidoNet host name,
  4.4 the gateway host resolved to an IP and looked up among host addresses, and eucanetd itself
  by its first (non-loopback) local IP, 60 tries;
* tunnel zone (6.4): 4.3+ a zone whose name is a substring of "mido-tz midotz euca-tz eucatz"
  with >= 1 member, 4.3 30 x 3 s per pass then "Cannot proceed without a valid tunnel-zone.",
  4.4 every 3 s forever and every MidoNet-known GNI NC, gateway host and the CLC a member;
* flushes (6.3): 4.1 ``-F`` deletes VPC/SG/metadata objects, keeps the core, exit 1 on failure;
  4.2 ``-F`` everything incl. the core, ``-f`` all but the core, exit 0; 4.3/4.4 ``-F``/``-f``
  refused in VPCMIDO (exit 0), ``-C`` VPCs, SGs and the name-substring sweep incl. every port with
  neither peer nor interface, ``-Z`` the same plus the core (+ 4.4 ``euca_version``), exit 0
  whatever happened ("flushing of euca networking artifacts failed"). The 4.3/4.4 teardown
  defect that retries the metadata-proxy teardown forever, once a second, is reproduced: the
  stand-in's proxy teardown reads each VPC router's ports (``GET /routers/{id}/ports``), so a
  flush while that call fails (API fault, 503) never ends. Callers need a timeout;
* ``-l``/``-g``/``-m``/``-u``/``-v`` read-only reports, ``-M``/``-U``/``-V`` their flushes,
  4.4 ``-T dev[/gre|/vxlan]`` (reuse a matching zone or create ``mido-tz``, add every MidoNet host
  with the address of ``dev`` on that host);
* pid file ``$EUCALYPTUS/var/run/eucalyptus/eucanetd.pid`` written by every invocation (6.2);
  without ``-d`` (and not a flush/report) it forks for ``Type=forking`` once the pid file is
  there; log ``$EUCALYPTUS/var/log/eucalyptus/eucanetd.log`` (``-d`` and flushes log to the
  terminal instead), level ``LOGLEVEL`` (``-d``: TRACE on 4.3+, DEBUG before; flushes INFO).

NOT modelled: EDGE and MANAGED drivers (iptables, ebtables, ipset, dhcpd), VPCs, subnets,
security groups, instances, ENIs, NAT gateways, elastic IPs from the GNI (the lab's GNI has none),
BGP, the metadata objects (eucamdrt/eucamdbr, veths, netns, nginx), the 4.1 ``MIDO*``
eucalyptus.conf overrides, the ``-z`` test mode.

LAB-ONLY environment (unset = the product's value; for fast tests on a shared machine):
``EUCALYPTUS`` (real: the install root, default "/"), ``EUCANETD_LAB_LOCK_PORT`` (63822),
``EUCANETD_LAB_API_URLS`` (space-separated: replaces the hard-coded 4.1-4.3 URL / the 4.4
8080/8181 probe list), ``EUCANETD_LAB_RETRY_SCALE`` (1.0: multiplies every retry sleep of the
product: 3 s tunnel zone, 1 s/5 s API probe, 1 s teardown, self lookup).

Usage: see ``-h`` / ``-H`` of each version (6.1).
"""
import ipaddress
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.realpath(__file__))   # /usr/sbin/eucanetd is a symlink in the package
sys.path[:0] = [HERE, "/usr/share/eucalyptus/lab"]
try:
    import gni  # tests/lab/standins/gni.py (installed next to this file by the lab package)
except ImportError:  # pragma: no cover - the package always ships it
    gni = None

TENANT = "euca_tenant_1"
TUNNELZONES = "mido-tz midotz euca-tz eucatz"   # VPCMIDO_TUNNELZONE (6.4), strstr haystack
DEFAULT_TZ = "mido-tz"
LOCK_PORT = 63822
INT_RTADDR, INT_NET, INT_LEN = "169.254.0.1", "169.254.0.0", 17   # MIDO_INTRT_CIDR 169.254.0.0/17
METADATA_IP = "169.254.169.254"
VND = "application/vnd.org.midonet."
GETOPT = {"4.1": "dhF", "4.2": "dhFf", "4.3": "dhHlfFmMuUCZv:V:z:", "4.4": "dhHlgfFmMuUCZT:v:V:z:"}
READ_ONLY = set("lgmuv")   # multieucanetd_safe (6.2)
LEVELS = ["EXTREME", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
# prefixes of the per-VPC/SG/instance objects (6.7) and the midonet_api_delete_all sweep (6.3)
VPC_ROUTER_PREFIXES = ("vr_", "natr_")
SWEEP = {"ip_addr_groups": ("sg_", "elip_"), "chains": ("sg_", "ic_", "vc_", "natc_"),
         "bridges": ("vb_vpc",), "routers": ("vr_vpc", "natr_nat")}
MODEL_PREFIXES = ("i-", "eni-", "vpc-", "subnet-", "nat-", "sg-")


def media(flavor):
    """Media types eucanetd sends (midonet-api.md 1, 5): 1.9-era or 5.x-era."""
    old = flavor == 1
    t = {"router": "Router-v2" if old else "Router-v3", "bridge": "Bridge-v2" if old else "Bridge-v4",
         "port": "Port-v2" if old else "Port-v3", "host": "Host-v2" if old else "Host-v3",
         "route": "Route-v1", "chain": "Chain-v1", "rule": "Rule-v2", "port_group": "PortGroup-v1",
         "pg_port": "PortGroupPort-v1", "ipag": "IpAddrGroup-v1", "ipag_addr": "IpAddrGroupAddr-v1",
         "host_port": "HostInterfacePort-v1", "link": "PortLink-v1", "tz": "TunnelZone-v1",
         "tz_host": "GreTunnelZoneHost-v1" if old else "TunnelZoneHost-v1"}
    return {k: VND + v + "+json" for k, v in t.items()}, {k: VND + "collection." + v + "+json" for k, v in t.items()}


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
class Fail(Exception):
    """An update/flush step failed (logged by the caller)."""


class Stop(Exception):
    """SIGTERM/SIGINT while waiting."""


def getopt(argv, spec):
    """POSIX getopt: returns ([(opt, arg)], rest) or raises ValueError(message)."""
    takes = {spec[i]: i + 1 < len(spec) and spec[i + 1] == ":" for i in range(len(spec)) if spec[i] != ":"}
    opts, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return opts, argv[i + 1:]
        if not a.startswith("-") or a == "-":
            return opts, argv[i:]
        j = 1
        while j < len(a):
            c = a[j]
            if c not in takes:
                raise ValueError("invalid option -- '%s'" % c)
            if takes[c]:
                if j + 1 < len(a):
                    opts.append((c, a[j + 1:]))
                elif i + 1 < len(argv):
                    i += 1
                    opts.append((c, argv[i]))
                else:
                    raise ValueError("option requires an argument -- '%s'" % c)
                break
            opts.append((c, None))
            j += 1
        i += 1
    return opts, []


def read_shell_conf(path):
    """eucalyptus.conf is POSIX shell (8): source it and read the variables back."""
    if not os.path.exists(path):
        return {}
    try:
        out = subprocess.run(["/bin/sh", "-c", 'set -a; . "$1" >/dev/null 2>&1; env -0', "sh", path],
                             capture_output=True, timeout=10, env={"PATH": "/usr/bin:/bin"},
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    env = {}
    for item in out.split(b"\0"):
        k, sep, v = item.decode(errors="replace").partition("=")
        if sep:
            env[k] = v
    for k in ("PATH", "PWD", "SHLVL", "_", "OLDPWD"):
        env.pop(k, None)
    return env


def local_ips():
    """Local IPv4 addresses in interface order (``ip -j -4 addr``), loopback first if present."""
    try:
        data = json.loads(subprocess.run(["ip", "-j", "-4", "addr"], capture_output=True, text=True,
                                         timeout=5, check=False).stdout or "[]")
        ips = [a["local"] for i in data for a in i.get("addr_info", []) if a.get("family") == "inet"]
    except (OSError, ValueError, subprocess.SubprocessError):
        ips = []
    return ips or ["127.0.0.1"]


def resolve_ip(name):
    try:
        return socket.getaddrinfo(name, None, socket.AF_INET)[0][4][0]
    except (OSError, IndexError, UnicodeError):
        return None


# --------------------------------------------------------------------------------------------
# the daemon
# --------------------------------------------------------------------------------------------
class Eucanetd:
    def __init__(self, argv):
        self.argv = argv
        self.root = os.environ.get("EUCALYPTUS") or "/"
        self.conf_path = self.p("etc/eucalyptus/eucalyptus.conf")
        self.run_dir = self.p("var/run/eucalyptus")
        self.gni_path = os.path.join(self.run_dir, "global_network_info.xml")
        self.version_file = os.path.join(self.run_dir, "global_network_info.version")
        self.pid_file = os.path.join(self.run_dir, "eucanetd.pid")
        self.log_path = self.p("var/log/eucalyptus/eucanetd.log")
        self.full_version = self._read_version()
        self.ver = ".".join(self.full_version.split(".")[:2])
        if self.ver not in GETOPT:
            self.ver = "4.4" if self.ver > "4.4" else "4.1"
        self.scale = float(os.environ.get("EUCANETD_LAB_RETRY_SCALE") or 1.0)
        self.conf = read_shell_conf(self.conf_path)
        self.terminal = False
        self.level = "INFO"
        self.stop = threading.Event()
        self.hup = False
        self.lock_sock = None

    def p(self, rel):
        return os.path.join(self.root, rel)

    def _read_version(self):
        try:
            with open(self.p("etc/eucalyptus/eucalyptus-version")) as f:
                return f.read().strip() or "4.4.0"
        except OSError:
            return "4.4.0"

    @property
    def v(self):
        return tuple(int(x) for x in self.ver.split("."))

    # ---- logging in the product's style: "%T %L %t9 %m-24 |" ------------------------------
    def log(self, level, msg, func=None):
        if LEVELS.index(level) < LEVELS.index(self.level):
            return
        if func is None:
            func = sys._getframe(1).f_code.co_name
        line = "%s %5s %09d %-24s | %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), level[:5], os.getpid(),
                                             func[:24], msg)
        if self.terminal:
            sys.stdout.write(line)
            sys.stdout.flush()
            return
        try:
            os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
            with open(self.log_path, "a") as f:
                f.write(line)
        except OSError:
            pass

    def info(self, msg):
        self.log("INFO", msg, sys._getframe(1).f_code.co_name)

    def warn(self, msg):
        self.log("WARN", msg, sys._getframe(1).f_code.co_name)

    def error(self, msg):
        self.log("ERROR", msg, sys._getframe(1).f_code.co_name)

    def debug(self, msg):
        self.log("DEBUG", msg, sys._getframe(1).f_code.co_name)

    def sleep(self, seconds):
        if self.stop.wait(seconds * self.scale):
            raise Stop()

    # ---- usage (6.1) ----------------------------------------------------------------------
    def usage(self, experimental=False):
        v = self.ver
        out = ["Eucalyptus version %s - eucanetd" % self.full_version if v == "4.4" else "USAGE: eucanetd OPTIONS",
               "\t-d\t\t: debug (foreground) mode",
               "\t-F\t\t: flush - clear all %seucanetd artifacts and exit" % ("EDGE " if v == "4.4" else "")]
        if v == "4.1":
            out[-1] = "\t-F\t\t: flush - clear all iptables/ebtables/ipset rules and exit"
        if v >= "4.2":
            out.append("\t-f\t\t: flush dynamic - clear only dynamic %seucanetd artifacts and exit"
                       % ("EDGE " if v == "4.4" else ""))
        if v == "4.4":
            out += ["\t-C\t\t: flush all VPCMIDO eucanetd artifacts but core and exit",
                    "\t-Z\t\t: flush all VPCMIDO eucanetd artifacts (including core) and exit",
                    "\tWARNING: flushing a cloud with ~4,000 instances/ENIs can take over 1 hour "
                    "(and another hour to reconstruct)"]
        if v == "4.3":
            out.append("\toptions '-f' and '-F' do not work in VPCMIDO mode")
        if v >= "4.3":
            out.append("\t-H\t\t: list EXPERIMENTAL options")
        if experimental:
            out = ["EXPERIMENTAL options (uppercase options can only be executed with eucanetd service stopped):",
                   "\t-l\t\t: list VPCMIDO objects"]
            if v == "4.4":
                out.append("\t-g\t\t: list VPCMIDO gateways (and BGP status)")
            out += ["\t-C\t\t: flush all VPCMIDO objects but core", "\t-Z\t\t: flush all VPCMIDO objects (including core)",
                    "\t-m\t\t: detect duplicate VPCMIDO objects", "\t-M\t\t: flush duplicate VPCMIDO objects",
                    "\t-u\t\t: detect unconnected VPCMIDO objects", "\t-U\t\t: flush unconnected VPCMIDO objects",
                    "\t-v id\t\t: check VPCMIDO model id (i-, eni-, vpc-, subnet-, nat-, sg-)",
                    "\t-V id\t\t: flush VPCMIDO model id (i-, eni-, vpc-, subnet-, nat-, sg-)"]
            if v == "4.4":
                out.append("\t-T dev[/gre|/vxlan]\t: create the VPCMIDO tunnel-zone using the IP of dev on each "
                           "host (make sure that midolman is running on all hosts)")
        sys.stdout.write("\n".join(out) + "\n")

    # ---- main -----------------------------------------------------------------------------
    def main(self):
        try:
            opts, _rest = getopt(self.argv, GETOPT[self.ver])
        except ValueError as exc:
            sys.stderr.write("eucanetd: %s\n" % exc)
            self.usage()
            return 1
        o = {}
        for k, a in opts:
            o[k] = a if a is not None else True
        if "h" in o:
            self.usage()
            return 1
        if "H" in o:
            self.usage(experimental=True)
            return 1
        mode = None
        for k in "FfCZMUVTzlgmuv":
            if k in o:
                mode = k
                break
        self.opts, self.mode = o, mode
        debug = "d" in o or mode is not None
        self.terminal = debug
        if mode is not None:
            self.level = "INFO"
        elif "d" in o:
            self.level = "TRACE" if self.v >= (4, 3) else "DEBUG"
        else:
            self.level = (self.conf.get("LOGLEVEL") or "INFO").upper()
            if self.level not in LEVELS:
                self.level = "INFO"
        if self.v >= (4, 3) and mode not in READ_ONLY:
            if not self.take_lock():
                msg = "Cannot start eucanetd: another eucanetd might be running"
                if self.v == (4, 3):
                    msg += ". Check SELinux policies for eucanetd."
                self.error(msg)
                if not debug:  # the daemon's log line must be seen somewhere
                    sys.stderr.write(msg + "\n")
                return 1
        if not debug:
            self.daemonize()
        self.write_pid()
        signal.signal(signal.SIGTERM, self._on_term)
        signal.signal(signal.SIGINT, self._on_term)
        signal.signal(signal.SIGHUP, self._on_hup)
        try:
            if mode is None:
                return self.daemon_loop()
            return self.run_mode(mode)
        except Stop:
            self.info("eucanetd going down")
            return 0

    def _on_term(self, *_a):
        self.stop.set()

    def _on_hup(self, *_a):
        self.hup = True

    def take_lock(self):
        port = int(os.environ.get("EUCANETD_LAB_LOCK_PORT") or LOCK_PORT)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            s.close()
            return False
        s.set_inheritable(True)
        self.lock_sock = s
        return True

    def daemonize(self):
        r, w = os.pipe()
        pid = os.fork()
        if pid:
            os.close(w)
            os.read(r, 1)  # the child has written the pid file (Type=forking reads it)
            os._exit(0)
        os.close(r)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        self._ready_fd = w

    def write_pid(self):
        try:
            os.makedirs(self.run_dir, exist_ok=True)
            with open(self.pid_file, "w") as f:
                f.write("%d\n" % os.getpid())
        except OSError as exc:
            self.error("cannot write pid file %s: %s" % (self.pid_file, exc))
        fd = getattr(self, "_ready_fd", None)
        if fd is not None:
            os.write(fd, b"1")
            os.close(fd)
            self._ready_fd = None

    # ---- GNI, mode, pre-flight (6.2, 8) ---------------------------------------------------
    def read_gni(self):
        try:
            with open(self.gni_path) as f:
                text = f.read()
            doc = gni.parse(text)
        except (OSError, ValueError, AttributeError) as exc:
            raise Fail("cannot read global network view %s: %s" % (self.gni_path, exc))
        except Exception as exc:  # noqa: BLE001 - XML ParseError etc.
            raise Fail("cannot parse global network view %s: %s" % (self.gni_path, exc))
        return doc

    def net_mode(self, doc):
        conf_mode = (self.conf.get("VNET_MODE") or "").strip()
        gni_mode = (doc.get("mode") or "").strip()
        if self.v <= (4, 2):
            return conf_mode
        if conf_mode and gni_mode and conf_mode != gni_mode and getattr(self, "_inconsistent", None) != (gni_mode, conf_mode):
            self._inconsistent = (gni_mode, conf_mode)
            self.warn("Inconsistent network mode in GNI(%s) and eucalyptus.conf(%s)" % (gni_mode, conf_mode))
        return gni_mode

    def preflight(self):
        """Returns the GNI doc or raises Fail with the reason."""
        doc = self.read_gni()
        mode = self.net_mode(doc)
        if mode != "VPCMIDO":
            raise Fail("invalid or unsupported network mode '%s' (the lab stand-in drives VPCMIDO only)" % mode)
        clc = doc.get("enabled_clc_ip")
        if not clc or clc not in local_ips():
            raise Fail("eucanetd in VPCMIDO mode requires CLC service peer (enabled CLC %s is not local)" % clc)
        return doc

    def wait_preflight(self):
        first = True
        while True:
            try:
                doc = self.preflight()
                if not first:
                    self.info("eucanetd pre-flight checks done")
                return doc
            except Fail as exc:
                if self.mode is not None and self.v >= (4, 3):
                    self.error(str(exc))
                    self.error("Unable to complete eucanetd pre-flight checks. Flush aborted.")
                    raise SystemExit(1)
                if first:
                    self.warn("%s - retrying" % exc)
                first = False
                self.sleep(1)
                self.conf = read_shell_conf(self.conf_path)

    # ---- the MidoNet API (6.5) ------------------------------------------------------------
    def api_urls(self):
        lab = os.environ.get("EUCANETD_LAB_API_URLS")
        if lab:
            return lab.split()
        if self.v <= (4, 2):
            return ["http://localhost:8080/midonet-api"]
        if self.v == (4, 3):
            return ["http://localhost:8080/midonet-api/"]
        if self.conf.get("MIDO_API_URIBASE"):
            return [self.conf["MIDO_API_URIBASE"]]
        return ["http://127.0.0.1:8080/midonet-api/", "http://127.0.0.1:8181/midonet-api/"]

    def init_api(self):
        urls = self.api_urls()
        if self.v <= (4, 2):
            self.base = urls[0].rstrip("/")
            self.flavor = 1
            self.mt, self.mtc = media(1)
            self.info("using MidoNet API %s" % self.base)
            return
        tries, delay = (30, 1) if self.v == (4, 3) else (100, 5)
        accept = VND + "Application-v5+json"
        for i in range(tries):
            url = urls[i % len(urls)]
            try:
                root = self._http("GET", url.rstrip("/") + "/", accept=accept)[1]
                uri, version = root.get("uri"), root.get("version")
                if uri:
                    self.base = uri[:-1] if uri.endswith("/") else uri
                    self.flavor = 1 if str(version).startswith("v1") else 5
                    self.mt, self.mtc = media(self.flavor)
                    self.info("MidoNet API %s version %s (probed %s)" % (self.base, version, url))
                    u = self.base.split("/")
                    if not (u[0] == "http:" and u[2].split(":")[0] in ("localhost", "127.0.0.1")):
                        self.warn("MidoNet API %s: Recommended http://127.0.0.1:8080 (MEM v1.9) or "
                                  "http://127.0.0.1:8181 (MEM v5.2)" % self.base)
                    return
            except Fail as exc:
                self.debug("MidoNet API root %s: %s" % (url, exc))
            if i + 1 < tries and (self.v == (4, 3) or i % len(urls) == len(urls) - 1):
                self.sleep(delay)
        raise Fail("unable to reach the MidoNet API (%s)" % " ".join(urls))

    def _http(self, method, url, body=None, ctype=None, accept=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        if ctype:
            req.add_header("Content-Type", ctype)
        if accept:
            req.add_header("Accept", accept)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw = resp.read()
                loc = resp.headers.get("Location")
                status = resp.status
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            raise Fail("%s %s: HTTP %d %s" % (method, url, exc.code, detail))
        except (urllib.error.URLError, OSError) as exc:
            raise Fail("%s %s: %s" % (method, url, getattr(exc, "reason", exc)))
        if method == "POST" and status not in (200, 201):
            raise Fail("%s %s: HTTP %d" % (method, url, status))
        out = json.loads(raw) if raw else None
        return loc, out

    def get(self, path, kind, collection=True):
        url = self.base + "/" + path
        return self._http("GET", url, accept=(self.mtc if collection else self.mt)[kind])[1] or []

    def post(self, path, kind, body):
        loc, _unused = self._http("POST", self.base + "/" + path, body, ctype=self.mt[kind], accept=self.mt[kind])
        return loc.rstrip("/").rsplit("/", 1)[-1] if loc else None

    def put(self, path, kind, body):
        self._http("PUT", self.base + "/" + path, body, ctype=self.mt[kind], accept=self.mt[kind])

    def delete(self, path):
        self._http("DELETE", self.base + "/" + path)

    # ---- discovery ------------------------------------------------------------------------
    def discover(self):
        q = "?tenant_id=" + TENANT
        c = {"routers": self.get("routers" + q, "router"), "bridges": self.get("bridges" + q, "bridge"),
             "chains": self.get("chains" + q, "chain"), "port_groups": self.get("port_groups" + q, "port_group"),
             "ip_addr_groups": self.get("ip_addr_groups", "ipag"), "ports": self.get("ports", "port"),
             "hosts": self.get("hosts", "host")}
        c["ports_by_dev"] = {}
        for p in c["ports"]:
            c["ports_by_dev"].setdefault(p.get("deviceId"), []).append(p)
        return c

    @staticmethod
    def by_name(objs, name):
        for o in objs:
            if o.get("name") == name:
                return o
        return None

    def host_addresses(self, h):
        addrs = list(h.get("addresses") or [])
        for i in h.get("hostInterfaces") or []:
            addrs += i.get("addresses") or []
        return [a.split("/")[0] for a in addrs]

    def host_by_ip(self, cache, ip):
        for h in cache["hosts"]:
            if ip in self.host_addresses(h):
                return h
        return None

    def find_host(self, cache, name):
        """4.1-4.3: exact MidoNet host name; 4.4: resolve to an IP, look it up among addresses."""
        if self.v <= (4, 3):
            for h in cache["hosts"]:
                if h.get("name") == name:
                    return h
            return None
        ip = resolve_ip(name)
        return self.host_by_ip(cache, ip) if ip else None

    # ---- gateways from the GNI (6.7) ------------------------------------------------------
    def gateways(self, doc):
        mido = (doc.get("network_configuration") or {}).get("Mido") or {}
        pub_cidr, pub_gw = mido.get("PublicNetworkCidr"), mido.get("PublicGatewayIP")
        entries = []
        if self.v >= (4, 2) and mido.get("Gateways"):
            entries = list(mido["Gateways"])
        elif mido.get("GatewayHost") or mido.get("GatewayIP"):
            entries = [{k: mido.get(k) for k in ("GatewayHost", "GatewayIP", "GatewayInterface")}]
        out = []
        for g in entries:
            if self.v >= (4, 4) and g.get("Ip"):
                peer = g.get("ExternalRouterIp") or g.get("BgpPeerIp")
                out.append({"host": g["Ip"], "iface": g.get("ExternalDevice"), "ip": g.get("ExternalIp"),
                            "cidr": g.get("ExternalCidr"), "peer": peer})
            else:
                out.append({"host": g.get("GatewayHost"), "iface": g.get("GatewayInterface"),
                            "ip": g.get("GatewayIP"), "cidr": pub_cidr, "peer": pub_gw})
        for g in out:
            if not all(g.get(k) for k in ("host", "iface", "ip", "cidr", "peer")):
                raise Fail("incomplete Mido gateway configuration in GNI: %s" % g)
        return out, mido

    # ---- tunnel zone (6.4) ----------------------------------------------------------------
    def check_tunnelzone(self, doc, cache):
        tries = 30 if self.v == (4, 3) else None
        n = 0
        while True:
            n += 1
            ok, why = self._tz_once(doc, cache)
            if ok:
                return
            self.warn(why)
            if tries is not None and n >= tries:
                raise Fail("Cannot proceed without a valid tunnel-zone.")
            if tries is None:
                self.error("Cannot proceed without a valid tunnel-zone.")
            self.sleep(3)
            cache["hosts"] = self.get("hosts", "host")

    def _tz_once(self, doc, cache):
        tzs = self.get("tunnel_zones", "tz")
        tz = next((t for t in tzs if (t.get("name") or "") in TUNNELZONES), None)
        if tz is None:
            return False, "no valid VPCMIDO tunnel-zone found (one of %s)" % TUNNELZONES
        members = self.get("tunnel_zones/%s/hosts" % tz["id"], "tz_host")
        if not members:
            return False, "tunnel-zone %s has no members" % tz["name"]
        if self.v == (4, 3):
            return True, None
        member_ids = {m.get("hostId") for m in members}
        wanted = [n for c in doc.get("clusters") or [] for n in c.get("nodes") or []]
        gws, _mido = self.gateways(doc)
        wanted += [resolve_ip(g["host"]) or g["host"] for g in gws]
        if doc.get("enabled_clc_ip"):
            wanted.append(doc["enabled_clc_ip"])
        missing = []
        for ip in dict.fromkeys(wanted):
            h = self.host_by_ip(cache, ip)
            if h is None:
                self.info("\t\t%s not found in MN." % ip)
            elif h["id"] not in member_ids:
                self.warn("\t\t%s not found in MN tunnel-zone." % ip)
                missing.append(ip)
        if missing:
            return False, "tunnel-zone %s misses %s" % (tz["name"], " ".join(missing))
        return True, None

    # ---- find-or-create -------------------------------------------------------------------
    def ensure_device(self, cache, kind, mtkind, name, extra=None):
        obj = self.by_name(cache[kind], name)
        if obj is not None:
            return obj
        body = {"name": name, "tenantId": TENANT}
        if kind == "ip_addr_groups":
            body = {"name": name}
        body.update(extra or {})
        oid = self.post(kind, mtkind, body)
        self.info("created %s %s (%s)" % (kind[:-1].replace("_", " "), name, oid))
        obj = dict(body, id=oid)
        cache[kind].append(obj)
        return obj

    def ensure_ipag_addr(self, g, addr):
        have = [a.get("addr") for a in self.get("ip_addr_groups/%s/ip_addrs" % g["id"], "ipag_addr")]
        if addr not in have:
            self.post("ip_addr_groups/%s/ip_addrs" % g["id"], "ipag_addr", {"addr": addr, "version": 4})

    def ensure_routes(self, router_id, wanted):
        """wanted: [(dst, len, port, gateway)]; creates the missing ones, returns the route list."""
        routes = self.get("routers/%s/routes" % router_id, "route")
        have = {(r.get("dstNetworkAddr"), r.get("dstNetworkLength"), r.get("nextHopPort"),
                 r.get("nextHopGateway") or None) for r in routes}
        for dst, length, port, gw in wanted:
            if (dst, length, port, gw) in have:
                continue
            body = {"srcNetworkAddr": "0.0.0.0", "srcNetworkLength": 0, "dstNetworkAddr": dst,
                    "dstNetworkLength": length, "type": "Normal", "nextHopPort": port, "weight": 0}
            if gw:
                body["nextHopGateway"] = gw
            self.post("routers/%s/routes" % router_id, "route", body)
            self.info("created route %s/%d via port %s%s" % (dst, length, port, " gw " + gw if gw else ""))
        return routes

    def create_core(self, doc, cache):
        gws, mido = self.gateways(doc)
        if not gws:
            raise Fail("no Mido gateway in GNI")
        hosts = []
        for g in gws:
            h = self.find_host(cache, g["host"])
            if h is None:
                raise Fail("cannot find gateway host '%s' in MidoNet hosts (%s)" % (
                    g["host"], "by name" if self.v <= (4, 3) else "by IP"))
            hosts.append(h)
        if self.v <= (4, 3):
            name = mido.get("EucanetdHost")
            if not name or self.find_host(cache, name) is None:
                raise Fail("cannot find EucanetdHost '%s' in MidoNet hosts (by name)" % name)
        else:
            self.find_self(cache)
        rt = self.ensure_device(cache, "routers", "router", "eucart")
        br = self.ensure_device(cache, "bridges", "bridge", "eucabr")
        if self.v >= (4, 4):
            ch = self.by_name(cache["chains"], "eucabr_infilter")
            if ch is None:
                ch = self.ensure_device(cache, "chains", "chain", "eucabr_infilter")
                self.post("chains/%s/rules" % ch["id"], "rule",
                          {"type": "drop", "position": 1, "dlType": 2048, "nwDstAddress": INT_NET,
                           "nwDstLength": INT_LEN})
            if br.get("inboundFilterId") != ch["id"]:
                self.put("bridges/%s" % br["id"], "bridge",
                         {"name": "eucabr", "tenantId": TENANT, "inboundFilterId": ch["id"]})
                br["inboundFilterId"] = ch["id"]
        rports = self.get("routers/%s/ports" % rt["id"], "port")
        bports = self.get("bridges/%s/ports" % br["id"], "port")
        bids = {p["id"] for p in bports}
        link = next((p for p in rports if p.get("portAddress") == INT_RTADDR), None)
        if link is None:
            pid = self.post("routers/%s/ports" % rt["id"], "port",
                            {"type": "Router", "portAddress": INT_RTADDR, "networkAddress": INT_NET,
                             "networkLength": INT_LEN})
            link = {"id": pid, "portAddress": INT_RTADDR, "peerId": None}
            rports.append(link)
            self.info("created eucart port %s %s/%d" % (pid, INT_RTADDR, INT_LEN))
        if not link.get("peerId") or link["peerId"] not in bids:
            if link.get("peerId"):
                self.delete("ports/%s/link" % link["id"])
            bp = next((p for p in bports if not p.get("peerId") and not p.get("hostId")), None)
            bpid = bp["id"] if bp else self.post("bridges/%s/ports" % br["id"], "port", {"type": "Bridge"})
            self.post("ports/%s/link" % link["id"], "link", {"peerId": bpid})
            self.info("linked eucart port %s to eucabr port %s" % (link["id"], bpid))
        # gateway ports the GNI no longer names go first (pass2): they hold the interfaces
        gw_ips = {g["ip"] for g in gws}
        for p in list(rports):
            if p["id"] != link["id"] and not p.get("peerId") and p.get("portAddress") not in gw_ips:
                self.delete("ports/%s" % p["id"])
                rports.remove(p)
                self.info("deleted stale eucart port %s (%s)" % (p["id"], p.get("portAddress")))
        wanted_routes = [(INT_NET, INT_LEN, link["id"], None)]
        gw_ports = []
        for g, h in zip(gws, hosts):
            net = ipaddress.ip_network(g["cidr"], strict=False)
            port = next((p for p in rports if p.get("portAddress") == g["ip"]), None)
            if port is None:
                pid = self.post("routers/%s/ports" % rt["id"], "port",
                                {"type": "Router", "portAddress": g["ip"], "networkAddress": str(net.network_address),
                                 "networkLength": net.prefixlen})
                port = {"id": pid, "portAddress": g["ip"], "hostId": None}
                rports.append(port)
                self.info("created eucart gateway port %s %s/%d" % (pid, g["ip"], net.prefixlen))
            gw_ports.append(port)
            if port.get("hostId") != h["id"] or port.get("interfaceName") != g["iface"]:
                if port.get("hostId"):
                    self.delete("hosts/%s/ports/%s" % (port["hostId"], port["id"]))
                self.post("hosts/%s/ports" % h["id"], "host_port",
                          {"hostId": h["id"], "portId": port["id"], "interfaceName": g["iface"],
                           "deviceId": rt["id"]})
                self.info("bound gateway port %s to %s:%s" % (port["id"], h.get("name"), g["iface"]))
            wanted_routes.append((str(net.network_address), net.prefixlen, port["id"], None))
            if self.v >= (4, 4):
                wanted_routes.append((g["peer"], 32, port["id"], None))
            wanted_routes.append(("0.0.0.0", 0, port["id"], g["peer"]))
        routes = self.ensure_routes(rt["id"], wanted_routes)
        want = set(wanted_routes)
        for r in routes:
            key = (r.get("dstNetworkAddr"), r.get("dstNetworkLength"), r.get("nextHopPort"), r.get("nextHopGateway") or None)
            if r.get("nextHopPort") in {p["id"] for p in gw_ports} and key not in want and not r.get("learned"):
                self.delete("routes/%s" % r["id"])
                self.info("deleted stale route %s/%s" % key[:2])
        if self.v >= (4, 2):
            pg = self.ensure_device(cache, "port_groups", "port_group", "eucapg")
            members = {m.get("portId") for m in self.get("port_groups/%s/ports" % pg["id"], "pg_port")}
            for p in gw_ports:
                if p["id"] not in members:
                    self.post("port_groups/%s/ports" % pg["id"], "pg_port", {"portId": p["id"]})
        md = self.ensure_device(cache, "ip_addr_groups", "ipag", "metadata_ip")
        self.ensure_ipag_addr(md, METADATA_IP)
        if self.v >= (4, 4):
            ev = self.ensure_device(cache, "ip_addr_groups", "ipag", "euca_version")
            parts = (re.findall(r"\d+", self.full_version) + ["0", "0", "0", "0"])[:4]
            self.ensure_ipag_addr(ev, ".".join(str(min(int(x), 255)) for x in parts))

    def find_self(self, cache):
        """4.4: eucanetd finds its own MidoNet host by its first local IP, 60 tries (6.5)."""
        ips = [ip for ip in local_ips() if not ip.startswith("127.")] or ["127.0.0.1"]
        for i in range(60):
            if self.host_by_ip(cache, ips[0]) is not None:
                return
            if i == 0:
                self.warn("eucanetd host (%s) not found in MidoNet hosts - retrying" % ips[0])
            self.sleep(1)
            cache["hosts"] = self.get("hosts", "host")
        raise Fail("cannot find eucanetd host (%s) in MidoNet" % ips[0])

    # ---- deletion -------------------------------------------------------------------------
    def delete_obj(self, kind, o):
        self.delete("%s/%s" % (kind, o["id"]))
        self.info("deleted %s %s" % (kind[:-1].replace("_", " "), o.get("name") or o["id"]))

    def delete_vpc_objects(self, cache, gni_ids=()):
        """pass2 / teardown: per-VPC, SG, instance objects (name prefixes of 6.7) not in the GNI."""
        def in_gni(name):
            return any(i and i in name for i in gni_ids)
        for kind, prefixes in (("routers", VPC_ROUTER_PREFIXES), ("bridges", ("vb_",)),
                               ("chains", ("vc_", "sg_", "ic_", "natc_")), ("ip_addr_groups", ("sg_", "elip_"))):
            for o in list(cache[kind]):
                name = o.get("name") or ""
                if name.startswith(prefixes) and not in_gni(name):
                    self.delete_obj(kind, o)
                    cache[kind].remove(o)

    def unconnected_ports(self, cache):
        return [p for p in cache["ports"] if not p.get("peerId") and not p.get("interfaceName")]

    def delete_unconnected(self, cache):
        for p in self.unconnected_ports(cache):
            self.delete("ports/%s" % p["id"])
            self.info("deleted unconnected port %s (device %s)" % (p["id"], p.get("deviceId")))
        cache["ports"] = [p for p in cache["ports"] if p.get("peerId") or p.get("interfaceName")]

    def delete_all_sweep(self, cache):
        """midonet_api_delete_all (6.3): name-substring sweep plus every unconnected port."""
        for kind, subs in SWEEP.items():
            for o in list(cache[kind]):
                if any(s in (o.get("name") or "") for s in subs):
                    self.delete_obj(kind, o)
                    cache[kind].remove(o)
        cache["ports"] = self.get("ports", "port")
        self.delete_unconnected(cache)

    def delete_core(self, cache):
        names = [("ip_addr_groups", "euca_version"), ("ip_addr_groups", "metadata_ip"), ("port_groups", "eucapg"),
                 ("bridges", "eucabr"), ("chains", "eucabr_infilter"), ("routers", "eucart")]
        for kind, name in names:
            for o in [o for o in cache[kind] if o.get("name") == name]:
                self.delete_obj(kind, o)
                cache[kind].remove(o)

    def metaproxy_teardown(self, cache):
        """Stops the metadata proxies of every VPC: reads the VPC router's ports (see header)."""
        for r in cache["routers"]:
            if (r.get("name") or "").startswith("vr_"):
                self.get("routers/%s/ports" % r["id"], "port")
        for f in os.listdir(self.run_dir) if os.path.isdir(self.run_dir) else []:
            if f.startswith(("nginx_vpcproxy_", "nginx_localproxy", "nginx_md")) and f.endswith(".pid"):
                os.unlink(os.path.join(self.run_dir, f))

    # ---- the daemon loop (6.6) ------------------------------------------------------------
    def daemon_loop(self):
        self.info("eucanetd (version %s) started, pid %d" % (self.full_version, os.getpid()))
        doc = self.wait_preflight()
        self.info("eucanetd: network mode VPCMIDO")
        self.api_ready = False
        last_version, failed, first = None, True, True
        while True:
            self.conf = read_shell_conf(self.conf_path)
            try:
                doc = self.read_gni()
            except Fail as exc:
                self.warn(str(exc))
                doc = None
            if doc is not None:
                version = doc.get("gni_version")
                if first or failed or self.hup or version != last_version:
                    if self.hup:
                        self.info("SIGHUP: re-reading global network view")
                    self.hup = False
                    try:
                        self.net_mode(doc)
                        self.update(doc, first or failed)
                        self.write_version(version)
                        self.info("eucanetd: system_scrub complete for GNI version %s" % version)
                        last_version, failed, first = version, False, False
                    except Fail as exc:
                        failed = True
                        self.error(str(exc))
                        self.error("failed to implement GNI version %s - will retry" % version)
            freq = self.conf.get("POLLING_FREQUENCY") or ("5" if self.v == (4, 1) else "1")
            try:
                freq = max(float(freq), 0.05)
            except ValueError:
                freq = 1.0
            if self.stop.wait(freq):
                raise Stop()

    def update(self, doc, first_or_failed):
        if not self.api_ready:
            self.init_api()
            self.api_ready = True
        cache = self.discover()
        if self.v >= (4, 3):
            self.check_tunnelzone(doc, cache)
        if first_or_failed and self.v >= (4, 3):   # "on the first update or after errors" (6.6)
            self.delete_unconnected(cache)
        self.delete_vpc_objects(cache)
        self.create_core(doc, cache)

    def write_version(self, version):
        try:
            with open(self.version_file, "w") as f:
                f.write("%s\n" % version)
        except OSError as exc:
            self.error("cannot write %s: %s" % (self.version_file, exc))

    # ---- flushes and reports (6.1, 6.3) ---------------------------------------------------
    def run_mode(self, mode):
        doc = self.wait_preflight()
        if self.v >= (4, 3) and mode in "Ff":
            self.error("options '-f' and '-F' cannot be used in VPCMIDO mode")
            return 0
        try:
            self.init_api()
        except Fail as exc:
            return self.flush_result(mode, exc)
        try:
            if mode in "lgmuv":
                return self.report(mode, doc)
            if mode == "T":
                return self.create_tzone(self.opts["T"])
            if mode == "z":
                self.warn("test mode -z is not modelled by the lab stand-in")
                return 0
            self.flush(mode)
        except Fail as exc:
            return self.flush_result(mode, exc)
        self.info("flushing of euca networking artifacts done")
        return 0

    def flush_result(self, mode, exc):
        self.error(str(exc))
        self.error("flushing of euca networking artifacts failed")
        if self.v == (4, 1):
            self.error("manual flushing of all euca networking artifacts (iptables, ebtables, ipset) failed")
            return 1
        return 0

    def flush(self, mode):
        cache = self.discover()
        if mode in "MUV":
            return self.flush_model(mode, cache)
        if self.v <= (4, 2):
            # do_midonet_teardown: VPCs, SGs, metadata proxies; the core only when 4.2 -F
            self.metaproxy_teardown(cache)
            self.delete_vpc_objects(cache)
            if self.v == (4, 2) and mode == "F":
                self.delete_core(cache)
            return
        # 4.3/4.4 -C / -Z: the metadata-proxy teardown is retried forever while it fails (6.3)
        while True:
            try:
                self.metaproxy_teardown(cache)
                break
            except Fail as exc:
                self.error("%s - retrying metadata proxy teardown" % exc)
                self.sleep(1)
        self.delete_vpc_objects(cache)
        self.delete_all_sweep(cache)
        if mode == "Z":
            self.delete_core(cache)
            cache["ports"] = self.get("ports", "port")
            self.delete_unconnected(cache)

    def flush_model(self, mode, cache):
        if mode == "U":
            self.delete_unconnected(cache)
        elif mode == "M":
            for kind in ("routers", "bridges", "chains", "port_groups", "ip_addr_groups"):
                seen = set()
                for o in list(cache[kind]):
                    if o.get("name") in seen:
                        self.delete_obj(kind, o)
                    seen.add(o.get("name"))
        elif mode == "V":
            mid = self.opts["V"]
            if not mid.startswith(MODEL_PREFIXES):
                raise Fail("Invalid model id %s (i-, eni-, vpc-, subnet-, nat-, sg-)" % mid)
            for kind in ("routers", "bridges", "chains", "ip_addr_groups"):
                for o in list(cache[kind]):
                    if mid in (o.get("name") or ""):
                        self.delete_obj(kind, o)

    def report(self, mode, doc):
        cache = self.discover()
        out = []
        if mode == "l":
            for kind in ("routers", "bridges", "chains", "port_groups", "ip_addr_groups"):
                for o in cache[kind]:
                    out.append("%s %s %s" % (kind[:-1], o.get("name"), o["id"]))
        elif mode == "g":
            rt = self.by_name(cache["routers"], "eucart")
            hosts = {h["id"]: h.get("name") for h in cache["hosts"]}
            for p in cache["ports_by_dev"].get(rt["id"] if rt else None, []):
                if p.get("interfaceName"):
                    out.append("gateway %s/%s host %s interface %s BGP not configured" % (
                        p.get("portAddress"), p.get("networkLength"), hosts.get(p.get("hostId")), p["interfaceName"]))
        elif mode == "u":
            for p in self.unconnected_ports(cache):
                out.append("unconnected port %s device %s" % (p["id"], p.get("deviceId")))
        elif mode == "m":
            for kind in ("routers", "bridges", "chains", "port_groups", "ip_addr_groups"):
                names = [o.get("name") for o in cache[kind]]
                for n in sorted({n for n in names if names.count(n) > 1}):
                    out.append("duplicate %s %s (%d)" % (kind[:-1], n, names.count(n)))
        elif mode == "v":
            mid = self.opts["v"]
            if not mid.startswith(MODEL_PREFIXES):
                raise Fail("Invalid model id %s (i-, eni-, vpc-, subnet-, nat-, sg-)" % mid)
            for kind in ("routers", "bridges", "chains", "ip_addr_groups"):
                for o in cache[kind]:
                    if mid in (o.get("name") or ""):
                        out.append("%s %s %s" % (kind[:-1], o.get("name"), o["id"]))
        for line in out:
            self.info(line)
        return 0

    def create_tzone(self, arg):
        dev, _sep, tztype = arg.partition("/")
        tztype = tztype or "gre"
        if tztype not in ("gre", "vxlan"):
            raise Fail("invalid tunnel-zone type %s (gre|vxlan)" % tztype)
        tzs = self.get("tunnel_zones", "tz")
        tz = next((t for t in tzs if (t.get("name") or "") in TUNNELZONES), None)
        if tz is None:
            tid = self.post("tunnel_zones", "tz", {"name": DEFAULT_TZ, "type": tztype, "tenantId": TENANT})
            tz = {"id": tid, "name": DEFAULT_TZ}
            self.info("created tunnel-zone %s (%s) type %s" % (DEFAULT_TZ, tid, tztype))
        members = {m.get("hostId") for m in self.get("tunnel_zones/%s/hosts" % tz["id"], "tz_host")}
        for h in self.get("hosts", "host"):
            ip = None
            for i in h.get("hostInterfaces") or []:
                if i.get("name") == dev:
                    ip = next((a.split("/")[0] for a in i.get("addresses") or [] if ":" not in a), None)
            if ip is None:
                self.warn("host %s has no address on %s" % (h.get("name"), dev))
                continue
            if h["id"] in members:
                continue
            self.post("tunnel_zones/%s/hosts" % tz["id"], "tz_host", {"hostId": h["id"], "ipAddress": ip})
            self.info("added host %s (%s) to tunnel-zone %s" % (h.get("name"), ip, tz["name"]))
        return 0


def main(argv=None):
    return Eucanetd(sys.argv[1:] if argv is None else argv).main()


if __name__ == "__main__":
    sys.exit(main())
