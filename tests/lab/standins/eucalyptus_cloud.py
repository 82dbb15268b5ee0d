#!/usr/bin/python3
"""LAB STAND-IN for ``/usr/sbin/eucalyptus-cloud``, the Eucalyptus 4.1 / 4.4 cloud controller (CLC)
JVM (also what runs on UFS, Walrus and SC hosts). Not Eucalyptus; for the eucalyptus.cloud lab only.
Package ``eucalyptus-cloud`` (lab repository eucalyptus-<line>); product line from
``$EUCALYPTUS/etc/eucalyptus/eucalyptus-version``.

    eucalyptus-cloud --initialize [-u USER] [-h EUCALYPTUS] [CLOUD_OPTS...]
    eucalyptus-cloud [--pidfile F] [-u USER] [-h EUCALYPTUS] [--bind-addr=IP] [CLOUD_OPTS...]

``--initialize`` (what 4.1 ``euca_conf --initialize`` and 4.4 ``clcadmin-initialize-cloud`` run):
creates the cloud keys (``keys/cloud-cert.pem``, ``cloud-pk.pem``, ``euca.p12``, openssl), and the
CLC's own PostgreSQL cluster ``var/lib/eucalyptus/db/data`` (``initdb`` as EUCA_USER; refused by
initdb, exit 1, when the directory is not empty, reference §4.1), the database
``eucalyptus_shared`` with the stand-in's own schema (``eucalyptus_config.services``,
``eucalyptus_config.properties``, ``eucalyptus_auth.access_keys``), the CLC service, the admin
access key, and the product's markers ``db/data/ibdata1`` (reference §1.1) and ``db/data/server.crt``.
The database password of user ``eucalyptus`` (TCP 127.0.0.1) is sha256 of the RSA-SHA256 signature of
"eucalyptus" made with the cloud key (reference §4.2; the stand-in signs with cloud-pk.pem, the same
key as in euca.p12).

Daemon: when initialised, starts its PostgreSQL (``postgres -p 8777``, as EUCA_USER), serves HTTP on
8773 and runs the service state checks; without a database (a UFS/Walrus/SC host) it serves only the
Heartbeat. HTTP (all paths on 8773):

* ``GET /services/Heartbeat`` - no credentials, text/plain, reference §2.7 format; other methods 405;
* ``POST /services/Empyrean/`` - JSON, signed (euca_common.call): ``RegisterService`` {Type, Name,
  Host, Port, Partition}, ``DeregisterService`` {Name, Type?}, ``DescribeServices`` {ListAll, Names,
  Filters: [{Name, Values}]}; answers {"return", "statusMessages", "services": [...]};
* ``POST /services/Properties/`` - ``DescribeProperties`` {Names} (prefix match, server side),
  ``ModifyPropertyValue`` {Name, Value | Reset}; errors {"Error": {Code, Message}} with 400;
* ``GET /getX509?account=&user=&code=`` - the 4.1 credentials zip (real: port 8443), token from the DB;
* ``GET /lab/state`` - lab-only JSON dump of services and properties (debugging).

Service states (reference §5, E44 ServiceState): a registration starts at NOTREADY; each check moves
NOTREADY -> DISABLED -> ENABLED while the service's daemon answers on its host (cluster: anything
answering HTTP on host:port, default 8774; user-api, walrusbackend, storage: the Heartbeat of an
eucalyptus-cloud on host:port, default 8773), ENABLED/DISABLED -> NOTREADY when it stops answering;
storage is BROKEN while ``<zone>.storage.blockstoragemanager`` is unset, the user-api member
``objectstorage`` BROKEN while ``objectstorage.providerclient`` is unset; a second service of a type
in a partition stays DISABLED (HA standby). Check interval: 10 s as the product
(bootstrap.topology.local_check_backoff_secs), or ``EUCA_LAB_CHECK_INTERVAL`` seconds (the lab units
set 2). Registration rules: reference §2.4. ``cloud.network.network_configuration`` is validated
with the rules of reference eucalyptus-admin-tools.md §7 / eucalyptus.md §3.3 (messages as quoted
there; the first error is reported). The GNI (``var/run/eucalyptus/global_network_info.xml``) is
rewritten (gni.write) whenever its content changes.

Not modelled: the Java services themselves (no instances, volumes, buckets, IAM), jGroups/HA
membership (a second CLC), service events beyond the storage one, euserv-modify-service, SSL, the
real DB schema, SELinux.
"""
import argparse
import hashlib
import http.server
import io
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.error
import zipfile

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import euca_common as ec  # noqa: E402
import gni  # noqa: E402

LINE = ec.product_line()
PG_BIN_CANDIDATES = sorted((os.path.join("/usr/lib/postgresql", v, "bin")
                            for v in (os.listdir("/usr/lib/postgresql") if os.path.isdir("/usr/lib/postgresql") else [])),
                           reverse=True)

REGISTERABLE = {"cluster": 8774, "storage": 8773, "walrusbackend": 8773, "user-api": 8773,
                "eucalyptus": 8773, "arbitrator": 8773}
PARTITIONED = ("cluster", "storage")
USER_API_MEMBERS = ("autoscaling", "cloudformation", "cloudwatch", "compute", "euare", "imaging",
                    "loadbalancing", "objectstorage", "simpleworkflow", "tokens")
URI_PATHS = {"cluster": "/axis2/services/EucalyptusCC", "storage": "/services/Storage",
             "walrusbackend": "/services/WalrusBackend", "user-api": "/services/UserAPI",
             "eucalyptus": "/services/Eucalyptus", "arbitrator": "/services/Arbitrator",
             "node": "/axis2/services/EucalyptusNC", "euare": "/services/Euare", "tokens": "/services/Tokens"}
BSM_VALUES = ("das", "overlay", "ceph-rbd", "netapp", "equallogic", "threepar", "emc-vnx", "no-op",
              "probable-failure")
JSON_PROPERTIES = ("authentication.ldap_integration_configuration", "cloud.network.network_configuration",
                   "cloudformation.swf_client_config", "cloudformation.swf_workflow_worker_config",
                   "region.region_configuration")


def check_interval():
    try:
        return max(0.2, float(os.environ.get("EUCA_LAB_CHECK_INTERVAL") or 10))
    except ValueError:
        return 10.0


def catalogue():
    """name -> (default, description) of the global properties the stand-in knows."""
    iv = str(int(check_interval())) if check_interval() >= 1 else str(check_interval())
    props = {
        "cloud.network.network_configuration": ("", "Network configuration document."),
        "cloud.vmstate.instance_subdomain": (".eucalyptus", "Subdomain to use for instance DNS."),
        "cloud.vmstate.mac_prefix": ("d0:0d", "Default prefix to use for instance MAC addresses."),
        "objectstorage.providerclient": ("", "Object Storage Provider client to use for backend"),
        "objectstorage.s3provider.s3endpoint": ("", "External S3 endpoint."),
        "objectstorage.s3provider.s3accesskey": ("", "External S3 Access Key."),
        "objectstorage.s3provider.s3secretkey": ("", "External S3 Secret Key."),
        "system.dns.dnsdomain": ("localhost", "Domain name to use for DNS."),
        "system.dns.nameserveraddress": ("127.0.0.1", "Nameserver address."),
        "bootstrap.webservices.port": ("8773", "Port to bind (note: port 8773 is always bound regardless)."),
        "bootstrap.webservices.use_instance_dns": ("false", "Use DNS names for instances."),
        "bootstrap.webservices.use_dns_delegation": ("false", "Use DNS delegation."),
        "bootstrap.webservices.listener_address_match": ("0.0.0.0", "CIDR to match against for host address selection"),
        "bootstrap.topology.coordinator_check_backoff_secs": (iv, "Backoff between service state checks (in seconds)."),
        "bootstrap.topology.local_check_backoff_secs": (iv, "Backoff between service state checks (in seconds)."),
        "authentication.ldap_integration_configuration": ("", "LDAP integration configuration, in JSON"),
        "authentication.access_keys_limit": ("2", "Limit for access keys per user"),
        "authentication.signing_certificates_limit": ("2", "Limit for signing certificates per user"),
        "authentication.credential_download_host_match": ("", "CIDR to match against for host address selection"),
        "authentication.credential_download_port": ("8443", "Port to use in service URLs when 'bootstrap.webservices.port' is not appropriate."),
        "authentication.default_password_expiry": ("60d", "Default password expiry time"),
        "authentication.system_account_quota_enabled": ("true", "Process quotas for system accounts"),
        "services.imaging.worker.image": ("NULL", "EMI containing imaging worker"),
        "services.loadbalancing.worker.image": ("NULL", "EMI containing haproxy and the controller"),
        "cloudformation.swf_client_config": ("", "JSON configuration for the cloudformation simple workflow client"),
        "cloudformation.swf_workflow_worker_config": ("", "JSON configuration for the cloudformation simple workflow decision worker"),
    }
    if LINE != "4.1":
        props["region.region_name"] = ("", "Region name")
        props["region.region_configuration"] = ("", "Region configuration document.")
    return props


def zone_catalogue(zone, with_storage):
    out = {}
    if with_storage:
        out[zone + ".storage.blockstoragemanager"] = ("unset", "EBS Block Storage Manager to use for backend")
        out[zone + ".storage.dasdevice"] = ("", "DAS device or volume group")
    out[zone + ".cluster.maxnetworkindex"] = ("4096", "Maximum network index")
    return out


# ---------------------------------------------------------------------------------------------
# network_configuration validation (reference eucalyptus-admin-tools.md §7, eucalyptus.md §3.3)

class ConfigError(Exception):
    pass


def _ip(v):
    try:
        return ipaddress.IPv4Address(str(v))
    except (ipaddress.AddressValueError, ValueError):
        return None


def _range(v):
    s = str(v)
    if "-" in s:
        a, _sep, b = s.partition("-")
        a, b = _ip(a.strip()), _ip(b.strip())
        if a is None or b is None or int(a) > int(b):
            return None
        return (int(a), int(b))
    a = _ip(s)
    return (int(a), int(a)) if a is not None else None


_DOMAIN = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")


def _host_ok(v):
    return _ip(v) is not None or bool(_DOMAIN.match(str(v)))


def _cidr(v):
    try:
        return ipaddress.IPv4Network(str(v), strict=False) if "/" in str(v) else None
    except ValueError:
        return None


TOP_KEYS = {"Mode", "InstanceDnsDomain", "InstanceDnsServers", "MacPrefix", "Mido", "PublicGateway",
            "PublicIps", "PrivateIps", "Subnets", "Clusters"}
MIDO_KEYS_41 = {"EucanetdHost", "GatewayHost", "GatewayIP", "GatewayInterface", "PublicNetworkCidr",
                "PublicGatewayIP"}
LEGACY_GW = ("GatewayHost", "GatewayIP", "GatewayInterface")
NEW_GW = ("Ip", "ExternalCidr", "ExternalDevice", "ExternalIp", "ExternalRouterIp", "BgpPeerIp",
          "BgpPeerAsn", "BgpAdRoutes")
SUBNET_KEYS = {"Name", "Subnet", "Netmask", "Gateway"}
CLUSTER_KEYS = {"Name", "MacPrefix", "Subnet", "PrivateIps"}
CLASSES = {"": "NetworkConfiguration", "Mido": "Midonet", "Gateways": "MidonetGateway",
           "Subnets": "EdgeSubnet", "Clusters": "Cluster", "ManagedSubnet": "ManagedSubnet"}


def _unknown(d, known, where):
    for k in d:
        if k not in known:
            raise ConfigError('Unrecognized field "%s" (class com.eucalyptus.network.config.%s), '
                              'not marked as ignorable' % (k, CLASSES.get(where, where)))


def validate_network_configuration(text, line=None):
    """The parsed document, or ConfigError with the CLC's message (first error only)."""
    line = line or LINE
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ConfigError("Error parsing network configuration: %s" % e)
    if not isinstance(doc, dict):
        raise ConfigError("Error parsing network configuration: not a JSON object")
    top = set(TOP_KEYS)
    if line != "4.1":
        top.add("ManagedSubnet")
    _unknown(doc, top, "")
    modes = ("EDGE", "VPCMIDO") if line == "4.1" else ("EDGE", "MANAGED", "MANAGED-NOVLAN", "VPCMIDO")
    mode = doc.get("Mode", "EDGE")
    if mode not in modes:
        raise ConfigError('Invalid mode "Mode": "%s"' % mode)
    if "PublicIps" not in doc:
        raise ConfigError('Missing required property "PublicIps"')
    for key in ("PublicIps", "PrivateIps"):
        for v in doc.get(key) or []:
            if _range(v) is None:
                raise ConfigError('Invalid IP or IP range for "%s": "%s"' % (key, v))
    for v in doc.get("InstanceDnsServers") or []:
        if _ip(v) is None:
            raise ConfigError('Invalid IP "InstanceDnsServers": "%s"' % v)
    if "InstanceDnsDomain" in doc and (str(doc["InstanceDnsDomain"]).startswith(".")
                                       or not _DOMAIN.match(str(doc["InstanceDnsDomain"]))):
        raise ConfigError('Invalid domain "InstanceDnsDomain": "%s"' % doc["InstanceDnsDomain"])
    mac = re.compile(r"^[0-9a-fA-F]{2}:[0-9a-fA-F]{2}$")
    if "MacPrefix" in doc and not mac.match(str(doc["MacPrefix"])):
        raise ConfigError('Invalid MAC prefix "MacPrefix": "%s"' % doc["MacPrefix"])
    subnets = doc.get("Subnets") or []
    if line != "4.1":
        if mode == "EDGE" and "ManagedSubnet" in doc:
            raise ConfigError('Unexpected ManagedSubnet declaration in EDGE mode "ManagedSubnet": "%s"'
                              % json.dumps(doc["ManagedSubnet"]))
        if mode != "EDGE" and subnets:
            raise ConfigError('Unexpected Subnets declaration for non-EDGE mode "Subnets": "%s"'
                              % json.dumps(subnets))
    for i, s in enumerate(subnets):
        _unknown(s, SUBNET_KEYS, "Subnets")
        _check_subnet(s, "Subnets[%d]" % i)
    for i, c in enumerate(doc.get("Clusters") or []):
        _unknown(c, CLUSTER_KEYS, "Clusters")
        if not c.get("Name"):
            raise ConfigError('Missing required property "Clusters[%d].Name"' % i)
        if "MacPrefix" in c and not mac.match(str(c["MacPrefix"])):
            raise ConfigError('Invalid MAC prefix "Clusters[%d].MacPrefix": "%s"' % (i, c["MacPrefix"]))
        for v in c.get("PrivateIps") or []:
            if _range(v) is None:
                raise ConfigError('Invalid IP or IP range for "Clusters[%d].PrivateIps": "%s"' % (i, v))
        sub = c.get("Subnet")
        if isinstance(sub, dict) and set(sub) - {"Name"}:
            _unknown(sub, SUBNET_KEYS, "Subnets")
            _check_subnet(sub, "Clusters[%d].Subnet" % i)
        elif mode == "EDGE" and len(subnets) > 1 and not sub:
            raise ConfigError('Missing required property "Clusters[%d].Subnet"' % i)
    if mode == "VPCMIDO":
        _check_mido(doc, line)
    if mode in ("MANAGED", "MANAGED-NOVLAN") and "ManagedSubnet" not in doc:
        raise ConfigError('Missing required property "ManagedSubnet"')
    # semantic checks (after "explode", E44 NetworkConfigurations.groovy)
    if mode == "VPCMIDO":
        if doc.get("PrivateIps") or any(c.get("PrivateIps") for c in doc.get("Clusters") or []):
            raise ConfigError("Private IP configuration not permitted for VPCMIDO.")
        if subnets or any(c.get("Subnet") for c in doc.get("Clusters") or []):
            raise ConfigError("Subnet configuration not permitted for VPCMIDO.")
    if mode == "EDGE":
        if not doc.get("Clusters"):
            if len(subnets) != 1:
                raise ConfigError("A single subnet must be configured when clusters are not specified.")
            _check_private(doc.get("PrivateIps") or [], subnets[0], None)
        else:
            by_name = {s.get("Name"): s for s in subnets}
            for c in doc["Clusters"]:
                sub = c.get("Subnet")
                if isinstance(sub, dict) and set(sub) - {"Name"}:
                    s = sub
                elif isinstance(sub, dict):
                    s = by_name.get(sub.get("Name"))
                else:
                    s = subnets[0] if len(subnets) == 1 else None
                if s:
                    _check_private(c.get("PrivateIps") or doc.get("PrivateIps") or [], s, c.get("Name"))
    return doc


def _check_subnet(s, where):
    for k in ("Subnet", "Netmask", "Gateway"):
        if not s.get(k):
            raise ConfigError('Missing required property "%s.%s"' % (where, k))
    if _ip(s["Subnet"]) is None:
        raise ConfigError('Invalid IP "%s.Subnet": "%s"' % (where, s["Subnet"]))
    mask = _ip(s["Netmask"])
    if mask is None or not re.match(r"^1*0*$", format(int(mask), "032b")):
        raise ConfigError('Invalid netmask for "%s.Netmask": "%s"' % (where, s["Netmask"]))
    if int(_ip(s["Subnet"])) & int(mask) != int(_ip(s["Subnet"])):
        raise ConfigError('Invalid subnet due to netmask for subnet "%s": "%s"' % (where, s["Subnet"]))
    gw = _ip(s["Gateway"])
    if gw is None or int(gw) & int(mask) != int(_ip(s["Subnet"])) or int(gw) == int(_ip(s["Subnet"])):
        raise ConfigError('Invalid gateway due to subnet/netmask for subnet "%s": "%s"' % (where, s["Gateway"]))


def _check_private(ranges, s, cluster):
    net = ipaddress.IPv4Network("%s/%s" % (s["Subnet"], s["Netmask"]), strict=False)
    lo, hi = int(net.network_address), int(net.broadcast_address)
    for r in ranges:
        a, b = _range(r)
        if a < lo or b > hi:
            raise ConfigError("Private IP range %s not valid for subnet/netmask %s/%s%s"
                              % (r, s["Subnet"], s["Netmask"], " for cluster %s" % cluster if cluster else ""))


def _check_mido(doc, line):
    mido = doc.get("Mido")
    if not isinstance(mido, dict):
        raise ConfigError('Missing required property "Mido"')
    if line == "4.1":
        _unknown(mido, MIDO_KEYS_41, "Mido")
        for k in ("EucanetdHost", "GatewayHost", "GatewayIP", "GatewayInterface", "PublicNetworkCidr",
                  "PublicGatewayIP"):
            if not mido.get(k):
                raise ConfigError('Missing required property "Mido.%s"' % k)
        _legacy_values(mido, "Mido")
        return
    known = MIDO_KEYS_41 | {"Gateways", "BgpAsn"}
    _unknown(mido, known, "Mido")
    gws = mido.get("Gateways")
    if gws is not None and not isinstance(gws, list):
        raise ConfigError('Invalid use of property "Mido.Gateways"')
    gws = gws or []
    for g in gws:
        _unknown(g, set(LEGACY_GW) | set(NEW_GW), "Gateways")
    if len(gws) > 6:
        raise ConfigError('Maximum allowed gateways (6) exceeded "Mido.Gateways": %d' % len(gws))
    new_form = line == "4.4" and (any(k in g for g in gws for k in NEW_GW) or (
        not gws and not any(k in mido for k in LEGACY_GW + ("PublicNetworkCidr", "PublicGatewayIP"))))
    if mido.get("EucanetdHost") is not None and not _host_ok(mido["EucanetdHost"]):
        raise ConfigError('Invalid host "Mido.EucanetdHost": "%s"' % mido["EucanetdHost"])
    if not new_form:
        if line != "4.4" and not mido.get("EucanetdHost"):
            raise ConfigError('Missing required property "Mido.EucanetdHost"')
        if "BgpAsn" in mido:
            raise ConfigError('Invalid use of property "Mido.BgpAsn"')
        for k in ("PublicNetworkCidr", "PublicGatewayIP"):
            if not mido.get(k):
                raise ConfigError('Missing required property "Mido.%s"' % k)
        top = [k for k in LEGACY_GW if mido.get(k)]
        if len(top) < 3 and not gws:
            raise ConfigError('At least one gateway is required "Mido.Gateways"')
        _legacy_values(mido, "Mido")
        for i, g in enumerate(gws):
            for k in NEW_GW:
                if k in g:
                    raise ConfigError('Invalid use of property "Mido.Gateways[%d].%s"' % (i, k))
            for k in LEGACY_GW:
                if not g.get(k):
                    raise ConfigError('Missing required property "Mido.Gateways[%d].%s"' % (i, k))
            _legacy_values(dict(g, PublicNetworkCidr=mido["PublicNetworkCidr"]), "Mido.Gateways[%d]" % i)
        return
    for k in ("PublicNetworkCidr", "PublicGatewayIP") + LEGACY_GW:
        if k in mido:
            raise ConfigError('Invalid use of property "Mido.%s"' % k)
    if not gws:
        raise ConfigError('At least one gateway is required "Mido.Gateways"')
    asn = mido.get("BgpAsn")
    if asn is not None and not _asn_ok(asn):
        raise ConfigError('Invalid ASN "Mido.BgpAsn": "%s"' % asn)
    for i, g in enumerate(gws):
        p = "Mido.Gateways[%d]" % i
        for k in LEGACY_GW:
            if k in g:
                raise ConfigError('Invalid use of property "%s.%s"' % (p, k))
        for k in ("Ip", "ExternalDevice", "ExternalCidr", "ExternalIp"):
            if not g.get(k):
                raise ConfigError('Missing required property "%s.%s"' % (p, k))
        if not _host_ok(g["Ip"]):
            raise ConfigError('Invalid host "%s.Ip": "%s"' % (p, g["Ip"]))
        cidr = _cidr(g["ExternalCidr"])
        if cidr is None:
            raise ConfigError('Invalid CIDR for "%s.ExternalCidr": "%s"' % (p, g["ExternalCidr"]))
        if asn is not None:
            for k in ("BgpPeerIp", "BgpPeerAsn"):
                if not g.get(k):
                    raise ConfigError('Missing required property "%s.%s"' % (p, k))
            if not _asn_ok(g["BgpPeerAsn"]):
                raise ConfigError('Invalid ASN "%s.BgpPeerAsn": "%s"' % (p, g["BgpPeerAsn"]))
            if not g.get("BgpAdRoutes"):
                raise ConfigError('At least one route is required "%s.BgpAdRoutes"' % p)
            for r in g["BgpAdRoutes"]:
                if _cidr(r) is None:
                    raise ConfigError('Invalid CIDR for "%s.BgpAdRoutes": "%s"' % (p, r))
            if "ExternalRouterIp" in g:
                raise ConfigError('Invalid use of property "%s.ExternalRouterIp"' % p)
        else:
            if not g.get("ExternalRouterIp"):
                raise ConfigError('Missing required property "%s.ExternalRouterIp"' % p)
            for k in ("BgpPeerIp", "BgpPeerAsn", "BgpAdRoutes"):
                if k in g:
                    raise ConfigError('Invalid use of property "%s.%s"' % (p, k))
        for k in ("ExternalIp", "ExternalRouterIp", "BgpPeerIp"):
            if k in g:
                ip = _ip(g[k])
                if ip is None:
                    raise ConfigError('Invalid IP "%s.%s": "%s"' % (p, k, g[k]))
                if ip not in cidr:
                    raise ConfigError('%s must be within ExternalCidr "%s.%s"' % (g[k], p, k))


def _asn_ok(v):
    try:
        return 1 <= int(str(v)) <= 4294967295
    except ValueError:
        return False


def _legacy_values(m, p):
    if "GatewayHost" in m and not _host_ok(m["GatewayHost"]):
        raise ConfigError('Invalid host "%s.GatewayHost": "%s"' % (p, m["GatewayHost"]))
    if "EucanetdHost" in m and m["EucanetdHost"] and not _host_ok(m["EucanetdHost"]):
        raise ConfigError('Invalid host "%s.EucanetdHost": "%s"' % (p, m["EucanetdHost"]))
    cidr = None
    if "PublicNetworkCidr" in m:
        cidr = _cidr(m["PublicNetworkCidr"])
        if cidr is None:
            raise ConfigError('Invalid CIDR for "%s.PublicNetworkCidr": "%s"' % (p, m["PublicNetworkCidr"]))
    for k in ("GatewayIP", "PublicGatewayIP"):
        if k in m:
            if _ip(m[k]) is None:
                raise ConfigError('Invalid IP "%s.%s": "%s"' % (p, k, m[k]))


# ---------------------------------------------------------------------------------------------
# PostgreSQL cluster management

def pg_bin(name):
    for d in PG_BIN_CANDIDATES:
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    found = shutil.which(name)
    if found:
        return found
    raise SystemExit("eucalyptus-cloud: %s not found (package postgresql)" % name)


def as_user(user):
    """Popen keyword arguments that run a command as EUCA_USER (postgres refuses to run as root)."""
    if os.geteuid() == 0 and user != "root":
        import pwd
        pw = pwd.getpwnam(user)
        return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": [],
                "env": dict(os.environ, HOME=pw.pw_dir or "/", USER=user, LOGNAME=user)}
    return {}


def chown_tree(p, user):
    if os.geteuid() != 0:
        return
    import pwd
    pw = pwd.getpwnam(user)
    for root, dirs, files in os.walk(p):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for f in files:
            os.chown(os.path.join(root, f), pw.pw_uid, pw.pw_gid)


def log(msg):
    """stderr and $EUCALYPTUS/var/log/eucalyptus/cloud-output.log (the file the product writes)."""
    line = "%s eucalyptus-cloud(lab): %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), msg)
    sys.stderr.write(line)
    sys.stderr.flush()
    try:
        with open(ec.path("var/log/eucalyptus/cloud-output.log"), "a") as f:
            f.write(line)
    except OSError:
        pass


def db_password():
    """sha256 hex of the RSA-SHA256 signature of "eucalyptus" with the cloud key (reference §4.2)."""
    key = os.path.join(ec.keys_dir(), "cloud-pk.pem")
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=b"eucalyptus",
                         capture_output=True, check=True).stdout
    return hashlib.sha256(sig).hexdigest()


def make_keys(user):
    kd = ec.keys_dir()
    os.makedirs(kd, exist_ok=True)
    os.chmod(kd, 0o700)
    cert, pk = os.path.join(kd, "cloud-cert.pem"), os.path.join(kd, "cloud-pk.pem")
    if not os.path.exists(pk):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pk, "-out", cert,
                        "-days", "3650", "-subj", "/C=US/O=Eucalyptus/CN=eucalyptus"],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "pkcs12", "-export", "-in", cert, "-inkey", pk, "-name", "eucalyptus",
                        "-out", os.path.join(kd, "euca.p12"), "-passout", "pass:eucalyptus"],
                       check=True, capture_output=True)
    for f in os.listdir(kd):
        if os.path.isfile(os.path.join(kd, f)):
            os.chmod(os.path.join(kd, f), 0o600)
    chown_tree(kd, user)


def make_zone_keys(zone, user):
    zd = os.path.join(ec.keys_dir(), zone)
    if os.path.exists(os.path.join(zd, "node-pk.pem")):
        return
    os.makedirs(zd, exist_ok=True)
    for kind in ("cluster", "node"):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", os.path.join(zd, kind + "-pk.pem"), "-out", os.path.join(zd, kind + "-cert.pem"),
                        "-days", "3650", "-subj", "/C=US/O=Eucalyptus/OU=%s/CN=%s" % (zone, kind)],
                       check=True, capture_output=True)
    with open(os.path.join(zd, "vtunpass"), "w") as f:
        f.write(secrets.token_hex(16) + "\n")
    for f in os.listdir(zd):
        os.chmod(os.path.join(zd, f), 0o600)
    os.chmod(zd, 0o700)
    chown_tree(zd, user)


SCHEMA = """
CREATE SCHEMA eucalyptus_config;
CREATE SCHEMA eucalyptus_auth;
CREATE TABLE eucalyptus_config.services (
  id SERIAL, name TEXT PRIMARY KEY, type TEXT NOT NULL, partition TEXT NOT NULL, host TEXT NOT NULL,
  port INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'NOTREADY', epoch INTEGER NOT NULL DEFAULT 0,
  details TEXT NOT NULL DEFAULT '', registered TIMESTAMP NOT NULL DEFAULT now());
CREATE TABLE eucalyptus_config.properties (
  name TEXT PRIMARY KEY, value TEXT NOT NULL, default_value TEXT NOT NULL, description TEXT NOT NULL DEFAULT '');
CREATE TABLE eucalyptus_config.nodes (
  zone TEXT NOT NULL, host TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'NOTREADY', PRIMARY KEY (zone, host));
CREATE TABLE eucalyptus_auth.access_keys (
  access_key TEXT PRIMARY KEY, secret_key TEXT NOT NULL, account TEXT NOT NULL, user_name TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE, created TIMESTAMP NOT NULL DEFAULT now());
CREATE TABLE eucalyptus_auth.credential_tokens (account TEXT, user_name TEXT, token TEXT);
"""


def pg_conf(data, port):
    with open(os.path.join(data, "postgresql.conf"), "a") as f:
        f.write("\n# eucalyptus-cloud (LAB STAND-IN)\nport = %d\nlisten_addresses = '127.0.0.1'\n"
                "unix_socket_directories = '%s'\nmax_connections = 30\nshared_buffers = 16MB\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "log_destination = 'stderr'\nlogging_collector = off\n" % (port, data))


def start_postgres(user, wait=30):
    data = ec.data_dir()
    logf = open(ec.path("var/log/eucalyptus/postgresql.log"), "ab")
    proc = subprocess.Popen([pg_bin("postgres"), "-D", data, "-p", str(ec.db_port()), "-k", data],
                            stdout=logf, stderr=logf, stdin=subprocess.DEVNULL, cwd=data, **as_user(user))
    deadline = time.time() + wait
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("postgres exited with %s (see var/log/eucalyptus/postgresql.log)" % proc.returncode)
        try:
            ec.PG(database="postgres").close()
            return proc
        except (OSError, ec.PGError):
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("postgres did not start within %d s" % wait)


def stop_postgres(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGINT)   # fast shutdown
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def initialize(args):
    user = args.user
    data = ec.data_dir()
    for d in ("var/log/eucalyptus", "var/run/eucalyptus"):
        os.makedirs(ec.path(d), exist_ok=True)
    if os.path.isdir(data) and os.listdir(data):
        log("initdb: error: directory \"%s\" exists but is not empty" % data)
        log("Database initialization failed with error code 1")
        return 1
    make_keys(user)
    os.makedirs(ec.db_dir(), exist_ok=True)
    os.chmod(ec.db_dir(), 0o700)
    chown_tree(ec.db_dir(), user)
    pw = db_password()
    pwfile = os.path.join(ec.db_dir(), ".pw")
    with open(pwfile, "w") as f:
        f.write(pw + "\n")
    chown_tree(ec.db_dir(), user)
    r = subprocess.run([pg_bin("initdb"), "-D", data, "-U", "eucalyptus", "-E", "UTF8",
                        "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile", pwfile,
                        "--no-instructions"], capture_output=True, text=True, cwd=ec.db_dir(), **as_user(user), check=False)
    os.unlink(pwfile)
    if r.returncode != 0:
        log(r.stdout + r.stderr)
        log("Database initialization failed with error code %d" % r.returncode)
        return 1
    pg_conf(data, ec.db_port())
    proc = start_postgres(user)
    try:
        db = ec.PG(database="postgres")
        db.query("CREATE DATABASE eucalyptus_shared")
        db.close()
        db = ec.PG()
        db.query(SCHEMA)
        ip = my_ip(args)
        db.query("INSERT INTO eucalyptus_config.services (name, type, partition, host, port, state, epoch) "
                 "VALUES (%s, 'eucalyptus', 'eucalyptus', %s, %d, 'ENABLED', 1)" % (ec.lit(ip), ec.lit(ip), ec.clc_port()))
        for name, (default, desc) in sorted(catalogue().items()):
            db.query("INSERT INTO eucalyptus_config.properties VALUES (%s, %s, %s, %s)"
                     % (ec.lit(name), ec.lit(default), ec.lit(default), ec.lit(desc)))
        ak = "AKI" + secrets.token_hex(10).upper()[:17]
        sk = secrets.token_urlsafe(30)[:40]
        db.query("INSERT INTO eucalyptus_auth.access_keys (access_key, secret_key, account, user_name) "
                 "VALUES (%s, %s, 'eucalyptus', 'admin')" % (ec.lit(ak), ec.lit(sk)))
        db.query("INSERT INTO eucalyptus_auth.credential_tokens VALUES ('eucalyptus', 'admin', %s)"
                 % ec.lit(secrets.token_hex(16)))
        db.close()
    finally:
        stop_postgres(proc)
    # the product's markers: db/data/ibdata1 (setup_db.groovy initDBFile), db/data/server.crt (SSL)
    open(os.path.join(data, "ibdata1"), "w").close()
    shutil.copy(os.path.join(ec.keys_dir(), "cloud-cert.pem"), os.path.join(data, "server.crt"))
    chown_tree(ec.db_dir(), user)
    log("cloud initialized: database %s, CLC %s" % (data, my_ip(args)))
    return 0


def my_ip(args):
    if args.bind_addr:
        return args.bind_addr
    return ec.local_ips()[0]


# ---------------------------------------------------------------------------------------------
# the CLC

class CLC(object):
    def __init__(self, args):
        self.args = args
        self.ip = my_ip(args)
        self.lock = threading.RLock()
        self.db = ec.PG() if args.initialized else None
        self.wake = threading.Event()
        self.stopping = False
        self.last_gni = None

    # -- DB helpers
    def q(self, sql):
        with self.lock:
            return self.db.query(sql)

    def services(self):
        rows = self.q("SELECT name, type, partition, host, port, state, epoch, details FROM "
                      "eucalyptus_config.services ORDER BY id")
        return [dict(name=r[0], type=r[1], partition=r[2], host=r[3], port=int(r[4]), state=r[5],
                     epoch=int(r[6]), details=r[7]) for r in rows]

    def nodes(self):
        return [dict(zone=r[0], host=r[1], state=r[2]) for r in
                self.q("SELECT zone, host, state FROM eucalyptus_config.nodes ORDER BY zone, host")]

    def props(self):
        return {r[0]: dict(name=r[0], value=r[1], default=r[2], description=r[3]) for r in
                self.q("SELECT name, value, default_value, description FROM eucalyptus_config.properties")}

    def epoch(self):
        r = self.q("SELECT coalesce(max(epoch), 0) FROM eucalyptus_config.services")
        return int(r[0][0])

    # -- service views
    def member_rows(self, svcs):
        out = []
        for s in svcs:
            if s["type"] == "user-api":
                for m in USER_API_MEMBERS:
                    st = s["state"]
                    if m == "objectstorage" and st in ("ENABLED", "DISABLED") and not self.provider_ok():
                        st = "BROKEN"
                    out.append(dict(name="%s.%s" % (s["name"], m), type=m, partition=s["name"], host=s["host"],
                                    port=s["port"], state=st, epoch=s["epoch"], details="", member_of=s["name"]))
        return out

    def provider_ok(self):
        v = self.props().get("objectstorage.providerclient", {}).get("value", "")
        return v in ("walrus", "riakcs", "ceph-rgw", "s3")

    def full_name(self, s):
        if s["type"] in PARTITIONED or s.get("member_of") or s["type"] == "node":
            return "arn:euca:eucalyptus:%s:%s:%s/" % (s["partition"], s["type"], s["name"])
        return "arn:euca:%s:::%s/" % (s["type"], s["name"])

    def uri(self, s):
        p = URI_PATHS.get(s["type"], "/services/%s" % s["type"])
        return "http://%s:%d%s" % (s["host"], s["port"], p)

    def view(self, s):
        d = dict(s)
        d["fullName"] = self.full_name(s)
        d["uri"] = self.uri(s)
        d["public"] = bool(s.get("member_of"))
        d["registerable"] = s["type"] in REGISTERABLE
        return d

    def describe(self, list_all=False, names=None, filters=None):
        svcs = self.services()
        local = set(ec.local_ips())
        rows = []
        for s in svcs:
            rows.append(s)
        members = self.member_rows(svcs)
        for m in members:
            if list_all or m["host"] in local:
                rows.append(m)
        if list_all:
            for n in self.nodes():
                rows.append(dict(name=n["host"], type="node", partition=n["zone"], host=n["host"], port=8775,
                                 state=n["state"], epoch=self.epoch(), details=""))
        out = [self.view(r) for r in rows]
        if names:
            out = [s for s in out if s["name"] in names or s["fullName"] in names]
        for f in filters or []:
            name, values = f.get("Name"), f.get("Values") or []
            if name == "state":
                values = [v.upper() for v in values]
            key = {"availability-zone": "partition", "host": "host", "service-type": "type", "state": "state"}.get(name)
            if key:
                out = [s for s in out if s[key] in values]
            elif name == "public":
                out = [s for s in out if str(s["public"]).lower() in [v.lower() for v in values]]
            elif name == "internal":
                out = [s for s in out if "false" in [v.lower() for v in values]]
            elif name == "service-group":
                out = [s for s in out if s.get("member_of") in values or s["name"] in values]
            elif name == "service-group-member":
                out = [s for s in out if s["type"] in values]
            else:
                raise ec.ServiceError("InvalidParameterValue", "Unknown filter: %s" % name)
        return out

    # -- registration (reference §2.4)
    def register(self, stype, name, host, port, partition):
        stype = (stype or "").lower()
        port = int(port or REGISTERABLE.get(stype, 8773))
        head = "Failed to register %s: %s at host: %s:%s because of : " % (stype, name, host, port)
        with self.lock:
            try:
                return True, [], self._register(stype, name, host, port, partition)
            except ec.ServiceError as e:
                return False, [head + e.message], None

    def _register(self, stype, name, host, port, partition):
        if stype not in REGISTERABLE:
            raise ec.ServiceError("", "Unknown component type: %s" % stype)
        try:
            ip = ipaddress.ip_address(socket.gethostbyname(host))
        except (OSError, ValueError) as e:
            raise ec.ServiceError("", "Registration failed because the hostname %s is invalid: %s" % (host, e))
        if ip.is_loopback or ip.is_link_local or ip.is_multicast:
            raise ec.ServiceError("", "Components cannot be registered using local, link-local, or multicast addresses.")
        if stype in PARTITIONED:
            if not partition:
                raise ec.ServiceError("", "Partition name is required for component type: %s" % stype)
        else:
            partition = name
        svcs = self.services()
        same = [s for s in svcs if s["name"] == name and s["type"] == stype]
        if same:
            s = same[0]
            if s["host"] == host and s["port"] == port and s["partition"] == partition:
                log("Returning existing registration information for %s" % name)
                return s
            if s["partition"] != partition:
                if s["host"] != host or s["port"] != port:
                    raise ec.ServiceError("", "Partition update not supported, please re-register component.")
                raise ec.ServiceError("", "Component with name=%s already exists with host=%s" % (name, host))
            self.q("UPDATE eucalyptus_config.services SET host=%s, port=%d, state='NOTREADY', epoch=%d WHERE name=%s"
                   % (ec.lit(host), port, self.epoch() + 1, ec.lit(name)))
            log("Updated registration information to: %s %s %s:%d" % (stype, name, host, port))
            self.wake.set()
            return self.services_by_name(name)
        if any(s["name"] == name for s in svcs):
            other = [s for s in svcs if s["name"] == name][0]
            raise ec.ServiceError("", "Component with name=%s already exists with host=%s" % (name, other["host"]))
        if stype != "user-api":
            dup = [s for s in svcs if s["type"] == stype and s["host"] == host]
            if dup:
                raise ec.ServiceError("", "Component with host=%s already exists with name=%s" % (host, dup[0]["name"]))
        if stype in PARTITIONED or stype == "walrusbackend":
            peers = [s for s in svcs if s["type"] == stype and (stype == "walrusbackend" or s["partition"] == partition)]
            if len(peers) >= 2:
                raise ec.ServiceError("", "Unable to register more than two services in a partition for component type: %s"
                                      % stype)
        new_zone = stype in PARTITIONED and not any(s["partition"] == partition and s["type"] in PARTITIONED for s in svcs)
        if new_zone:
            make_zone_keys(partition, self.args.user)
        self.q("INSERT INTO eucalyptus_config.services (name, type, partition, host, port, state, epoch) VALUES "
               "(%s, %s, %s, %s, %d, 'NOTREADY', %d)" % (ec.lit(name), ec.lit(stype), ec.lit(partition), ec.lit(host),
                                                         port, self.epoch() + 1))
        if stype in PARTITIONED:
            have = self.props()
            for pname, (default, desc) in zone_catalogue(partition, stype == "storage").items():
                if pname not in have:
                    self.q("INSERT INTO eucalyptus_config.properties VALUES (%s, %s, %s, %s)"
                           % (ec.lit(pname), ec.lit(default), ec.lit(default), ec.lit(desc)))
        note = " (new partition)" if new_zone else ""
        log("Registered %s %s at %s:%d partition %s%s" % (stype, name, host, port, partition, note))
        self.wake.set()
        s = self.services_by_name(name)
        s["new_partition"] = new_zone
        return s

    def services_by_name(self, name):
        for s in self.services():
            if s["name"] == name:
                return s
        return None

    def deregister(self, name, stype=None):
        with self.lock:
            s = self.services_by_name(name)
            if s is None or (stype and s["type"] != stype.lower()) or s["type"] == "eucalyptus" and s["host"] == self.ip:
                return False, ["Failed to deregister %s: %s because of : No such service: %s"
                               % (stype or "null", name, name)], None
            self.q("DELETE FROM eucalyptus_config.services WHERE name=%s" % ec.lit(name))
            if s["type"] == "cluster" and not any(x["type"] == "cluster" and x["partition"] == s["partition"]
                                                  for x in self.services()):
                self.q("DELETE FROM eucalyptus_config.nodes WHERE zone=%s" % ec.lit(s["partition"]))
            log("Deregistered %s %s" % (s["type"], name))
            self.wake.set()
            return True, [], s

    # -- properties
    def describe_properties(self, names):
        props = self.props()
        if not names:
            return sorted(props.values(), key=lambda p: p["name"])
        out = []
        for p in sorted(props):
            if any(p.startswith(n) for n in names):
                out.append(props[p])
        return out

    def modify_property(self, name, value, reset=False):
        with self.lock:
            props = self.props()
            if name not in props:
                raise ec.ServiceError("ModifyPropertyValueType", "Failed to set property: No such property: %s" % name)
            old = props[name]["value"]
            if reset:
                value = props[name]["default"]
            if value is None:
                value = ""
            if name == "cloud.network.network_configuration" and value != "":
                try:
                    validate_network_configuration(value)
                except ConfigError as e:
                    raise ec.ServiceError("ModifyPropertyValueType", str(e))
            if name.endswith(".storage.blockstoragemanager") and value not in BSM_VALUES + ("unset",):
                raise ec.ServiceError("ModifyPropertyValueType", "Failed to set property: Invalid value: %s. "
                                      "Legal values are: %s" % (value, ",".join(BSM_VALUES[:3])))
            if name == "region.region_name" and value and not re.match(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", value):
                raise ec.ServiceError("ModifyPropertyValueType", "Invalid region name: %s" % value)
            self.q("UPDATE eucalyptus_config.properties SET value=%s WHERE name=%s" % (ec.lit(value), ec.lit(name)))
            log("Property %s changed" % name)
            self.wake.set()
            return dict(name=name, value=value, old=old)

    # -- state checks
    def alive(self, s):
        cluster = s["type"] == "cluster"    # cluster: anything answering HTTP; others: Heartbeat 200
        if cluster:
            url = "http://%s:%d/axis2/services" % (s["host"], s["port"])
        else:
            url = "http://%s:%d/services/Heartbeat" % (s["host"], s["port"])
        try:
            with ec.urlopen(url, timeout=1) as r:
                return cluster or r.status == 200
        except urllib.error.HTTPError:
            return cluster
        except (OSError, ValueError):
            return False

    def check_once(self):
        with self.lock:
            svcs = self.services()
            props = self.props()
        changed = False
        for s in svcs:
            if s["type"] == "eucalyptus" and s["host"] == self.ip:
                continue
            state, details = s["state"], ""
            if s["type"] == "storage" and props.get(s["partition"] + ".storage.blockstoragemanager", {}).get(
                    "value", "unset") in ("", "unset"):
                new = "BROKEN"
                details = ("SC blockstorageamanger not configured. Found empty or unset manager(unset). "
                           "Legal values are: das,overlay,ceph")
            else:
                up = self.alive(s)
                if state == "BROKEN":
                    new = "NOTREADY"
                elif not up:
                    new = "NOTREADY"
                elif state == "NOTREADY":
                    new = "DISABLED"
                elif state == "DISABLED":
                    peers = [p for p in svcs if p["type"] == s["type"] and p["partition"] == s["partition"]
                             and p["name"] != s["name"] and p["state"] == "ENABLED"]
                    new = "DISABLED" if peers else "ENABLED"
                else:
                    new = state
            if new != state or details != s["details"]:
                with self.lock:
                    self.q("UPDATE eucalyptus_config.services SET state=%s, details=%s, epoch=%d WHERE name=%s"
                           % (ec.lit(new), ec.lit(details), self.epoch() + (1 if new != state else 0), ec.lit(s["name"])))
                    if new != state:
                        log("%s %s: %s -> %s" % (s["type"], s["name"], state, new))
                changed = True
                s["state"] = new
        self.check_nodes(svcs)
        self.write_gni()
        return changed

    def cc_nodes(self, cc):
        """The NODES of a CC: its lab endpoint /lab/nodes (JSON list), else the local eucalyptus.conf
        when the CC runs on this host."""
        try:
            with ec.urlopen("http://%s:%d/lab/nodes" % (cc["host"], cc["port"]), timeout=2) as r:
                v = json.loads(r.read().decode())
                if isinstance(v, list):
                    return [str(x) for x in v]
        except (OSError, ValueError):
            pass
        if ec.is_local(cc["host"]):
            return ec.read_conf().get("NODES", "").split()
        return None

    def check_nodes(self, svcs):
        for cc in svcs:
            if cc["type"] != "cluster" or cc["state"] != "ENABLED":
                continue
            nodes = self.cc_nodes(cc)
            if nodes is None:
                continue
            with self.lock:
                have = {n["host"]: n for n in self.nodes() if n["zone"] == cc["partition"]}
                for h in set(have) - set(nodes):
                    self.q("DELETE FROM eucalyptus_config.nodes WHERE zone=%s AND host=%s"
                           % (ec.lit(cc["partition"]), ec.lit(h)))
            for h in nodes:
                up = False
                try:
                    socket.create_connection((h, 8775), timeout=1).close()
                    up = True
                except OSError:
                    pass
                st = "ENABLED" if up else "NOTREADY"
                with self.lock:
                    if h not in have:
                        self.q("INSERT INTO eucalyptus_config.nodes VALUES (%s, %s, %s)"
                               % (ec.lit(cc["partition"]), ec.lit(h), ec.lit(st)))
                    elif have[h]["state"] != st:
                        self.q("UPDATE eucalyptus_config.nodes SET state=%s WHERE zone=%s AND host=%s"
                               % (ec.lit(st), ec.lit(cc["partition"]), ec.lit(h)))

    def gni_doc(self):
        props = self.props()
        text = props.get("cloud.network.network_configuration", {}).get("value", "")
        try:
            nc = json.loads(text) if text else {}
        except ValueError:
            nc = {}
        svcs = self.services()
        nodes = self.nodes()
        clusters = []
        for zone in sorted({s["partition"] for s in svcs if s["type"] == "cluster"}):
            enabled = [s for s in svcs if s["type"] == "cluster" and s["partition"] == zone and s["state"] == "ENABLED"]
            clusters.append({"name": zone, "cc_host": enabled[0]["host"] if enabled else None,
                             "nodes": [n["host"] for n in nodes if n["zone"] == zone]})
        # the document's Mode (absent: EDGE); without a document, VNET_MODE of eucalyptus.conf
        mode = nc.get("Mode") or ("EDGE" if nc else ec.read_conf().get("VNET_MODE") or "EDGE")
        return {"version": LINE, "mode": mode, "enabled_clc_ip": self.ip, "network_configuration": nc,
                "clusters": clusters}

    def write_gni(self):
        doc = self.gni_doc()
        key = json.dumps(doc, sort_keys=True)
        if key != self.last_gni:
            gni.write(ec.path("var/run/eucalyptus/global_network_info.xml"), doc)
            self.last_gni = key
            log("wrote global_network_info.xml")

    def checker(self):
        while not self.stopping:
            try:
                changed = self.check_once()
            except Exception as e:  # noqa: BLE001 - keep checking
                log("state check failed: %r" % e)
                changed = False
            # a registration or property change (wake) is checked soon: the product starts a
            # new service asynchronously right after registering it
            self.wake.wait(min(0.2, check_interval()) if changed else check_interval())
            self.wake.clear()
            if not self.stopping:
                time.sleep(min(0.2, check_interval()))

    # -- credentials
    def secret_for(self, akid):
        rows = self.q("SELECT secret_key FROM eucalyptus_auth.access_keys WHERE access_key=%s AND active"
                      % ec.lit(akid))
        return rows[0][0] if rows else None

    def admin_key(self):
        rows = self.q("SELECT access_key, secret_key FROM eucalyptus_auth.access_keys WHERE account='eucalyptus' "
                      "AND user_name='admin' AND active ORDER BY created LIMIT 1")
        return rows[0] if rows else (None, None)

    def credentials_zip(self, account, user):
        ak, sk = self.admin_key()
        kd = ec.keys_dir()
        base = "http://%s:%d/services" % (self.ip, ec.clc_port())
        uid = secrets.token_hex(4)
        cert_name = "euca2-%s-%s" % (user, uid)
        eucarc = "\n".join([
            "EUCA_KEY_DIR=$(cd $(dirname ${BASH_SOURCE:-$0}); pwd -P)",
            "export EC2_URL=%s/compute" % base,
            "export S3_URL=%s/objectstorage" % base,
            "export EUARE_URL=%s/Euare" % base,
            "export TOKEN_URL=%s/Tokens" % base,
            "export AWS_AUTO_SCALING_URL=%s/AutoScaling" % base,
            "export AWS_CLOUDWATCH_URL=%s/CloudWatch" % base,
            "export AWS_ELB_URL=%s/LoadBalancing" % base,
            "export EUSTORE_URL=http://emis.eucalyptus.com/",
            "export EC2_PRIVATE_KEY=${EUCA_KEY_DIR}/%s-pk.pem" % cert_name,
            "export EC2_CERT=${EUCA_KEY_DIR}/%s-cert.pem" % cert_name,
            "export EC2_JVM_ARGS=-Djavax.net.ssl.trustStore=${EUCA_KEY_DIR}/jssecacerts",
            "export EUCALYPTUS_CERT=${EUCA_KEY_DIR}/cloud-cert.pem",
            "export EC2_ACCOUNT_NUMBER='000000000000'",
            "export EC2_ACCESS_KEY='%s'" % ak,
            "export EC2_SECRET_KEY='%s'" % sk,
            "export AWS_ACCESS_KEY='%s'" % ak,
            "export AWS_SECRET_KEY='%s'" % sk,
            "export AWS_CREDENTIAL_FILE=${EUCA_KEY_DIR}/iamrc",
            "export EC2_USER_ID='000000000000'",
            "alias ec2-bundle-image=\"ec2-bundle-image --cert ${EC2_CERT} --privatekey ${EC2_PRIVATE_KEY} "
            "--user ${EC2_ACCOUNT_NUMBER} --ec2cert ${EUCALYPTUS_CERT}\"",
            "alias ec2-upload-bundle=\"ec2-upload-bundle -a ${EC2_ACCESS_KEY} -s ${EC2_SECRET_KEY} --url ${S3_URL}\"",
            ""])
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("eucarc", eucarc)
            z.writestr("iamrc", "AWSAccessKeyId=%s\nAWSSecretKey=%s\n" % (ak, sk))
            with open(os.path.join(kd, "cloud-cert.pem")) as f:
                z.writestr("cloud-cert.pem", f.read())
            z.writestr("jssecacerts", "")
            z.writestr(cert_name + "-cert.pem", open(os.path.join(kd, "cloud-cert.pem")).read())
            z.writestr(cert_name + "-pk.pem", "")
        return buf.getvalue()

    def heartbeat(self):
        local = set(ec.local_ips())
        comps = ["bootstrap", "eucalyptus", "cluster", "storage", "walrusbackend", "objectstorage", "compute",
                 "euare", "tokens"]
        rows = []
        svcs = []
        if self.db is not None:
            try:
                svcs = self.services()
                svcs += self.member_rows(svcs)
            except Exception:  # noqa: BLE001
                svcs = []
        for c in comps:
            mine = [s for s in svcs if s["type"] == c and s["host"] in local]
            if c == "bootstrap":
                en, lo = True, True
            elif c == "eucalyptus" and self.db is not None:
                en, lo = True, True
            else:
                en, lo = any(s["state"] == "ENABLED" for s in mine), bool(mine)
            rows.append("name=%-20.20s enabled=%-10.10s local=%-10.10s initialized=%-10.10s\n"
                        % (c, str(en).lower(), str(lo).lower(), "true"))
        return "".join(rows)


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "Eucalyptus/" + ec.product_version()
    clc = None

    def log_message(self, fmt, *a):
        pass

    def _send(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, code, status=400, message=""):
        self._send(status, json.dumps({"Error": {"Code": code, "Message": message}}))

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path == "/services/Heartbeat":
            return self._send(200, self.clc.heartbeat(), "text/plain")
        if self.clc.db is None:
            return self._error("ServiceUnavailable", 503, "not a cloud controller")
        if u.path == "/getX509":
            qs = urllib.parse.parse_qs(u.query)
            rows = self.clc.q("SELECT token FROM eucalyptus_auth.credential_tokens WHERE account=%s AND user_name=%s"
                              % (ec.lit(qs.get("account", ["eucalyptus"])[0]), ec.lit(qs.get("user", ["admin"])[0])))
            if not rows or rows[0][0] != qs.get("code", [""])[0]:
                return self._error("AccessDenied", 403, "Invalid code")
            return self._send(200, self.clc.credentials_zip(qs.get("account", ["eucalyptus"])[0],
                                                            qs.get("user", ["admin"])[0]), "application/zip")
        if u.path == "/lab/state":
            return self._send(200, json.dumps({"services": self.clc.services(), "nodes": self.clc.nodes(),
                                               "properties": self.clc.props()}, indent=1))
        return self._error("NotFound", 404, "Not found: %s" % u.path)

    def do_PUT(self):
        if urllib.parse.urlparse(self.path).path == "/services/Heartbeat":
            return self._send(405, "Method Not Allowed", "text/plain")
        return self._error("NotFound", 404)

    do_DELETE = do_PUT

    def do_POST(self):
        u = urllib.parse.urlparse(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        if u.path == "/services/Heartbeat":
            return self._send(405, "Method Not Allowed", "text/plain")
        if self.clc.db is None:
            return self._error("ServiceUnavailable", 503, "not a cloud controller")
        auth = self.headers.get("Authorization") or ""
        m = re.match(r"EUCA-LAB-HMAC-SHA256 Credential=([^,]+), Signature=([0-9a-f]+)$", auth)
        if not m:
            return self._error("MissingAuthenticationToken", 403, "Request is missing Authentication Token")
        secret = self.clc.secret_for(m.group(1))
        if secret is None:
            return self._error("InvalidAccessKeyId", 403,
                               "The AWS Access Key Id you provided does not exist in our records.")
        if not secrets.compare_digest(ec.sign(secret, "POST", u.path, body), m.group(2)):
            return self._error("SignatureDoesNotMatch", 403, "The request signature we calculated does not match "
                               "the signature you provided.")
        try:
            req = json.loads(body.decode() or "{}")
        except ValueError:
            return self._error("MalformedInput", 400, "bad JSON")
        action = req.get("Action")
        clc = self.clc
        try:
            if u.path.rstrip("/") == "/services/Empyrean":
                if action == "RegisterService":
                    ok, msgs, svc = clc.register(req.get("Type"), req.get("Name"), req.get("Host"), req.get("Port"),
                                                 req.get("Partition"))
                    return self._send(200, json.dumps({"return": ok, "statusMessages": msgs,
                                                       "services": [clc.view(svc)] if svc else []}))
                if action == "DeregisterService":
                    ok, msgs, svc = clc.deregister(req.get("Name"), req.get("Type"))
                    return self._send(200, json.dumps({"return": ok, "statusMessages": msgs,
                                                       "services": [clc.view(svc)] if svc else []}))
                if action == "DescribeServices":
                    return self._send(200, json.dumps({"return": True, "services": clc.describe(
                        bool(req.get("ListAll")), req.get("Names"), req.get("Filters"))}))
            if u.path.rstrip("/") == "/services/Properties":
                if action == "DescribeProperties":
                    return self._send(200, json.dumps({"properties": clc.describe_properties(req.get("Names") or [])}))
                if action == "ModifyPropertyValue":
                    p = clc.modify_property(req.get("Name"), req.get("Value"), bool(req.get("Reset")))
                    return self._send(200, json.dumps(p))
        except ec.ServiceError as e:
            return self._error(e.code, e.status, e.message)
        return self._error("InvalidAction", 400, "Unknown action %s on %s" % (action, u.path))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def run(args):
    for d in ("var/log/eucalyptus", "var/run/eucalyptus"):
        os.makedirs(ec.path(d), exist_ok=True)
    args.initialized = os.path.exists(os.path.join(ec.data_dir(), "ibdata1"))
    pg = None
    if args.initialized:
        pg = start_postgres(args.user)
    else:
        log("no database in %s: not a cloud controller, serving the Heartbeat only" % ec.db_dir())
    clc = CLC(args)
    Handler.clc = clc
    httpd = Server(("0.0.0.0", ec.clc_port()), Handler)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())

    def stop(*_):
        clc.stopping = True
        clc.wake.set()
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if clc.db is not None:
        threading.Thread(target=clc.checker, daemon=True).start()
    log("eucalyptus-cloud %s (LAB STAND-IN) listening on %d, CLC %s, check interval %ss"
        % (ec.product_version(), ec.clc_port(), "yes" if clc.db is not None else "no", check_interval()))
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        if clc.db is not None:
            with clc.lock:
                clc.db.close()
        stop_postgres(pg)
        if args.pidfile and os.path.exists(args.pidfile):
            os.unlink(args.pidfile)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="eucalyptus-cloud", add_help=False)
    p.add_argument("--initialize", action="store_true")
    p.add_argument("--pidfile", "-p")
    p.add_argument("-u", "--user")
    p.add_argument("-h", "--home")
    p.add_argument("--bind-addr", "-i")
    args, _rest = p.parse_known_args(argv)
    if args.home:
        os.environ["EUCALYPTUS"] = args.home
    global LINE
    LINE = ec.product_line()
    args.user = args.user or ec.read_conf().get("EUCA_USER") or "eucalyptus"
    if args.initialize:
        return initialize(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
