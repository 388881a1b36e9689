"""A pytest plugin that writes each test's result as it happens (JSON lines), so that a pytest
killed mid-run (the OOM killer, a timeout) still leaves what ran, which test was running and
which never ran: scripts/summarize_results.py counts them when the JUnit file is missing.

Load with `-p progress_plugin` (tests/ on PYTHONPATH) and set POSTERN_PROGRESS=FILE."""
import json
import os

_path = os.environ.get("POSTERN_PROGRESS")


def _write(record):
    if not _path:
        return
    with open(_path, "a") as f:
        f.write(json.dumps(record) + "\n")
        f.flush()


def pytest_collection_finish(session):
    _write({"collected": [item.nodeid for item in session.items]})


def pytest_runtest_logstart(nodeid, location):
    _write({"start": nodeid})


def pytest_runtest_logreport(report):
    # A test passes when its call passed and neither setup nor teardown failed; a skip in setup
    # skips it.
    if report.failed:
        _write({"nodeid": report.nodeid, "outcome": "failed", "when": report.when})
    elif report.skipped and report.when in ("setup", "call"):
        _write({"nodeid": report.nodeid, "outcome": "skipped", "when": report.when})
    elif report.passed and report.when == "call":
        _write({"nodeid": report.nodeid, "outcome": "passed", "when": report.when})
