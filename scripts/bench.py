#!/usr/bin/env python3
"""Dataplane throughput, measured side by side in one run on one synthesized capture:

  (a) dpdk-testpmd --forward-mode=rxonly on net_pcap infinite_rx: the I/O ceiling of this harness;
  (b) postern -r on the capture file (end to end: pcap read, decode, flows, reassembly, EVE);
  (c) postern live on net_pcap infinite_rx for a fixed time, 1 RX + N workers.

Prints a table and writes out/bench/dataplane.json. Usage: scripts/bench.py [--size 300M] [--seconds 20]
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = pathlib.Path(os.environ.get("POSTERN_BUILD", ROOT / "build"))
OUT = ROOT / "out" / "bench"


def run_for(cmd, seconds, log, ready):
    """Runs cmd until ready() (infinite_rx first loads the whole capture into mbufs), then for
    `seconds` more, then sends SIGINT and waits for it to finish."""
    with open(log, "w") as f:
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while not ready() and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.5)
        time.sleep(seconds)
        p.send_signal(signal.SIGINT)
        p.wait(timeout=300)
    return pathlib.Path(log).read_text(errors="replace")


def testpmd(pcap, packets, seconds):
    mbufs = packets + 65536
    mem = mbufs * 4096 // (1 << 20) + 512
    log = run_for(["dpdk-testpmd", "--no-huge", "--no-pci", "--no-shconf", "-m", str(mem), "-l", "0-1",
                   "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "--",
                   f"--total-num-mbufs={mbufs}", "--forward-mode=rxonly", "--stats-period", "2"],
                  seconds, OUT / "testpmd.log",
                  lambda: re.search(r"Rx-pps:\s+[1-9]", (OUT / "testpmd.log").read_text(errors="replace")))
    rates = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", log)]
    bps = [int(x) for x in re.findall(r"Rx-bps:\s+(\d+)", log)]
    steady = [r for r in rates if r > 0][1:] or [0]  # from the second period after loading
    return {"mpps": sum(steady) / len(steady) / 1e6,
            "gbps": sum(b for b in bps if b > 0) / max(1, sum(1 for b in bps if b > 0)) / 1e9}


def postern_offline(pcap, workers):
    eve = OUT / f"offline-{workers}w.json"
    eve.unlink(missing_ok=True)
    t0 = time.monotonic()
    p = subprocess.run([str(BUILD / "app" / "postern"), "-r", str(pcap), "--workers", str(workers),
                        "--eve-log", str(eve)], capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(p.stderr)
    stats = [json.loads(l) for l in eve.open() if '"event_type":"stats"' in l][-1]["stats"]
    pkts = stats["decoder"]["pkts"]
    return {"packets": pkts, "seconds": wall, "mpps": pkts / wall / 1e6,
            "gbps": stats["decoder"]["bytes"] * 8 / wall / 1e9, "ring_drops": stats["postern"]["ring_drops"]}


def postern_live(pcap, packets, workers, seconds):
    eve = OUT / f"live-{workers}w.json"
    eve.unlink(missing_ok=True)
    cfg = OUT / f"live-{workers}w.config.json"
    cfg.write_text(json.dumps({
        "ports": [{"name": "bench", "device": f"net_pcap0,rx_pcap={pcap},infinite_rx=1"}],
        "lcores": {"control": 0, "rx": [1], "workers": list(range(2, 2 + workers))},
        "mempool": {"mbufs": packets + 65536 + 8192 * workers},
        "rx": {"idle_sleep_us": 0},
        "output": {"eve_log": str(eve), "stats_interval": 2}}))
    def ready():
        return eve.exists() and any('"pkts":' in l and '"pkts":0,' not in l
                                    for l in eve.read_text().splitlines() if '"event_type":"stats"' in l)
    run_for([str(BUILD / "app" / "postern"), "--config", str(cfg)], seconds + 4, OUT / f"live-{workers}w.log", ready)
    st = [json.loads(l) for l in eve.open() if '"event_type":"stats"' in l]
    if len(st) < 4:
        return {"error": "too few stats records"}

    def t(s):
        return datetime.datetime.strptime(s["timestamp"][:26], "%Y-%m-%dT%H:%M:%S.%f")

    loaded = [s for s in st if s["stats"]["decoder"]["pkts"] > 0]
    a, b = loaded[1], st[-2]  # steady state: after loading, before the stop
    dt = (t(b) - t(a)).total_seconds()
    wsum = lambda s, k: sum(w[k] for w in s["stats"]["postern"]["workers"])
    rx = (b["stats"]["decoder"]["pkts"] - a["stats"]["decoder"]["pkts"]) / dt
    inspected = (wsum(b, "packets") - wsum(a, "packets")) / dt
    ibytes = (wsum(b, "bytes") - wsum(a, "bytes")) / dt
    drops = (b["stats"]["postern"]["ring_drops"] - a["stats"]["postern"]["ring_drops"]) / dt
    cycles = wsum(b, "busy_cycles") - wsum(a, "busy_cycles")
    return {"worker_cycles_per_packet": cycles / max(1, wsum(b, "packets") - wsum(a, "packets")),
            "rx_mpps": rx / 1e6, "inspected_mpps": inspected / 1e6, "inspected_gbps": ibytes * 8 / 1e9,
            "ring_drops_per_s": drops, "event_drops": b["stats"]["postern"]["event_drops"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="300M")
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    pcap = OUT / f"bench-{args.size}.pcap"
    if not pcap.exists():
        subprocess.run([str(BUILD / "app" / "synth" / "postern-synth"), "--out", str(pcap), "--seed", "1",
                        "--flows", "20000", "--target-bytes", args.size, "--payload", "text",
                        "--ports", "25,110,143,587,993"], check=True)
    off1 = postern_offline(pcap, 1)
    packets = off1["packets"]
    res = {"capture": {"path": str(pcap), "packets": packets, "bytes": pcap.stat().st_size},
           "cpus": os.cpu_count(),
           "testpmd_rxonly": testpmd(pcap, packets, args.seconds),
           "postern_offline_1w": off1,
           "postern_offline_2w": postern_offline(pcap, 2),
           "postern_live_1w": postern_live(pcap, packets, 1, args.seconds),
           "postern_live_2w": postern_live(pcap, packets, 2, args.seconds)}
    (OUT / "dataplane.json").write_text(json.dumps(res, indent=2))
    ceiling = res["testpmd_rxonly"]["mpps"]
    print(f"capture: {packets} packets, {res['capture']['bytes'] / 1e6:.0f} MB; {res['cpus']} CPUs "
          "(lcores beyond that share them)")
    print(f"{'run':<44}{'Mpps':>8}{'Gbit/s':>8}{'of ceiling':>12}  notes")
    print(f"{'testpmd rxonly, infinite_rx (I/O ceiling)':<44}{ceiling:>8.2f}{res['testpmd_rxonly']['gbps']:>8.2f}{'100%':>12}")
    for w in (1, 2):
        o = res[f"postern_offline_{w}w"]
        print(f"{f'postern -r, 1 RX + {w} worker(s)':<44}{o['mpps']:>8.2f}{o['gbps']:>8.2f}"
              f"{o['mpps'] / ceiling:>12.0%}  {o['seconds']:.1f} s for the file, ring drops {o['ring_drops']}")
    for w in (1, 2):
        l = res[f"postern_live_{w}w"]
        if "error" in l:
            print(f"postern live {w}w: {l['error']}")
            continue
        print(f"{f'postern live infinite_rx, 1 RX + {w} worker(s)':<44}{l['inspected_mpps']:>8.2f}"
              f"{l['inspected_gbps']:>8.2f}{l['inspected_mpps'] / ceiling:>12.0%}  RX {l['rx_mpps']:.2f} Mpps, "
              f"ring drops {l['ring_drops_per_s'] / 1e6:.2f} Mpps, worker {l['worker_cycles_per_packet']:.0f} cycles/pkt")
    print(f"written: {OUT / 'dataplane.json'}")


main()
