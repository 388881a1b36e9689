"""A live run (a looping capture: net_pcap with infinite_rx=1) stops cleanly on SIGINT and
SIGTERM with every flow flushed, and SIGHUP reopens the EVE log without losing a line."""
import json
import os
import signal
import subprocess

import pytest

from conftest import wait_for, POSTERN, read_eve, synthesize, write_config


def stats_lines(path):
    if not path.exists():
        return 0
    return sum('"event_type":"stats"' in line for line in path.read_text().splitlines())


def start_live(tmp_path, eve):
    pcap, _ = synthesize(tmp_path, "loop", "--seed", 4, "--flows", 50)
    cfg = write_config(tmp_path / "live.json",
                       ports=[{"name": "loop0", "device": f"net_pcap0,rx_pcap={pcap},infinite_rx=1"}],
                       lcores={"control": 0, "rx": [1], "workers": [2, 3]},
                       rx={"idle_sleep_us": 100},
                       output={"eve_log": str(eve), "stats_interval": 1})
    return subprocess.Popen([str(POSTERN), "--config", str(cfg)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_stop_signal_flushes_everything(tmp_path, sig):
    eve = tmp_path / "eve.json"
    proc = start_live(tmp_path, eve)
    try:
        wait_for(lambda: stats_lines(eve) >= 1, "the first stats record")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    events = read_eve(eve)  # every line is complete JSON
    flows = [e for e in events if e["event_type"] == "flow"]
    # Each loop replays the 50 sessions; a SYN on a closed session starts a new flow, so there
    # are many records, and the last one of each session is flushed at shutdown.
    last = {}
    for e in flows:
        last[(e["src_ip"], e["src_port"], e["dest_ip"], e["dest_port"])] = e
    assert len(last) == 50
    assert all(e["flow"]["reason"] == "shutdown" for e in last.values())
    assert all(e["in_iface"] == "loop0" for e in flows)
    assert events[-1]["event_type"] == "stats"
    final = events[-1]["stats"]
    assert final["flow"]["active"] == 0
    assert final["decoder"]["pkts"] > 0
    assert "EVE log:" in err


def test_sighup_reopens_eve_log(tmp_path):
    eve = tmp_path / "eve.json"
    rotated = tmp_path / "eve.json.1"
    proc = start_live(tmp_path, eve)
    try:
        wait_for(lambda: stats_lines(eve) >= 1, "the first stats record")
        os.rename(eve, rotated)
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: stats_lines(eve) >= 1, "stats in the reopened log")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    old, new = read_eve(rotated), read_eve(eve)
    assert old and new
    assert any(e["event_type"] == "flow" for e in new)
    assert new[-1]["event_type"] == "stats" and new[-1]["stats"]["flow"]["active"] == 0
