"""Render a role's templates through Ansible itself (the pinned ansible-core, its templar, its
undefined-variable errors, its filters and the collection's), not plain Jinja.

`render_role(...)` writes an inventory and a playbook into a temporary directory and runs
`ansible-playbook` (the `ansible.cli.playbook` module of the interpreter running the tests)
against local connections: every host of the play includes the role's `addresses` entry point
(the tasks that compute addresses and ids before the role changes anything, with the role's
defaults and vars, `public: true`), then renders the given templates of the role with
`ansible.builtin.template` into the temporary directory, and writes the listed facts as JSON.
"""
import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class Rendered(object):
    def __init__(self, rc, output, files, facts):
        self.rc, self.output, self.files, self.facts = rc, output, files, facts


def _collections_path():
    given = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")
    own = os.path.join(ROOT, ".cache", "collections")
    return ":".join(p for p in (own, given) if p)


def make_renderer(tmp_path):
    def render(role, inventory, templates=(), facts=(), hosts="all", role_vars=None, extra_args=(),
               os_vars=None):
        inv = tmp_path / "inventory.yml"
        local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
        if isinstance(inventory, str):          # a real inventory (relative to the top directory)
            inv_args = ["-i", os.path.join(ROOT, inventory)]
            inv_args += [a for k, v in sorted(local.items()) for a in ("-e", "%s=%s" % (k, v))]
        else:                                    # host variables may override the local connection
            inventory = dict(inventory, all=dict(inventory["all"], vars=dict(local, **inventory["all"].get("vars", {}))))
            inv.write_text(yaml.safe_dump(inventory))
            inv_args = ["-i", str(inv)]
        out = tmp_path / "out"
        out.mkdir(exist_ok=True)
        tasks = []
        if os_vars:
            tasks.append({"name": "Load the per-OS variables as the role does",
                          "ansible.builtin.include_vars": os.path.join(ROOT, "roles", role, "vars", os_vars)})
        tasks.append({"name": "Compute what the role computes before any change",
                      "ansible.builtin.include_role": {"name": "eucalyptus.cloud." + role,
                                                       "tasks_from": "addresses", "public": True},
                      "vars": role_vars or {}})
        for template in templates:
            tasks.append({"name": "Render " + template,
                          "ansible.builtin.template": {
                              "src": os.path.join(ROOT, "roles", role, "templates", template),
                              "dest": "%s/{{ inventory_hostname }}.%s" % (out, template), "mode": "0644"},
                          "vars": role_vars or {}})
        for fact in facts:
            tasks.append({"name": "Write " + fact,
                          "ansible.builtin.copy": {"content": "{{ %s | to_json }}" % fact,
                                                   "dest": "%s/{{ inventory_hostname }}.%s.json" % (out, fact),
                                                   "mode": "0644"},
                          "vars": role_vars or {}})
        play = tmp_path / "play.yml"
        play.write_text(yaml.safe_dump([{"name": "Render", "hosts": hosts, "gather_facts": False,
                                         "tasks": tasks}]))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_collections_path(), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
                   ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
        cmd = [sys.executable, "-m", "ansible.cli.playbook", str(play)] + inv_args + list(extra_args)
        proc = subprocess.run(cmd, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, timeout=300, check=False)
        files, values = {}, {}
        for name in os.listdir(str(out)):
            path = os.path.join(str(out), name)
            with open(path) as f:
                text = f.read()
            host, _dot, what = name.partition(".")
            if what.endswith(".json"):
                values.setdefault(host, {})[what[:-5]] = json.loads(text)
            else:
                files.setdefault(host, {})[what] = text
        return Rendered(proc.returncode, proc.stdout, files, values)
    return render


def inventory(groups, hostvars=None):
    """A YAML inventory: {group: [hosts]} and {host: vars}."""
    hostvars = hostvars or {}
    children = {}
    for group, hosts in groups.items():
        children[group] = {"hosts": {h: None for h in hosts}}
    allhosts = {h: dict(v) for h, v in hostvars.items()}
    for hosts in groups.values():
        for h in hosts:
            allhosts.setdefault(h, {})
    return {"all": {"hosts": {h: (v or None) for h, v in allhosts.items()}, "children": children}}


def parse_properties(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
