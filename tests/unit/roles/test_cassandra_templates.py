"""Render tests of the `cassandra` role's template (Cassandra cannot be installed on the lab hosts).

The template is rendered with plain jinja2, the role defaults and per-OS vars and sample
inventories (the lab's and a three-node one); the result is parsed as YAML and checked.
"""
import os

import jinja2
import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ROLE = os.path.join(ROOT, "roles", "cassandra")


def _load(path):
    with open(path) as f:
        return yaml.safe_load(f) or {}


def _extract(key, container, morekeys=None):
    return container[key]


def _to_nice_yaml(data, indent=4, sort_keys=True, **_):
    return yaml.safe_dump(data, indent=indent, sort_keys=sort_keys, default_flow_style=False)


def _combine(*dicts):
    out = {}
    for d in dicts:
        out.update(d)
    return out


def make_env():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, "templates")),
                             undefined=jinja2.ChainableUndefined, keep_trailing_newline=True,
                             extensions=["jinja2.ext.do"])
    env.filters.update(extract=_extract, to_nice_yaml=_to_nice_yaml, combine=_combine,
                       bool=lambda v: v if isinstance(v, bool) else str(v).lower() in ("1", "true", "yes", "on"))
    return env


def inventory_groups(hosts_yml):
    """{group: [hosts]} and {host: vars} of a YAML inventory (children one level deep)."""
    inv = _load(hosts_yml)["all"]
    groups, hostvars = {"all": []}, {}
    for name, group in (inv.get("children") or {}).items():
        groups[name] = []
        for host, hvars in ((group or {}).get("hosts") or {}).items():
            groups[name].append(host)
            hostvars.setdefault(host, {}).update(hvars or {})
            if host not in groups["all"]:
                groups["all"].append(host)
    return groups, hostvars


def role_vars(env, context, os_family="RedHat-7", version="5"):
    """Ansible precedence: role defaults < inventory host vars < include_vars (vars/) < extra."""
    overrides = context.pop("overrides", {})
    ctx = _load(os.path.join(ROLE, "defaults", "main.yml"))
    ctx.update(context)
    ctx.update(_load(os.path.join(ROLE, "vars", "%s.yml" % os_family)))
    ctx.update(_load(os.path.join(ROLE, "vars", "midonet-%s.yml" % version)))
    ctx.update(overrides)
    # template the defaults until they are stable (they may refer to each other)
    for _i in range(5):
        for key, value in list(ctx.items()):
            if isinstance(value, str) and "{{" in value:
                ctx[key] = env.from_string(value).render(ctx)
    return ctx


def render(inventory_host, groups, hostvars, overrides=None, os_family="RedHat-7"):
    env = make_env()
    hv = {h: dict(v, ansible_facts={"default_ipv4": {"address": v.get("fact_ip", "192.0.2.%d" % (i + 1))}})
          for i, (h, v) in enumerate(sorted(hostvars.items()))}
    context = dict(hv[inventory_host])
    context.update(inventory_hostname=inventory_host, groups=groups, hostvars=hv,
                   ansible_managed="Ansible managed", overrides=overrides or {})
    ctx = role_vars(env, context, os_family)
    text = env.get_template("cassandra.yaml.j2").render(ctx)
    return yaml.safe_load(text), text


def test_lab_inventory_single_node():
    groups, hostvars = inventory_groups(os.path.join(ROOT, "inventories", "lab", "hosts.yml"))
    conf, text = render("frontend", groups, hostvars)
    assert text.startswith("# Ansible managed")
    assert conf["cluster_name"] == "midonet"
    assert conf["listen_address"] == "10.89.200.10"      # eucalyptus_host_ip of the lab frontend
    assert conf["rpc_address"] == "10.89.200.10"
    seeds = conf["seed_provider"][0]["parameters"][0]["seeds"]
    assert seeds == "10.89.200.10"
    assert conf["seed_provider"][0]["class_name"] == "org.apache.cassandra.locator.SimpleSeedProvider"
    assert conf["start_rpc"] is True and conf["rpc_port"] == 9160   # MidoNet 1.x speaks Thrift
    assert conf["partitioner"] == "org.apache.cassandra.dht.Murmur3Partitioner"
    assert conf["data_file_directories"] == ["/var/lib/cassandra/data"]


THREE_NODES = {
    "all": ["nsdb3", "nsdb1", "nsdb2"],
    "cassandra": ["nsdb3", "nsdb1", "nsdb2"],
}
THREE_VARS = {
    "nsdb1": {"eucalyptus_host_ip": "10.0.0.11"},
    "nsdb2": {"cassandra_listen_address": "10.0.1.12"},   # per-host override wins
    "nsdb3": {"fact_ip": "10.0.0.13"},                     # falls back to the default IPv4
}


def test_three_nodes_seeds_sorted_and_addresses():
    conf, _unused = render("nsdb2", THREE_NODES, THREE_VARS)
    assert conf["seed_provider"][0]["parameters"][0]["seeds"] == "10.0.0.11,10.0.1.12,10.0.0.13"
    assert conf["listen_address"] == "10.0.1.12"
    assert conf["rpc_address"] == "10.0.1.12"


def test_explicit_seeds_cluster_name_and_extra():
    conf, _unused = render("nsdb1", THREE_NODES, THREE_VARS, overrides={
        "cassandra_seeds": ["10.0.0.11"], "cassandra_cluster_name": "euca-nsdb",
        "cassandra_extra_config": {"concurrent_writes": 64, "endpoint_snitch": "GossipingPropertyFileSnitch"}})
    assert conf["seed_provider"][0]["parameters"][0]["seeds"] == "10.0.0.11"
    assert conf["cluster_name"] == "euca-nsdb"
    assert conf["concurrent_writes"] == 64
    assert conf["endpoint_snitch"] == "GossipingPropertyFileSnitch"
    assert conf["listen_address"] == "10.0.0.11"


@pytest.mark.parametrize("version,package", [("1", "dsc20"), ("5", "cassandra")])
def test_packages_per_midonet_line(version, package):
    data = _load(os.path.join(ROLE, "vars", "midonet-%s.yml" % version))
    assert data["cassandra_packages"] == [package]
    if version == "1":
        assert data["cassandra_repository"]["baseurl"] == "http://rpm.datastax.com/community"
