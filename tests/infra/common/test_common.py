"""testinfra checks of the `common` role; used by molecule/default and by `make lab`'s lab check.

Every check reads real state on the host: units, files, kernel parameters, accounts.
"""
import pytest


def test_time_service_running_and_enabled(host):
    names = ["chrony", "chronyd"]
    services = [host.service(n) for n in names if host.file("/lib/systemd/system/%s.service" % n).exists
                or host.file("/usr/lib/systemd/system/%s.service" % n).exists]
    assert services, "no chrony unit installed"
    assert any(s.is_running for s in services)
    assert any(s.is_enabled for s in services)


def test_time_service_answers(host):
    out = host.check_output("chronyc -n tracking")
    assert "Reference ID" in out


@pytest.mark.parametrize("key,value", [
    ("net.ipv4.ip_forward", 1),
    ("net.bridge.bridge-nf-call-iptables", 1),
])
def test_sysctl_runtime_and_persistent(host, key, value):
    assert host.sysctl(key) == value
    conf = host.file("/etc/sysctl.d/70-eucalyptus-cloud.conf")
    assert conf.exists and conf.mode == 0o644
    assert "%s=%s" % (key, value) in conf.content_string.replace(" ", "")


def test_br_netfilter_listed_for_boot(host):
    assert "br_netfilter" in host.file("/etc/modules-load.d/eucalyptus-cloud.conf").content_string.split()


def test_eucalyptus_user(host):
    user = host.user("eucalyptus")
    assert user.exists
    assert user.group == "eucalyptus"
    assert "eucalyptus-status" in user.groups
    assert user.home == "/var/lib/eucalyptus"
    assert user.shell.endswith("/nologin")
    assert user.uid < 1000, "must be a system account"
    assert host.file("/var/lib/eucalyptus").is_directory
    assert host.file("/var/lib/eucalyptus").user == "eucalyptus"


def test_etc_hosts_lists_every_cloud_host(host):
    content = host.file("/etc/hosts").content_string
    assert "# BEGIN eucalyptus.cloud hosts" in content
    block = content.split("# BEGIN eucalyptus.cloud hosts")[1].split("# END eucalyptus.cloud hosts")[0]
    entries = [line.split() for line in block.strip().splitlines()]
    assert entries, "empty hosts block"
    names = {n for e in entries for n in e[1:]}
    # this host's own short name must be resolvable through the block
    assert host.check_output("hostname -s") in names
    for e in entries:
        # every name must resolve to the address given (getent reads /etc/hosts first)
        resolved = host.check_output("getent ahostsv4 %s" % e[1]).split()[0]
        assert resolved == e[0]


def test_chronyd_runs_with_the_configured_options(host):
    # the lab and molecule hosts share the machine's clock: chronyd must run with -x there
    cmdline = host.check_output("ps -o args= -C chronyd")
    assert "-x" in cmdline.split(), cmdline
