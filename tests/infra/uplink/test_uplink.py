"""testinfra checks of the `midonet_gateway` role (seed 000 step 1), packet level.

Used by molecule/uplink (before and after a container restart) and by `make lab`'s lab check.
The expected values are read from the lab inventory's group_vars, which molecule/uplink also
converges with, so there is one source of truth.

The packet test builds two network namespaces on the gateway host:
  * "overlay" stands in for the MidoNet side of veth1: veth1 itself is moved into it and holds
    GatewayIP (as eucart's uplink port bound to veth1 does), plus one public IP, and routes
    everything back through veth1. (A Linux bridge on veth1 would not do: with
    bridge-nf-call-iptables=1 conntrack would meet the packet in the bridge path first and pin
    a no-NAT binding, which midolman's datapath never causes.) Teardown moves veth1 back.
  * "external" sits behind br0, the external interface, on its own address.
A ping from the public IP to the external host must arrive masqueraded: the external side's
own iptables counters show the source it saw.
"""
import ipaddress
import json
import os

import pytest
import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
with open(os.path.join(TOP, "inventories", "lab", "group_vars", "midonet_gateway", "uplink.yml")) as fh:
    CFG = yaml.safe_load(fh)

BRIDGE = CFG["midonet_gateway_bridge"]
VETH = CFG["midonet_gateway_veth"]
PEER = CFG["midonet_gateway_peer"]
BRIDGE_ADDR = CFG["midonet_gateway_bridge_address"]
GATEWAY_IP = CFG["midonet_gateway_gateway_ip"]
EXT_IF = CFG["midonet_gateway_external_interface"]


def public_ips():
    out = []
    for item in CFG["midonet_gateway_public_ips"]:
        if "-" in item:
            a, b = (ipaddress.IPv4Address(x.strip()) for x in item.split("-"))
            out.extend(str(ipaddress.IPv4Address(i)) for i in range(int(a), int(b) + 1))
        else:
            out.append(str(ipaddress.ip_network(item).network_address))
    return out


PUBLIC = public_ips()
EXT_NET = "198.51.100"          # the "external" network behind br0 (RFC 5737)
EXT_GW = EXT_NET + ".1/24"      # br0's address: the masquerade source
EXT_HOST = EXT_NET + ".100"


def links(host):
    return {l["ifname"]: l for l in json.loads(host.check_output("ip -json -details link show"))}


def test_veth_pair_and_bridge(host):
    ls = links(host)
    assert ls[VETH]["linkinfo"]["info_kind"] == "veth"
    assert ls[PEER]["linkinfo"]["info_kind"] == "veth"
    assert ls[VETH].get("master") == BRIDGE
    assert ls[BRIDGE]["linkinfo"]["info_kind"] == "bridge"
    for name in (VETH, PEER, BRIDGE):
        assert "UP" in ls[name]["flags"], name
    addrs = json.loads(host.check_output("ip -json -4 addr show dev %s" % BRIDGE))[0]["addr_info"]
    assert ["%s/%s" % (a["local"], a["prefixlen"]) for a in addrs] == [BRIDGE_ADDR]
    peer = json.loads(host.check_output("ip -json addr show dev %s" % PEER))[0]
    assert [a for a in peer["addr_info"] if a["family"] == "inet"] == [], \
        "veth1 must stay unaddressed for midolman"


def test_one_route_per_public_ip(host):
    routes = json.loads(host.check_output("ip -json -4 route show"))
    via = {r["dst"]: r.get("gateway") for r in routes}
    for ip in PUBLIC:
        assert via.get(ip) == GATEWAY_IP, ip


def test_masquerade_and_forward_rules(host):
    nat = host.check_output("iptables-save -t nat")
    filt = host.check_output("iptables-save -t filter")
    for ip in PUBLIC:
        assert "-s %s/32 -o %s -j MASQUERADE" % (ip, EXT_IF) in nat, ip
        assert "-s %s/32 -j ACCEPT" % ip in filt, ip


def test_kernel_forwarding(host):
    assert host.sysctl("net.ipv4.ip_forward") == 1
    assert host.sysctl("net.bridge.bridge-nf-call-iptables") == 1


def test_uplink_unit_enabled_for_boot(host):
    unit = host.service("eucalyptus-uplink")
    assert unit.is_enabled


@pytest.fixture
def topology(host):
    """overlay and external namespaces around the uplink; removed afterwards."""
    pub = PUBLIC[0]
    script = RESTORE + """
set -e
ip link del ectest-ex0 2>/dev/null || true
# the external network behind br0
ip link show {ext_if} >/dev/null 2>&1 || ip link add {ext_if} type bridge
ip link set {ext_if} up
ip -4 addr show dev {ext_if} | grep -q '{ext_gw}' || ip addr add {ext_gw} dev {ext_if}
ip netns add ectest-external
ip link add ectest-ex0 type veth peer name ectest-ex1
ip link set ectest-ex0 master {ext_if} up
ip link set ectest-ex1 netns ectest-external
ip -n ectest-external addr add {ext_host}/24 dev ectest-ex1
ip -n ectest-external link set ectest-ex1 up
ip -n ectest-external link set lo up
# count what the external host receives, by source address
ip netns exec ectest-external iptables -A INPUT -p icmp -s {pub} -j ACCEPT
ip netns exec ectest-external iptables -A INPUT -p icmp -s {ext_src} -j ACCEPT
# the MidoNet side of veth1
ip netns add ectest-overlay
ip link set {peer} netns ectest-overlay
ip -n ectest-overlay addr add {gw}/{plen} dev {peer}
ip -n ectest-overlay addr add {pub}/32 dev lo
ip -n ectest-overlay link set lo up
ip -n ectest-overlay link set {peer} up
ip -n ectest-overlay route add default via {br_ip} src {pub}
""".format(ext_if=EXT_IF, ext_gw=EXT_GW, ext_host=EXT_HOST, pub=pub, peer=PEER,
           ext_src=EXT_GW.partition("/")[0], gw=GATEWAY_IP, plen=BRIDGE_ADDR.split("/")[1],
           br_ip=BRIDGE_ADDR.split("/")[0])
    host.run_expect([0], "bash -c %s" % _quote(script))
    yield pub
    host.run_expect([0], "bash -c %s" % _quote(RESTORE + "ip link del ectest-ex0 2>/dev/null || true"))
    # the uplink is as the role left it
    assert "UP" in links(host)[PEER]["flags"]


# Put veth1 back where the role keeps it (unaddressed, up, in the host's namespace) before the
# namespaces go: deleting a namespace destroys the veth pair with it.
RESTORE = """
if ip netns list | grep -qw ectest-overlay; then
  ip -n ectest-overlay link set {peer} netns 1 2>/dev/null || true
  ip netns del ectest-overlay
fi
ip netns list | grep -qw ectest-external && ip netns del ectest-external
ip addr flush dev {peer} 2>/dev/null || true
ip link set {peer} up 2>/dev/null || true
""".format(peer=PEER)


def _quote(s):
    return "'" + s.replace("'", "'\"'\"'") + "'"


def _counters(host):
    """packets seen by the external host's INPUT rules, by source address"""
    out = host.check_output("ip netns exec ectest-external iptables-save -c -t filter")
    seen = {}
    for line in out.splitlines():
        if line.startswith("[") and "-A INPUT" in line:
            packets = int(line[1:].split(":")[0])
            src = line.split("-s ")[1].split()[0].split("/")[0]
            seen[src] = packets
    return seen


def test_ping_from_public_ip_arrives_masqueraded(host, topology):
    pub = topology
    ping = host.run("ip netns exec ectest-overlay ping -c 3 -W 2 -I %s %s" % (pub, EXT_HOST))
    assert ping.rc == 0, ping.stdout + ping.stderr
    seen = _counters(host)
    masq_src = EXT_GW.partition("/")[0]
    assert seen[masq_src] >= 3, seen       # arrived with br0's address as source
    assert seen[pub] == 0, seen            # never with the public IP itself
