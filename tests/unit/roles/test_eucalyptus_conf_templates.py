"""Render tests of eucalyptus.conf (roles/eucalyptus_common) through Ansible (rolerender.py):
the keys of the reference (eucalyptus.md 2.1-2.3, admin-tools 8) per component, mode and
version, VNET_MODE always, NODES kept as the admin tools wrote it, and a file sh can source;
and the version/mode/tunnel-zone checks of tasks_from validate."""
import os
import subprocess
import sys

import yaml

from rolerender import ROOT, _collections_path, inventory

HV = {"frontend": {"eucalyptus_host_ip": "192.0.2.10"}, "nc1": {"eucalyptus_host_ip": "192.0.2.21"},
      "clc1": {"eucalyptus_host_ip": "192.0.2.5"}}
CIAB = {g: ["frontend"] for g in ("clc", "ufs", "walrus", "cc", "sc", "nc")}


def conf(render_role, groups, host, version, mode, nodes="", extra=None):
    role_vars = {"eucalyptus_version": version, "eucalyptus_network_mode": mode,
                 "_eucalyptus_common_nodes": nodes}
    role_vars.update(extra or {})
    r = render_role("eucalyptus_common", inventory(groups, HV), hosts=host,
                    templates=["eucalyptus.conf.j2"], role_vars=role_vars)
    assert r.rc == 0, r.output
    return r.files[host]["eucalyptus.conf.j2"]


def keys(text):
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def sourced(tmp_path, text, names):
    path = tmp_path / "eucalyptus.conf"
    path.write_text(text)
    script = ". %s; " % path + "; ".join('printf "%%s\\n" "$%s"' % n for n in names)
    return subprocess.run(["sh", "-c", script], stdout=subprocess.PIPE, universal_newlines=True,
                          check=True).stdout.splitlines()


def test_44_vpcmido_cloud_in_a_box(render_role, tmp_path):
    text = conf(render_role, CIAB, "frontend", "4.4", "VPCMIDO", nodes="192.0.2.10")
    k = keys(text)
    assert k["VNET_MODE"] == '"VPCMIDO"'
    assert k["VNET_BRIDGE"] == '"br0"'
    assert k["NODES"] == '"192.0.2.10"'
    assert k["LIBVIRT_USE_POLICY_KIT"] == '"-1"'
    assert k["INSTANCE_PATH"] == '"/var/lib/eucalyptus/instances"'
    assert "CLOUD_OPTS" in k and "CC_PORT" in k and "NC_PORT" in k
    # removed from the 4.4 template
    for gone in ("VNET_PRIVINTERFACE", "DISABLE_TUNNELING", "NC_SERVICE", "CREATE_SC_LOOP_DEVICES",
                 "CREATE_NC_LOOP_DEVICES", "VNET_PUBINTERFACE", "VNET_SUBNET"):
        assert gone not in k, gone
    assert sourced(tmp_path, text, ["VNET_MODE", "NODES", "EUCALYPTUS"]) == ["VPCMIDO", "192.0.2.10", "/"]


def test_41_vpcmido_legacy_keys_and_mode_on_the_clc_alone(render_role):
    # 4.1/4.2 eucanetd reads VNET_MODE from the CLC's own file (template default MANAGED-NOVLAN)
    k = keys(conf(render_role, {"clc": ["clc1"]}, "clc1", "4.1", "VPCMIDO"))
    assert k["VNET_MODE"] == '"VPCMIDO"'
    assert "CLOUD_OPTS" in k
    assert "NODES" not in k and "INSTANCE_PATH" not in k and "VNET_BRIDGE" not in k
    k = keys(conf(render_role, CIAB, "frontend", "4.1", "VPCMIDO"))
    assert k["DISABLE_TUNNELING"] == '"Y"'
    assert k["NC_SERVICE"] == '"axis2/services/EucalyptusNC"'
    assert k["CREATE_SC_LOOP_DEVICES"] == "256" and k["CREATE_NC_LOOP_DEVICES"] == "256"
    assert "LIBVIRT_USE_POLICY_KIT" not in k


def test_41_managed_cc_keys(render_role):
    k = keys(conf(render_role, {"cc": ["frontend"]}, "frontend", "4.1", "MANAGED",
                  extra={"eucalyptus_common_vnet_subnet": "172.16.0.0",
                         "eucalyptus_common_vnet_netmask": "255.255.0.0",
                         "eucalyptus_common_vnet_dns": "192.0.2.1",
                         "eucalyptus_common_vnet_publicips": ["203.0.113.2", "203.0.113.3"],
                         "eucalyptus_common_vnet_localip": "192.0.2.10"}))
    assert k["VNET_MODE"] == '"MANAGED"'
    assert k["VNET_SUBNET"] == '"172.16.0.0"' and k["VNET_NETMASK"] == '"255.255.0.0"'
    assert k["VNET_PUBLICIPS"] == '"203.0.113.2 203.0.113.3"'
    assert k["VNET_LOCALIP"] == '"192.0.2.10"' and k["VNET_DHCPUSER"] == '"dhcpd"'
    assert k["VNET_ADDRSPERNET"] == '"32"' and k["VNET_DNS"] == '"192.0.2.1"'


def test_43_managed_novlan_nc_keys(render_role):
    k = keys(conf(render_role, {"nc": ["nc1"]}, "nc1", "4.3", "MANAGED-NOVLAN"))
    assert k["VNET_MODE"] == '"MANAGED-NOVLAN"' and k["VNET_BRIDGE"] == '"br0"'
    for key in ("VNET_PUBINTERFACE", "VNET_PRIVINTERFACE", "VNET_DHCPDAEMON", "VNET_SUBNET",
                "VNET_NETMASK", "VNET_ADDRSPERNET", "VNET_DNS"):
        assert key in k, key
    assert "VNET_PUBLICIPS" not in k and "NODES" not in k


def test_44_edge_nc_keys_and_extra(render_role):
    k = keys(conf(render_role, {"nc": ["nc1"]}, "nc1", "4.4", "EDGE",
                  extra={"eucalyptus_common_conf_extra": {"POLLING_FREQUENCY": "1"}}))
    assert k["VNET_MODE"] == '"EDGE"'
    assert k["VNET_PUBINTERFACE"] == '"eth0"' and k["VNET_DHCPDAEMON"] == '"/usr/sbin/dhcpd"'
    assert "VNET_PRIVINTERFACE" not in k
    assert k["POLLING_FREQUENCY"] == '"1"'
    assert "CLOUD_OPTS" not in k


def validate(tmp_path, **variables):
    inv = tmp_path / "inv.yml"
    hostvars = {"clc1": dict(variables, ansible_connection="local", ansible_python_interpreter=sys.executable)}
    inv.write_text(yaml.safe_dump(inventory({"clc": ["clc1"]}, hostvars)))
    play = tmp_path / "validate.yml"
    play.write_text(yaml.safe_dump([{"name": "Validate", "hosts": "clc", "gather_facts": False, "tasks": [
        {"name": "Validate", "ansible.builtin.include_role": {"name": "eucalyptus.cloud.eucalyptus_common",
                                                              "tasks_from": "validate"}}]}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_collections_path(), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    proc = subprocess.run([sys.executable, "-m", "ansible.cli.playbook", str(play), "-i", str(inv)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=300,
                          check=False)
    return proc.returncode, proc.stdout


def test_validate_refuses_what_the_product_refuses(tmp_path):
    rc, out = validate(tmp_path, eucalyptus_version="4.4", eucalyptus_network_mode="MANAGED")
    assert rc != 0 and "removed from the product in 4.4.0" in out
    rc, out = validate(tmp_path, eucalyptus_version="4.2", eucalyptus_network_mode="SYSTEM")
    assert rc != 0 and "3.x modes" in out
    rc, out = validate(tmp_path, eucalyptus_version="4.4", eucalyptus_network_mode="VPCMIDO",
                       midonet_tunnel_zone_name="euca-mido")
    assert rc != 0 and "ignores a tunnel zone named 'euca-mido'" in out
    rc, out = validate(tmp_path, eucalyptus_version="3.4", eucalyptus_network_mode="EDGE")
    assert rc != 0 and "is not supported" in out


def test_validate_accepts_seed_000_and_the_lab(tmp_path):
    rc, out = validate(tmp_path, eucalyptus_version="4.1", eucalyptus_network_mode="VPCMIDO",
                       midonet_tunnel_zone_name="euca-mido")
    assert rc == 0, out
    rc, out = validate(tmp_path, eucalyptus_version="4.3", eucalyptus_network_mode="MANAGED-NOVLAN")
    assert rc == 0, out
    rc, out = validate(tmp_path, eucalyptus_version="4.4.5", eucalyptus_network_mode="VPCMIDO",
                       midonet_tunnel_zone_name="mido-tz")
    assert rc == 0, out
