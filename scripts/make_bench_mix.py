#!/usr/bin/python3
"""A benchmark mix of real mail: the sessions of the labelled corpus (scripts/make_corpus.py,
variant base: real Postfix and Dovecot, real clients, tcpdump), replayed from other client
addresses (10.100.0.0/16) and ports until the capture reaches the size asked, as replay tools
make a big capture out of a small one. Every copy is a distinct TCP flow with the recorded
payload, segmentation and timing; checksums are recomputed.

    scripts/make_bench_mix.py [--corpus DIR] [--size 300M] [--out out/bench/real-mix.pcap]

scripts/bench.py --capture runs on it beside the synthetic mix."""
import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_corpus  # noqa: E402
from corpus_variants import moved  # noqa: E402
from pcap_io import read_pcap, tcp_tuple, ts_of, write_pcap  # noqa: E402


def size_of(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def sessions(base):
    """{(client, client port): frames} of the base capture's scenario clients, capture order."""
    clients = {s["client"] for s in json.loads((base / "truth.json").read_text())["scenarios"]}
    header, records = read_pcap(base / "capture.pcap")
    out = {}
    for rh, f in records:
        t = tcp_tuple(f)
        if t and (t[0] in clients or t[2] in clients):
            client = t[0] if t[0] in clients else t[2]
            out.setdefault((client, t[1] if t[0] == client else t[3]), []).append((rh, f))
    return header, out


def mix(base, target):
    """The base capture's sessions, copy after copy (each copy from new client addresses,
    starting when the previous one ended), until `target` bytes of pcap."""
    header, conns = sessions(base)
    one_pass = sum(16 + len(f) for frames in conns.values() for _, f in frames)
    starts = [ts_of(frames[0][0]) for frames in conns.values()]
    span = max(ts_of(frames[-1][0]) for frames in conns.values()) - min(starts) + 1
    copies = max(1, -(-target // one_pass))
    records = []
    for copy in range(copies):
        for n, ((client, port), frames) in enumerate(conns.items()):
            host = copy * len(conns) + n  # one client address per session copy
            records += moved(frames, starts[n] + copy * span, port, client,
                                         bytes([10, 100, host >> 8 & 0xFF, host & 0xFF]))
    records.sort(key=lambda r: ts_of(r[0]))
    return header, records, copies, len(conns)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=pathlib.Path, default=None, help="a corpus folder (default: make_corpus's)")
    ap.add_argument("--size", default="300M")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "out" / "bench" / "real-mix.pcap")
    args = ap.parse_args()
    corpus = args.corpus or make_corpus.default_out()
    if not (corpus / "base" / "truth.json").exists():
        sys.exit(f"make_bench_mix: no corpus at {corpus}: run scripts/make_corpus.py --variants base (as root)")
    header, records, copies, per_copy = mix(corpus / "base", size_of(args.size))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_pcap(args.out, header, records)
    print(f"{args.out}: {len(records)} frames, {args.out.stat().st_size >> 20} MiB, {copies} copies of "
          f"{per_copy} real sessions")
