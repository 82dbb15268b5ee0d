"""Unit tests of the network.json rules (plugins/module_utils/euca_network.py) through the filters
eucalyptus.cloud.network_configuration / network_configuration_violations.

Good documents: the reference's examples (shared/reference/eucalyptus.md §3.4) and the seeds'
configurations (000: VPCMIDO cloud-in-a-box, 4.1; 001/002: MANAGED, mapped to the 4.2 JSON as the
upgrade documentation maps VNET_*). Bad documents: one broken rule each, asserted by key, rule and
message (the CLC's words for the CLC's rules), and by the complete list of (key, rule) reported, so
that a rule firing where it should not fails too.
"""
import copy
import json
import os
import subprocess
import sys
import time

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.eucalyptus.cloud.plugins.filter.network_configuration import (
    FilterModule, network_configuration, network_configuration_violations)
from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_network

# --- good documents ---------------------------------------------------------------------------

# §3.4 EDGE, single zone (D:4.2.1/maint-4.4 nw_edge_shared.dita, without the docs' trailing comma)
EDGE = {"Mode": "EDGE",
        "InstanceDnsDomain": "eucalyptus.internal",
        "InstanceDnsServers": ["10.1.1.254"],
        "MacPrefix": "d0:0d",
        "PublicIps": ["10.111.101.84", "10.111.101.91-10.111.101.93"],
        "Clusters": [{"Name": "PARTI00",
                      "Subnet": {"Name": "10.111.0.0", "Subnet": "10.111.0.0",
                                 "Netmask": "255.255.0.0", "Gateway": "10.111.0.1"},
                      "PrivateIps": ["10.111.101.94", "10.111.101.95"]}]}

# §3.4 note: the 4.1 docs put MacPrefix inside each cluster, and a global subnet may be referenced
EDGE_41 = {"InstanceDnsServers": ["10.1.1.254"],
           "PublicIps": ["10.111.101.84", "10.111.101.91-10.111.101.93"],
           "Subnets": [{"Name": "lan", "Subnet": "10.111.0.0", "Netmask": "255.255.0.0", "Gateway": "10.111.0.1"}],
           "Clusters": [{"Name": "PARTI00", "MacPrefix": "d0:0d", "Subnet": {"Name": "lan"},
                         "PrivateIps": ["10.111.101.94-10.111.101.99"]}]}

# §3.4 MANAGED (4.2/4.3 only)
MANAGED = {"Mode": "MANAGED", "InstanceDnsServers": ["10.1.1.254"],
           "Clusters": [{"Name": "zone1", "MacPrefix": "d0:0d"}],
           "PublicIps": ["10.111.101.31", "10.111.101.40"],
           "ManagedSubnet": {"Subnet": "172.16.0.0", "Netmask": "255.255.0.0", "MinVlan": "512", "MaxVlan": "639"}}

# §3.4 "MANAGED-NOVLAN: same without MinVlan/MaxVlan"
MANAGED_NOVLAN = {"Mode": "MANAGED-NOVLAN", "InstanceDnsServers": ["10.1.1.254"],
                  "Clusters": [{"Name": "zone1", "MacPrefix": "d0:0d"}],
                  "PublicIps": ["10.111.101.31", "10.111.101.40"],
                  "ManagedSubnet": {"Subnet": "172.16.0.0", "Netmask": "255.255.0.0"}}

# Seeds 001/002 (MANAGED, eucalyptus.conf) as the 4.2 upgrade doc maps them: VNET_SUBNET/NETMASK
# 10.10.0.0/255.255.0.0, VNET_ADDRSPERNET 32 -> SegmentSize, VNET_DNS 192.168.0.2,
# VNET_PUBLICIPS "192.168.3.1-192.168.3.31"
SEED_001 = {"Mode": "MANAGED", "InstanceDnsServers": ["192.168.0.2"],
            "PublicIps": ["192.168.3.1-192.168.3.31"],
            "Clusters": [{"Name": "cluster1"}],
            "ManagedSubnet": {"Subnet": "10.10.0.0", "Netmask": "255.255.0.0", "SegmentSize": 32,
                              "MinVlan": 10, "MaxVlan": 2049}}

# §3.4 VPCMIDO legacy (4.1-4.3, still accepted by 4.4), hosts by name
VPC_LEGACY = {"Mode": "VPCMIDO", "InstanceDnsServers": ["10.111.1.11"], "PublicIps": ["10.111.200.10-10.111.200.50"],
              "Mido": {"EucanetdHost": "clcfrontend", "GatewayHost": "ufsfrontend",
                       "GatewayIP": "172.19.0.2", "GatewayInterface": "veth1",
                       "PublicGatewayIP": "172.19.0.1", "PublicNetworkCidr": "172.19.0.0/30"}}

# Seed 000 (4.1 cloud-in-a-box): the addresses are missing from the seed's text; these are the
# lab inventory's (inventories/lab/group_vars/midonet_gateway/uplink.yml): uplinkbridge 192.0.2.1/30
# = PublicGatewayIP, GatewayIP 192.0.2.2 on veth1, 13 public IPs routed via GatewayIP.
SEED_000 = {"InstanceDnsServers": ["192.0.2.1"],
            "Mode": "VPCMIDO",
            "PublicIps": ["203.0.113.2-203.0.113.14"],
            "Mido": {"EucanetdHost": "frontend.euca", "GatewayHost": "frontend.euca",
                     "GatewayIP": "192.0.2.2", "GatewayInterface": "veth1",
                     "PublicNetworkCidr": "192.0.2.0/30", "PublicGatewayIP": "192.0.2.1"}}

# 4.2/4.3 Gateways list of legacy entries (reference §3.2 / admin-tools §7)
VPC_GATEWAYS = {"Mode": "VPCMIDO", "PublicIps": ["198.51.100.1-198.51.100.200"],
                "Mido": {"EucanetdHost": "clc", "PublicNetworkCidr": "172.19.0.0/29", "PublicGatewayIP": "172.19.0.1",
                         "Gateways": [{"GatewayHost": "gw1", "GatewayIP": "172.19.0.2", "GatewayInterface": "veth1"},
                                      {"GatewayHost": "gw2", "GatewayIP": "172.19.0.3", "GatewayInterface": "veth1"}]}}

# §3.4 VPCMIDO 4.4 form with BGP (D:maint-4.4 nw_vpmido.dita, Mode/PublicIps at top level)
VPC_44_BGP = {"Mode": "VPCMIDO", "PublicIps": ["10.116.150.10-10.116.150.254"],
              "Mido": {"BgpAsn": "64512",
                       "Gateways": [{"Ip": "10.111.5.11", "ExternalDevice": "em1.116",
                                     "ExternalCidr": "10.116.128.0/17", "ExternalIp": "10.116.133.11",
                                     "BgpPeerIp": "10.116.133.173", "BgpPeerAsn": "65000",
                                     "BgpAdRoutes": ["10.116.150.0/24"]}]}}

# §3.4 "Static (no BGP) gateway: omit BgpAsn/Bgp*, give ExternalRouterIp"
VPC_44_STATIC = {"Mode": "VPCMIDO", "PublicIps": ["10.116.150.10-10.116.150.254"],
                 "Mido": {"Gateways": [{"Ip": "10.111.5.11", "ExternalDevice": "em1.116",
                                        "ExternalCidr": "10.116.128.0/17", "ExternalIp": "10.116.133.11",
                                        "ExternalRouterIp": "10.116.133.1"}]}}

GOOD = [
    ("edge-3.4", EDGE, ("4.1", "4.2", "4.3", "4.4")),
    ("edge-4.1-docs", EDGE_41, ("4.1", "4.2", "4.3", "4.4")),
    ("managed-3.4", MANAGED, ("4.2", "4.3")),
    ("managed-novlan-3.4", MANAGED_NOVLAN, ("4.2", "4.3")),
    ("seed-001-managed", SEED_001, ("4.2", "4.3")),
    ("vpcmido-legacy-3.4", VPC_LEGACY, ("4.1", "4.2", "4.3", "4.4")),
    ("seed-000-vpcmido", SEED_000, ("4.1", "4.2", "4.3", "4.4")),
    ("vpcmido-gateways-list", VPC_GATEWAYS, ("4.2", "4.3", "4.4")),
    ("vpcmido-4.4-bgp", VPC_44_BGP, ("4.4",)),
    ("vpcmido-4.4-static", VPC_44_STATIC, ("4.4",)),
]


@pytest.mark.parametrize("name, doc, versions", GOOD, ids=[g[0] for g in GOOD])
def test_good_documents_pass_unchanged(name, doc, versions):
    for version in versions:
        before = copy.deepcopy(doc)
        assert network_configuration_violations(doc, version) == []
        result = network_configuration(doc, version)
        assert result is doc
        assert doc == before


def test_version_forms():
    assert network_configuration(EDGE, 4.4) is EDGE
    assert network_configuration(EDGE, "4.4.0") is EDGE
    with pytest.raises(AnsibleFilterError, match=r"unsupported Eucalyptus version '5\.0'"):
        network_configuration(EDGE, "5.0")


def test_json_text_is_read_and_returned_as_given():
    text = json.dumps(SEED_000)
    assert network_configuration(text, "4.1") is text
    with pytest.raises(AnsibleFilterError, match=r"\(document\) \[json\]: The document is not JSON"):
        network_configuration(text[:-1], "4.1")


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"network_configuration", "network_configuration_violations"}


# --- bad documents ----------------------------------------------------------------------------

def edit(doc, **changes):
    """A deep copy of doc with top-level keys set (None: removed); 'Mido__X' edits Mido.X."""
    new = copy.deepcopy(doc)
    for key, value in changes.items():
        target, _sep, sub = key.partition("__")
        obj = new
        if sub:
            obj = new[target]
            key = sub
        if value is None:
            obj.pop(key, None)
        else:
            obj[key] = value
    return new


def gw44(**changes):
    gw = dict(VPC_44_BGP["Mido"]["Gateways"][0])
    for key, value in changes.items():
        if value is None:
            gw.pop(key, None)
        else:
            gw[key] = value
    return gw


BAD = [
    # (id, version, document, expected [(key, rule)], message fragment of the first expected)
    ("public-ips-required", "4.1", edit(EDGE, PublicIps=None),
     [("PublicIps", "required")], 'Missing required property "PublicIps"'),
    ("public-ips-reversed-range", "4.2", edit(EDGE, PublicIps=["10.111.101.84", "10.111.101.93-10.111.101.91"]),
     [("PublicIps[1]", "ip-range")], 'Invalid IP or IP range for "PublicIps[1]": "10.111.101.93-10.111.101.91"'),
    ("public-ips-cidr", "4.4", edit(SEED_000, PublicIps=["203.0.113.0/28"]),
     [("PublicIps[0]", "ip-range")], 'Invalid IP or IP range for "PublicIps[0]": "203.0.113.0/28" (a CIDR is not'),
    ("public-ips-leading-zero", "4.3", edit(SEED_000, PublicIps=["203.0.113.02"]),
     [("PublicIps[0]", "ip-range")], 'Invalid IP or IP range for "PublicIps[0]": "203.0.113.02"'),
    ("public-ips-ipv6", "4.4", edit(SEED_000, PublicIps=["2001:db8::1"]),
     [("PublicIps[0]", "ipv4")], 'Invalid IP or IP range for "PublicIps[0]": "2001:db8::1" (IPv4 only)'),
    ("public-ips-not-a-list", "4.2", edit(SEED_000, PublicIps="203.0.113.2"),
     [("PublicIps", "type")], 'Can not bind "PublicIps": expected a list'),
    ("public-ips-empty", "4.4", edit(SEED_000, PublicIps=[]),
     [("PublicIps", "public-empty")], "PublicIps is empty"),
    ("mode-system", "4.3", edit(EDGE, Mode="SYSTEM"),
     [("Mode", "mode")], 'Invalid mode "Mode": "SYSTEM"'),
    ("mode-lower-case", "4.4", edit(EDGE, Mode="edge"),
     [("Mode", "mode")], 'Invalid mode "Mode": "edge"'),
    ("managed-on-4.1", "4.1", MANAGED,
     [("ManagedSubnet", "unknown-key"), ("Mode", "mode")], 'Unrecognized field "ManagedSubnet"'),
    ("managed-on-4.4", "4.4", MANAGED,
     [("ManagedSubnet", "managed-removed")], "Managed network modes not supported, network configuration ignored"),
    ("mac-prefix", "4.2", edit(EDGE, MacPrefix="d0:0"),
     [("MacPrefix", "mac-prefix")], 'Invalid MAC prefix "MacPrefix": "d0:0"'),
    ("cluster-mac-prefix", "4.1", edit(EDGE_41, Clusters=[dict(EDGE_41["Clusters"][0], MacPrefix="d0-0d")]),
     [("Clusters[0].MacPrefix", "mac-prefix")], 'Invalid MAC prefix "Clusters[0].MacPrefix": "d0-0d"'),
    ("dns-server", "4.3", edit(EDGE, InstanceDnsServers=["10.1.1.254", "dns1"]),
     [("InstanceDnsServers[1]", "ip")], 'Invalid IP "InstanceDnsServers[1]": "dns1"'),
    ("dns-domain-leading-dot", "4.4", edit(EDGE, InstanceDnsDomain=".eucalyptus.internal"),
     [("InstanceDnsDomain", "domain")], 'Invalid domain "InstanceDnsDomain": ".eucalyptus.internal"'),
    ("unknown-top-key", "4.2", edit(EDGE, _comment="EDGE network"),
     [("_comment", "unknown-key")], 'Unrecognized field "_comment" (not a network.json key in Eucalyptus 4.2'),
    ("edge-subnet-gateway-required", "4.1",
     edit(EDGE_41, Subnets=[{"Name": "lan", "Subnet": "10.111.0.0", "Netmask": "255.255.0.0"}]),
     [("Subnets[0].Gateway", "required")], 'Missing required property "Subnets[0].Gateway"'),
    ("edge-netmask-not-contiguous", "4.2",
     edit(EDGE_41, Subnets=[{"Name": "lan", "Subnet": "10.111.0.0", "Netmask": "255.0.255.0", "Gateway": "10.111.0.1"}]),
     [("Subnets[0].Netmask", "netmask")], 'Invalid netmask for "Subnets[0].Netmask": "255.0.255.0"'),
    ("edge-subnet-host-bits", "4.3",
     edit(EDGE_41, Subnets=[{"Name": "lan", "Subnet": "10.111.5.0", "Netmask": "255.255.0.0", "Gateway": "10.111.0.1"}]),
     [("Subnets[0].Subnet", "subnet"), ("Subnets[0].Gateway", "subnet-gateway")],
     'Invalid subnet due to netmask for subnet "Subnets[0]": "10.111.5.0"'),
    ("edge-gateway-outside", "4.4",
     edit(EDGE_41, Subnets=[{"Name": "lan", "Subnet": "10.111.0.0", "Netmask": "255.255.0.0", "Gateway": "10.112.0.1"}]),
     [("Subnets[0].Gateway", "subnet-gateway")],
     'Invalid gateway due to subnet/netmask for subnet "Subnets[0]": "10.112.0.1"'),
    ("edge-single-subnet", "4.2",
     edit(EDGE_41, Clusters=None, Subnets=EDGE_41["Subnets"] + [
         {"Name": "lan2", "Subnet": "10.112.0.0", "Netmask": "255.255.0.0", "Gateway": "10.112.0.1"}]),
     [("Subnets", "single-subnet")], "A single subnet must be configured when clusters are not specified."),
    ("edge-private-outside-subnet", "4.4",
     edit(EDGE, Clusters=[dict(EDGE["Clusters"][0], PrivateIps=["10.112.0.5-10.112.0.9"])]),
     [("Clusters[0].PrivateIps", "private-range")],
     "Private IP range 10.112.0.5-10.112.0.9 not valid for subnet/netmask 10.111.0.0/255.255.0.0 for cluster PARTI00"),
    ("edge-top-private-outside-single-subnet", "4.1",
     edit(EDGE_41, Clusters=None, PrivateIps=["10.0.0.5"]),
     [("PrivateIps", "private-range")], "Private IP range 10.0.0.5 not valid for subnet/netmask 10.111.0.0/255.255.0.0"),
    ("edge-managed-subnet", "4.2", edit(EDGE, ManagedSubnet=MANAGED["ManagedSubnet"]),
     [("ManagedSubnet", "managed-in-edge")], "Unexpected ManagedSubnet declaration in EDGE mode"),
    ("edge-cluster-subnet-required", "4.3",
     edit(EDGE_41, Clusters=[{"Name": "PARTI00", "PrivateIps": ["10.111.101.94"]}], Subnets=EDGE_41["Subnets"] + [
         {"Name": "lan2", "Subnet": "10.112.0.0", "Netmask": "255.255.0.0", "Gateway": "10.112.0.1"}]),
     [("Clusters[0].Subnet", "required")], 'Missing required property "Clusters[0].Subnet"'),
    ("edge-cluster-subnet-unknown-name", "4.4",
     edit(EDGE_41, Clusters=[dict(EDGE_41["Clusters"][0], Subnet={"Name": "nowhere"})]),
     [("Clusters[0].Subnet.Subnet", "required"), ("Clusters[0].Subnet.Netmask", "required"),
      ("Clusters[0].Subnet.Gateway", "required")], 'Missing required property "Clusters[0].Subnet.Subnet"'),
    ("managed-subnets-declared", "4.3", edit(MANAGED, Subnets=EDGE_41["Subnets"]),
     [("Subnets", "subnets-in-managed")], 'Unexpected Subnets declaration for non-EDGE mode "Subnets": "MANAGED"'),
    ("managed-subnet-required", "4.2", edit(MANAGED, ManagedSubnet=None),
     [("ManagedSubnet", "required")], 'Missing required property "ManagedSubnet"'),
    ("managed-segment-size", "4.2", edit(MANAGED, ManagedSubnet=dict(MANAGED["ManagedSubnet"], SegmentSize=24)),
     [("ManagedSubnet.SegmentSize", "managed-subnet")],
     'Invalid managed subnet due to SegmentSize not being a power of 2 for subnet "ManagedSubnet": "24"'),
    ("managed-min-over-max", "4.3", edit(MANAGED, ManagedSubnet=dict(MANAGED["ManagedSubnet"], MinVlan=700)),
     [("ManagedSubnet.MinVlan", "managed-subnet")],
     'Invalid managed subnet due to MinVlan being greater than MaxVlan for subnet "ManagedSubnet": MinVlan "700" > MaxVlan "639"'),
    ("managed-min-vlan-low", "4.2", edit(MANAGED, ManagedSubnet=dict(MANAGED["ManagedSubnet"], MinVlan=1)),
     [("ManagedSubnet.MinVlan", "managed-subnet")],
     'Invalid managed subnet due to MinVlan for subnet "ManagedSubnet": "1" < "2"'),
    ("managed-min-vlan-no-segment", "4.3",
     edit(MANAGED, ManagedSubnet={"Subnet": "172.16.0.0", "Netmask": "255.255.255.0", "MinVlan": 10}),
     [("ManagedSubnet.MinVlan", "managed-subnet")],
     'MinVlan "10" > maximum usable min vlan "8"'),
    ("managed-public-in-private-net", "4.2", edit(MANAGED, PublicIps=["172.16.5.1-172.16.5.9"]),
     [("PublicIps[0]", "public-private-overlap")],
     'PublicIps[0] "172.16.5.1-172.16.5.9" overlaps the private network ManagedSubnet 172.16.0.0-172.16.255.255'),
    ("vpcmido-mido-required", "4.2", edit(VPC_LEGACY, Mido=None),
     [("Mido", "required")], 'Missing required property "Mido"'),
    ("vpcmido-41-gateway-interface", "4.1", edit(SEED_000, Mido__GatewayInterface=None),
     [("Mido.GatewayInterface", "required")], 'Missing required property "Mido.GatewayInterface"'),
    ("vpcmido-42-eucanetd-host", "4.2", edit(VPC_LEGACY, Mido__EucanetdHost=None),
     [("Mido.EucanetdHost", "required")], 'Missing required property "Mido.EucanetdHost"'),
    ("vpcmido-private-ips", "4.3", edit(VPC_LEGACY, PrivateIps=["10.0.0.5"]),
     [("PrivateIps", "vpcmido-private")], "Private IP configuration not permitted for VPCMIDO."),
    ("vpcmido-subnets", "4.4", edit(VPC_LEGACY, Subnets=EDGE_41["Subnets"]),
     [("Subnets", "vpcmido-subnet")], "Subnet configuration not permitted for VPCMIDO."),
    ("vpcmido-cluster-private", "4.1", edit(SEED_000, Clusters=[{"Name": "home-cloud-az01", "PrivateIps": ["10.0.0.5"]}]),
     [("Clusters[0].PrivateIps", "vpcmido-private")], "Private IP configuration not permitted for VPCMIDO."),
    ("vpcmido-41-gateways-unknown", "4.1", edit(SEED_000, Mido__Gateways=VPC_GATEWAYS["Mido"]["Gateways"]),
     [("Mido.Gateways", "unknown-key")], 'Unrecognized field "Mido.Gateways" (not a network.json key in Eucalyptus 4.1'),
    ("gateways-max", "4.3", edit(VPC_GATEWAYS, Mido__PublicNetworkCidr="172.19.0.0/28", Mido__Gateways=[
        {"GatewayHost": "gw%d" % i, "GatewayIP": "172.19.0.%d" % (i + 2), "GatewayInterface": "veth1"} for i in range(7)]),
     [("Mido.Gateways", "gateways-max")], 'Maximum allowed gateways (6) exceeded "Mido.Gateways": 7'),
    ("gateways-empty", "4.4", edit(VPC_44_BGP, Mido__Gateways=[]),
     [("Mido.Gateways", "gateways-min")], 'At least one gateway is required "Mido.Gateways"'),
    ("gateway-entry-fields-42", "4.2", edit(VPC_GATEWAYS, Mido__Gateways=[{"GatewayHost": "gw1", "GatewayIP": "172.19.0.2"}]),
     [("Mido.Gateways[0].GatewayInterface", "required")], 'Missing required property "Mido.Gateways[0].GatewayInterface"'),
    ("new-form-on-4.3", "4.3", edit(VPC_GATEWAYS, Mido__Gateways=[
        {"GatewayHost": "gw1", "GatewayIP": "172.19.0.2", "GatewayInterface": "veth1", "ExternalIp": "172.19.0.2"}]),
     [("Mido.Gateways[0].ExternalIp", "unknown-key")], 'Unrecognized field "Mido.Gateways[0].ExternalIp"'),
    ("new-form-with-public-network-cidr", "4.4", edit(VPC_44_BGP, Mido__PublicNetworkCidr="172.19.0.0/30"),
     [("Mido.PublicNetworkCidr", "forbidden")], 'Invalid use of property "Mido.PublicNetworkCidr"'),
    ("new-form-entry-mixed", "4.4", edit(VPC_44_BGP, Mido__Gateways=[gw44(GatewayIP="10.116.133.11")]),
     [("Mido.Gateways[0].GatewayIP", "forbidden")], 'Invalid use of property "Mido.Gateways[0].GatewayIP"'),
    ("external-ip-outside-cidr", "4.4", edit(VPC_44_BGP, Mido__Gateways=[gw44(ExternalIp="10.117.0.11")]),
     [("Mido.Gateways[0].ExternalIp", "external-cidr")],
     'ExternalIp must be within ExternalCidr "Mido.Gateways[0].ExternalIp"'),
    ("bgp-peer-outside-cidr", "4.4", edit(VPC_44_BGP, Mido__Gateways=[gw44(BgpPeerIp="10.116.255.255")]),
     [("Mido.Gateways[0].BgpPeerIp", "external-cidr")],
     'BgpPeerIp must be within ExternalCidr "Mido.Gateways[0].BgpPeerIp"'),
    ("bgp-routes-empty", "4.4", edit(VPC_44_BGP, Mido__Gateways=[gw44(BgpAdRoutes=[])]),
     [("Mido.Gateways[0].BgpAdRoutes", "bgp-routes")],
     'At least one route is required "Mido.Gateways[0]"'),
    ("bgp-asn-range", "4.4", edit(VPC_44_BGP, Mido__BgpAsn="4294967296"),
     [("Mido.BgpAsn", "asn")], 'Invalid ASN "Mido.BgpAsn": "4294967296"'),
    ("bgp-peer-asn", "4.4", edit(VPC_44_BGP, Mido__Gateways=[gw44(BgpPeerAsn="AS65000")]),
     [("Mido.Gateways[0].BgpPeerAsn", "asn")], 'Invalid ASN "Mido.Gateways[0].BgpPeerAsn": "AS65000"'),
    ("bgp-peer-required", "4.4", edit(VPC_44_BGP, Mido__Gateways=[gw44(BgpPeerIp=None)]),
     [("Mido.Gateways[0].BgpPeerIp", "required")], 'Missing required property "Mido.Gateways[0].BgpPeerIp"'),
    ("static-router-required", "4.4",
     edit(VPC_44_STATIC, Mido__Gateways=[dict(VPC_44_STATIC["Mido"]["Gateways"][0], ExternalRouterIp=None)]),
     [("Mido.Gateways[0].ExternalRouterIp", "required")], 'Missing required property "Mido.Gateways[0].ExternalRouterIp"'),
    ("host-invalid", "4.1", edit(SEED_000, Mido__GatewayHost="frontend euca"),
     [("Mido.GatewayHost", "host")], 'Invalid host "Mido.GatewayHost": "frontend euca"'),
    ("public-network-cidr-invalid", "4.2", edit(VPC_LEGACY, Mido__PublicNetworkCidr="172.19.0.0/33"),
     [("Mido.PublicNetworkCidr", "cidr")], 'Invalid CIDR for "Mido.PublicNetworkCidr": "172.19.0.0/33"'),
    ("gateway-ip-invalid", "4.3", edit(VPC_LEGACY, Mido__GatewayIP="172.19.0.256"),
     [("Mido.GatewayIP", "ip")], 'Invalid IP "Mido.GatewayIP": "172.19.0.256"'),
    # --- what the CLC accepts but breaks the cloud (collection rules)
    ("host-by-ip-on-4.2", "4.2", edit(VPC_LEGACY, Mido__EucanetdHost="10.111.1.10"),
     [("Mido.EucanetdHost", "host-name")], "Mido.EucanetdHost is the IP \"10.111.1.10\": eucanetd 4.2 finds EucanetdHost"),
    ("gateway-ip-outside-uplink", "4.1", edit(SEED_000, Mido__GatewayIP="192.0.2.6"),
     [("Mido.GatewayIP", "gateway-cidr")],
     "Mido.GatewayIP 192.0.2.6 is not a host address of Mido.PublicNetworkCidr 192.0.2.0/30"),
    ("public-gateway-ip-outside-uplink", "4.4", edit(SEED_000, Mido__PublicGatewayIP="192.0.2.9"),
     [("Mido.PublicGatewayIP", "gateway-cidr")],
     "Mido.PublicGatewayIP 192.0.2.9 is not a host address of Mido.PublicNetworkCidr 192.0.2.0/30"),
    ("gateway-ip-is-network-address", "4.3", edit(SEED_000, Mido__GatewayIP="192.0.2.0"),
     [("Mido.GatewayIP", "gateway-cidr")], "Mido.GatewayIP 192.0.2.0 is not a host address"),
    ("gateway-ip-equals-public-gateway", "4.2", edit(SEED_000, Mido__GatewayIP="192.0.2.1"),
     [("Mido.GatewayIP", "gateway-distinct")], "Mido.GatewayIP 192.0.2.1 is also Mido.PublicGatewayIP"),
    ("public-ip-in-uplink", "4.1", edit(SEED_000, PublicIps=["203.0.113.2-203.0.113.14", "192.0.2.2"]),
     [("PublicIps[1]", "public-uplink-overlap"), ("PublicIps[1]", "public-gateway-address")],
     'PublicIps[1] "192.0.2.2" lies in Mido.PublicNetworkCidr 192.0.2.0/30'),
    ("public-ip-duplicate", "4.4", edit(SEED_000, PublicIps=["203.0.113.2-203.0.113.14", "203.0.113.20", "203.0.113.9"]),
     [("PublicIps[2]", "public-duplicate")],
     'PublicIps[2] "203.0.113.9" overlaps PublicIps[0] "203.0.113.2-203.0.113.14"'),
    ("public-ip-in-cluster-private-range", "4.2", edit(EDGE, PublicIps=["10.111.101.84", "10.111.101.90-10.111.101.94"]),
     [("PublicIps[1]", "public-private-overlap")],
     'PublicIps[1] "10.111.101.90-10.111.101.94" overlaps the private range Clusters[0].PrivateIps[0] "10.111.101.94"'),
    ("public-ip-in-inherited-subnet", "4.3", edit(EDGE_41, Clusters=None),
     [("PublicIps[0]", "public-private-overlap"), ("PublicIps[1]", "public-private-overlap")],
     'PublicIps[0] "10.111.101.84" overlaps the private range the subnet 10.111.0.0/255.255.0.0 minus its gateway'),
    ("public-ip-is-subnet-gateway", "4.4", edit(EDGE, PublicIps=["10.111.0.1"]),
     [("PublicIps[0]", "public-gateway-address")], 'PublicIps[0] "10.111.0.1" holds Clusters[0].Subnet.Gateway 10.111.0.1'),
    ("public-ip-loopback", "4.1", edit(SEED_000, PublicIps=["127.0.0.1"]),
     [("PublicIps[0]", "public-special")], 'PublicIps[0] "127.0.0.1" is in 127.0.0.0/8 (loopback)'),
    ("public-ip-outside-bgp-routes", "4.4", edit(VPC_44_BGP, PublicIps=["10.116.150.10-10.116.151.5"]),
     [("PublicIps[0]", "public-bgp-routes")], 'PublicIps[0] "10.116.150.10-10.116.151.5" is not inside the BgpAdRoutes'),
    ("public-ip-is-external-ip", "4.4", edit(VPC_44_BGP, PublicIps=["10.116.150.10-10.116.150.254", "10.116.133.11"]),
     [("PublicIps[1]", "public-gateway-address"), ("PublicIps[1]", "public-bgp-routes")],
     'PublicIps[1] "10.116.133.11" holds Mido.Gateways[0].ExternalIp 10.116.133.11'),
    ("gateway-forms-mixed", "4.3", edit(VPC_GATEWAYS, Mido__GatewayHost="gw1", Mido__GatewayIP="172.19.0.2",
                                        Mido__GatewayInterface="veth1"),
     [("Mido.GatewayHost", "gateway-form-mix")], "Mido.GatewayHost and Mido.Gateways are both given"),
    ("bgp-asn-with-legacy-form", "4.4", edit(VPC_LEGACY, Mido__BgpAsn="64512"),
     [("Mido.BgpAsn", "bgp-without-gateways")], "Mido.BgpAsn needs new-form gateways"),
    ("bgp-fields-without-asn", "4.4", edit(VPC_44_STATIC, Mido__Gateways=[
        dict(VPC_44_STATIC["Mido"]["Gateways"][0], BgpPeerAsn="65000")]),
     [("Mido.Gateways[0].BgpPeerAsn", "bgp-without-asn")], "Mido.Gateways[0].BgpPeerAsn is given but Mido.BgpAsn is not"),
    ("two-gateways-one-device", "4.4", edit(VPC_44_STATIC, Mido__Gateways=[
        VPC_44_STATIC["Mido"]["Gateways"][0], dict(VPC_44_STATIC["Mido"]["Gateways"][0], ExternalIp="10.116.133.12")]),
     [("Mido.Gateways[1]", "gateway-distinct")], "Mido.Gateways[1] binds em1.116 on 10.111.5.11 again"),
    ("interface-name", "4.1", edit(SEED_000, Mido__GatewayInterface="veth1-to-the-uplink"),
     [("Mido.GatewayInterface", "interface-name")], 'Mido.GatewayInterface "veth1-to-the-uplink" is not a Linux interface'),
    ("cidr-host-bits", "4.2", edit(VPC_LEGACY, Mido__PublicNetworkCidr="172.19.0.1/30"),
     [("Mido.PublicNetworkCidr", "cidr-host-bits")],
     'Invalid CIDR for "Mido.PublicNetworkCidr": "172.19.0.1/30" has host bits set; the network is 172.19.0.0/30'),
    ("edge-cluster-without-subnet", "4.2", edit(EDGE, Clusters=[{"Name": "PARTI00", "PrivateIps": ["10.111.101.94"]}]),
     [("Clusters[0]", "cluster-subnet")], "Clusters[0] (PARTI00) has no subnet"),
    ("edge-cluster-duplicate", "4.3", edit(EDGE, Clusters=EDGE["Clusters"] * 2),
     [("Clusters[1].Name", "cluster-duplicate")], 'Clusters[1].Name "PARTI00" is also Clusters[0].Name'),
    ("edge-private-holds-gateway", "4.4",
     edit(EDGE, Clusters=[dict(EDGE["Clusters"][0], PrivateIps=["10.111.0.1-10.111.0.50"])]),
     [("Clusters[0].PrivateIps", "private-gateway")], "Private IP range 10.111.0.1-10.111.0.50"),
    ("vpcmido-managed-subnet-4.3", "4.3", edit(VPC_LEGACY, ManagedSubnet=MANAGED["ManagedSubnet"]),
     [("ManagedSubnet", "managed-in-vpcmido")], "ManagedSubnet belongs to the MANAGED modes; VPCMIDO ignores it"),
    ("edge-cluster-empty-subnet", "4.2", edit(EDGE, Clusters=[dict(EDGE["Clusters"][0], Subnet={})]),
     [("Clusters[0].Subnet.Subnet", "required"), ("Clusters[0].Subnet.Netmask", "required"),
      ("Clusters[0].Subnet.Gateway", "required")], 'Missing required property "Clusters[0].Subnet.Subnet"'),
    ("gateways-not-a-list", "4.3", edit(VPC_GATEWAYS, Mido__Gateways="gw1"),
     [("Mido.Gateways", "type")], 'Can not bind "Mido.Gateways": expected a list, got "gw1"'),
    ("managed-novlan-on-4.4", "4.4", MANAGED_NOVLAN,
     [("ManagedSubnet", "managed-removed")], "logs fault 1017 and keeps no network configuration at all"),
    ("not-an-object", "4.4", ["Mode", "EDGE"],
     [("", "type")], "The document must be a JSON object"),
]


def _pairs(found):
    return [(v["key"], v["rule"]) for v in found]


@pytest.mark.parametrize("case", BAD, ids=[b[0] for b in BAD])
def test_bad_documents_fail_with_the_message(case):
    _name, version, doc, expected, fragment = case
    found = network_configuration_violations(doc, version)
    assert sorted(_pairs(found)) == sorted(expected), found
    first = [v for v in found if (v["key"], v["rule"]) == expected[0]][0]
    assert fragment in first["message"]
    with pytest.raises(AnsibleFilterError) as err:
        network_configuration(doc, version)
    text = str(err.value)
    assert text.startswith("network_configuration: network.json breaks %d rule" % len(found))
    assert "Eucalyptus %s:" % version in text
    assert "- %s [%s]: " % ((expected[0][0] or "(document)"), expected[0][1]) in text
    assert fragment in text


def test_enough_bad_documents_across_versions():
    assert len(BAD) >= 30
    assert {b[1] for b in BAD} == {"4.1", "4.2", "4.3", "4.4"}
    assert len({b[0] for b in BAD}) == len(BAD)


def test_sources():
    clc = network_configuration_violations(edit(EDGE, PublicIps=None), "4.2")
    ours = network_configuration_violations(edit(SEED_000, PublicIps=["192.0.2.2"]), "4.1")
    assert [v["source"] for v in clc] == ["clc"]
    assert {v["source"] for v in ours} == {"collection"}


def test_every_violation_reported_not_only_the_first():
    doc = edit(SEED_000, MacPrefix="zz:zz", InstanceDnsServers=["x"], Mido__GatewayIP="192.0.2.300")
    assert sorted(_pairs(network_configuration_violations(doc, "4.1"))) == [
        ("InstanceDnsServers[0]", "ip"), ("MacPrefix", "mac-prefix"), ("Mido.GatewayIP", "ip")]


# --- scale --------------------------------------------------------------------------------

def _ips(count, start=(100 << 24) | (64 << 16)):
    return ["%d.%d.%d.%d" % ((v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255)
            for v in range(start, start + count)]


def test_twenty_thousand_public_ips_are_checked_as_intervals():
    doc = edit(SEED_000, PublicIps=_ips(20000) + ["100.128.0.0-100.191.255.255"])
    t0 = time.time()
    assert network_configuration(doc, "4.4") is doc
    assert time.time() - t0 < 5
    doc["PublicIps"].append(doc["PublicIps"][12345])
    t0 = time.time()
    found = network_configuration_violations(doc, "4.4")
    assert time.time() - t0 < 5
    assert _pairs(found) == [("PublicIps[20001]", "public-duplicate")]
    assert 'overlaps PublicIps[12345] "100.64.48.57"' in found[0]["message"]


def test_violations_are_capped_per_rule():
    doc = edit(SEED_000, PublicIps=_ips(100) * 2)
    found = network_configuration_violations(doc, "4.4")
    assert len(found) == euca_network.PER_RULE_LIMIT + 1
    assert found[-1]["message"] == "80 more violations of rule public-duplicate not listed"


# --- through ansible-playbook, as Ansible loads the plugin ------------------------------------

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def _playbook(tmp_path, doc, version):
    out = tmp_path / "network.json"
    play = [{"hosts": "localhost", "gather_facts": False, "vars": {"net": doc, "ver": version},
             "tasks": [
                 {"name": "Count the violations",
                  "ansible.builtin.debug": {"msg": "violations={{ net | eucalyptus.cloud.network_configuration_violations(ver) | length }}"}},
                 {"name": "Write the validated network.json",
                  "ansible.builtin.copy": {"content": "{{ net | eucalyptus.cloud.network_configuration(ver) | to_nice_json }}",
                                           "dest": str(out), "mode": "0600"}}]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_STDOUT_CALLBACK="default")
    cmd = [sys.executable, "-m", "ansible.cli.playbook", str(tmp_path / "play.yml"), "-i", "localhost,",
           "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable]
    proc = subprocess.run(cmd, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300, check=False)
    return proc, out


def test_through_ansible_playbook(tmp_path):
    proc, out = _playbook(tmp_path, SEED_000, "4.1")
    assert proc.returncode == 0, proc.stdout
    assert "violations=0" in proc.stdout
    assert json.loads(out.read_text()) == SEED_000
    out.unlink()
    bad = edit(SEED_000, PublicIps=["203.0.113.2-203.0.113.14", "192.0.2.2"])
    proc, out = _playbook(tmp_path, bad, "4.1")
    assert proc.returncode != 0
    assert "violations=2" in proc.stdout
    assert 'PublicIps[1] [public-uplink-overlap]: PublicIps[1] "192.0.2.2" lies in Mido.PublicNetworkCidr' in proc.stdout
    assert not out.exists()


# --- the rule code on the module interpreters (Python 2.7 and 3.6) -----------------------------

_PY_RUN = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_network
cases = json.loads(open(sys.argv[2]).read())
out = [[(v.key, v.rule, v.message, v.source) for v in euca_network.check(doc, ver)] for ver, doc in cases]
sys.stdout.write(json.dumps(out))
'''


def _pyenv_python(version):
    root = subprocess.run(["pyenv", "root"], stdout=subprocess.PIPE, universal_newlines=True,
                          check=False).stdout.strip() if _which("pyenv") else os.path.expanduser("~/.pyenv")
    path = os.path.join(root, "versions", version, "bin", "python")
    return path if os.access(path, os.X_OK) else None


def _which(name):
    return any(os.access(os.path.join(d, name), os.X_OK) for d in os.environ.get("PATH", "").split(os.pathsep))


@pytest.mark.may_skip("runs where pyenv has 2.7.18/3.6.15 (these machines); module_utils also run on EL7 in the el7 stage")
@pytest.mark.parametrize("pyversion", ["2.7.18", "3.6.15"])
def test_same_violations_on_python_27_and_36(tmp_path, pyversion):
    python = _pyenv_python(pyversion)
    if python is None:
        pytest.skip("no pyenv Python %s" % pyversion)
    # a package tree as Python 2 needs it (__init__ files), with this checkout's two module_utils
    # and a stand-in for the one ansible helper ipaddrs imports (to_native)
    mu = tmp_path / "ansible_collections" / "eucalyptus" / "cloud" / "plugins" / "module_utils"
    mu.mkdir(parents=True)
    for d in [tmp_path / "ansible_collections", mu.parent.parent.parent, mu.parent.parent, mu.parent, mu]:
        (d / "__init__.py").write_text("")
    src = os.path.join(ROOT, "plugins", "module_utils")
    for name in ("ipaddrs.py", "euca_network.py"):
        (mu / name).write_text(open(os.path.join(src, name)).read())
    conv = tmp_path / "ansible" / "module_utils" / "common" / "text"
    conv.mkdir(parents=True)
    for d in [tmp_path / "ansible", conv.parent.parent, conv.parent, conv]:
        (d / "__init__.py").write_text("")
    (conv / "converters.py").write_text("def to_native(value):\n    return str(value)\n")
    cases = [(version, doc) for _n, doc, versions in GOOD for version in versions]
    cases += [(b[1], b[2]) for b in BAD]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    (tmp_path / "run.py").write_text(_PY_RUN)
    proc = subprocess.run([python, str(tmp_path / "run.py"), str(tmp_path), str(tmp_path / "cases.json")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stderr
    here = [[[v.key, v.rule, v.message, v.source] for v in euca_network.check(doc, ver)] for ver, doc in cases]
    assert json.loads(proc.stdout) == here
    assert sum(1 for found in here if found) == len(BAD)
