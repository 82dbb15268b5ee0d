"""Check mode of the scenario's converge playbook, from the runs molecule made in this test sequence.

The scenario's test_sequence runs `check` on the fresh host, then `converge` and `idempotence`,
then `check` again; tests/infra/check_mode/callback/record_changes.py records every run. Here:
the fresh --check run predicted exactly the set of tasks (per host) the real converge changed,
and the --check run on the converged host predicted no change.
"""
import json
import os

import pytest
import yaml


def _converge_playbook():
    """The scenario's converge playbook (provisioner.playbooks.converge, default converge.yml)."""
    scenario = os.environ.get("MOLECULE_SCENARIO_DIRECTORY", "")
    try:
        with open(os.path.join(scenario, "molecule.yml")) as fh:
            config = yaml.safe_load(fh) or {}
    except OSError:
        return "converge.yml"
    converge = ((config.get("provisioner") or {}).get("playbooks") or {}).get("converge") or "converge.yml"
    return os.path.basename(converge)


def _runs():
    path = os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"), "check_mode_records.jsonl")
    if not os.path.exists(path):
        pytest.fail("no records in %s: the scenario must enable the record_changes callback" % path)
    with open(path) as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    starts = [i for i, r in enumerate(records) if os.path.basename(r["playbook"]) == "create.yml"]
    if starts:
        records = records[starts[-1] + 1:]
    converge = _converge_playbook()
    return [r for r in records if os.path.basename(r["playbook"]) == converge]


def _sequence():
    runs = _runs()
    kinds = ["check" if r["check"] else "run" for r in runs]
    if kinds[:2] != ["check", "run"] or len(kinds) < 4 or kinds[-1] != "check" or "run" not in kinds[2:-1]:
        pytest.fail("expected check, converge, idempotence, check after create; got %s" % kinds)
    return runs[0], runs[1], runs[-1]


def test_fresh_check_predicts_the_real_run():
    check, real, _converged = _sequence()
    assert check["failed"] == {}, "check mode failed on the fresh host: %s" % check["failed"]
    hosts = sorted(set(check["changed"]) | set(real["changed"]))
    diff = {}
    for h in hosts:
        predicted, done = set(check["changed"].get(h, [])), set(real["changed"].get(h, []))
        if predicted != done:
            diff[h] = {"predicted only": sorted(predicted - done), "changed only": sorted(done - predicted)}
    assert real["changed"], "the real converge changed nothing on a fresh host: nothing was compared"
    assert diff == {}


def test_converged_check_predicts_no_change():
    _fresh, _real, check = _sequence()
    assert check["failed"] == {}, "check mode failed on the converged host: %s" % check["failed"]
    assert check["changed"] == {}
