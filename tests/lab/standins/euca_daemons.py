#!/usr/bin/env python3
"""LAB STAND-IN for the Eucalyptus cluster controller and node controller daemons (4.1-4.4).
Not Eucalyptus; for the eucalyptus.cloud lab only.

Stands in for the CC (package ``eucalyptus-cc``; 4.3+ ``Provides: eucalyptus-cluster``; 4.4
launcher ``/usr/sbin/eucalyptus-cluster``, unit ``eucalyptus-cluster.service`` + symlink
``eucalyptus-cc.service``; 4.1 ``/etc/init.d/eucalyptus-cc``) and the NC (``eucalyptus-nc``,
``Provides: eucalyptus-node``; ``/usr/sbin/eucalyptus-node``, ``eucalyptus-node.service`` +
``eucalyptus-nc.service``; 4.1 ``/etc/init.d/eucalyptus-nc``), as the shared references describe
them (``eucalyptus.md`` 1.4, 2; ``eucalyptus-admin-tools.md`` 8):

* reads ``$EUCALYPTUS/etc/eucalyptus/eucalyptus.conf`` the way the launchers do, by sourcing it
  with /bin/sh (it must be valid POSIX shell), and the product version from
  ``$EUCALYPTUS/etc/eucalyptus/eucalyptus-version``;
* ``VNET_MODE``: 4.1-4.3 accept EDGE, MANAGED, MANAGED-NOVLAN, VPCMIDO; 4.4 only EDGE and VPCMIDO
  (MANAGED* removed in 4.4.0); SYSTEM and STATIC are 3.x modes, refused by every 4.x. An empty
  value logs ``VNET_MODE is not defined!``, any other refused value ``Invalid network mode!``
  (the 4.4 CC's words, eucalyptus.md 2.2), at FATAL in cc.log / nc.log, and the daemon exits 1.
  4.4 NC: ``VNET_BRIDGE`` is mandatory in EDGE and VPCMIDO;
* the CC (4.4 launcher, every start; 4.1 init script ``cleanstart``/``cleanrestart``) deletes
  ``$EUCALYPTUS/var/lib/eucalyptus/CC/*`` and ``/dev/shm/*eucalyptusCC*`` and rewrites the
  ``Listen`` of ``$EUCALYPTUS/var/run/eucalyptus/httpd-cc.conf`` from ``CC_PORT``;
* serves HTTP: the CC on ``CC_PORT`` (8774), the NC on ``NC_PORT`` (8775); any GET answers 200
  (``/axis2/services/EucalyptusCC`` / ``EucalyptusNC`` name the service), so the CLC stand-in and
  an operator's ``curl`` see the daemon up;
* the NC logs a warning when libvirtd's socket ``/var/run/libvirt/libvirt-sock`` is missing (the
  4.4 unit only orders itself after libvirtd.service; the references do not say the NC refuses
  to start without it);
* logs to ``$EUCALYPTUS/var/log/eucalyptus/cc.log`` / ``nc.log`` in eucanetd's line format.

NOT modelled: Axis2/C SOAP (no operation is implemented: every GET is 200, every other request
405), instance scheduling, libvirt/KVM, key checks, NODES polling, the CC's VNET_* MANAGED
networking.

Usage::

    euca_daemons.py cc|nc [--background --pidfile FILE]      (or called as eucalyptus-cluster,
                                                             eucalyptus-node: cc / nc)
    euca_daemons.py cc --clean ...                           (the 4.1 cleanstart wipe)
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES_41 = ("EDGE", "MANAGED", "MANAGED-NOVLAN", "VPCMIDO")
MODES_44 = ("EDGE", "VPCMIDO")


def read_shell_conf(path):
    """Source eucalyptus.conf with /bin/sh and read the variables back (the launchers do `. FILE`)."""
    if not os.path.exists(path):
        return {}
    out = subprocess.run(["/bin/sh", "-c", 'set -a; . "$1" >/dev/null 2>&1; env -0', "sh", path],
                         capture_output=True, timeout=10, env={"PATH": "/usr/bin:/bin"},
                         check=False).stdout
    env = {}
    for item in out.split(b"\0"):
        k, sep, v = item.decode(errors="replace").partition("=")
        if sep:
            env[k] = v
    return env


class Daemon:
    def __init__(self, kind, clean=False):
        self.kind = kind                      # "cc" | "nc"
        self.root = os.environ.get("EUCALYPTUS") or "/"
        self.conf = read_shell_conf(self.p("etc/eucalyptus/eucalyptus.conf"))
        try:
            with open(self.p("etc/eucalyptus/eucalyptus-version")) as f:
                self.full_version = f.read().strip() or "4.4.0"
        except OSError:
            self.full_version = "4.4.0"
        self.v = tuple(int(x) for x in (self.full_version.split(".") + ["0"])[:2])
        self.log_path = self.p("var/log/eucalyptus/%s.log" % kind)
        self.clean = clean

    def p(self, rel):
        return os.path.join(self.root, rel)

    def log(self, level, msg):
        line = "%s %5s %09d %-24s | %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), level[:5], os.getpid(),
                                             sys._getframe(1).f_code.co_name[:24], msg)
        try:
            os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
            with open(self.log_path, "a") as f:
                f.write(line)
        except OSError:
            pass
        if level in ("ERROR", "FATAL"):
            sys.stderr.write(line)

    def check_mode(self):
        mode = (self.conf.get("VNET_MODE") or "").strip()
        valid = MODES_44 if self.v >= (4, 4) else MODES_41
        if not mode:
            self.log("FATAL", "VNET_MODE is not defined!")
            return False
        if mode not in valid:
            self.log("FATAL", "Invalid network mode! (VNET_MODE=\"%s\"; valid in %s: %s)"
                     % (mode, self.full_version, ", ".join(valid)))
            return False
        if self.kind == "nc" and self.v >= (4, 4) and not (self.conf.get("VNET_BRIDGE") or "").strip():
            self.log("FATAL", "VNET_BRIDGE is not defined! (mandatory in %s mode)" % mode)
            return False
        self.mode = mode
        return True

    def wipe_cc_state(self):
        for path in glob.glob(self.p("var/lib/eucalyptus/CC/*")) + glob.glob(self.p("dev/shm/*eucalyptusCC*")):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass
        self.log("INFO", "removed CC state in %s" % self.p("var/lib/eucalyptus/CC"))

    def port(self):
        key, default = ("CC_PORT", 8774) if self.kind == "cc" else ("NC_PORT", 8775)
        try:
            return int(self.conf.get(key) or default)
        except ValueError:
            return default

    def serve(self, background=False, pidfile=None):
        if not self.check_mode():
            return 1
        if self.kind == "cc" and (self.v >= (4, 4) or self.clean):
            self.wipe_cc_state()
        port = self.port()
        if self.kind == "cc":
            conf = self.p("var/run/eucalyptus/httpd-cc.conf")
            os.makedirs(os.path.dirname(conf), exist_ok=True)
            with open(conf, "w") as f:
                f.write("# LAB STAND-IN httpd-cc.conf (rewritten from CC_PORT at every start)\nListen %d\n" % port)
        else:
            if not os.path.exists(self.p("var/run/libvirt/libvirt-sock")):
                self.log("WARN", "libvirtd does not seem to run (no %s)" % self.p("var/run/libvirt/libvirt-sock"))
        service = "EucalyptusCC" if self.kind == "cc" else "EucalyptusNC"
        body = ("<?xml version=\"1.0\"?><service name=\"%s\" version=\"%s\" mode=\"%s\"/>\n"
                % (service, self.full_version, self.mode)).encode()

        class Handler(BaseHTTPRequestHandler):
            server_version = "Apache/2.2 (LAB STAND-IN %s)" % service

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _no(self):
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = do_DELETE = _no

            def log_message(self, *_a):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        try:
            srv = ThreadingHTTPServer(("0.0.0.0", port), Handler)
        except OSError as exc:
            self.log("FATAL", "cannot listen on port %d: %s" % (port, exc))
            return 1
        if background:
            r, w = os.pipe()
            if os.fork():
                os.close(w)
                os.read(r, 1)
                os._exit(0)
            os.close(r)
            os.setsid()
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
        if pidfile:
            os.makedirs(os.path.dirname(pidfile) or ".", exist_ok=True)
            with open(pidfile, "w") as f:
                f.write("%d\n" % os.getpid())
        if background:
            os.write(w, b"1")
            os.close(w)
        self.log("INFO", "%s %s started on port %d (VNET_MODE=%s)" % (service, self.full_version, port, self.mode))
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_a: stop.set())
        signal.signal(signal.SIGINT, lambda *_a: stop.set())
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        stop.wait()
        srv.shutdown()
        srv.server_close()
        self.log("INFO", "%s stopped" % service)
        return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = os.path.basename(sys.argv[0])
    kind = {"eucalyptus-cluster": "cc", "eucalyptus-cc": "cc", "eucalyptus-node": "nc", "eucalyptus-nc": "nc"}.get(prog)
    if kind is None:
        if not argv or argv[0] not in ("cc", "nc"):
            sys.stderr.write("usage: euca_daemons.py cc|nc [--clean] [--background --pidfile FILE]\n")
            return 2
        kind = argv.pop(0)
    background = "--background" in argv
    pidfile = argv[argv.index("--pidfile") + 1] if "--pidfile" in argv else None
    return Daemon(kind, clean="--clean" in argv).serve(background, pidfile)


if __name__ == "__main__":
    sys.exit(main())
