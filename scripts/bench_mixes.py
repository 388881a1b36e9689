#!/usr/bin/python3
"""The synthetic and the real mail mix side by side: for each, postern live (1 RX + 1 worker,
default rules, net_pcap infinite_rx, worker thread CPU time, as scripts/bench.py measures) and
the same run with stage counters on, reported per packet and per byte, stage by stage.

    scripts/bench_mixes.py [--size 300M] [--seconds 10] [--real out/bench/real-mix.pcap] [--hashes sha256 [--attachments-only]]

The real mix is scripts/make_bench_mix.py's (it needs the labelled corpus, scripts/make_corpus.py).
Prints tables and writes out/bench/mixes[-HASHES][-attachments].json."""
import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench  # noqa: E402

STAGES = [("dequeue", "ring dequeue"), ("lookup", "flow lookup/create"), ("tcp_only", "TCP tracking + stream order"),
          ("app", "detection, parsers, MIME, matching, EVE"), ("expiry", "timeouts"), ("other", "rest (counters, loop)")]


def measure(pcap, mix, rules, seconds):
    packets = mix["packets"]
    live = bench.postern_live(pcap, packets, 1, seconds, config_extra=rules, tag="mix-live")
    staged = bench.postern_live(pcap, packets, 1, seconds, env={"POSTERN_STAGE_CYCLES": "1"}, config_extra=rules,
                                tag="mix-stages")
    if "error" in live or "error" in staged:
        sys.exit(f"bench_mixes: {live.get('error') or staged.get('error')}")
    st, total = bench.scaled_stages(staged)
    return {"mix": mix, "live": live, "stages": {k: st[k] for k, _ in STAGES}, "stages_total": total}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="300M", help="synthetic mix size (postern-synth --target-bytes)")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--real", type=pathlib.Path, default=bench.OUT / "real-mix.pcap")
    ap.add_argument("--hashes", default="", help="output.files.hashes, comma list (the shipped config has sha256)")
    ap.add_argument("--attachments-only", action="store_true", help="output.files.hash_messages false")
    args = ap.parse_args()
    if not args.real.exists():
        sys.exit(f"bench_mixes: no real mix at {args.real}: run scripts/make_bench_mix.py first")
    bench.OUT.mkdir(parents=True, exist_ok=True)
    rules = bench.rules_section([bench.DEFAULT_RULES]) if bench.rules_supported() else {}
    if args.hashes:
        rules = {**rules, "output": {"files": {"hashes": args.hashes.split(","),
                                               "hash_messages": not args.attachments_only}}}
    synth_pcap, truth = bench.mail_capture(args.size)
    mixes = {"synthetic": (synth_pcap, bench.describe_mix(truth)),
             "real": (args.real.resolve(), bench.describe_pcap(args.real))}
    res = {"tsc_mhz": bench.tsc_mhz(), "seconds": args.seconds, "rules": "rules" in rules, "hashes": args.hashes,
           "hash_messages": not args.attachments_only}
    for name, (pcap, mix) in mixes.items():
        bench.log(f"{name} mix: live, then stage counters on")
        res[name] = measure(pcap, mix, rules, args.seconds)
    hz = res["tsc_mhz"] * 1e6
    rows = []
    for name in mixes:
        r = res[name]
        frame = r["mix"]["frame_bytes"] / r["mix"]["packets"]
        cpp = r["live"]["worker_cpu_cycles_per_packet"]
        rows.append([name, f"{r['mix']['packets']:,}", f"{frame:.0f} B", f"{cpp:.0f}", f"{cpp / frame:.2f}",
                     f"{hz / cpp * frame * 8 / 1e9:.1f}", f"{r['live']['drop_share']:.0%}"])
    bench.table(rows, ["mix", "frames", "mean frame", "CPU cyc/pkt", "cyc/byte", "Gbit/s per worker core", "ring drops"])
    rows = []
    for k, label in STAGES + [("total", "worker total")]:
        row = [label]
        for name in mixes:
            r = res[name]
            frame = r["mix"]["frame_bytes"] / r["mix"]["packets"]
            v = r["stages_total"] if k == "total" else r["stages"][k]
            row += [f"{v:.0f}", f"{v / frame:.2f}"]
        rows.append(row)
    bench.table(rows, ["worker stage (stage counters on, scaled to CPU time)"] +
                [f"{n} {u}" for n in mixes for u in ("cyc/pkt", "cyc/byte")])
    name = "mixes" + (f"-{args.hashes.replace(',', '+')}" if args.hashes else "") + ("-attachments" if args.attachments_only else "")
    (bench.OUT / f"{name}.json").write_text(json.dumps(res, indent=2))
    print(f"written: {bench.OUT / name}.json")


if __name__ == "__main__":
    main()
