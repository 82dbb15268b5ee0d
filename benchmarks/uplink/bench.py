"""Benchmark the uplink modules in throwaway network namespaces (figures printed, not a test).

    .venv/bin/python benchmarks/uplink/bench.py [--sizes 100,1000,10000] [--loop 30] [--profile]
        [--mode all|task|process] [--runs 3] [--venv BIN]

For each size: first converge, no-op re-run and one changed IP, for static_routes and masquerade,
through real ansible-playbook (connection local, inside the namespace) and the module alone
(tests/module_runner.py: one python process, as Ansible runs it on a target). Side by side:
ansible.builtin.iptables + ansible.builtin.command loops (per-IP cost), the raw floor (one
ip -batch + one iptables-restore of the same entries) and a bare ansible.builtin.ping round trip.
All traffic and state stay inside namespaces named ecbench-<pid>-N, deleted at the end.

Process level (--mode process, and at the end of the default --mode all), at the largest size: as a
user runs them, the IPs in a YAML vars file, one whole ansible-playbook process per call, minus a
bare ansible.builtin.ping process loading the same vars file; best of --runs rounds, each round
interleaving the ping, both modules (converge in a fresh namespace, then a no-op re-run) and the
kernel floor (one ip -batch + one iptables-restore --noflush of the same state), for the explicit
list of IPs and the same IPs as 40 ranges of 250.
"""
import argparse
import cProfile
import glob
import io
import json
import os
import pstats
import re
import resource
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests"))
sys.path.insert(0, os.path.join(TOP, ".cache", "collections"))
from module_runner import run_module  # noqa: E402

VENV = os.path.join(TOP, ".venv", "bin")
# --venv: another ansible-core for the playbook runs (e.g. 2.16, for EL7); --collections: where the
# process-level runs take eucalyptus.cloud from (e.g. an export of an older commit, for an A/B run)
OPTS = {"venv": VENV, "collections": os.path.join(TOP, ".cache", "collections")}
GW = "172.19.0.1"
NAMESPACES = []


def ns_create():
    name = "ecbench-%d-%d" % (os.getpid(), len(NAMESPACES) + 1)
    subprocess.run(["ip", "netns", "add", name], check=True)
    NAMESPACES.append(name)
    sh(name, "ip", "link", "set", "lo", "up")
    res = run_module("veth_uplink", dict(bridge="uplinkbridge", address="172.19.0.2/30"), netns=name)
    assert not res.failed, res
    sh(name, "ip", "link", "add", "br0", "type", "bridge")
    return name


def sh(ns, *cmd, **kw):
    proc = subprocess.run(["ip", "netns", "exec", ns] + list(cmd), capture_output=True, text=True, check=False, **kw)
    if proc.returncode:
        raise RuntimeError("%s: %s" % (cmd, proc.stderr))
    return proc.stdout


def ips(n, offset=0):
    base = (100 << 24) | (64 << 16)
    return ["%d.%d.%d.%d" % ((v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255)
            for v in range(base + offset, base + offset + n)]


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def playbook(ns, tasks, extra_vars=None, per_task=False):
    with tempfile.TemporaryDirectory() as tmp:
        pb = os.path.join(tmp, "pb.yml")
        with open(pb, "w") as fh:
            json.dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], fh)
        cmd = ["ip", "netns", "exec", ns, os.path.join(OPTS["venv"], "ansible-playbook"), "-i", "localhost,",
               "-c", "local", "-e", "ansible_python_interpreter=%s" % os.path.join(OPTS["venv"], "python"), pb]
        if extra_vars is not None:
            vf = os.path.join(tmp, "vars.json")
            with open(vf, "w") as fh:
                json.dump(extra_vars, fh)
            cmd += ["-e", "@" + vf]
        # this collection, then the collections of the `ansible` package (profile_tasks is in ansible.posix)
        collections = [os.path.join(TOP, ".cache", "collections")] + glob.glob(
            os.path.join(TOP, ".venv", "lib", "python3*", "site-packages"))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(collections),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
                   PROFILE_TASKS_SORT_ORDER="none", PROFILE_TASKS_TASK_OUTPUT_LIMIT="100")
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=TOP, check=False)
        elapsed = time.perf_counter() - t
        if proc.returncode:
            raise RuntimeError(proc.stdout[-3000:] + proc.stderr[-2000:])
        if per_task:
            return dict((m.group(1), float(m.group(2)))
                        for m in re.finditer(r"^(\S+) -+ (\d+\.\d+)s$", proc.stdout, re.M))
        return elapsed


def own_work(ns, task, extra_vars):
    """The task's time minus a bare round trip (ping) measured in the same ansible-playbook run.

    Both tasks carry the same variables, and process start-up, inventory and vars loading fall
    outside both, so what remains is the module's own work plus what ansible-core spends on its
    arguments and results (profile_tasks times each task from start to result)."""
    times = playbook(ns, [PING, task], extra_vars, per_task=True)
    return times[task["name"]] - times[PING["name"]]


PING = {"name": "ping", "ansible.builtin.ping": {}}
ROUTES_TASK = {"name": "routes", "eucalyptus.cloud.static_routes": {
    "destinations": "{{ ips }}", "gateway": GW, "device": "uplinkbridge", "purge": True}}
MASQ_TASK = {"name": "masq", "eucalyptus.cloud.masquerade": {
    "sources": "{{ ips }}", "out_interface": "br0", "purge": True}}


def best_converge(task, values, runs=3):
    """Best own work of a first converge (each in a fresh namespace); returns it and the last namespace."""
    best = None
    for _i in range(runs):
        ns = ns_create()
        t = own_work(ns, task, {"ips": values})
        best = t if best is None else min(best, t)
    return best, ns


def bench_size(n, results):
    row = {"n": n}
    for label, module, task, argname, extra in (
            ("routes", "static_routes", ROUTES_TASK, "destinations", dict(gateway=GW, device="uplinkbridge", purge=True)),
            ("masq", "masquerade", MASQ_TASK, "sources", dict(out_interface="br0", purge=True))):
        lst = ips(n)
        changed_lst = lst[:-1] + ips(1, offset=n + 7)
        # through ansible-playbook, as own work (see own_work); a first converge needs an empty
        # namespace, so the best of 3 fresh ones; no-op and change re-use the last
        row[label + "_pb_converge"], ns = best_converge(task, lst)
        row[label + "_pb_noop"] = min(own_work(ns, task, {"ips": lst}) for _i in range(3))
        row[label + "_pb_change"] = own_work(ns, task, {"ips": changed_lst})
        # the module alone
        ns = ns_create()
        for phase, values in (("converge", lst), ("noop", lst), ("change", changed_lst)):
            args = dict(extra)
            args[argname] = values
            t, res = timed(lambda: run_module(module, args, netns=ns))
            assert not res.failed, res
            row["%s_mod_%s" % (label, phase)] = t
        check = sh(ns, "ip", "-json", "route") if label == "routes" else sh(ns, "iptables-save")
        expect = n if label == "routes" else 2 * n
        got = check.count('"protocol":"150"') if label == "routes" else check.count("-A EUCLOUD-")
        assert got == expect, (label, got, expect)
    # The same addresses written as VNET_PUBLICIPS-style ranges of 250 (how operators list them):
    # ansible-core then templates 40 strings instead of n; the module expands them.
    ranges = ["%s-%s" % (lst[i], lst[min(i + 249, n - 1)]) for i in range(0, n, 250)]
    for label, task in (("routes", ROUTES_TASK), ("masq", MASQ_TASK)):
        row[label + "_pb_converge_ranges"], ns = best_converge(task, ranges)
        row[label + "_pb_noop_ranges"] = min(own_work(ns, task, {"ips": ranges}) for _i in range(3))
    results.append(row)
    return row


def floor_inputs(lst):
    """The ``ip -batch`` input and the ``iptables-restore`` input of the state both modules make."""
    batch = "".join("route replace %s/32 via %s dev uplinkbridge proto 150\n" % (ip, GW) for ip in lst)
    rules = ["*nat", ":EUCLOUD-MASQ - [0:0]", "-I POSTROUTING 1 -j EUCLOUD-MASQ"]
    rules += ["-A EUCLOUD-MASQ -s %s/32 -o br0 -j MASQUERADE" % ip for ip in lst]
    rules += ["COMMIT", "*filter", ":EUCLOUD-FWD - [0:0]", "-I FORWARD 1 -j EUCLOUD-FWD"]
    rules += ["-A EUCLOUD-FWD -s %s/32 -j ACCEPT" % ip for ip in lst]
    rules += ["COMMIT", ""]
    return batch, "\n".join(rules)


def raw_floor(n):
    ns = ns_create()
    batch, rules = floor_inputs(ips(n))
    t_ip, _unused = timed(lambda: sh(ns, "ip", "-batch", "-", input=batch))
    t_ipt, _unused = timed(lambda: sh(ns, "iptables-restore", "-w", "--noflush", input=rules))
    return t_ip, t_ipt


LOOP_TASKS = [
    {"name": "route", "ansible.builtin.command": "ip route replace {{ item }}/32 via %s dev uplinkbridge" % GW,
     "loop": "{{ ips }}", "changed_when": True},
    {"name": "masq", "loop": "{{ ips }}",
     "ansible.builtin.iptables": {"table": "nat", "chain": "POSTROUTING", "source": "{{ item }}/32",
                                  "out_interface": "br0", "jump": "MASQUERADE", "action": "insert"}},
    {"name": "fwd", "loop": "{{ ips }}",
     "ansible.builtin.iptables": {"chain": "FORWARD", "source": "{{ item }}/32", "jump": "ACCEPT",
                                  "action": "insert"}},
]


def builtin_loop(n):
    ns = ns_create()
    return playbook(ns, LOOP_TASKS, {"ips": ips(n)})


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measured(fn):
    """(wall seconds, CPU seconds of the waited-for process tree, result) of fn()."""
    c, t = children_cpu(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t, children_cpu() - c, out


def process_playbook(ns, tasks, vars_path, check=None):
    """(wall, CPU) seconds of one whole ``ansible-playbook`` process, as a user runs it.

    The play loads ``vars_path`` (a YAML vars file with the IP list) through ``vars_files`` and runs
    ``tasks`` (one task or a list); no timing callback. CPU is user+sys of the whole process tree
    (ansible-playbook, its workers, the module, ip/iptables), which the load of other processes on
    the machine changes much less than the wall time. ``check``: (command, pattern, count) the
    namespace must show after the run, so a run that did not do the work cannot count."""
    with tempfile.TemporaryDirectory() as tmp:
        pb = os.path.join(tmp, "pb.yml")
        with open(pb, "w") as fh:
            json.dump([{"hosts": "localhost", "gather_facts": False, "vars_files": [vars_path],
                        "tasks": tasks if isinstance(tasks, list) else [tasks]}], fh)
        cmd = ["ip", "netns", "exec", ns, os.path.join(OPTS["venv"], "ansible-playbook"), "-i", "localhost,",
               "-c", "local", "-e", "ansible_python_interpreter=%s" % os.path.join(OPTS["venv"], "python"), pb]
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=OPTS["collections"], ANSIBLE_NOCOLOR="1")
        env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
        wall, cpu, proc = measured(lambda: subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=TOP,
                                                          check=False))
        if proc.returncode:
            raise RuntimeError(proc.stdout[-3000:] + proc.stderr[-2000:])
    if check is not None:
        what, pattern, count = check
        got = sh(ns, *what).count(pattern)
        assert got == count, (what, pattern, got, count)
    return wall, cpu


def write_vars(path, values):
    """The IP list as a user keeps it: a YAML vars file, one item a line."""
    with open(path, "w") as fh:
        fh.write("---\nips:\n")
        fh.writelines("  - %s\n" % v for v in values)


def process_floor(n):
    """((wall, CPU) of one ``ip -batch`` of the n routes, (wall, CPU) of one ``iptables-restore
    --noflush`` of the 2n rules), run as processes in a fresh namespace: the kernel floor of the
    state both modules make."""
    ns = ns_create()
    batch, rules = floor_inputs(ips(n))
    w_ip, c_ip, _out = measured(lambda: sh(ns, "ip", "-batch", "-", input=batch))
    w_ipt, c_ipt, _out = measured(lambda: sh(ns, "iptables-restore", "-w", "--noflush", input=rules))
    return (w_ip, c_ip), (w_ipt, c_ipt)


def process_level(n, runs, ranges_too=True):
    """Process-level figures at n IPs (see docs/performance.md). Each round runs, for each variant
    (explicit list, ranges) in a fresh namespace: a bare ``ansible.builtin.ping`` process loading the
    vars file, static_routes converge + no-op, masquerade converge + no-op; and the kernel floor in
    another fresh namespace. Rounds interleave them, so the machine's varying load hits all alike;
    each figure is the best of ``runs`` (wall and CPU separately)."""
    lst = ips(n)
    variants = [("list", lst)]
    if ranges_too:
        variants.append(("ranges", ["%s-%s" % (lst[i], lst[min(i + 249, n - 1)]) for i in range(0, n, 250)]))
    route_check = (["ip", "-json", "route"], '"protocol":"150"', n)
    masq_check = (["iptables-save"], "-A EUCLOUD-", 2 * n)
    samples = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, values in variants:
            paths[name] = os.path.join(tmp, "ips-%s.yml" % name)
            write_vars(paths[name], values)
        for _round in range(runs):
            sample = {}
            sample["floor_ip"], sample["floor_ipt"] = process_floor(n)
            for name, _values in variants:
                vars_path = paths[name]
                ns = ns_create()
                sample["ping_" + name] = process_playbook(ns, PING, vars_path)
                for label, task, check in (("routes", ROUTES_TASK, route_check), ("masq", MASQ_TASK, masq_check)):
                    sample["%s_conv_%s" % (label, name)] = process_playbook(ns, task, vars_path, check)
                    sample["%s_noop_%s" % (label, name)] = process_playbook(ns, task, vars_path, check)
            for key, value in sample.items():
                samples.setdefault(key, []).append(value)
    out = {"n": n, "runs": runs}
    for key, values in samples.items():
        out[key] = min(v[0] for v in values)            # wall
        out[key + "_cpu"] = min(v[1] for v in values)   # CPU
    return out


def print_process_level(r, per_ip_loop=None):
    n = r["n"]
    print("\nprocess level at %d IPs: one ansible-playbook process per call, the IPs in a vars file, best of %d;"
          " own work = the call - a bare ansible.builtin.ping call loading the same vars file" % (n, r["runs"]))
    for unit, sfx in (("wall", ""), ("CPU", "_cpu")):
        floor = r["floor_ip" + sfx] + r["floor_ipt" + sfx]
        print("  [%s] kernel floor: ip -batch %.3f s + iptables-restore --noflush %.3f s = %.3f s"
              % (unit, r["floor_ip" + sfx], r["floor_ipt" + sfx], floor))
        for name in ("list", "ranges"):
            if "ping_" + name not in r:
                continue
            ping = r["ping_" + name + sfx]
            routes = r["routes_conv_" + name + sfx] - ping
            masq = r["masq_conv_" + name + sfx] - ping
            noop_r = r["routes_noop_" + name + sfx] - ping
            noop_m = r["masq_noop_" + name + sfx] - ping
            what = "explicit list of %d IPs" % n if name == "list" else "%d ranges of 250" % ((n + 249) // 250)
            line = ("  [%s] %s (bare call %.2f s): converge routes %.3f + masquerade %.3f = %.3f s = %.2fx the floor"
                    " (target <= 2x); no-op routes +%.3f, masquerade +%.3f s (target: slower <= 0.5 s)"
                    % (unit, what, ping, routes, masq, routes + masq, (routes + masq) / floor, noop_r, noop_m))
            if per_ip_loop is not None and unit == "wall":
                line += "; per IP %.0fx below the builtin loop" % (per_ip_loop / ((routes + masq) / n))
            print(line)


def builtin_loop_process(n, runs):
    """Per-IP wall cost of the builtin loop at process level: loop call minus a bare ping call, same vars file."""
    with tempfile.TemporaryDirectory() as tmp:
        vars_path = os.path.join(tmp, "ips.yml")
        write_vars(vars_path, ips(n))
        loop = []
        ping = []
        for _round in range(runs):
            ns = ns_create()
            ping.append(process_playbook(ns, PING, vars_path)[0])
            loop.append(process_playbook(ns, LOOP_TASKS, vars_path)[0])
    return (min(loop) - min(ping)) / n


def profile_module(n):
    """cProfile of parsing + planning at size n (in-process, kernel state from a namespace)."""
    from ansible_collections.eucalyptus.cloud.plugins.module_utils import ipaddrs, iproute, netfilter
    ns = ns_create()
    lst = ips(n)
    assert not run_module("static_routes", dict(destinations=lst, gateway=GW), netns=ns).failed
    assert not run_module("masquerade", dict(sources=lst, out_interface="br0"), netns=ns).failed
    route_json = json.loads(sh(ns, "ip", "-json", "route", "show", "table", "main"))
    route_text = sh(ns, "ip", "-json", "route", "show", "table", "main")
    nat, filt = sh(ns, "iptables-save", "-t", "nat"), sh(ns, "iptables-save", "-t", "filter")
    changed = lst[:-1] + ips(1, offset=n + 7)

    def work():
        json.loads(route_text)
        dests = ipaddrs.normalize(changed)
        owned, foreign = iproute.split_routes(route_json, 150, {})
        iproute.plan_routes(owned, foreign, dests, GW, "uplinkbridge", None, "main", 150, "present", True)
        netfilter.plan_masquerade(nat, filt, dests, "br0", True, "present", True)

    t, _unused = timed(work)
    prof = cProfile.Profile()
    prof.enable()
    work()
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(12)
    return t, buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--loop", type=int, default=30)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--venv", default=VENV, help="bin folder of the virtualenv whose ansible-playbook runs the tasks")
    ap.add_argument("--mode", choices=("all", "task", "process"), default="all",
                    help="task: own work per task (profile_tasks); process: whole ansible-playbook processes "
                         "minus a bare ping process, at the largest size; all: both")
    ap.add_argument("--runs", type=int, default=3, help="process level: best of RUNS rounds")
    ap.add_argument("--collections", default=OPTS["collections"],
                    help="process level: collections path holding the eucalyptus.cloud to measure")
    opts = ap.parse_args()
    OPTS["venv"] = opts.venv
    OPTS["collections"] = opts.collections
    OPTS["runs"] = opts.runs
    print(subprocess.run([os.path.join(opts.venv, "ansible-playbook"), "--version"], capture_output=True,
                         text=True, check=True).stdout.splitlines()[0])
    sizes = [int(s) for s in opts.sizes.split(",")]
    try:
        if opts.mode == "process":
            big = sizes[-1]
            r = process_level(big, opts.runs)
            per_ip_loop = builtin_loop_process(opts.loop, 1)
            print("builtin loop at process level (%d IPs, one run): %.3f s per IP" % (opts.loop, per_ip_loop))
            print_process_level(r, per_ip_loop)
            return
        ns = ns_create()
        ping = min(playbook(ns, [PING]) for _i in range(3))
        print("bare ansible-playbook round trip (ping, best of 3): %.2f s" % ping)
        results = []
        print("\nown work = task time minus a ping task in the same ansible-playbook run (best of 3), seconds")
        print("%-6s | %-33s | %-33s | %-33s | %-33s" % (
            "IPs", "static_routes own conv/noop/chg", "static_routes module alone c/n/c",
            "masquerade own conv/noop/chg", "masquerade module alone c/n/c"))
        for n in sizes:
            r = bench_size(n, results)
            print("%-6d | %9.3f %9.3f %9.3f     | %9.3f %9.3f %9.3f     | %9.3f %9.3f %9.3f     | %9.3f %9.3f %9.3f" % (
                n, r["routes_pb_converge"], r["routes_pb_noop"], r["routes_pb_change"],
                r["routes_mod_converge"], r["routes_mod_noop"], r["routes_mod_change"],
                r["masq_pb_converge"], r["masq_pb_noop"], r["masq_pb_change"],
                r["masq_mod_converge"], r["masq_mod_noop"], r["masq_mod_change"]))
        big = sizes[-1]
        t_ip, t_ipt = raw_floor(big)
        print("\nraw floor at %d IPs: ip -batch %.3f s, iptables-restore (%d rules) %.3f s, total %.3f s"
              % (big, t_ip, 2 * big, t_ipt, t_ip + t_ipt))
        t_loop = builtin_loop(opts.loop)
        per_ip_loop = (t_loop - ping) / opts.loop
        print("builtin loop (command ip route + 2x ansible.builtin.iptables) at %d IPs: %.2f s, %.3f s per IP"
              % (opts.loop, t_loop, per_ip_loop))
        r = results[-1]
        print("\nat %d IPs:" % big)
        floor_all = t_ip + t_ipt
        for label, floor in (("routes", t_ip), ("masq", t_ipt)):
            own = r[label + "_pb_converge"]
            print("  %-6s own work at converge: %.3f s = %.2fx the raw floor %.3f s (ip -batch + iptables-restore;"
                  " target <= 2x); %.2fx its own part %.3f s; module alone incl. python start-up %.3f s"
                  % (label, own, own / floor_all, floor_all, own / floor, floor, r[label + "_mod_converge"]))
        own = r["routes_pb_converge"] + r["masq_pb_converge"]
        print("  both modules' own work: %.3f s = %.2fx the raw floor %.3f s (target <= 2x)"
              % (own, own / (t_ip + t_ipt), t_ip + t_ipt))
        for label, floor in (("routes", t_ip), ("masq", t_ipt)):
            own = r[label + "_pb_converge_ranges"]
            print("  %-6s with the IPs given as %d ranges: own work %.3f s = %.2fx its raw floor; no-op +%.2f s"
                  % (label, (big + 249) // 250, own, own / floor, r[label + "_pb_noop_ranges"]))
        per_ip_mod = (r["routes_pb_converge"] + r["masq_pb_converge"]) / big
        print("  per IP: %.6f s vs %.3f s in the builtin loop: %.0fx lower (target >= 2000x)"
              % (per_ip_mod, per_ip_loop, per_ip_loop / per_ip_mod))
        print("  no-op re-run over a bare round trip in the same run: routes +%.2f s, masquerade +%.2f s"
              " (target <= 0.5 s)" % (r["routes_pb_noop"], r["masq_pb_noop"]))
        if len(results) > 1:
            a, b = results[0], results[-1]
            for key in ("routes_pb_converge", "masq_pb_converge", "routes_mod_converge", "masq_mod_converge"):
                print("  growth %s %d->%d IPs: %.3f s -> %.3f s (x%.1f for x%d entries)"
                      % (key, a["n"], b["n"], a[key], b[key], b[key] / a[key], b["n"] // a["n"]))
        if opts.mode == "all":
            print_process_level(process_level(big, opts.runs), per_ip_loop)
        if opts.profile:
            t, stats = profile_module(big)
            print("\nparse + plan in-process at %d IPs (one changed IP, both modules): %.3f s" % (big, t))
            print(stats)
    finally:
        for name in NAMESPACES:
            subprocess.run(["ip", "netns", "del", name], check=False)


if __name__ == "__main__":
    main()
