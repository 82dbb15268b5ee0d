"""Test-only observer of an EL7 target interpreter (scripts/el7-targets.sh installs it into the
.cache/el7 target venvs with a .pth line, so it is imported at start-up of every process there).

When ``$EUCLOUD_EL7_IMPORT_LOG`` names a file, the process appends one JSON line to it when it
exits: its Python version, ``sys.argv[0]``, and the versions and files of netaddr and requests and
of the collection's module_utils as that process imported them. tests/stage_checks.py reads the
lines back, so the versions the stage asserts are the ones the modules really ran with.
It changes nothing else: no import, no path, no output.
Runs on Python 2.7 and 3.6.
"""
import os

_LOG = os.environ.get("EUCLOUD_EL7_IMPORT_LOG")
_WATCH = ("netaddr", "requests", "ansible.module_utils.basic",
          "ansible_collections.eucalyptus.cloud.plugins.module_utils.ipaddrs",
          "ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet",
          "ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_client",
          "ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_tunnel_zone",
          "ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_topology",
          "ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_runner")


def _record():
    import json
    import sys
    modules = {}
    for name in _WATCH:
        mod = sys.modules.get(name)
        if mod is not None:
            modules[name] = {"version": getattr(mod, "__version__", None),
                             "file": getattr(mod, "__file__", None)}
    entry = {"pid": os.getpid(), "python": "%d.%d.%d" % tuple(sys.version_info[:3]),
             "executable": sys.executable, "argv0": sys.argv[0] if sys.argv else "",
             "modules": modules}
    with open(_LOG, "a") as fh:
        fh.write(json.dumps(entry, sort_keys=True) + "\n")


if _LOG:
    import atexit
    atexit.register(_record)
