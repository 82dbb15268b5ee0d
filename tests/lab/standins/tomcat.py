"""LAB STAND-IN for Apache Tomcat as used by MidoNet 1.x (EL7 package/service ``tomcat``).
Not Tomcat; for the eucalyptus.cloud lab only (Debian 12 has only tomcat10, and no MidoNet).

Runs as ``tomcat.service`` and reads Tomcat's own files, as the real one does:

* ``/etc/tomcat/server.xml``: the first HTTP ``<Connector>`` gives port and ``address``;
* ``/etc/tomcat/Catalina/localhost/<name>.xml``: a ``<Context docBase=...>``; its context path is
  ``/<name>`` (Tomcat ignores ``path`` in these files). A docBase that holds the midonet-api
  webapp stand-in (``WEB-INF/lib/midonet_api_standin.py``, package ``midonet-api``) is "deployed":
  this process execs it with ``--flavor 1 --config DOCBASE/WEB-INF/web.xml
  --tomcat-server-xml /etc/tomcat/server.xml --base-path /<name> --store zookeeper``.

Without such a context Tomcat still listens and answers 404 to everything, so a missing context
file shows up the same way it would on a real host.

    tomcat.py [--conf-dir /etc/tomcat]
"""
import argparse
import glob
import os
import sys
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WEBAPP = os.path.join("WEB-INF", "lib", "midonet_api_standin.py")


def log(msg):
    sys.stderr.write("tomcat-standin: %s\n" % msg)
    sys.stderr.flush()


def connector(server_xml):
    root = ET.parse(server_xml).getroot()
    for el in root.iter("Connector"):
        if "AJP" in el.get("protocol", "HTTP/1.1").upper():
            continue
        return el.get("address") or "0.0.0.0", int(el.get("port", "8080"))
    return "0.0.0.0", 8080


def webapp(conf_dir):
    for ctx_file in sorted(glob.glob(os.path.join(conf_dir, "Catalina", "localhost", "*.xml"))):
        try:
            ctx = ET.parse(ctx_file).getroot()
        except ET.ParseError as exc:
            log("ignoring %s: %s" % (ctx_file, exc))
            continue
        doc_base = ctx.get("docBase") or ""
        if ctx.tag == "Context" and os.path.isfile(os.path.join(doc_base, WEBAPP)):
            name = os.path.splitext(os.path.basename(ctx_file))[0]
            return "/" + name.replace("#", "/"), doc_base
    return None, None


class NotFound(BaseHTTPRequestHandler):
    def _do(self):
        body = b"<html><body><h1>HTTP Status 404 - Not Found</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _do


def main(argv=None):
    p = argparse.ArgumentParser(description="LAB STAND-IN for Tomcat serving the midonet-api webapp")
    p.add_argument("--conf-dir", default="/etc/tomcat")
    args = p.parse_args(argv)
    server_xml = os.path.join(args.conf_dir, "server.xml")
    path, doc_base = webapp(args.conf_dir)
    if path:
        cmd = [sys.executable, os.path.join(doc_base, WEBAPP), "--flavor", "1",
               "--config", os.path.join(doc_base, "WEB-INF", "web.xml"),
               "--tomcat-server-xml", server_xml, "--base-path", path, "--store", "zookeeper"]
        log("LAB STAND-IN Tomcat: deploying %s from %s" % (path, doc_base))
        os.execv(cmd[0], cmd)
    host, port = connector(server_xml)
    log("LAB STAND-IN Tomcat: no webapp context in %s/Catalina/localhost; 404 on %s:%d" % (args.conf_dir, host, port))
    ThreadingHTTPServer((host, port), NotFound).serve_forever()


if __name__ == "__main__":
    main()
