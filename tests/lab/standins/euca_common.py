"""LAB STAND-IN helpers shared by the Eucalyptus stand-ins (eucalyptus_cloud.py, euca_admin.py).
Not Eucalyptus; for the eucalyptus.cloud lab only. Installed by the lab package ``eucalyptus`` in
/usr/share/eucalyptus/lab/.

* paths under ``$EUCALYPTUS`` (environment, default ``/``), as the product's tools resolve them;
* the product version from ``$EUCALYPTUS/etc/eucalyptus/eucalyptus-version`` (``4.1.2`` / ``4.4.5``,
  written by the lab package ``eucalyptus``) -> the product line ``4.1`` / ``4.4``;
* eucalyptus.conf reading (shell ``KEY="value"`` lines);
* a minimal PostgreSQL client (protocol 3, simple query, trust authentication over the cluster's
  unix socket): the CLC stand-in keeps its state in a real PostgreSQL, and no PostgreSQL driver is
  packaged for Python on the lab hosts;
* the stand-ins' internal HTTP protocol: JSON requests signed with the access key's secret
  (``Authorization: EUCA-LAB-HMAC-SHA256 Credential=<key id>, Signature=<hex>``, the HMAC-SHA256 of
  ``METHOD\\nPATH\\nsha256(body)``). The real tools speak AWS query/SOAP; this protocol is internal
  to the stand-ins (README).

Lab settings (environment, never needed on a lab host with default ports):
``EUCA_LAB_CLC_PORT`` (default 8773), ``EUCA_LAB_DB_PORT`` (default 8777).
"""
import hashlib
import hmac
import json
import os
import shlex
import socket
import struct
import subprocess

from urllib.request import ProxyHandler, Request, build_opener
from urllib.error import HTTPError, URLError

# no proxies from the environment: the stand-ins talk to cloud hosts directly
_OPENER = build_opener(ProxyHandler({}))


def urlopen(req, timeout=30):
    return _OPENER.open(req, timeout=timeout)


def euca_home():
    return os.environ.get("EUCALYPTUS") or "/"


def path(*parts):
    return os.path.join(euca_home(), *[p.lstrip("/") for p in parts])


def product_version():
    try:
        with open(path("etc/eucalyptus/eucalyptus-version")) as f:
            return f.read().strip() or "4.4.5"
    except OSError:
        return "4.4.5"


def product_line():
    v = product_version().split(".")
    return ".".join(v[:2])


def conf_path():
    return path("etc/eucalyptus/eucalyptus.conf")


def read_conf(p=None):
    """KEY -> value of the active (uncommented) lines of eucalyptus.conf."""
    out = {}
    try:
        with open(p or conf_path()) as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for line in lines:
        s = line.strip()
        if not s or s.startswith("#") or "=" not in s:
            continue
        k, _sep, v = s.partition("=")
        k = k.strip()
        if not k.replace("_", "").isalnum():
            continue
        try:
            parts = shlex.split(v, comments=True)
            out[k] = parts[0] if parts else ""
        except ValueError:
            out[k] = v.strip().strip('"')
    return out


def clc_port():
    return int(os.environ.get("EUCA_LAB_CLC_PORT") or 8773)


def db_port():
    return int(os.environ.get("EUCA_LAB_DB_PORT") or 8777)


def db_dir():
    return path("var/lib/eucalyptus/db")


def data_dir():
    return os.path.join(db_dir(), "data")


def keys_dir():
    return path("var/lib/eucalyptus/keys")


def local_ips():
    """IPv4 addresses of this host, loopback last."""
    ips = []
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True,
                             timeout=5, check=False).stdout
        for line in out.splitlines():
            f = line.split()
            if "inet" in f:
                ips.append(f[f.index("inet") + 1].split("/")[0])
    except (OSError, subprocess.SubprocessError):
        pass
    if not ips:
        try:
            ips = socket.gethostbyname_ex(socket.gethostname())[2]
        except OSError:
            ips = []
    ips = [i for i in ips if not i.startswith("127.")] + [i for i in ips if i.startswith("127.")]
    return ips or ["127.0.0.1"]


def is_local(host):
    try:
        ip = socket.gethostbyname(host)
    except OSError:
        return False
    return ip.startswith("127.") or ip in local_ips()


# ---------------------------------------------------------------------------------------------
# PostgreSQL (protocol 3, simple query)

class PGError(Exception):
    pass


def lit(value):
    """An SQL literal (standard_conforming_strings=on)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


class PG(object):
    def __init__(self, socket_dir=None, port=None, user="eucalyptus", database="eucalyptus_shared",
                 host=None, timeout=10):
        self.user, self.database = user, database
        port = port or db_port()
        if host:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(os.path.join(socket_dir or data_dir(), ".s.PGSQL.%d" % port))
        params = b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
        self.sock.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
        while True:
            t, body = self._read()
            if t == b"R":
                code = struct.unpack("!i", body[:4])[0]
                if code != 0:
                    raise PGError("authentication method %d not supported by the lab client" % code)
            elif t == b"E":
                raise PGError(self._err(body))
            elif t == b"Z":
                break

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise PGError("connection closed by the server")
            buf += chunk
        return buf

    def _read(self):
        head = self._recv(5)
        n = struct.unpack("!i", head[1:])[0]
        return head[:1], self._recv(n - 4)

    @staticmethod
    def _err(body):
        fields = {}
        for part in body.split(b"\0"):
            if part:
                fields[part[:1]] = part[1:].decode("utf-8", "replace")
        return fields.get(b"M", "error")

    def query(self, sql):
        """Rows (lists of str or None) of the last statement; raises PGError."""
        data = sql.encode() + b"\0"
        self.sock.sendall(b"Q" + struct.pack("!i", 4 + len(data)) + data)
        rows, error = [], None
        while True:
            t, body = self._read()
            if t == b"T":
                rows = []
            elif t == b"D":
                n = struct.unpack("!h", body[:2])[0]
                off, row = 2, []
                for _i in range(n):
                    ln = struct.unpack("!i", body[off:off + 4])[0]
                    off += 4
                    if ln < 0:
                        row.append(None)
                    else:
                        row.append(body[off:off + ln].decode("utf-8"))
                        off += ln
                rows.append(row)
            elif t == b"E":
                error = self._err(body)
            elif t == b"Z":
                break
        if error:
            raise PGError(error)
        return rows

    def close(self):
        try:
            self.sock.sendall(b"X" + struct.pack("!i", 4))
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# internal HTTP protocol of the stand-ins

def sign(secret, method, urlpath, body):
    msg = "\n".join([method, urlpath, hashlib.sha256(body).hexdigest()]).encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


class ServiceError(Exception):
    """An error answer of the CLC stand-in: code and message as the real service reports them."""

    def __init__(self, code, message, status=400):
        Exception.__init__(self, message)
        self.code, self.message, self.status = code, message, status


class TransportError(Exception):
    pass


def call(url, action, params, access_key, secret_key, timeout=30):
    """POST {"Action": action, ...params} to url; returns the JSON answer or raises."""
    body = json.dumps(dict(params, Action=action)).encode()
    from urllib.parse import urlparse
    u = urlparse(url)
    urlpath = u.path or "/"
    req = Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "Authorization": "EUCA-LAB-HMAC-SHA256 Credential=%s, Signature=%s"
                         % (access_key, sign(secret_key, "POST", urlpath, body))})
    try:
        with urlopen(req, timeout=timeout) as r:
            return json.loads(r.read().decode() or "{}")
    except HTTPError as e:
        try:
            err = json.loads(e.read().decode()).get("Error", {})
        except ValueError:
            err = {}
        raise ServiceError(err.get("Code", "InternalError"), err.get("Message", str(e)), e.code)
    except URLError as e:
        reason = e.reason
        if isinstance(reason, OSError) and reason.errno is not None:
            raise TransportError("[Errno %d] %s" % (reason.errno, reason.strerror))
        raise TransportError(str(reason))
    except OSError as e:
        raise TransportError(str(e))
