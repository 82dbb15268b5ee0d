"""Benchmark: a lab's no-op playbooks/site.yml over SSH and over podman exec.

In one run, on the hosts of inventories/lab-multinode or of --inventory (brought up and converged
first):

* ``start-up``   ansible-playbook with one play of no task on every host (the fixed cost);
* ``bare task``  one play of N ``ansible.builtin.command: /bin/true`` tasks on every host:
  per task = (wall - start-up) / N;
* ``site.yml``   a no-op run of playbooks/site.yml (every recap line changed=0): per task =
  (wall - start-up) / the tasks run on the busiest host (the frontend: hosts run in parallel,
  so its tasks are the critical path);

each over ``ssh`` (the lab inventories' connection: pipelining, ControlPersist) and over
``containers.podman.podman`` (a second inventory source pointing each host at its container), interleaved, best of --repeat.
The ratio site.yml per task / bare task per task is the playbook's own overhead per task
(templating, includes, module work) over the cost of reaching the host. Goals (issue 8):
no-op site.yml <= 60 s, ratio <= 1.5.

    .venv/bin/python benchmarks/lab/bench.py [--inventory inventories/lab] [--repeat 1] [--tasks 20] [--json FILE]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
INVENTORY = os.path.join(TOP, "inventories", "lab-multinode")
CONNECTIONS = [("ssh", "ssh"), ("podman", "containers.podman.podman")]
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)",
                   re.M)


def environment():
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", os.path.join(TOP, ".cache", "containers.conf"))
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(TOP, ".cache", "collections"))
    env.setdefault("ANSIBLE_CONFIG", os.path.join(TOP, "ansible.cfg"))
    env["PATH"] = os.path.join(TOP, ".venv", "bin") + os.pathsep + env.get("PATH", "")
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def inventory_hosts():
    """The names of the lab inventory's hosts."""
    data = json.loads(subprocess.run([os.path.join(TOP, ".venv", "bin", "ansible-inventory"), "-i", INVENTORY,
                                      "--list"], capture_output=True, text=True, check=True).stdout)
    return sorted(data["_meta"]["hostvars"])


def podman_inventory(directory):
    """A second inventory source that points every lab host at its container (podman exec).

    Host variables of a later source win; set per host (not as -e), so that delegated tasks
    reach the host they are delegated to."""
    data = json.loads(subprocess.run([os.path.join(TOP, ".venv", "bin", "ansible-inventory"), "-i", INVENTORY,
                                      "--list"], capture_output=True, text=True, check=True).stdout)
    hosts = dict((name, {"ansible_host": hv["lab_container"], "ansible_connection": "containers.podman.podman"})
                 for name, hv in data["_meta"]["hostvars"].items())
    path = os.path.join(directory, "podman.json")
    with open(path, "w") as f:
        json.dump({"all": {"hosts": hosts}}, f)
    return path


def playbook(args, env, inventory_extra=None, recap_wanted=True):
    """Run ansible-playbook; returns (wall seconds, {host: (ok, changed, unreachable, failed, skipped)})."""
    cmd = [os.path.join(TOP, ".venv", "bin", "ansible-playbook"), "-i", INVENTORY] + args
    if inventory_extra:
        cmd += ["-i", inventory_extra]
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, cwd=TOP, capture_output=True, text=True, check=False)
    wall = time.time() - t0
    recap = dict((m.group(1), tuple(int(x) for x in m.groups()[1:])) for m in RECAP.finditer(proc.stdout))
    if proc.returncode != 0 or (recap_wanted and not recap):
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-2000:])
        sys.exit("bench: %s failed (%d)" % (" ".join(cmd), proc.returncode))
    return wall, recap


def write_play(directory, name, ntasks):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("- hosts: all\n  gather_facts: false\n  tasks:%s\n" % ("" if ntasks else " []"))
        for i in range(ntasks):
            f.write("    - name: bare %d\n      ansible.builtin.command: /bin/true\n"
                    "      changed_when: false\n" % i)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--repeat", type=int, default=1, help="best of N (default 1: one no-op site.yml "
                        "per connection already takes minutes on a loaded machine)")
    parser.add_argument("--tasks", type=int, default=20, help="bare tasks in the bare play")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--inventory", default=None,
                        help="the lab inventory (default inventories/lab-multinode; inventories/lab and "
                        "inventories/lab-41 are the 4.4 and 4.1 cloud-in-a-box)")
    parser.add_argument("--converged", action="store_true",
                        help="the lab is up and converged: skip the converging site.yml run")
    # INVENTORY is read by the helpers above
    global INVENTORY  # pylint: disable=global-statement
    args = parser.parse_args()
    INVENTORY = os.path.abspath(args.inventory or INVENTORY)
    env = environment()

    t0 = time.time()
    if args.converged:
        return measure(args, env)
    subprocess.run([os.path.join(TOP, ".venv", "bin", "python"), os.path.join(TOP, "tests", "lab", "lab.py"),
                    "up", INVENTORY], env=env, check=True, stdout=subprocess.DEVNULL)
    wall, recap = playbook(["playbooks/site.yml"], env)
    changed = sum(r[1] for r in recap.values())
    print("lab up + converge (ssh): %.1f s, changed=%d" % (time.time() - t0, changed))
    if changed:
        wall, recap = playbook(["playbooks/site.yml"], env)
        if sum(r[1] for r in recap.values()):
            sys.exit("bench: site.yml is not idempotent (second run changed %s)" % recap)
    return measure(args, env)


def measure(args, env):
    load0 = os.getloadavg()[0]
    best = {}
    with tempfile.TemporaryDirectory() as tmp:
        empty = write_play(tmp, "empty.yml", 0)
        bare = write_play(tmp, "bare.yml", args.tasks)
        extra = {"ssh": None, "podman": podman_inventory(tmp)}
        for _round in range(args.repeat):
            for label, _connection in CONNECTIONS:
                for what, pb in (("start-up", empty), ("bare", bare), ("site", "playbooks/site.yml")):
                    wall, recap = playbook([pb], env, extra[label], recap_wanted=what != "start-up")
                    if what == "site":
                        if sum(r[1] for r in recap.values()):
                            sys.exit("bench: the no-op site.yml over %s changed something: %s" % (label, recap))
                        tasks = max(r[0] for r in recap.values())
                        host_tasks = sum(r[0] for r in recap.values())
                    else:
                        tasks = host_tasks = args.tasks if what == "bare" else 0
                    key = (label, what)
                    if key not in best or wall < best[key][0]:
                        best[key] = (wall, tasks, host_tasks)
                    print("  %-6s %-8s %6.1f s" % (label, what, wall), flush=True)
    load1 = os.getloadavg()[0]

    figures = {"load_average": [round(load0, 1), round(load1, 1)], "connections": {}}
    print()
    print("no-op site.yml on %s (%d hosts), best of %d; load average %.1f -> %.1f "
          "on %d cores" % (os.path.relpath(INVENTORY, TOP), len(inventory_hosts()), args.repeat, load0, load1, os.cpu_count()))
    print("%-7s %9s %9s %12s %9s %11s %11s %7s"
          % ("conn", "start-up", "site.yml", "tasks (max)", "bare/task", "site/task", "site/task*", "ratio"))
    for label, _connection in CONNECTIONS:
        startup = best[(label, "start-up")][0]
        bare_wall = best[(label, "bare")][0]
        site_wall, tasks, host_tasks = best[(label, "site")]
        bare_task = (bare_wall - startup) / args.tasks
        site_task = (site_wall - startup) / tasks
        raw_task = site_wall / tasks
        ratio = site_task / bare_task
        figures["connections"][label] = {
            "startup_s": round(startup, 2), "bare_wall_s": round(bare_wall, 2), "bare_tasks": args.tasks,
            "site_wall_s": round(site_wall, 2), "site_tasks_busiest_host": tasks, "site_host_tasks": host_tasks,
            "bare_per_task_s": round(bare_task, 3), "site_per_task_s": round(site_task, 3),
            "site_per_task_raw_s": round(raw_task, 3), "ratio": round(ratio, 2)}
        print("%-7s %8.1fs %8.1fs %12s %8.2fs %10.2fs %10.2fs %6.2fx" % (
            label, startup, site_wall, "%d (%d)" % (tasks, host_tasks), bare_task, site_task, raw_task, ratio))
    print("(per task: start-up subtracted; site/task* = wall / tasks, nothing subtracted; ratio = site/task "
          "over bare/task. Goals: site.yml <= 60 s, ratio <= 1.5)")
    ssh, podman = figures["connections"]["ssh"], figures["connections"]["podman"]
    print("ssh vs podman: site.yml %.2fx faster, bare task %.2fx faster" % (
        podman["site_wall_s"] / ssh["site_wall_s"], podman["bare_per_task_s"] / ssh["bare_per_task_s"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
