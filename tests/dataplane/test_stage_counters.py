"""The per-stage cycle counters the benchmark reads: per-burst ones always, per-packet ones only
with POSTERN_STAGE_CYCLES=1 (so production pays no rte_rdtsc per packet)."""
import json
import os
import subprocess

from conftest import POSTERN, read_eve, synthesize


def run(tmp_path, pcap, env):
    eve = tmp_path / f"eve-{len(env)}.json"
    subprocess.run([str(POSTERN), "-r", str(pcap), "--eve-log", str(eve)], check=True, capture_output=True,
                   env={**os.environ, **env})
    return [e for e in read_eve(eve) if e["event_type"] == "stats"][-1]["stats"]["postern"]


def test_stage_counters(tmp_path):
    pcap, _ = synthesize(tmp_path, "mail", "--seed", 5, "--flows", 60, "--payload", "smtp,pop3,imap",
                         "--ports", "auto")
    on = run(tmp_path, pcap, {"POSTERN_STAGE_CYCLES": "1"})
    off = run(tmp_path, pcap, {})
    for st in (on, off):
        (rx,) = st["rx"]
        assert rx["packets"] > 0 and 0 < rx["pmd_cycles"] < rx["busy_cycles"] and 0 < rx["enqueue_cycles"]
        assert all(w["stage_cycles"]["dequeue"] > 0 for w in st["workers"] if w["packets"])
    w = on["workers"][0]["stage_cycles"]
    assert w["lookup"] > 0 and w["app"] > 0 and w["tcp"] > 0
    assert on["workers"][0]["busy_cycles"] > w["lookup"] + w["tcp"]
    assert all(x["stage_cycles"]["lookup"] == 0 and x["stage_cycles"]["app"] == 0 for x in off["workers"])
