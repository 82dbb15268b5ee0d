"""LAB STAND-IN helper: the Global Network Information file of Eucalyptus 4.1 / 4.4.
Not Eucalyptus; for the eucalyptus.cloud lab only.

The real CLC marshals its ``NetworkInfo`` (E44 clc/modules/cluster-manager/.../network/
NetworkInfoBroadcasts.groovy, written by ``applicator/FileOutputApplicator.java``) to
``/var/run/eucalyptus/global_network_info.xml``; eucanetd reads it with libxml2 XPath
(E4x ``net/globalnetwork.c``: ``/network-data/@version``, ``/network-data/@applied-version``,
``/network-data/configuration/property[@name='mode']/value``, ``.../property[@name='enabledCLCIp']``,
``instanceDNSDomain``, ``instanceDNSServers``, ``publicIps``, ``subnets/subnet[@name]``,
``clusters/cluster[@name]/property[@name='enabledCCIp'|'macPrefix'|'privateIps']``,
``cluster/subnet[@name]``, ``cluster/property[@name='nodes']/node[@name]`` and, for VPCMIDO,
``property[@name='mido']`` with ``eucanetdHost``, ``publicNetworkCidr``, ``publicGatewayIP``,
``bgpAsn`` and ``property[@name='gateways']/gateway/property[@name='gatewayHost'|'gatewayIP'|
'gatewayInterface'|'ip'|'externalCidr'|'externalIp'|'externalDevice'|'externalRouterIp'|
'bgpPeerIp'|'bgpPeerAsn'|'bgpAdRoutes']``).

Modelled: exactly those elements, in that shape (``<property name="x"><value>v</value>...``),
plus the empty top-level sections ``vpcs``, ``instances``, ``dhcpOptionSets``,
``internetGateways``, ``securityGroups`` (the lab runs no instances, so they stay empty).
Product generations: for ``version`` "4.1" the Mido gateway is written only as the six
mido-level legacy properties (4.1 had no ``Gateways`` list); for 4.2+ ("4.4") every gateway,
legacy or new form, is also written as a ``gateways/gateway`` entry, as the 4.4 CLC's "explode"
does; the legacy ``publicNetworkCidr``/``publicGatewayIP`` stay at mido level (4.4 eucanetd
reads them there and applies them to every gateway). NOT modelled: VPCs, instances, security
groups, ENIs, NAT gateways, route tables (always empty), the ``applied-version`` handshake
(written equal to ``version``).

``@version``: the real CLC writes a changing version string per broadcast; here it is a digest of
the configuration content, so it changes exactly when the content changes (eucanetd re-scrubs on
a version change, reference eucalyptus-admin-tools.md §6.6).

API (used by the CLC and eucanetd stand-ins; keep it):

    render(doc) -> str          parse(text) -> doc          write(path, doc)  (atomic rename)

    doc = {"version": "4.4",                  # product line, selects the shape ("4.1" | "4.4")
           "mode": "VPCMIDO",
           "enabled_clc_ip": "10.0.0.1",
           "network_configuration": {...},    # the parsed cloud.network.network_configuration or {}
           "clusters": [{"name": "cluster1", "cc_host": "10.0.0.2", "nodes": ["10.0.0.3"]}]}

``parse`` returns the same keys (``network_configuration`` back in the product's PascalCase keys;
``version`` inferred from the shape: a ``gateways`` list means 4.4, a mido section without one
4.1, else "4.4") plus ``gni_version`` (the ``@version`` attribute).
"""
import hashlib
import os
import tempfile
import xml.etree.ElementTree as ET

GNI_PATH = "/var/run/eucalyptus/global_network_info.xml"

# network.json (PascalCase) key -> GNI property name, where it is not just "lower the first letter"
_TOP_KEYS = {"InstanceDnsDomain": "instanceDNSDomain", "InstanceDnsServers": "instanceDNSServers"}
_MIDO_LEGACY = ("EucanetdHost", "GatewayHost", "GatewayIP", "GatewayInterface",
                "PublicNetworkCidr", "PublicGatewayIP")
_GW_KEYS = ("GatewayHost", "GatewayIP", "GatewayInterface", "Ip", "ExternalCidr", "ExternalIp",
            "ExternalDevice", "ExternalRouterIp", "BgpPeerIp", "BgpPeerAsn", "BgpAdRoutes")
_SECTIONS = ("vpcs", "instances", "dhcpOptionSets", "internetGateways", "securityGroups")


def _camel(key):
    return _TOP_KEYS.get(key) or (key[:1].lower() + key[1:])


def _pascal(name):
    for k, v in _TOP_KEYS.items():
        if v == name:
            return k
    return name[:1].upper() + name[1:]


def _prop(parent, name, values=None):
    el = ET.SubElement(parent, "property", {"name": name})
    if values is not None:
        if not isinstance(values, (list, tuple)):
            values = [values]
        for v in values:
            ET.SubElement(el, "value").text = str(v)
    return el


def _subnet(parent, sub):
    el = ET.SubElement(parent, "subnet", {"name": str(sub.get("Subnet") or sub.get("Name") or "")})
    for key in ("Name", "Subnet", "Netmask", "Gateway"):
        if sub.get(key) not in (None, ""):
            _prop(el, key[:1].lower() + key[1:], sub[key])
    return el


def _content(doc):
    nc = doc.get("network_configuration") or {}
    version = str(doc.get("version") or "4.4")
    root = ET.Element("network-data")
    conf = ET.SubElement(root, "configuration")
    _prop(conf, "mode", doc.get("mode") or nc.get("Mode") or "EDGE")
    for key in ("PublicIps",):
        if key in nc:
            _prop(conf, _camel(key), nc[key])
    if doc.get("enabled_clc_ip"):
        _prop(conf, "enabledCLCIp", doc["enabled_clc_ip"])
    for key in ("InstanceDnsDomain", "InstanceDnsServers", "MacPrefix", "PublicGateway", "PrivateIps"):
        if key in nc:
            _prop(conf, _camel(key), nc[key])
    mido = nc.get("Mido")
    if isinstance(mido, dict):
        m = _prop(conf, "mido")
        for key in _MIDO_LEGACY:
            if key in mido and (version == "4.1" or key in ("EucanetdHost", "PublicNetworkCidr",
                                                            "PublicGatewayIP")):
                _prop(m, _camel(key), mido[key])
        if "BgpAsn" in mido:
            _prop(m, "bgpAsn", mido["BgpAsn"])
        if version != "4.1":
            gws = list(mido.get("Gateways") or [])
            if not gws and any(k in mido for k in ("GatewayHost", "GatewayIP", "GatewayInterface")):
                gws = [{k: mido[k] for k in ("GatewayHost", "GatewayIP", "GatewayInterface") if k in mido}]
            g = _prop(m, "gateways")
            for gw in gws:
                gel = ET.SubElement(g, "gateway")
                for key in _GW_KEYS:
                    if key in gw:
                        _prop(gel, _camel(key), gw[key])
    if nc.get("Subnets"):
        s = _prop(conf, "subnets")
        for sub in nc["Subnets"]:
            _subnet(s, sub)
    nc_clusters = {c.get("Name"): c for c in (nc.get("Clusters") or []) if isinstance(c, dict)}
    clusters = list(doc.get("clusters") or [])
    names = [c["name"] for c in clusters]
    for name in nc_clusters:
        if name not in names:
            clusters.append({"name": name, "cc_host": None, "nodes": []})
    if clusters:
        cs = _prop(conf, "clusters")
        for c in clusters:
            cel = ET.SubElement(cs, "cluster", {"name": c["name"]})
            ncc = nc_clusters.get(c["name"], {})
            if c.get("cc_host"):
                _prop(cel, "enabledCCIp", c["cc_host"])
            _prop(cel, "macPrefix", ncc.get("MacPrefix") or nc.get("MacPrefix") or "d0:0d")
            if isinstance(ncc.get("Subnet"), dict):
                _subnet(cel, ncc["Subnet"])
            if "PrivateIps" in ncc:
                _prop(cel, "privateIps", ncc["PrivateIps"])
            nodes = _prop(cel, "nodes")
            for n in c.get("nodes") or []:
                ET.SubElement(nodes, "node", {"name": n})
    for sec in _SECTIONS:
        ET.SubElement(root, sec)
    return root


def render(doc):
    """The GNI XML text for ``doc`` (see the module docstring)."""
    root = _content(doc)
    body = ET.tostring(root, encoding="unicode")
    gni_version = str(doc.get("gni_version") or
                      int(hashlib.sha256(body.encode()).hexdigest()[:12], 16))
    root.set("version", gni_version)
    root.set("applied-version", gni_version)
    # attribute order as the real file: version first
    root.attrib = {"version": gni_version, "applied-version": gni_version}
    if hasattr(ET, "indent"):
        ET.indent(root, space="    ")
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _values(el):
    return [(v.text or "") for v in el.findall("value")]


def _one(el):
    vals = _values(el)
    return vals[0] if vals else None


def _props(el):
    return {p.get("name"): p for p in el.findall("property")}


_LIST_PROPS = {"publicIps", "instanceDNSServers", "privateIps", "bgpAdRoutes"}


def _val(name, el):
    return _values(el) if name in _LIST_PROPS else _one(el)


def _parse_subnet(el):
    out = {}
    for name, p in _props(el).items():
        out[_pascal(name)] = _one(p)
    return out


def parse(text):
    """The doc (see the module docstring) of a GNI XML text."""
    root = ET.fromstring(text)
    if root.tag != "network-data":
        raise ValueError("not a global network info document: root <%s>" % root.tag)
    doc = {"version": "4.4", "mode": None, "enabled_clc_ip": None, "network_configuration": {},
           "clusters": [], "gni_version": root.get("version")}
    conf = root.find("configuration")
    if conf is None:
        return doc
    nc = doc["network_configuration"]
    for name, p in _props(conf).items():
        if name == "mode":
            doc["mode"] = _one(p)
            nc["Mode"] = doc["mode"]
        elif name == "enabledCLCIp":
            doc["enabled_clc_ip"] = _one(p)
        elif name == "mido":
            mido = {}
            gateways = None
            for mname, mp in _props(p).items():
                if mname == "gateways":
                    gateways = []
                    for g in mp.findall("gateway"):
                        gateways.append({_pascal(k): _val(k, v) for k, v in _props(g).items()})
                else:
                    mido[_pascal(mname)] = _one(mp)
            if gateways is None:
                doc["version"] = "4.1"
            else:
                legacy = ["GatewayHost", "GatewayIP", "GatewayInterface"]
                if len(gateways) == 1 and set(gateways[0]) <= set(legacy):
                    mido.update(gateways[0])   # 4.4 writes a legacy document's gateway as a list
                else:
                    mido["Gateways"] = gateways
            nc["Mido"] = mido
        elif name == "subnets":
            nc["Subnets"] = [_parse_subnet(s) for s in p.findall("subnet")]
        elif name == "clusters":
            ncc = []
            for c in p.findall("cluster"):
                cp = _props(c)
                entry = {"name": c.get("name"),
                         "cc_host": _one(cp["enabledCCIp"]) if "enabledCCIp" in cp else None,
                         "nodes": [n.get("name") for n in cp["nodes"].findall("node")] if "nodes" in cp else []}
                doc["clusters"].append(entry)
                jc = {"Name": c.get("name")}
                if "macPrefix" in cp:
                    jc["MacPrefix"] = _one(cp["macPrefix"])
                sub = c.find("subnet")
                if sub is not None:
                    jc["Subnet"] = _parse_subnet(sub)
                if "privateIps" in cp:
                    jc["PrivateIps"] = _values(cp["privateIps"])
                ncc.append(jc)
            nc["Clusters"] = ncc
        else:
            nc[_pascal(name)] = _val(name, p)
    return doc


def write(path, doc):
    """Write render(doc) to ``path`` atomically (temporary file in the same directory + rename),
    so a reader (eucanetd) never sees a half-written file. Returns the text written."""
    text = render(doc)
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".global_network_info.", dir=d)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return text


if __name__ == "__main__":   # print a GNI as JSON: gni.py [PATH]
    import json
    import sys
    with open(sys.argv[1] if len(sys.argv) > 1 else GNI_PATH) as f:
        print(json.dumps(parse(f.read()), indent=2, sort_keys=True))
