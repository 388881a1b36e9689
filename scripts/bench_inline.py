#!/usr/bin/python3
"""Inline benchmarks, side by side in one run on one synthesized mail capture (the same mix as
scripts/bench.py: SMTP, POP3 and IMAP, STARTTLS in 10-15% of the sessions):

  (a) dpdk-testpmd --forward-mode=io from a net_pcap infinite_rx port to a net_null port: the
      forwarding ceiling of this harness;
  (b) postern inline over the same two ports, 1 RX + 1 worker: no rules, the default rules, and the
      default rules with flow bypass off;
  (c) postern in tap mode with bypass on and off: what bypass saves when nothing is forwarded.

Every figure is measured in steady state (after infinite_rx has loaded the capture), from the
stats records postern writes every 2 s; CPU per packet from the threads' scheduler time, not the
TSC (the machine is shared and lcores are oversubscribed). Latency is RX burst to TX per packet
(postern's log2 histogram, so p50/p99 are bucket upper bounds); with infinite_rx the input is
always ahead, so it is the queueing delay of a saturated worker, not the delay at a normal load.

Prints a table and writes out/bench/bench_inline.json.
Usage: scripts/bench_inline.py [--size 100M] [--seconds 10]
"""
import argparse
import datetime
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  the capture, runners and CPU accounting are shared

OUT = bench.OUT
DEFAULT_RULES = bench.ROOT / "config" / "rules"


def testpmd_io(pcap, packets, seconds):
    mbufs = packets + 65536
    mem = mbufs * 4096 // (1 << 20) + 512
    out = OUT / "testpmd-io.log"
    text, _, cpu, wall = bench.run_for(
        ["dpdk-testpmd", "--no-huge", "--no-pci", "--no-shconf", "-m", str(mem), "-l", "0-1",
         "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "--vdev", "net_null0,no-rx=1", "--",
         f"--total-num-mbufs={mbufs}", "--forward-mode=io", "--stats-period", "2"],
        seconds, out, lambda: re.search(r"Tx-pps:\s+[1-9]", out.read_text(errors="replace")))
    # testpmd prints one block per port and period; port 1 transmits what port 0 received.
    tx_pps = []
    for block in re.split(r"#+ NIC statistics for port ", text)[1:]:
        if block.startswith("1 "):
            m = re.search(r"Tx-pps:\s+(\d+)", block)
            if m and int(m.group(1)) > 0:
                tx_pps.append(int(m.group(1)))
    steady = tx_pps[1:] or [0]
    # net_null counts no TX bytes: Gbit/s from the capture's mean frame size.
    mean_frame = (pcap.stat().st_size - 24 - 16 * packets) / max(1, packets)
    r = {"forwarded_mpps": statistics.mean(steady) / 1e6,
         "forwarded_gbps": statistics.mean(steady) * mean_frame * 8 / 1e9,
         "thread_cpu_share": {k: round(v / wall, 3) for k, v in cpu.items() if v > 0.01}}
    hz = (bench.tsc_mhz() or 0) * 1e6
    fwd = cpu.get("rte-worker-1", 0) / wall  # the forwarding lcore
    r["cpu_cycles_per_packet"] = fwd * hz / (r["forwarded_mpps"] * 1e6) if hz and r["forwarded_mpps"] else None
    return r


def postern(pcap, packets, seconds, tag, mode="inline", rules=True, bypass=True):
    ports = [{"name": "in", "device": f"net_pcap0,rx_pcap={pcap},infinite_rx=1"}]
    if mode == "inline":
        # net_pcap needs a tx_pcap per TX queue (one per worker and RX lcore); nothing comes back.
        ports[0]["device"] += ",tx_pcap=/dev/null,tx_pcap=/dev/null"
        ports[0]["peer"] = "out"
        ports.append({"name": "out", "device": "net_null0,no-rx=1", "peer": "in"})
    extra = {"mode": mode, "ports": ports,
             "rules": {"files": [str(DEFAULT_RULES)] if rules else []},
             "bypass": {"tls": bypass, "failed_detection": bypass}}
    r = bench.postern_live(pcap, packets, 1, seconds, config_extra=extra, tag=tag)
    if "error" in r:
        return r
    stats = [json.loads(line)["stats"] for line in (OUT / f"{tag}.eve.json").open()
             if '"event_type":"stats"' in line]
    loaded = [s for s in stats if s["decoder"]["pkts"] > 0]
    a, b = loaded[1], stats[-2]
    ips_a, ips_b = a.get("ips", {}), b.get("ips", {})
    wp = sum(w["packets"] for w in b["postern"]["workers"]) - sum(w["packets"] for w in a["postern"]["workers"])
    bp = ips_b.get("bypassed_packets", 0) - ips_a.get("bypassed_packets", 0)
    out = {k: r[k] for k in ("rx_mpps", "rx_gbps", "inspected_mpps", "inspected_gbps", "drop_share",
                             "worker_cpu_cycles_per_packet", "thread_cpu_share", "load_average")}
    out["bypassed_share"] = bp / max(1, wp)
    if mode == "inline":
        fwd = ips_b["accepted"] - ips_a["accepted"]
        out["forwarded_mpps"] = fwd / r["seconds"] / 1e6
        out["tx_drops"] = ips_b["tx_drops"]
        lat = ips_b["latency_us"]
        out["latency_us"] = {"mean": lat["mean"], "p50_bucket": lat["p50_bucket"], "p99_bucket": lat["p99_bucket"]}
    return out


def fmt(x, spec=".2f"):
    return "–" if x is None else format(x, spec)


def report(res):
    rows = [("(a) testpmd io (forwarding ceiling)", res["testpmd_io"], "forwarded_mpps")]
    for tag, label in (("inline_norules", "(b) postern inline, no rules"),
                       ("inline_rules", "(b) postern inline, default rules"),
                       ("inline_rules_nobypass", "(b) postern inline, default rules, bypass off"),
                       ("tap_rules", "(c) postern tap, default rules"),
                       ("tap_rules_nobypass", "(c) postern tap, default rules, bypass off")):
        rows.append((label, res[tag], "forwarded_mpps" if tag.startswith("inline") else "inspected_mpps"))
    print(f"\ncapture: {res['capture']} ({res['packets']} packets), {res['date']}, load average {res['load']:.2f}")
    print("| run | Mpps | Gbit/s | CPU cycles/packet (forwarding or worker thread) | bypassed packets | latency mean / p50 / p99 (µs) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, r, key in rows:
        if "error" in r:
            print(f"| {label} | error: {r['error'][:80]} | | | | |")
            continue
        gbps = r.get("forwarded_gbps", r.get("rx_gbps"))
        if key == "forwarded_mpps" and "rx_mpps" in r and r["rx_mpps"]:
            gbps = r["rx_gbps"] * r["forwarded_mpps"] / r["rx_mpps"]
        cpp = r.get("cpu_cycles_per_packet", r.get("worker_cpu_cycles_per_packet"))
        lat = r.get("latency_us")
        lat_s = f"{lat['mean']:.0f} / ≤{lat['p50_bucket']:.0f} / ≤{lat['p99_bucket']:.0f}" if lat else "–"
        share = r.get("bypassed_share")
        print(f"| {label} | {fmt(r[key])} | {fmt(gbps)} | {fmt(cpp, '.0f')} | "
              f"{'–' if share is None else f'{share:.1%}'} | {lat_s} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="100M")
    ap.add_argument("--seconds", type=int, default=10)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    pcap, _ = bench.mail_capture(args.size)
    packets = bench.count_packets(pcap)
    res = {"capture": pcap.name, "packets": packets, "date": datetime.datetime.now().isoformat(timespec="seconds")}
    bench.log("testpmd io")
    res["testpmd_io"] = testpmd_io(pcap, packets, args.seconds)
    for tag, kw in (("inline_norules", {"rules": False}), ("inline_rules", {}),
                    ("inline_rules_nobypass", {"bypass": False}), ("tap_rules", {"mode": "tap"}),
                    ("tap_rules_nobypass", {"mode": "tap", "bypass": False})):
        bench.log(tag)
        res[tag] = postern(pcap, packets, args.seconds, tag, **kw)
    res["load"] = os.getloadavg()[0]
    (OUT / "bench_inline.json").write_text(json.dumps(res, indent=2))
    report(res)


if __name__ == "__main__":
    main()
