"""Two lab hosts (podman containers of the lab image, names hp-diag-*) shared by the host-check
preflight tests and the diagnostics test, reached with the podman connection."""
import os
import subprocess
import time

import pytest

from preflight_run import TOP

IMAGE = os.environ.get("LAB_IMAGE", "localhost/eucalyptus-cloud-lab:current")
NETWORK = "hp-diag-net"
HOSTS = {"frontend": "hp-diag-frontend", "nc1": "hp-diag-nc1"}


def podman(*args, **kw):
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", os.path.join(TOP, ".cache", "containers.conf"))
    return subprocess.run(["podman"] + list(args), capture_output=True, text=True, env=env, timeout=120,
                          check=kw.get("check", True))


def sh(container, script, check=True):
    """A shell script inside a lab host (test set-up only)."""
    return podman("exec", container, "sh", "-c", script, check=check)


def _remove():
    for name in HOSTS.values():
        podman("rm", "-f", "-t", "0", name, check=False)
    podman("network", "rm", "-f", NETWORK, check=False)


@pytest.fixture(scope="session")
def lab_hosts():
    """{inventory name: {container, address}} of two running lab hosts."""
    if podman("image", "exists", IMAGE, check=False).returncode != 0:
        pytest.fail("the lab image %s is missing: run tests/lab/image/build.sh" % IMAGE)
    _remove()
    podman("network", "create", NETWORK)
    try:
        for name, container in HOSTS.items():
            podman("run", "-d", "--name", container, "--hostname", name, "--network", NETWORK, "--privileged",
                   "--systemd=always", IMAGE, "/sbin/init")
        hosts = {}
        deadline = time.time() + 60
        for name, container in HOSTS.items():
            while True:
                state = podman("exec", container, "systemctl", "is-system-running", check=False).stdout.strip()
                if state in ("running", "degraded"):
                    break
                if time.time() > deadline:
                    pytest.fail("%s did not boot: %s" % (container, state))
                time.sleep(1)
            address = podman("inspect", "-f", "{{(index .NetworkSettings.Networks \"%s\").IPAddress}}" % NETWORK,
                             container).stdout.strip()
            hosts[name] = {"container": container, "address": address}
        yield hosts
    finally:
        _remove()
