"""Render tests of the `zookeeper` role: zoo.cfg and the stable ids of the ensemble.

Rendered with plain jinja2 from the role's defaults and vars, as Ansible would (role defaults <
inventory host vars < vars/ files).
"""
import os

import jinja2
import jinja2.nativetypes
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ROLE = os.path.join(ROOT, "roles", "zookeeper")


def _load(path):
    with open(path) as f:
        return yaml.safe_load(f) or {}


def render(me, group, hostvars, os_file="Debian.yml"):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, "templates")),
                             undefined=jinja2.ChainableUndefined)
    env.filters["bool"] = lambda v: v if isinstance(v, bool) else str(v).lower() in ("1", "true", "yes", "on")
    hv = {h: dict(v, ansible_facts={"default_ipv4": {"address": v.get("fact_ip", "192.0.2.9")}})
          for h, v in hostvars.items()}
    ctx = _load(os.path.join(ROLE, "defaults", "main.yml"))
    ctx.update(hv[me])
    ctx.update(_load(os.path.join(ROLE, "vars", os_file)))
    ctx.update(inventory_hostname=me, groups={"zookeeper": group}, hostvars=hv, ansible_managed="Ansible managed",
               zookeeper_members=sorted(group))
    ensemble_src = _load(os.path.join(ROLE, "vars", "main.yml"))["zookeeper_ensemble"]
    # evaluate the ensemble expression natively (it is a list in Ansible)
    native = jinja2.nativetypes.NativeEnvironment(undefined=jinja2.ChainableUndefined)
    ctx["zookeeper_ensemble"] = native.from_string(ensemble_src).render(ctx)
    text = env.get_template("zoo.cfg.j2").render(ctx)
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))


THREE = {
    "zk-c": {"eucalyptus_host_ip": "10.0.0.3"},
    "zk-a": {"eucalyptus_host_ip": "10.0.0.1"},
    "zk-b": {"zookeeper_address": "10.0.9.2", "fact_ip": "10.0.0.2"},
}


def test_single_host_debian_defaults():
    cfg = render("frontend", ["frontend"], {"frontend": {"eucalyptus_host_ip": "10.89.200.10"}})
    assert cfg["dataDir"] == "/var/lib/zookeeper/data"
    assert cfg["clientPort"] == "2181"
    assert cfg["autopurge.snapRetainCount"] == "3"
    assert cfg["autopurge.purgeInterval"] == "1"
    assert cfg["4lw.commands.whitelist"] == "ruok,srvr,stat,mntr,conf"
    assert cfg["admin.enableServer"] == "false"
    assert cfg["server.1"] == "10.89.200.10:2888:3888"


def test_ids_follow_the_sorted_group_not_the_listing_order():
    for me in THREE:
        cfg = render(me, ["zk-c", "zk-a", "zk-b"], THREE)
        assert cfg["server.1"] == "10.0.0.1:2888:3888"
        assert cfg["server.2"] == "10.0.9.2:2888:3888"     # zookeeper_address wins
        assert cfg["server.3"] == "10.0.0.3:2888:3888"


def test_pinned_id():
    hv = {k: dict(v) for k, v in THREE.items()}
    hv["zk-c"]["zookeeper_id"] = 7
    cfg = render("zk-a", ["zk-a", "zk-b", "zk-c"], hv)
    assert cfg["server.7"] == "10.0.0.3:2888:3888"
    assert "server.3" not in cfg
