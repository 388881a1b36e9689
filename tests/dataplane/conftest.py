"""Helpers for tests that run the real postern binary (DPDK EAL with --no-huge --no-pci and
virtual devices) on captures made by postern-synth."""
import json
import os
import pathlib
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from testlib import EveTail, iter_eve, popen, read_eve, run  # noqa: E402,F401  (re-exported)

BUILD = pathlib.Path(os.environ.get("POSTERN_BUILD", ROOT / "build"))
POSTERN = BUILD / "app" / "postern"
SYNTH = BUILD / "app" / "synth" / "postern-synth"
SCHEMA = ROOT.parent / "shared" / "reference" / "suricata-eve-schema.json"


def synthesize(out_dir, name, *args):
    """Writes NAME.pcap and NAME.json (ground truth) with postern-synth; returns (pcap, truth)."""
    pcap = pathlib.Path(out_dir) / f"{name}.pcap"
    truth = pathlib.Path(out_dir) / f"{name}.json"
    run([SYNTH, "--out", pcap, "--expected", truth, *args], check=True, capture_output=True)
    return pcap, json.loads(truth.read_text())


# The behavioural detectors decided on the control plane from session history (docs/detections.md).
HISTORY_DETECTORS = {"beaconing", "dead_drop", "drafts_shared_drop", "auth_abuse", "smtp_size_outlier"}


def synthesize_scenarios(out_dir):
    """The synthesizer's labelled detector scenarios (benign look-alikes and malicious variants)."""
    return synthesize(out_dir, "scenarios", "--scenario", "all", "--seed", "1")


def write_config(path, **sections):
    path = pathlib.Path(path)
    path.write_text(json.dumps(sections))
    return path


def run_postern(*args, timeout=300, check=True):
    """Runs postern to completion; returns the CompletedProcess (text)."""
    proc = run([POSTERN, *args], capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"postern exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def wait_for(predicate, what, limit=180, step=0.05):
    """Polls until predicate() is true; the limit bounds a hang, it is not a performance assertion."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def flow_key(ev):
    return (ev["src_ip"], ev["src_port"], ev["dest_ip"], ev["dest_port"])


def truth_key(f):
    return (f["client_ip"], f["client_port"], f["server_ip"], f["server_port"])


@pytest.fixture(scope="session", autouse=True)
def binaries_built():
    for b in (POSTERN, SYNTH):
        if not b.exists():
            pytest.exit(f"{b} is missing: build first (scripts/build.sh)", returncode=1)
