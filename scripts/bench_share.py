#!/usr/bin/python3
"""Sizing figures for the shared history (docs/scale-out.md), against a real redis-server on
loopback started here:

  - summaries per second one appliance publishes (postern -r over a capture of many short mail
    sessions, with detect.history.share on) and whether any were dropped;
  - summaries per second one `postern history` consumer takes (batch run over those streams);
  - bytes per summary: on the wire (the `m` field) and in Redis memory (MEMORY USAGE / XLEN);
  - EVE records per second the same Redis takes from output.redis (stream mode) for comparison.

Usage: scripts/bench_share.py [--sessions 200000] [--shards 1]
"""
import argparse
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = pathlib.Path(os.environ.get("POSTERN_BUILD", ROOT / "build"))
POSTERN = BUILD / "app" / "postern"
SYNTH = BUILD / "app" / "synth" / "postern-synth"
sys.path.insert(0, str(ROOT / "tests" / "dataplane"))
from redis_helpers import RedisServer  # noqa: E402


def timed(cmd):
    t = time.monotonic()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{proc.stderr}")
    return time.monotonic() - t, proc.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=200000)
    ap.add_argument("--shards", type=int, default=1)
    a = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench_share."))
    pcap = tmp / "sessions.pcap"
    subprocess.run([SYNTH, "--out", pcap, "--payload", "smtp,pop3,imap", "--flows", str(a.sessions), "--duration",
                    "3600", "--bytes-per-flow", "200:600", "--ack", "0", "--seed", "5"], check=True, capture_output=True)
    redis = RedisServer(tmp)
    try:
        cfg = tmp / "share.json"
        cfg.write_text(json.dumps({"detect": {"history": {"share": {
            "enabled": True, "port": redis.port, "shards": a.shards, "buffer_bytes": 1 << 30}}}}))
        base, _ = timed([POSTERN, "-r", pcap, "--eve-log", tmp / "base.json"])
        took, err = timed([POSTERN, "-r", pcap, "--config", cfg, "--eve-log", tmp / "appliance.json"])
        line = next(l for l in err.splitlines() if "session summaries published" in l)
        summaries = int(line.split("history share: ")[1].split()[0])
        c = redis.client()
        streams = [f"postern:summaries:{{{i}}}" for i in range(a.shards)]
        entries = sum(c.call("XLEN", s) for s in streams)
        memory = sum(c.call("MEMORY", "USAGE", s, "SAMPLES", "0") for s in streams)
        sample = c.call("XRANGE", streams[0], "-", "+", "COUNT", "100")
        wire = [len(f[3].encode(errors="surrogateescape")) for _, f in sample]
        consume, cerr = timed([POSTERN, "history", "--config", cfg, "--producers", "1", "--eve-log", tmp / "h.json"])
        eve_cfg = tmp / "eve.json"
        eve_cfg.write_text(json.dumps({"output": {"redis": {"enabled": True, "port": redis.port, "mode": "stream",
                                                             "key": "eve", "buffer_bytes": 1 << 30}}}))
        eve_took, eerr = timed([POSTERN, "-r", pcap, "--config", eve_cfg, "--eve-log", tmp / "e.json"])
        eline = next(l for l in eerr.splitlines() if "events sent to" in l)
        events = int(eline.split("redis: ")[1].split()[0])
        eve_bytes = (tmp / "e.json").stat().st_size / max(1, len((tmp / "e.json").read_text().splitlines()))
        # What Redis alone takes, pipelined as postern sends (batch 64), with values of these sizes.
        capacity = {}
        for name, size in (("summary", round(sum(wire) / len(wire))), ("event", round(eve_bytes))):
            out = subprocess.run(["redis-benchmark", "-p", str(redis.port), "-P", "64", "-n", "1000000", "-q",
                                  "XADD", f"bench-{name}", "MAXLEN", "~", "100000", "*", "m", "x" * size],
                                 capture_output=True, text=True).stdout
            last = out.strip().splitlines()[-1] if out.strip() else "redis-benchmark gave nothing"
            capacity[name] = (size, last.rsplit(": ", 1)[-1])
    finally:
        redis.stop()
    print(f"capture: {a.sessions} short mail sessions (postern-synth --payload smtp,pop3,imap, seed 5), "
          f"{a.shards} shard(s), redis-server {socket.gethostname()} loopback")
    print(f"postern -r without sharing:       {base:6.2f} s")
    print(f"postern -r publishing summaries:  {took:6.2f} s, {summaries} summaries, {entries} stream entries "
          f"({summaries / took:,.0f} summaries/s end to end); {line.split(', ')[-1]}")
    print(f"bytes per summary: {sum(wire) / len(wire):.0f} on the wire (field m), "
          f"{memory / entries:.0f} in Redis memory (MEMORY USAGE / XLEN)")
    consumed = int(cerr.split("postern history: ")[-1].split()[0])  # copies for a user's shard included
    print(f"postern history --producers 1:    {consume:6.2f} s ({consumed / consume:,.0f} summaries/s); "
          f"{cerr.strip().splitlines()[-1]}")
    print(f"EVE to Redis (stream mode):       {eve_took:6.2f} s, {events} events ({events / eve_took:,.0f} events/s "
          f"end to end, {eve_bytes:.0f} B per event); {eline.split(', ')[-1]}")
    for name, (size, line) in capacity.items():
        print(f"redis-benchmark XADD of {size} B values ({name}), pipeline 64: {line}")


if __name__ == "__main__":
    main()
