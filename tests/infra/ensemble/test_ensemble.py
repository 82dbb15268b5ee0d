"""testinfra checks of a 3-member ZooKeeper ensemble on an inventory without addresses
(molecule/ensemble).

In file order: every member's myid is its own server.N line and all members list the same
ensemble; the ensemble has exactly one leader; a `--limit` run on one member changes nothing (the
facts of the others are gathered by delegation, the fact cache is off); a `--limit` run that
cannot know an address stops before any change; a configuration change restarts the members one
at a time while a sampler inside the network asks every member `srvr`, and the quorum holds.
"""
import os
import re
import subprocess
import time

import pytest
import testinfra

MEMBERS = ["mol-ens-zk1", "mol-ens-zk2", "mol-ens-zk3"]
CONF = "/etc/zookeeper/conf/zoo.cfg"
MYID = "/var/lib/zookeeper/data/myid"

# Asks every member `srvr` (by the names the common role wrote into /etc/hosts) every 0.2 s and
# appends one line per round: "<time> <mode of zk1> <mode of zk2> <mode of zk3>", where a mode is
# leader/follower/standalone, "notserving" (the server answers but is in an election) or "down".
SAMPLER = r"""
import os, re, socket, sys, time
members = sys.argv[1:]
out = open('/tmp/ens-samples', 'w', buffering=1)
def mode(h):
    try:
        s = socket.create_connection((h, 2181), timeout=1)
        s.settimeout(1)
        s.sendall(b'srvr')
        b = b''
        while True:
            d = s.recv(4096)
            if not d:
                break
            b += d
        s.close()
    except Exception:
        return 'down'
    m = re.search(r'Mode:\s*(\w+)', b.decode('utf-8', 'replace'))
    return m.group(1) if m else 'notserving'
end = time.time() + 600
while time.time() < end and not os.path.exists('/tmp/ens-stop'):
    out.write('%.2f %s\n' % (time.time(), ' '.join(mode(h) for h in members)))
    time.sleep(0.2)
out.write('END\n')
"""


def members():
    return {name: testinfra.get_host("podman://" + name) for name in MEMBERS}


def zoo_cfg(host):
    return dict(line.split("=", 1) for line in host.file(CONF).content_string.splitlines()
                if "=" in line and not line.lstrip().startswith("#"))


def srvr_mode(host):
    out = host.run("printf srvr | nc -q 5 127.0.0.1 2181").stdout
    m = re.search(r"Mode:\s*(\w+)", out)
    return m.group(1) if m else None


def server_pid(host):
    # Debian's zookeeper is an init script: systemd tracks no MainPID, so ask for the JVM (as the
    # zookeeper user: the shell running pgrep, root's, has the pattern in its command line)
    pid = host.check_output("pgrep -u zookeeper -f QuorumPeerMain || true").strip()
    assert pid and "\n" not in pid, pid
    return pid


def playbook(*args):
    env = dict(os.environ, ANSIBLE_CACHE_PLUGIN="memory", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    cmd = ["ansible-playbook", "-i", os.path.join(env["MOLECULE_EPHEMERAL_DIRECTORY"], "inventory"),
           os.path.join(env["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")] + list(args)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=600, check=False)
    return proc.returncode, proc.stdout


def recap(out):
    return {m.group(1): {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
            for m in re.finditer(r"^(mol-ens-\S+)\s*:\s*(ok=.*)$", out, re.M)}


def test_myid_is_the_members_own_server_line(host):
    cfg = zoo_cfg(host)
    myid = int(host.file(MYID).content_string.strip())
    servers = {int(k.split(".", 1)[1]): v for k, v in cfg.items() if k.startswith("server.")}
    assert sorted(servers) == [1, 2, 3]
    # the member's own line carries its own address (the inventory names none: it is a fact)
    own_ip = host.check_output("ip -4 -o addr show dev eth0").split()[3].split("/")[0]
    assert servers[myid] == "%s:2888:3888" % own_ip, (myid, servers)


def test_every_member_lists_the_same_ensemble():
    hosts = members()
    lines = {name: sorted((k, v) for k, v in zoo_cfg(h).items() if k.startswith("server."))
             for name, h in hosts.items()}
    assert len({tuple(v) for v in lines.values()}) == 1, lines
    ids = sorted(int(h.file(MYID).content_string.strip()) for h in hosts.values())
    assert ids == [1, 2, 3]


def test_the_ensemble_has_one_leader():
    modes = sorted(srvr_mode(h) for h in members().values())
    assert modes == ["follower", "follower", "leader"], modes


def test_limit_run_on_one_member_changes_nothing():
    rc, out = playbook("--limit", "mol-ens-zk2")
    assert rc == 0, out
    assert list(recap(out)) == ["mol-ens-zk2"], out
    assert recap(out)["mol-ens-zk2"]["changed"] == 0, out
    assert recap(out)["mol-ens-zk2"]["failed"] == 0, out
    # the addresses of the members outside the limit came from facts gathered by delegation
    for other in ("mol-ens-zk1", "mol-ens-zk3"):
        assert re.search(r"ok: \[mol-ens-zk2 -> %s\]" % other, out), out


def test_limit_run_without_a_knowable_address_stops_before_any_change(tmp_path):
    # a fourth member that cannot be reached: no address in the inventory, no facts to gather
    extra = tmp_path / "ghost.yml"
    extra.write_text("zookeeper:\n  hosts:\n    mol-ens-ghost:\n      ansible_connection: podman\n")
    rc, out = playbook("-i", str(extra), "--limit", "mol-ens-zk2")
    assert rc != 0, out
    assert "No address known for mol-ens-ghost" in out, out
    assert recap(out)["mol-ens-zk2"]["changed"] == 0, out
    # nothing moved: the ensemble still lists three servers
    assert sorted(k for k in zoo_cfg(members()["mol-ens-zk2"]) if k.startswith("server.")) == \
        ["server.1", "server.2", "server.3"]


@pytest.fixture
def sampler():
    zk1 = members()["mol-ens-zk1"]
    zk1.run("rm -f /tmp/ens-stop /tmp/ens-samples")
    subprocess.run(["podman", "exec", "-i", "mol-ens-zk1", "sh", "-c", "cat > /tmp/ens-sampler.py"],
                   input=SAMPLER, universal_newlines=True, check=True)
    subprocess.run(["podman", "exec", "-d", "mol-ens-zk1", "python3", "/tmp/ens-sampler.py"] + MEMBERS,
                   check=True)
    deadline = time.time() + 30
    while not zk1.file("/tmp/ens-samples").exists or not zk1.file("/tmp/ens-samples").content_string:
        assert time.time() < deadline, "sampler did not start"
        time.sleep(0.5)

    def stop():
        zk1.run("touch /tmp/ens-stop")
        deadline = time.time() + 30
        while "END" not in zk1.file("/tmp/ens-samples").content_string:
            assert time.time() < deadline, "sampler did not stop"
            time.sleep(0.5)
        return [line.split() for line in zk1.file("/tmp/ens-samples").content_string.splitlines()
                if line and line != "END"]
    yield stop
    zk1.run("touch /tmp/ens-stop")


def test_rolling_restart_keeps_the_quorum(sampler):
    hosts = members()
    pids = {n: server_pid(h) for n, h in hosts.items()}
    rc, out = playbook("-e", "zookeeper_max_client_connections=61")
    samples = sampler()
    assert rc == 0, out
    assert all(recap(out)[n]["changed"] >= 1 for n in MEMBERS), out
    # every member was restarted (new main PID) with the new configuration
    for n, h in hosts.items():
        assert server_pid(h) != pids[n], n
        assert zoo_cfg(h)["maxClientCnxns"] == "61"
    assert len(samples) > 20, samples
    assert all(len(s) == 4 for s in samples), samples
    # at every sample at least two members run (a restart of all at once leaves fewer)
    up = [sum(m != "down" for m in s[1:]) for s in samples]
    assert min(up) >= 2, [s for s in samples if sum(m != "down" for m in s[1:]) < 2]
    # at least two members serve as leader/follower at every sample, but during the one election
    # a restart of the leader causes (it is restarted last): one stretch of under 10 s
    serving = [(float(s[0]), sum(m in ("leader", "follower") for m in s[1:]) >= 2) for s in samples]
    stretches, start = [], None
    for t, ok in serving:
        if not ok and start is None:
            start = t
        elif ok and start is not None:
            stretches.append(t - start)
            start = None
    assert start is None, "no quorum at the end of the run: %s" % samples[-5:]
    assert len(stretches) <= 1 and all(d < 10 for d in stretches), stretches
    # the samples saw each member down once (its restart), one at a time
    for i, n in enumerate(MEMBERS, 1):
        assert any(s[i] == "down" for s in samples), (n, samples)
    assert sorted(srvr_mode(h) for h in hosts.values()) == ["follower", "follower", "leader"]
