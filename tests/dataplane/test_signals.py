"""A live run (a looping capture: net_pcap with infinite_rx=1) stops cleanly on SIGINT and
SIGTERM with every flow flushed, and SIGHUP reopens the EVE log without losing a line."""
import os
import signal
import subprocess

import pytest

from conftest import wait_for, POSTERN, EveTail, iter_eve, popen, synthesize, write_config


def stats_lines(tail):
    tail.poll()
    return tail.counts["stats"]


def start_live(tmp_path, eve):
    # Flow and stats records only: with every type the looping capture writes tens of MB a second.
    pcap, _ = synthesize(tmp_path, "loop", "--seed", 4, "--flows", 50)
    cfg = write_config(tmp_path / "live.json",
                       ports=[{"name": "loop0", "device": f"net_pcap0,rx_pcap={pcap},infinite_rx=1"}],
                       lcores={"control": 0, "rx": [1], "workers": [2, 3]},
                       rx={"idle_sleep_us": 100},
                       output={"eve_log": str(eve), "stats_interval": 1, "types": ["flow", "stats"]})
    return popen([POSTERN, "--config", cfg], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_stop_signal_flushes_everything(tmp_path, sig):
    eve = tmp_path / "eve.json"
    proc = start_live(tmp_path, eve)
    try:
        tail = EveTail(eve)
        wait_for(lambda: stats_lines(tail) >= 1, "the first stats record")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    # Each loop replays the 50 sessions; a SYN on a closed session starts a new flow, so there
    # are many records, and the last one of each session is flushed at shutdown. Streamed: every
    # line must be complete JSON.
    last, ifaces, final = {}, set(), None
    for e in iter_eve(eve):
        if e["event_type"] == "flow":
            last[(e["src_ip"], e["src_port"], e["dest_ip"], e["dest_port"])] = e
            ifaces.add(e["in_iface"])
        final = e
    assert len(last) == 50
    assert all(e["flow"]["reason"] == "shutdown" for e in last.values())
    assert ifaces == {"loop0"}
    assert final["event_type"] == "stats"
    final = final["stats"]
    assert final["flow"]["active"] == 0
    assert final["decoder"]["pkts"] > 0
    assert "EVE log:" in err


def test_sighup_reopens_eve_log(tmp_path):
    eve = tmp_path / "eve.json"
    rotated = tmp_path / "eve.json.1"
    proc = start_live(tmp_path, eve)
    try:
        before = EveTail(eve)
        wait_for(lambda: stats_lines(before) >= 1, "the first stats record")
        os.rename(eve, rotated)
        proc.send_signal(signal.SIGHUP)
        after = EveTail(eve)  # the new file at the old name
        wait_for(lambda: stats_lines(after) >= 1, "stats in the reopened log")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    def types_and_last(path):  # streamed: every line must be complete JSON
        types, last = set(), None
        for e in iter_eve(path):
            types.add(e["event_type"])
            last = e
        return types, last
    old_types, _ = types_and_last(rotated)
    new_types, last = types_and_last(eve)
    assert old_types and "flow" in new_types
    assert last["event_type"] == "stats" and last["stats"]["flow"]["active"] == 0
