"""Lab driver: start, stop and check the podman hosts an inventory describes.

The lab is a set of privileged Debian 12 containers with systemd as PID 1 (image built by
``tests/lab/image/build.sh``). Which hosts exist, their container names, addresses and the
podman network come from the inventory it is given (``inventories/lab`` or
``inventories/lab-multinode``), read with ``ansible-inventory``:

* ``lab_container``     container name
* ``ansible_host``      the host's address on the lab network (Ansible reaches the hosts over SSH
                        from this machine, which sits on the podman bridge network)
* ``lab_network`` / ``lab_subnet``  the podman network (group var)

SSH as real clouds are reached: the image runs sshd (host keys made at each container's first
boot); ``up`` generates the lab key ``.cache/lab/id_ed25519`` (0600, ignored by git), mounts its
public half read-only as the hosts' only authorized key, and writes each host's keys, read
through ``podman exec``, into ``.cache/lab/known_hosts`` -- the only known_hosts file the lab
inventories use, with StrictHostKeyChecking=yes. Nothing else of this machine's SSH set-up
is read or changed.

Only lab plumbing lives here; everything on the hosts is done by the collection's roles.

    lab.py up INVENTORY       create what is missing, start what is stopped (idempotent)
    lab.py down INVENTORY     remove containers, network and volumes
    lab.py status INVENTORY   one line per host
    lab.py check INVENTORY    run the testinfra checks of tests/infra/<dir> on the hosts of
                              the inventory group each one verifies (LAB_CHECKS)
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(HERE, "image", "build.sh")
SSH_DIR = os.path.join(TOP, ".cache", "lab")
SSH_KEY = os.path.join(SSH_DIR, "id_ed25519")
KNOWN_HOSTS = os.path.join(SSH_DIR, "known_hosts")
AUTHORIZED_KEYS = "/etc/ssh/lab_authorized_keys"
REPO_DIR = os.path.join(HERE, "build", "repo")
REPO_MOUNT = "/opt/eucalyptus-lab-repo"
LABEL = "io.eucalyptus-cloud.lab"
SPEC_LABEL = LABEL + ".spec"
# tests/infra/<dir> -> the inventory group whose hosts it verifies
LAB_CHECKS = [
    ("common", "all"),
    ("uplink", "midonet_gateway"),
    ("zookeeper", "zookeeper"),
    ("midonet", "midonet_api"),
    ("midolman", "midolman"),
    ("cloud_in_a_box", "clc"),
]


def sh(cmd, check=True, capture=True):
    proc = subprocess.run(cmd, capture_output=capture, text=True, check=False)
    if check and proc.returncode != 0:
        sys.stderr.write("lab: %s failed (%d)\n%s%s" % (" ".join(cmd), proc.returncode,
                                                        proc.stdout or "", proc.stderr or ""))
        sys.exit(1)
    return proc


def inventory_data(path):
    ansible_inventory = os.path.join(os.path.dirname(sys.executable), "ansible-inventory")
    return json.loads(sh([ansible_inventory, "-i", path, "--list"]).stdout)


def group_hosts(data, group):
    """Hosts of ``group`` including its child groups."""
    if group == "all":
        return sorted(data.get("_meta", {}).get("hostvars", {}))
    entry = data.get(group, {})
    hosts = set(entry.get("hosts", []))
    for child in entry.get("children", []):
        hosts.update(group_hosts(data, child))
    return sorted(hosts)


def inventory(path, data=None):
    data = data or inventory_data(path)
    hostvars = data.get("_meta", {}).get("hostvars", {})
    hosts = []
    for name in sorted(hostvars):
        hv = hostvars[name]
        hosts.append({
            "name": name,
            "container": hv.get("lab_container", name),
            "ip": hv.get("ansible_host"),
            "network": hv.get("lab_network", "eucalab"),
            "subnet": hv.get("lab_subnet"),
        })
    if not hosts:
        sys.exit("lab: no hosts in %s" % path)
    return hosts


def container_label(name, label):
    proc = sh(["podman", "container", "inspect", "--format", "{{index .Config.Labels \"%s\"}}" % label, name],
              check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def container_state(name):
    proc = sh(["podman", "container", "inspect", "--format", "{{.State.Status}}", name], check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def ensure_network(name, subnet):
    if sh(["podman", "network", "exists", name], check=False).returncode == 0:
        return False
    cmd = ["podman", "network", "create", "--label", LABEL + "=1"]
    if subnet:
        cmd += ["--subnet", subnet]
    sh(cmd + [name])
    return True


def wait_running(container, timeout=90):
    deadline = time.time() + timeout
    state = ""
    while time.time() < deadline:
        proc = sh(["podman", "exec", container, "systemctl", "is-system-running"], check=False)
        state = proc.stdout.strip()
        if state in ("running", "degraded"):
            return state
        time.sleep(1)
    sys.exit("lab: %s did not boot (systemd says %r)" % (container, state))


def lab_image():
    """The image of this checkout's recipe (build.sh prints it, building it only when missing).

    Not the shared ``:current`` tag: other checkouts on the machine retag it to their recipe.
    """
    image = os.environ.get("LAB_IMAGE")
    if not image:
        image = sh([BUILD]).stdout.strip().splitlines()[-1]
    return image


def ensure_key():
    """The lab's SSH key pair in the ignored cache (made once, private half 0600)."""
    os.makedirs(SSH_DIR, mode=0o700, exist_ok=True)
    os.chmod(SSH_DIR, 0o700)
    if not (os.path.exists(SSH_KEY) and os.path.exists(SSH_KEY + ".pub")):
        for f in (SSH_KEY, SSH_KEY + ".pub"):
            if os.path.exists(f):
                os.remove(f)
        sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "eucalyptus-cloud-lab", "-f", SSH_KEY])
    os.chmod(SSH_KEY, 0o600)
    with open(SSH_KEY + ".pub") as f:
        return f.read().strip()


def host_keys(container, timeout=60):
    """The public host keys sshd of ``container`` serves (made at its first boot)."""
    deadline = time.time() + timeout
    while True:
        proc = sh(["podman", "exec", container, "sh", "-c",
                   "systemctl is-active -q ssh && cat /etc/ssh/ssh_host_*_key.pub"], check=False)
        keys = [line.split()[:2] for line in proc.stdout.splitlines() if line.strip()]
        if proc.returncode == 0 and keys:
            return keys
        if time.time() > deadline:
            sys.exit("lab: sshd of %s is not running\n%s" % (container, proc.stderr))
        time.sleep(1)


def update_known_hosts(entries):
    """Replace the lines of the given names in the lab's known_hosts: {names: [[type, key]]}."""
    drop = set(n for names in entries for n in names)
    kept = []
    if os.path.exists(KNOWN_HOSTS):
        with open(KNOWN_HOSTS) as f:
            for line in f:
                if line.strip() and not drop.intersection(line.split()[0].split(",")):
                    kept.append(line.rstrip("\n"))
    for names, keys in sorted(entries.items()):
        kept.extend("%s %s %s" % (",".join(names), t, k) for t, k in keys)
    tmp = KNOWN_HOSTS + ".new"
    with open(tmp, "w") as f:
        f.write("".join(line + "\n" for line in kept))
    os.chmod(tmp, 0o644)
    os.rename(tmp, KNOWN_HOSTS)


def ssh_probe(ip, timeout=30):
    """One SSH login as Ansible makes it, so that a broken set-up fails here, clearly."""
    cmd = ["ssh", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", SSH_KEY,
           "-o", "UserKnownHostsFile=" + KNOWN_HOSTS, "-o", "StrictHostKeyChecking=yes",
           "-o", "ConnectTimeout=5", "-o", "ControlPath=none", "root@" + ip, "true"]
    deadline = time.time() + timeout
    while True:
        proc = sh(cmd, check=False)
        if proc.returncode == 0:
            return
        if time.time() > deadline:
            sys.exit("lab: ssh root@%s failed: %s" % (ip, proc.stderr.strip()))
        time.sleep(1)


def close_ssh_master(ip, user="root"):
    """End Ansible's ControlPersist master to ``ip``, if one is left: a master to a container
    that is replaced would hand the new container's sessions to a dead connection. The path is
    Ansible's default (ssh connection plugin: ~/.ansible/cp/ + sha1("host-port-user")[:10])."""
    if not ip:
        return
    for port in (None, 22):
        digest = hashlib.sha1(("%s-%s-%s" % (ip, port, user)).encode()).hexdigest()[:10]
        path = os.path.join(os.path.expanduser("~/.ansible/cp"), digest)
        if os.path.exists(path):
            sh(["ssh", "-O", "exit", "-o", "ControlPath=" + path, "%s@%s" % (user, ip)], check=False)


def up(path):
    hosts = inventory(path)
    created = []
    for net in sorted(set((h["network"], h["subnet"]) for h in hosts)):
        ensure_network(*net)
    os.makedirs(REPO_DIR, exist_ok=True)
    pubkey = ensure_key()
    image = lab_image()
    image_id = sh(["podman", "image", "inspect", "--format", "{{.Id}}", image]).stdout.strip()
    for h in hosts:
        # A container made from another image or with other options is replaced: lab hosts
        # are disposable, and a stale one would test something else than the recipe says.
        spec = hashlib.sha256(json.dumps([image_id, h, REPO_DIR, REPO_MOUNT, pubkey]).encode()).hexdigest()[:16]
        state = container_state(h["container"])
        if state != "running" or container_label(h["container"], SPEC_LABEL) != spec:
            close_ssh_master(h["ip"])
        if state is not None and container_label(h["container"], SPEC_LABEL) != spec:
            print("lab: %s is out of date with the lab recipe; recreating it" % h["container"])
            sh(["podman", "rm", "-f", "-t", "5", "--volumes", h["container"]], check=False)
            state = None
        if state == "running":
            if sh(["podman", "exec", h["container"], "true"], check=False).returncode == 0:
                continue
            # podman's record survived a restart of the machine (or of its runtime) but the
            # container's processes did not: stop the record, then start or replace it below
            print("lab: %s is recorded as running but is not; restarting it" % h["container"])
            close_ssh_master(h["ip"])
            sh(["podman", "stop", "-t", "2", h["container"]], check=False)
        if state is not None:
            # A record left by an earlier, killed session: start it if it still works,
            # otherwise replace it.
            if sh(["podman", "start", h["container"]], check=False).returncode == 0:
                created.append(h["container"] + " (restarted)")
                continue
            sh(["podman", "rm", "-f", h["container"]], check=False)
        cmd = ["podman", "run", "-d", "--name", h["container"], "--hostname", h["name"],
               "--label", LABEL + "=1", "--label", "%s=%s" % (SPEC_LABEL, spec),
               "--privileged", "--systemd=always", "--network", h["network"],
               "-v", "%s:%s:ro" % (REPO_DIR, REPO_MOUNT),
               "-v", "%s.pub:%s:ro" % (SSH_KEY, AUTHORIZED_KEYS)]
        if h["ip"]:
            cmd += ["--ip", h["ip"]]
        sh(cmd + [image, "/sbin/init"])
        created.append(h["container"])
    for h in hosts:
        wait_running(h["container"])
    update_known_hosts(dict((tuple(n for n in (h["ip"], h["container"]) if n),
                             host_keys(h["container"])) for h in hosts))
    for h in hosts:
        if h["ip"]:
            ssh_probe(h["ip"])
    for c in created:
        print("lab: started %s" % c)
    print("lab: %d host(s) up: %s" % (len(hosts), ", ".join(h["name"] for h in hosts)))


def down(path):
    hosts = inventory(path)
    for h in hosts:
        sh(["podman", "rm", "-f", "-t", "5", "--volumes", h["container"]], check=False)
        close_ssh_master(h["ip"])
    for net in sorted(set(h["network"] for h in hosts)):
        sh(["podman", "network", "rm", "-f", net], check=False)
    if os.path.exists(KNOWN_HOSTS):
        update_known_hosts(dict((tuple(n for n in (h["ip"], h["container"]) if n), []) for h in hosts))
    print("lab: removed %s" % ", ".join(h["container"] for h in hosts))


def status(path):
    for h in inventory(path):
        print("%-12s %-22s %-14s %s" % (h["name"], h["container"], h["ip"] or "-",
                                        container_state(h["container"]) or "absent"))


def check(path):
    data = inventory_data(path)
    containers = dict((h["name"], h["container"]) for h in inventory(path, data))
    pytest = os.path.join(os.path.dirname(sys.executable), "pytest")
    # the MidoNet API answers on its own host's loopback only: checks of other hosts ask it there
    api_hosts = group_hosts(data, "midonet_api")
    if api_hosts:
        os.environ["MIDONET_API_HOST"] = "podman://" + containers[api_hosts[0]]
    failed = 0
    for directory, group in LAB_CHECKS:
        tests = os.path.join(TOP, "tests", "infra", directory)
        hosts = group_hosts(data, group)
        if not os.path.isdir(tests) or not hosts:
            continue
        spec = ",".join("podman://" + containers[h] for h in hosts)
        proc = sh([pytest, "-p", "no:cacheprovider", "-q", "--no-header", "-rfE", "--hosts=" + spec, tests],
                  check=False)
        last = (proc.stdout.strip().splitlines() or ["no output"])[-1]
        print("lab check %-10s on %-24s %s" % (directory, ",".join(hosts), last.strip("= ")))
        if proc.returncode != 0:
            failed = 1
            sys.stdout.write(proc.stdout[-4000:])
    sys.exit(failed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("action", choices=["up", "down", "status", "check"])
    parser.add_argument("inventory")
    args = parser.parse_args()
    os.environ.setdefault("CONTAINERS_CONF", os.path.join(TOP, ".cache", "containers.conf"))
    {"up": up, "down": down, "status": status, "check": check}[args.action](args.inventory)


if __name__ == "__main__":
    main()
