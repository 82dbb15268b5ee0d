"""A no-op site.yml restarts nothing: every service unit that ran after the converge (recorded by
molecule/cloud-in-a-box/side_effect.yml in /root/unit-starts.before) still runs with the same
start time after the idempotence run and the second check."""
import pytest

BEFORE = "/root/unit-starts.before"


def parse(text):
    units, current = {}, {}
    for line in text.splitlines() + [""]:
        if not line.strip():
            if "Id" in current:
                units[current["Id"]] = current.get("ExecMainStartTimestampMonotonic", "")
            current = {}
            continue
        key, _sep, value = line.partition("=")
        current[key] = value
    return units


def test_no_unit_restarted(host):
    if not host.file(BEFORE).exists:
        pytest.fail("%s is missing: the side_effect step did not run" % BEFORE)
    before = parse(host.file(BEFORE).content_string)
    assert before, "no running unit was recorded"
    now = parse(host.check_output("systemctl show --type=service --state=running -p Id "
                                  "-p ExecMainStartTimestampMonotonic '*'"))
    restarted = {u: (t, now.get(u)) for u, t in before.items() if now.get(u) != t}
    assert not restarted, "restarted or stopped since the converge: %s" % restarted
