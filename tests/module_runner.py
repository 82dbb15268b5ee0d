"""Run one of this collection's modules exactly as Ansible does on a target, without a controller.

Two ways, chosen by ``$EUCLOUD_TARGET_PYTHON``:

* unset (``make integration``): the module file runs with this interpreter (``sys.executable``)
  and a JSON file of arguments (``{"ANSIBLE_MODULE_ARGS": {...}}``), the collection importable
  from ``.cache/collections``; internal keys such as ``_ansible_check_mode`` and
  ``_ansible_diff`` select check and diff mode. ~0.1 s a call instead of ~1.5 s for
  ``ansible -m``, so integration tests can afford many calls.
* set to a target interpreter (the ``el7`` stage: Python 2.7 / 3.6 with EL7's netaddr and
  requests): the controller's ansible-core (the one this process imports: 2.16 in that stage)
  packages the module with ``modify_module`` -- the AnsiballZ payload, with the module_utils it
  needs and the arguments embedded, exactly what a controller sends -- and the payload runs as
  ``AnsiballZ_<module>.py`` with that interpreter, which has no Ansible of its own. This is what
  the ``local`` connection does, minus the SSH/tmp-dir plumbing.

``netns`` runs the module inside ``ip netns exec NAME`` so it sees (and changes) that namespace's
real kernel state.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(TOP, ".cache", "collections")
MODULES = os.path.join(TOP, "plugins", "modules")
# The collection's modules as the controller's collection loader sees them (the path names the FQCN)
COLLECTION_MODULES = os.path.join(COLLECTIONS, "ansible_collections", "eucalyptus", "cloud", "plugins", "modules")
TARGET_PYTHON = os.environ.get("EUCLOUD_TARGET_PYTHON") or None


def target_python():
    """The interpreter modules run with on the "target": $EUCLOUD_TARGET_PYTHON or this one."""
    return TARGET_PYTHON or sys.executable


def controller_bin(name):
    """A console script of the controller running these tests (its venv's bin, from sys.executable)."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    if not os.path.exists(path):
        raise RuntimeError("%s is missing: run the tests with the Python of the venv that holds ansible-core" % path)
    return path


class ModuleResult(dict):
    """The module's JSON result, plus ``rc`` and the raw ``stdout``/``stderr``."""

    @property
    def failed(self):
        return bool(self.get("failed")) or self.rc != 0


_ansiballz = {}


def _init_ansiballz():
    """Load the controller's ansible-core as ansible-playbook does (collection loader first)."""
    if _ansiballz:
        return
    if "ansible_collections" in sys.modules:
        raise RuntimeError("ansible_collections was imported before the collection loader: import module_runner first")
    import ansible
    from ansible.executor.module_common import modify_module
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader
    from ansible.template import Templar
    from ansible import constants as C
    init_plugin_loader([COLLECTIONS])
    # the internal keys ActionBase._update_module_args adds to every task's arguments
    internal = dict(_ansible_version=ansible.__version__, _ansible_no_log=False,
                    _ansible_debug=C.DEFAULT_DEBUG, _ansible_keep_remote_files=C.DEFAULT_KEEP_REMOTE_FILES,
                    _ansible_syslog_facility=C.DEFAULT_SYSLOG_FACILITY,
                    _ansible_selinux_special_fs=C.DEFAULT_SELINUX_SPECIAL_FS,
                    _ansible_shell_executable="/bin/sh", _ansible_socket=None, _ansible_tmpdir=None,
                    _ansible_remote_tmp="~/.ansible/tmp")
    if hasattr(C, "STRING_CONVERSION_ACTION"):
        internal["_ansible_string_conversion_action"] = C.STRING_CONVERSION_ACTION
    _ansiballz.update(internal=internal, modify_module=modify_module, loader=DataLoader(), Templar=Templar)


def _ansiballz_payload(name, args, python):
    """The AnsiballZ payload the controller's ansible-core would send for this task (bytes)."""
    _init_ansiballz()
    fqcn = "eucalyptus.cloud." + name
    args = dict(args, _ansible_module_name=fqcn, **_ansiballz["internal"])
    task_vars = {"ansible_python_interpreter": python}
    data, style, shebang = _ansiballz["modify_module"](
        fqcn, os.path.join(COLLECTION_MODULES, name + ".py"), args,
        _ansiballz["Templar"](loader=_ansiballz["loader"], variables=task_vars), task_vars=task_vars)
    if style != "new" or not shebang or python not in shebang:
        raise RuntimeError("unexpected AnsiballZ packaging of %s: %s %s" % (fqcn, style, shebang))
    return data


if TARGET_PYTHON:
    # before anything imports ansible_collections as a plain package from .cache/collections
    # (tests import module_utils directly): the collection loader must own that namespace
    _init_ansiballz()


def run_module(name, args, check=False, diff=False, netns=None, env=None, python=None, timeout=300):
    """Run the collection's module ``name`` with ``args``; return a ModuleResult."""
    payload = dict(args)
    payload["_ansible_check_mode"] = bool(check)
    payload["_ansible_diff"] = bool(diff)
    payload.setdefault("_ansible_verbosity", 0)
    python = python or target_python()
    run_env = dict(os.environ)
    tmpdir = tempfile.mkdtemp(prefix="eucloud-module-")
    if TARGET_PYTHON:
        script = os.path.join(tmpdir, "AnsiballZ_%s.py" % name)
        with open(script, "wb") as fh:
            fh.write(_ansiballz_payload(name, payload, python))
        cmd = [python, script]
    else:
        argfile = os.path.join(tmpdir, "args.json")
        with open(argfile, "w") as fh:
            json.dump({"ANSIBLE_MODULE_ARGS": payload}, fh)
        cmd = [python, os.path.join(MODULES, name + ".py"), argfile]
        run_env["PYTHONPATH"] = COLLECTIONS + os.pathsep + run_env.get("PYTHONPATH", "")
    if netns:
        cmd = ["ip", "netns", "exec", netns] + cmd
    run_env.update(env or {})
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=timeout, check=False)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    try:
        result = ModuleResult(json.loads(proc.stdout))
    except ValueError:
        result = ModuleResult(failed=True, msg="module printed no JSON")
    result.rc = proc.returncode
    result.stdout = proc.stdout
    result.stderr = proc.stderr
    return result
