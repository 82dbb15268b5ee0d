"""The CLC stand-in's own network_configuration validator (eucalyptus_cloud.validate_network_configuration)
against the rules and messages of the shared reference (eucalyptus-admin-tools.md §7, eucalyptus.md §3.3/§3.4).
No database: the function is what ModifyPropertyValue calls before storing the value."""
import copy
import importlib.util
import json
import os

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
spec = importlib.util.spec_from_file_location(
    "standin_clc", os.path.join(TOP, "tests", "lab", "standins", "eucalyptus_cloud.py"))
clc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(clc)

EDGE = {"Mode": "EDGE", "InstanceDnsDomain": "eucalyptus.internal", "InstanceDnsServers": ["10.1.1.254"],
        "MacPrefix": "d0:0d", "PublicIps": ["10.111.101.84", "10.111.101.91-10.111.101.93"],
        "Clusters": [{"Name": "PARTI00",
                      "Subnet": {"Name": "10.111.0.0", "Subnet": "10.111.0.0", "Netmask": "255.255.0.0",
                                 "Gateway": "10.111.0.1"},
                      "PrivateIps": ["10.111.101.94", "10.111.101.95"]}]}
LEGACY = {"Mode": "VPCMIDO", "InstanceDnsServers": ["10.0.0.1"], "PublicIps": ["172.19.1.10-172.19.1.20"],
          "Mido": {"EucanetdHost": "clcfrontend", "GatewayHost": "ufsfrontend", "GatewayIP": "172.19.0.2",
                   "GatewayInterface": "veth1", "PublicGatewayIP": "172.19.0.1",
                   "PublicNetworkCidr": "172.19.0.0/30"}}
NEW = {"Mode": "VPCMIDO", "PublicIps": ["10.116.150.10-10.116.150.254"],
       "Mido": {"BgpAsn": "64512", "Gateways": [
           {"Ip": "10.111.5.11", "ExternalDevice": "em1.116", "ExternalCidr": "10.116.128.0/17",
            "ExternalIp": "10.116.133.11", "BgpPeerIp": "10.116.133.173", "BgpPeerAsn": "65000",
            "BgpAdRoutes": ["10.116.150.0/24"]}]}}
STATIC = copy.deepcopy(NEW)
del STATIC["Mido"]["BgpAsn"]
for k in ("BgpPeerIp", "BgpPeerAsn", "BgpAdRoutes"):
    del STATIC["Mido"]["Gateways"][0][k]
STATIC["Mido"]["Gateways"][0]["ExternalRouterIp"] = "10.116.128.1"


def change(doc, path, value=None, delete=False):
    d = copy.deepcopy(doc)
    cur = d
    for k in path[:-1]:
        cur = cur[k]
    if delete:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return d


@pytest.mark.parametrize("line,doc", [("4.1", EDGE), ("4.4", EDGE), ("4.1", LEGACY), ("4.4", LEGACY),
                                      ("4.4", NEW), ("4.4", STATIC),
                                      ("4.4", change(LEGACY, ["Mido", "EucanetdHost"], delete=True))])
def test_good(line, doc):
    assert clc.validate_network_configuration(json.dumps(doc), line) == doc


BAD = [
    ("4.4", change(EDGE, ["PublicIps"], delete=True), 'Missing required property "PublicIps"'),
    ("4.4", change(EDGE, ["_comment"], "x"), 'Unrecognized field "_comment" (class com.eucalyptus.network.config.NetworkConfiguration)'),
    ("4.1", change(EDGE, ["Mode"], "MANAGED"), 'Invalid mode "Mode": "MANAGED"'),
    ("4.4", change(EDGE, ["Mode"], "SYSTEM"), 'Invalid mode "Mode": "SYSTEM"'),
    ("4.4", change(EDGE, ["PublicIps"], ["10.0.0.9-10.0.0.1"]), 'Invalid IP or IP range for "PublicIps": "10.0.0.9-10.0.0.1"'),
    ("4.4", change(EDGE, ["InstanceDnsServers"], ["dns"]), 'Invalid IP "InstanceDnsServers": "dns"'),
    ("4.4", change(EDGE, ["MacPrefix"], "d0:0"), 'Invalid MAC prefix "MacPrefix": "d0:0"'),
    ("4.4", change(EDGE, ["InstanceDnsDomain"], ".internal"), 'Invalid domain "InstanceDnsDomain": ".internal"'),
    ("4.4", change(EDGE, ["Clusters", 0, "Subnet", "Netmask"], "255.0.255.0"), 'Invalid netmask for "Clusters[0].Subnet.Netmask"'),
    ("4.4", change(EDGE, ["Clusters", 0, "Subnet", "Gateway"], "10.112.0.1"), 'Invalid gateway due to subnet/netmask'),
    ("4.4", change(EDGE, ["Clusters", 0, "PrivateIps"], ["10.200.0.1"]),
     "Private IP range 10.200.0.1 not valid for subnet/netmask 10.111.0.0/255.255.0.0 for cluster PARTI00"),
    ("4.4", change(EDGE, ["Clusters"], delete=True), "A single subnet must be configured when clusters are not specified."),
    ("4.4", change(EDGE, ["ManagedSubnet"], {"Subnet": "172.16.0.0"}), "Unexpected ManagedSubnet declaration in EDGE mode"),
    ("4.4", change(LEGACY, ["Subnets"], [{"Name": "a", "Subnet": "10.0.0.0", "Netmask": "255.0.0.0", "Gateway": "10.0.0.1"}]),
     "Unexpected Subnets declaration for non-EDGE mode"),
    ("4.4", change(LEGACY, ["PrivateIps"], ["10.0.0.5"]), "Private IP configuration not permitted for VPCMIDO."),
    ("4.4", change(LEGACY, ["Mido"], delete=True), 'Missing required property "Mido"'),
    ("4.1", change(LEGACY, ["Mido", "EucanetdHost"], delete=True), 'Missing required property "Mido.EucanetdHost"'),
    ("4.1", change(LEGACY, ["Mido", "Gateways"], []), 'Unrecognized field "Gateways" (class com.eucalyptus.network.config.Midonet)'),
    ("4.4", change(LEGACY, ["Mido", "PublicGatewayIP"], delete=True), 'Missing required property "Mido.PublicGatewayIP"'),
    ("4.4", change(LEGACY, ["Mido", "GatewayIP"], "172.19.0.x"), 'Invalid IP "Mido.GatewayIP": "172.19.0.x"'),
    ("4.4", change(LEGACY, ["Mido", "PublicNetworkCidr"], "172.19.0.0"), 'Invalid CIDR for "Mido.PublicNetworkCidr": "172.19.0.0"'),
    ("4.4", change(NEW, ["Mido", "PublicNetworkCidr"], "10.116.128.0/17"), 'Invalid use of property "Mido.PublicNetworkCidr"'),
    ("4.4", change(NEW, ["Mido", "Gateways", 0, "GatewayHost"], "h"), 'Invalid use of property "Mido.Gateways[0].GatewayHost"'),
    ("4.4", change(NEW, ["Mido", "Gateways"], NEW["Mido"]["Gateways"] * 7), 'Maximum allowed gateways (6) exceeded "Mido.Gateways": 7'),
    ("4.4", change(NEW, ["Mido", "BgpAsn"], "0"), 'Invalid ASN "Mido.BgpAsn": "0"'),
    ("4.4", change(NEW, ["Mido", "Gateways", 0, "BgpAdRoutes"], []), 'At least one route is required "Mido.Gateways[0].BgpAdRoutes"'),
    ("4.4", change(NEW, ["Mido", "Gateways", 0, "ExternalIp"], "10.1.1.1"), '10.1.1.1 must be within ExternalCidr "Mido.Gateways[0].ExternalIp"'),
    ("4.4", change(STATIC, ["Mido", "Gateways", 0, "ExternalRouterIp"], delete=True), 'Missing required property "Mido.Gateways[0].ExternalRouterIp"'),
    ("4.4", change(NEW, ["Mido", "Gateways"], []), 'At least one gateway is required "Mido.Gateways"'),
]


@pytest.mark.parametrize("line,doc,message", BAD, ids=[m[:40] for _line, _doc, m in BAD])
def test_bad(line, doc, message):
    with pytest.raises(clc.ConfigError) as e:
        clc.validate_network_configuration(json.dumps(doc), line)
    assert message in str(e.value)


def test_not_json():
    with pytest.raises(clc.ConfigError):
        clc.validate_network_configuration("{Mode: EDGE", "4.4")
