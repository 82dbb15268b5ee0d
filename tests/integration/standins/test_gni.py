"""tests/lab/standins/gni.py: the GNI file in the XPath shape eucanetd reads (E4x net/globalnetwork.c).

The XPath expressions below are the ones the real eucanetd evaluates; ElementTree's XPath subset
runs them (with the leading ``/network-data`` replaced by ``.``), so a renamed element fails here.
"""
import importlib.util
import os
import stat
import xml.etree.ElementTree as ET

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
spec = importlib.util.spec_from_file_location("standin_gni", os.path.join(TOP, "tests", "lab", "standins", "gni.py"))
gni = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gni)

LEGACY = {"Mode": "VPCMIDO", "InstanceDnsServers": ["10.0.0.1"], "PublicIps": ["172.19.1.10-172.19.1.20"],
          "Mido": {"EucanetdHost": "clc", "GatewayHost": "clc", "GatewayIP": "172.19.0.2",
                   "GatewayInterface": "veth1", "PublicGatewayIP": "172.19.0.1",
                   "PublicNetworkCidr": "172.19.0.0/30"}}
NEW = {"Mode": "VPCMIDO", "PublicIps": ["10.116.150.10-10.116.150.254"],
       "Mido": {"BgpAsn": "64512", "Gateways": [
           {"Ip": "10.111.5.11", "ExternalDevice": "em1.116", "ExternalCidr": "10.116.128.0/17",
            "ExternalIp": "10.116.133.11", "BgpPeerIp": "10.116.133.173", "BgpPeerAsn": "65000",
            "BgpAdRoutes": ["10.116.150.0/24", "10.116.151.0/24"]}]}}
EDGE = {"Mode": "EDGE", "InstanceDnsDomain": "eucalyptus.internal", "PublicIps": ["10.111.101.84"],
        "Clusters": [{"Name": "PARTI00", "Subnet": {"Name": "10.111.0.0", "Subnet": "10.111.0.0",
                                                    "Netmask": "255.255.0.0", "Gateway": "10.111.0.1"},
                      "PrivateIps": ["10.111.101.94", "10.111.101.95"]}]}


def doc(nc, version="4.4", mode="VPCMIDO", clusters=None):
    return {"version": version, "mode": mode, "enabled_clc_ip": "10.0.0.1", "network_configuration": nc,
            "clusters": clusters if clusters is not None else
            [{"name": "cluster1", "cc_host": "10.0.0.2", "nodes": ["10.0.0.3", "10.0.0.4"]}]}


def xp(text, expr):
    root = ET.fromstring(text)
    assert expr.startswith("/network-data")
    found = root.findall("." + expr[len("/network-data"):]) if expr != "/network-data" else [root]
    return [e.text for e in found]


def test_vpcmido_44_legacy_document_in_eucanetd_xpaths():
    text = gni.render(doc(LEGACY))
    c = "/network-data/configuration"
    assert xp(text, c + "/property[@name='mode']/value") == ["VPCMIDO"]
    assert xp(text, c + "/property[@name='enabledCLCIp']/value") == ["10.0.0.1"]
    assert xp(text, c + "/property[@name='instanceDNSServers']/value") == ["10.0.0.1"]
    assert xp(text, c + "/property[@name='publicIps']/value") == ["172.19.1.10-172.19.1.20"]
    m = c + "/property[@name='mido']"
    assert xp(text, m + "/property[@name='publicNetworkCidr']/value") == ["172.19.0.0/30"]
    assert xp(text, m + "/property[@name='publicGatewayIP']/value") == ["172.19.0.1"]
    assert xp(text, m + "/property[@name='eucanetdHost']/value") == ["clc"]
    g = m + "/property[@name='gateways']/gateway"
    assert xp(text, g + "/property[@name='gatewayHost']/value") == ["clc"]
    assert xp(text, g + "/property[@name='gatewayIP']/value") == ["172.19.0.2"]
    assert xp(text, g + "/property[@name='gatewayInterface']/value") == ["veth1"]
    cl = c + "/property[@name='clusters']/cluster[@name='cluster1']"
    assert xp(text, cl + "/property[@name='enabledCCIp']/value") == ["10.0.0.2"]
    assert xp(text, cl + "/property[@name='macPrefix']/value") == ["d0:0d"]
    root = ET.fromstring(text)
    assert [n.get("name") for n in root.findall(
        "./configuration/property[@name='clusters']/cluster[@name='cluster1']/property[@name='nodes']/node")] \
        == ["10.0.0.3", "10.0.0.4"]
    assert root.get("version") and root.get("version") == root.get("applied-version")
    for sec in ("vpcs", "instances", "dhcpOptionSets", "internetGateways", "securityGroups"):
        assert root.find(sec) is not None


def test_41_shape_has_no_gateways_list():
    text = gni.render(doc(LEGACY, version="4.1"))
    m = "/network-data/configuration/property[@name='mido']"
    assert xp(text, m + "/property[@name='gatewayIP']/value") == ["172.19.0.2"]
    assert xp(text, m + "/property[@name='gatewayInterface']/value") == ["veth1"]
    assert xp(text, m + "/property[@name='gateways']") == []
    back = gni.parse(text)
    assert back["version"] == "4.1"
    assert back["network_configuration"]["Mido"] == LEGACY["Mido"]


def test_44_new_form_gateways_and_round_trip():
    text = gni.render(doc(NEW))
    g = "/network-data/configuration/property[@name='mido']/property[@name='gateways']/gateway"
    assert xp(text, g + "/property[@name='ip']/value") == ["10.111.5.11"]
    assert xp(text, g + "/property[@name='externalIp']/value") == ["10.116.133.11"]
    assert xp(text, g + "/property[@name='bgpAdRoutes']/value") == ["10.116.150.0/24", "10.116.151.0/24"]
    assert xp(text, "/network-data/configuration/property[@name='mido']/property[@name='bgpAsn']/value") == ["64512"]
    back = gni.parse(text)
    assert back["version"] == "4.4" and back["mode"] == "VPCMIDO" and back["enabled_clc_ip"] == "10.0.0.1"
    assert back["network_configuration"]["Mido"] == NEW["Mido"]
    assert back["network_configuration"]["PublicIps"] == NEW["PublicIps"]
    assert back["clusters"] == [{"name": "cluster1", "cc_host": "10.0.0.2", "nodes": ["10.0.0.3", "10.0.0.4"]}]


def test_legacy_round_trip_44():
    back = gni.parse(gni.render(doc(LEGACY)))
    assert back["network_configuration"]["Mido"] == LEGACY["Mido"]
    assert back["network_configuration"]["InstanceDnsServers"] == ["10.0.0.1"]


def test_edge_clusters_subnet_private_ips():
    text = gni.render(doc(EDGE, mode="EDGE", clusters=[]))
    cl = "/network-data/configuration/property[@name='clusters']/cluster[@name='PARTI00']"
    assert xp(text, cl + "/subnet[@name='10.111.0.0']/property[@name='netmask']/value") == ["255.255.0.0"]
    assert xp(text, cl + "/subnet[@name='10.111.0.0']/property[@name='gateway']/value") == ["10.111.0.1"]
    assert xp(text, cl + "/property[@name='privateIps']/value") == ["10.111.101.94", "10.111.101.95"]
    assert xp(text, cl + "/property[@name='enabledCCIp']/value") == []   # no CC registered
    back = gni.parse(text)
    assert back["network_configuration"]["Clusters"][0]["Subnet"] == EDGE["Clusters"][0]["Subnet"]
    assert back["network_configuration"]["InstanceDnsDomain"] == "eucalyptus.internal"


def test_empty_configuration_and_version_changes_with_content():
    a = gni.render(doc({}, mode="VPCMIDO", clusters=[]))
    b = gni.render(doc({}, mode="VPCMIDO", clusters=[{"name": "z", "cc_host": "10.0.0.9", "nodes": []}]))
    assert ET.fromstring(a).get("version") != ET.fromstring(b).get("version")
    assert ET.fromstring(a).get("version") == ET.fromstring(gni.render(doc({}, clusters=[]))).get("version")
    assert gni.parse(a)["clusters"] == []


def test_write_is_atomic_and_readable(tmp_path):
    path = str(tmp_path / "run" / "global_network_info.xml")
    text = gni.write(path, doc(LEGACY))
    with open(path) as f:
        assert f.read() == text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    gni.write(path, doc(NEW))
    assert gni.parse(open(path).read())["network_configuration"]["Mido"] == NEW["Mido"]
    assert os.listdir(os.path.dirname(path)) == ["global_network_info.xml"]


def test_parse_rejects_other_documents():
    with pytest.raises(ValueError):
        gni.parse("<foo/>")
