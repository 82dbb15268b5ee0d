"""Build the topology of the VPCMIDO walk-through (eucanetd's core: router ``eucart``, bridge
``eucabr`` linked to it, the gateway port bound to ``veth1`` on the gateway host, the routes) in
the MidoNet API stand-in with plain HTTP requests, as eucanetd does (reference midonet-api.md
section 5, eucalyptus-admin-tools.md section 6.7), independently of the collection's client."""
import json

import requests

VND = "application/vnd.org.midonet.%s+json"
TYPES = {1: {"router": "Router-v2", "bridge": "Bridge-v3", "port": "Port-v2"},
         5: {"router": "Router-v3", "bridge": "Bridge-v4", "port": "Port-v3"}}
TENANT = "euca_tenant_1"

# The walk-through's addresses (its static uplink: veth0 172.19.0.1/30 <-> veth1 172.19.0.2)
GATEWAY_IP = "172.19.0.2"
PUBLIC_GATEWAY_IP = "172.19.0.1"
PUBLIC_NETWORK = ("172.19.0.0", 30)
CORE_ADDRESS = "169.254.0.1"
CORE_NETWORK = ("169.254.0.0", 17)


class Api(object):
    def __init__(self, url, flavor):
        self.url, self.flavor = url.rstrip("/"), flavor

    def mt(self, kind):
        return VND % TYPES[self.flavor].get(kind, kind)

    def post(self, path, kind, body):
        r = requests.post(self.url + path, data=json.dumps(body), timeout=10,
                          headers={"Content-Type": self.mt(kind), "Accept": self.mt(kind)})
        assert r.status_code in (200, 201), (path, r.status_code, r.text)
        location = r.headers.get("Location") or ""
        return location.rstrip("/").rsplit("/", 1)[-1]

    def delete(self, path):
        r = requests.delete(self.url + path, timeout=10)
        assert r.status_code in (200, 204), (path, r.status_code, r.text)

    def get(self, path, accept):
        r = requests.get(self.url + path, headers={"Accept": accept}, timeout=10)
        r.raise_for_status()
        return r.json()


def build(api, host_id, interface="veth1", zone_name="euca-mido", with_default_route=True, bind=True):
    """Create the walk-through's objects; returns their ids."""
    ids = {}
    ids["zone"] = api.post("/tunnel_zones", "TunnelZone-v1", {"name": zone_name, "type": "gre"})
    api.post("/tunnel_zones/%s/hosts" % ids["zone"], "TunnelZoneHost-v1", {"hostId": host_id, "ipAddress": "10.111.5.100"})
    ids["router"] = api.post("/routers", "router", {"name": "eucart", "tenantId": TENANT})
    ids["bridge"] = api.post("/bridges", "bridge", {"name": "eucabr", "tenantId": TENANT})
    ids["gw_port"] = api.post("/routers/%s/ports" % ids["router"], "port", {
        "type": "Router", "portAddress": GATEWAY_IP, "networkAddress": PUBLIC_NETWORK[0],
        "networkLength": PUBLIC_NETWORK[1], "portMac": "ac:ca:ba:11:c8:8e"})
    ids["rt_port"] = api.post("/routers/%s/ports" % ids["router"], "port", {
        "type": "Router", "portAddress": CORE_ADDRESS, "networkAddress": CORE_NETWORK[0],
        "networkLength": CORE_NETWORK[1], "portMac": "ac:ca:ba:c9:8c:aa"})
    ids["br_port"] = api.post("/bridges/%s/ports" % ids["bridge"], "port", {"type": "Bridge"})
    api.post("/ports/%s/link" % ids["rt_port"], "PortLink-v1", {"peerId": ids["br_port"]})
    if bind:
        api.post("/hosts/%s/ports" % host_id, "HostInterfacePort-v1",
                 {"hostId": host_id, "portId": ids["gw_port"], "interfaceName": interface})
    routes = []
    if with_default_route:
        routes.append(("0.0.0.0", 0, "0.0.0.0", 0, ids["gw_port"], PUBLIC_GATEWAY_IP))
    routes += [("0.0.0.0", 0, PUBLIC_NETWORK[0], PUBLIC_NETWORK[1], ids["gw_port"], None),
               ("0.0.0.0", 0, GATEWAY_IP, 32, ids["gw_port"], None),
               ("0.0.0.0", 0, CORE_NETWORK[0], CORE_NETWORK[1], ids["rt_port"], None),
               ("0.0.0.0", 0, CORE_ADDRESS, 32, ids["rt_port"], None)]
    ids["routes"] = []
    for src, slen, dst, dlen, port, gw in routes:
        body = {"type": "Normal", "srcNetworkAddr": src, "srcNetworkLength": slen, "dstNetworkAddr": dst,
                "dstNetworkLength": dlen, "nextHopPort": port, "weight": 0}
        if gw:
            body["nextHopGateway"] = gw
        ids["routes"].append(api.post("/routers/%s/routes" % ids["router"], "Route-v1", body))
    return ids


def teardown(api, ids):
    """Delete what :func:`build` made (the router and bridge take their ports and routes along)."""
    for path in ("/routers/%s" % ids["router"], "/bridges/%s" % ids["bridge"], "/tunnel_zones/%s" % ids["zone"]):
        api.delete(path)
