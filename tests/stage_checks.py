"""pytest hooks every stage of scripts/test.sh relies on (tests/conftest.py imports them).

``--strict-skips`` (scripts/test.sh passes it to every pytest stage; a developer running one file
by hand keeps ordinary skips):

* a skipped test is a failure, unless it is marked ``@pytest.mark.may_skip("what covers it
  instead")`` -- the test then needs something the stage cannot have (a ZooKeeper that only the
  molecule scenario starts) and the reason says who tests it. A test skipped because the run is
  not root, a file or tool is missing, or a library is absent fails: it is required.
* a session in which no test passed (everything skipped, deselected or xfailed) fails.

``$EUCLOUD_TARGET_PYTHON`` (the ``el7`` stage; tests/module_runner.py then runs the modules
through the controller's AnsiballZ packaging on that interpreter): every test records, through
tests/el7_import_probe.py installed in the target venv, what each target process imported, and
fails unless every process ran on the target's Python with the netaddr and requests versions of
requirements/el7-targets.txt and with the collection's module_utils from an AnsiballZ payload.
The session fails unless module processes imported both netaddr and requests.
"""
import json
import os
import re
import subprocess

import pytest

import module_runner

__all__ = ["pytest_addoption", "pytest_configure", "pytest_runtest_makereport", "pytest_sessionfinish",
           "pytest_terminal_summary", "el7_target_imports"]

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EL7_REQUIREMENTS = os.path.join(TOP, "requirements", "el7-targets.txt")
MODULE_UTILS = "ansible_collections.eucalyptus.cloud.plugins.module_utils."

_passed = []
_required_skips = []
_el7 = {"processes": 0, "netaddr": 0, "requests": 0, "payload": 0, "python": None,
        "seen": {"netaddr": set(), "requests": set()}}


def pytest_addoption(parser):
    parser.addoption("--strict-skips", action="store_true", default=False,
                     help="a skipped test fails unless marked may_skip(reason); no passed test fails the run")


def pytest_configure(config):
    config.addinivalue_line("markers", "may_skip(reason): this test may be skipped under --strict-skips "
                                       "(the reason names what covers it instead)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.passed and rep.when == "call":
        _passed.append(item.nodeid)
    if not item.config.getoption("--strict-skips") or not rep.skipped or hasattr(rep, "wasxfail"):
        return
    if item.get_closest_marker("may_skip") is not None:
        return
    reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
    _required_skips.append(item.nodeid)
    rep.outcome = "failed"
    rep.longrepr = ("skipped, but the test is required (--strict-skips; only a test marked may_skip(reason) "
                    "may skip): %s" % reason)


def pytest_sessionfinish(session, exitstatus):
    if not session.config.getoption("--strict-skips"):
        return
    if session.testscollected and not _passed and session.exitstatus == 0:
        session.exitstatus = 1
    if module_runner.TARGET_PYTHON and session.testscollected and session.exitstatus == 0 and not _el7_seen_enough():
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tr = terminalreporter
    if config.getoption("--strict-skips"):
        if _required_skips:
            tr.write_line("strict-skips: %d required test(s) skipped, counted as failures" % len(_required_skips))
        if tr._session.testscollected and not _passed:
            tr.write_line("strict-skips: no test passed in this run: FAILED")
    if module_runner.TARGET_PYTHON:
        seen = dict((lib, "/".join(sorted(v)) or "-") for lib, v in _el7["seen"].items())
        tr.write_line("el7 target %s (Python %s): %d target processes, %d with the collection's module_utils "
                      "from an AnsiballZ payload; netaddr %s imported by %d, requests %s by %d (wanted %s, %s)"
                      % (module_runner.TARGET_PYTHON, _el7["python"], _el7["processes"], _el7["payload"],
                         seen["netaddr"], _el7["netaddr"], seen["requests"], _el7["requests"],
                         _expected().get("netaddr"), _expected().get("requests")))
        if config.getoption("--strict-skips") and not _el7_seen_enough():
            tr.write_line("el7: FAILED -- no module process imported %s from an AnsiballZ payload"
                          % (" and ".join(_el7_libs()) or "the collection's module_utils"))


def _el7_libs():
    """The EL7 libraries a run's modules must have imported on the target: EUCLOUD_EL7_LIBS
    (space-separated; default "netaddr requests", which the uplink and MidoNet modules use; the
    admin-tool modules use neither, so their run sets it empty and only the payload counts)."""
    return os.environ.get("EUCLOUD_EL7_LIBS", "netaddr requests").split()


def _el7_seen_enough():
    return bool(_el7["payload"]) and all(_el7[lib] for lib in _el7_libs())


_expected_cache = {}


def _expected():
    if not _expected_cache:
        with open(EL7_REQUIREMENTS) as fh:
            for line in fh:
                m = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
                if m:
                    _expected_cache[m.group(1).lower()] = m.group(2)
        if module_runner.TARGET_PYTHON:
            _el7["python"] = subprocess.check_output(
                [module_runner.TARGET_PYTHON, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                universal_newlines=True, env=dict(os.environ, EUCLOUD_EL7_IMPORT_LOG="")).strip()
    return _expected_cache


@pytest.fixture(autouse=True)
def el7_target_imports(tmp_path_factory, monkeypatch):
    """Under $EUCLOUD_TARGET_PYTHON: check what the target processes of this test imported."""
    if not module_runner.TARGET_PYTHON:
        yield
        return
    want = _expected()
    log = str(tmp_path_factory.mktemp("el7-imports") / "imports.jsonl")
    monkeypatch.setenv("EUCLOUD_EL7_IMPORT_LOG", log)
    yield
    entries = []
    if os.path.exists(log):
        with open(log) as fh:
            entries = [json.loads(line) for line in fh if line.strip()]
    problems = []
    for e in entries:
        _el7["processes"] += 1
        if e["python"] != _el7["python"]:
            problems.append("process %s ran on Python %s, not %s" % (e["argv0"], e["python"], _el7["python"]))
        for lib in ("netaddr", "requests"):
            seen = e["modules"].get(lib)
            if seen is None:
                continue
            _el7[lib] += 1
            _el7["seen"][lib].add(str(seen["version"]))
            if seen["version"] != want[lib]:
                problems.append("%s imported %s %s (%s), not %s"
                                % (e["argv0"], lib, seen["version"], seen["file"], want[lib]))
        ours = dict((k, v) for k, v in e["modules"].items() if k.startswith(MODULE_UTILS))
        if ours:
            outside = [v["file"] for v in ours.values() if "_payload.zip" not in (v["file"] or "")]
            if outside:
                problems.append("%s imported the collection's module_utils outside an AnsiballZ payload: %s"
                                % (e["argv0"], outside))
            else:
                _el7["payload"] += 1
    if problems:
        pytest.fail("EL7 target check: " + "; ".join(problems), pytrace=False)
