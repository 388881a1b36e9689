#!/usr/bin/python3
"""Dataplane benchmarks, side by side in one run on one synthesized mail capture:

  (a) dpdk-testpmd --forward-mode=rxonly on net_pcap infinite_rx: the I/O ceiling of this harness;
  (b) postern live on the same infinite_rx port for a fixed time, 1 RX + 1 and 1 RX + 2 workers;
  (c) ndpiReader (nDPI, Debian's libndpi-bin) over the same file: the nearest installable peer;
  (d) postern's cost per packet by stage (rte_rdtsc counters; POSTERN_STAGE_CYCLES=1 run);
  plus postern -r end to end, and scaling: concurrent flows (1k, 100k, 1M) and rule-set size
  (default, 1k, 10k synthetic rules) against throughput and peak memory (VmHWM).

Prints tables and writes out/bench/bench.json.
Usage: scripts/bench.py [--size 300M] [--seconds 10] [--skip scale-flows,scale-rules,...]
"""
import argparse
import collections
import datetime
import json
import os
import pathlib
import random
import re
import signal
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = pathlib.Path(os.environ.get("POSTERN_BUILD", ROOT / "build"))
POSTERN = BUILD / "app" / "postern"
SYNTH = BUILD / "app" / "synth" / "postern-synth"
OUT = ROOT / "out" / "bench"


def log(msg):
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Captures

def mail_capture(size):
    """The benchmark mix: real-looking SMTP, POP3 and IMAP sessions on their ports (STARTTLS
    in 10-15% of them), 1 KiB - 1 MiB per session (log-uniform), deterministic."""
    pcap = OUT / f"mail-{size}.pcap"
    truth = OUT / f"mail-{size}.truth.json"
    if not pcap.exists() or not truth.exists():
        log(f"synthesizing {pcap.name}")
        subprocess.run([str(SYNTH), "--out", str(pcap), "--expected", str(truth), "--seed", "1", "--flows", "20000",
                        "--target-bytes", size, "--payload", "smtp,pop3,imap", "--ports", "auto",
                        "--bytes-per-flow", "1K:1M"], check=True, capture_output=True)
    return pcap, truth


def quantiles(xs):
    if not xs:
        return {}
    xs = sorted(xs)
    q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
    return {"n": len(xs), "min": xs[0], "p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": xs[-1],
            "mean": round(statistics.mean(xs))}


def describe_mix(truth_path):
    t = json.loads(truth_path.read_text())
    flows = t["flows"]
    by_proto = collections.Counter()
    bytes_by_proto = collections.Counter()
    tls = 0
    msg_sizes, att_counts, flow_bytes = [], [], []
    for f in flows:
        m = f.get("mail", {})
        p = m.get("protocol", f["payload"])
        by_proto[p] += 1
        b = f["bytes_toserver"] + f["bytes_toclient"]
        bytes_by_proto[p] += b
        flow_bytes.append(f["app_bytes_toserver"] + f["app_bytes_toclient"])
        tls += bool(m.get("starttls"))
        for msg in m.get("messages", []):
            msg_sizes.append(msg["size"])
            att_counts.append(len(msg.get("attachments", [])))
    total_bytes = sum(bytes_by_proto.values())
    return {"flows": len(flows), "packets": t["totals"]["packets"], "frame_bytes": t["totals"]["frame_bytes"],
            "flow_share": {p: round(n / len(flows), 3) for p, n in by_proto.items()},
            "byte_share": {p: round(n / total_bytes, 3) for p, n in bytes_by_proto.items()},
            "starttls_flow_share": round(tls / len(flows), 3),
            "app_bytes_per_flow": quantiles(flow_bytes),
            "message_size": quantiles(msg_sizes),
            "messages": len(msg_sizes),
            "messages_with_attachments": round(sum(1 for a in att_counts if a) / max(1, len(att_counts)), 3),
            "attachments_per_message": dict(sorted(collections.Counter(att_counts).items())),
            "mean_frame_bytes": round(t["totals"]["frame_bytes"] / t["totals"]["packets"])}


PORT_PROTOCOL = {25: "smtp", 587: "smtp", 465: "smtps", 110: "pop3", 995: "pop3s", 143: "imap", 993: "imaps"}


def describe_pcap(pcap):
    """What describe_mix says, from a capture alone (a real mix has no synthesizer truth): flows
    and bytes by the server port's protocol."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from pcap_io import read_pcap, tcp_tuple
    _, records = read_pcap(pcap)
    flows, by_proto, bytes_by_proto = set(), collections.Counter(), collections.Counter()
    for _, f in records:
        t = tcp_tuple(f)
        if not t:
            continue
        port = min(t[1], t[3])
        proto = PORT_PROTOCOL.get(port, str(port))
        key = tuple(sorted([(t[0], t[1]), (t[2], t[3])]))
        if key not in flows:
            flows.add(key)
            by_proto[proto] += 1
        bytes_by_proto[proto] += len(f)
    frame_bytes = sum(len(f) for _, f in records)
    return {"flows": len(flows), "packets": len(records), "frame_bytes": frame_bytes,
            "flow_share": {p: round(n / len(flows), 3) for p, n in by_proto.items()},
            "byte_share": {p: round(n / frame_bytes, 3) for p, n in bytes_by_proto.items()},
            "starttls_flow_share": None, "mean_frame_bytes": round(frame_bytes / len(records))}


def count_packets(pcap):
    data = pathlib.Path(pcap)
    n = 0
    with open(data, "rb") as f:
        f.read(24)
        while True:
            h = f.read(16)
            if len(h) < 16:
                return n
            incl = int.from_bytes(h[8:12], "little")
            f.seek(incl, 1)
            n += 1


# ---------------------------------------------------------------------------------------------
# Runners

def thread_cpu(pid):
    """{thread name: CPU seconds (user + system)} of a process's threads."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in pathlib.Path(f"/proc/{pid}/task").glob("*"):
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def run_for(cmd, seconds, log_path, ready, env=None):
    """Runs cmd until ready() (infinite_rx first loads the whole capture into mbufs), then for
    `seconds` more, then SIGINT. Returns (output, VmHWM in KiB read just before the stop, the
    threads' CPU seconds over the timed part and its wall seconds)."""
    with open(log_path, "w") as f:
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 600
        while not ready() and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.5)
        c0, t0 = thread_cpu(p.pid), time.monotonic()
        time.sleep(seconds)
        c1, t1 = thread_cpu(p.pid), time.monotonic()
        hwm = vm_hwm(p.pid)
        p.send_signal(signal.SIGINT)
        p.wait(timeout=300)
    cpu = {k: c1[k] - c0.get(k, 0) for k in c1}
    return pathlib.Path(log_path).read_text(errors="replace"), hwm, cpu, t1 - t0


def vm_hwm(pid):
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def testpmd(pcap, packets, seconds):
    mbufs = packets + 65536
    mem = mbufs * 4096 // (1 << 20) + 512
    out = OUT / "testpmd.log"
    text, _, cpu, wall = run_for(["dpdk-testpmd", "--no-huge", "--no-pci", "--no-shconf", "-m", str(mem), "-l", "0-1",
                       "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "--",
                       f"--total-num-mbufs={mbufs}", "--forward-mode=rxonly", "--stats-period", "2"],
                      seconds, out, lambda: re.search(r"Rx-pps:\s+[1-9]", out.read_text(errors="replace")))
    rates = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", text)]
    bps = [int(x) for x in re.findall(r"Rx-bps:\s+(\d+)", text)]
    steady = [r for r in rates if r > 0][1:] or [0]  # from the second period after loading
    steady_bps = [b for b in bps if b > 0][1:] or [0]
    r = {"mpps": statistics.mean(steady) / 1e6, "gbps": statistics.mean(steady_bps) / 1e9, "drops": 0,
         "thread_cpu_share": {k: round(v / wall, 3) for k, v in cpu.items() if v > 0.01},
         "load_average": os.getloadavg()[0]}
    hz = (tsc_mhz() or 0) * 1e6
    fwd = cpu.get("rte-worker-1", 0) / wall  # the forwarding lcore; the main lcore prints stats
    r["cpu_cycles_per_packet"] = fwd * hz / (r["mpps"] * 1e6) if hz and r["mpps"] else None
    return r


def ndpi(pcap, loops):
    """ndpiReader reads the file itself and reports its own processing rate: nDPI classifies
    each flow from its first packets (DPI packets per flow below) and then only counts it, so it
    does far less per packet than postern, which reassembles and parses every byte."""
    t0 = time.monotonic()
    with open(OUT / "ndpiReader.log", "w") as f:
        p = subprocess.Popen(["ndpiReader", "-i", str(pcap), "-l", str(loops)], stdout=f, stderr=subprocess.STDOUT)
        _, _, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.stdout = (OUT / "ndpiReader.log").read_text(errors="replace")
    unit = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}
    rates = [(float(a) * unit[b] / 1e6, float(c) * unit[d] / 1e9) for a, b, c, d in
             re.findall(r"nDPI throughput:\s+([\d.]+) ([KMG]?) ?pps / ([\d.]+) ([KMG]?)b/sec", p.stdout)]
    if not rates:
        return {"error": "no throughput line", "rc": p.returncode}
    dpi = re.search(r"DPI Packets \(TCP\):\s+(\d+)\s+\(([\d.]+) pkts/flow\)", p.stdout)
    proc_ms = re.search(r"Packet Processing Time:\s+(\d+) msec", p.stdout)  # the first loop
    mem = re.search(r"Peak Memory:\s+([\d.]+) (KB|MB|GB)", p.stdout)
    packets = re.search(r"IP packets:\s+(\d+)", p.stdout)
    hz = (tsc_mhz() or 0) * 1e6
    # CPU time of the whole process (setup and pcap reading included) per packet, over all loops
    cpp = (ru.ru_utime + ru.ru_stime) * hz / (int(packets.group(1)) * loops) if packets and hz else None
    mid = sorted(rates)[len(rates) // 2]  # the median loop: the machine is shared
    return {"mpps": mid[0], "gbps": mid[1], "loops_mpps": [r[0] for r in rates],
            "cpu_cycles_per_packet": cpp, "load_average": os.getloadavg()[0], "loops": loops, "wall_seconds": wall, "processing_ms": int(proc_ms.group(1)) if proc_ms else None,
            "dpi_packets_per_flow": float(dpi.group(2)) if dpi else None,
            "peak_memory_mb": (float(mem.group(1)) * {"KB": 1 / 1024, "MB": 1, "GB": 1024}[mem.group(2)]) if mem else None}


def postern_offline(pcap, workers, config_extra=None, tag=None):
    tag = tag or f"offline-{workers}w"
    eve = OUT / f"{tag}.eve.json"
    eve.unlink(missing_ok=True)
    cmd = [str(POSTERN), "-r", str(pcap), "--workers", str(workers), "--eve-log", str(eve)]
    if config_extra:
        cfg = OUT / f"{tag}.config.json"
        cfg.write_text(json.dumps({"ports": [{"name": "bench", "device": f"net_pcap0,rx_pcap={pcap}"}],
                                   "output": {"eve_log": str(eve), "stats_interval": 0}, **config_extra}))
        cmd += ["--config", str(cfg)]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Peak memory from the process's own VmHWM, read until it exits: wait4's ru_maxrss starts
    # from this Python's RSS at the fork (which holds a whole capture when --capture is used).
    hwm_kb = 0
    while True:
        hwm_kb = max(hwm_kb, vm_hwm(p.pid))
        pid, _, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.02)
    wall = time.monotonic() - t0
    err = p.stderr.read()
    if not eve.exists():
        return {"error": err[-500:]}
    stats = [json.loads(l) for l in eve.open() if '"event_type":"stats"' in l][-1]["stats"]
    eve.unlink()  # read: only the figures are kept
    pkts = stats["decoder"]["pkts"]
    w = stats["postern"]["workers"]
    busy = sum(x["busy_cycles"] for x in w)
    return {"packets": pkts, "seconds": wall, "mpps": pkts / wall / 1e6,
            "gbps": stats["decoder"]["bytes"] * 8 / wall / 1e9, "ring_drops": stats["postern"]["ring_drops"],
            "flows": stats["flow"]["total"], "flows_evicted": sum(x["flows_evicted"] for x in w),
            "worker_cycles_per_packet": busy / max(1, sum(x["packets"] for x in w)),
            # every thread's CPU time (pcap reading, RX, workers, control, start-up) per packet:
            # unlike TSC cycles, not inflated by preemption on a shared machine
            "process_cpu_cycles_per_packet": (ru.ru_utime + ru.ru_stime) * (tsc_mhz() or 0) * 1e6 / max(1, pkts),
            "vm_hwm_mb": hwm_kb / 1024}


def rx_thread_names(config):
    return {f"rte-worker-{l}" for l in config["lcores"]["rx"]}


def postern_live(pcap, packets, workers, seconds, env=None, config_extra=None, tag=None, on_ring_full="wait"):
    tag = tag or f"live-{workers}w"
    eve = OUT / f"{tag}.eve.json"
    eve.unlink(missing_ok=True)
    cfg = OUT / f"{tag}.config.json"
    config = {
        "ports": [{"name": "bench", "device": f"net_pcap0,rx_pcap={pcap},infinite_rx=1"}],
        "lcores": {"control": 0, "rx": [1], "workers": list(range(2, 2 + workers))},
        "mempool": {"mbufs": packets + 65536 + 8192 * workers},
        "rx": {"idle_sleep_us": 0, "on_ring_full": on_ring_full},
        "output": {"eve_log": str(eve), "stats_interval": 2}}
    for k, v in (config_extra or {}).items():
        config[k] = {**config.get(k, {}), **v} if isinstance(v, dict) else v
    cfg.write_text(json.dumps(config))

    def ready():
        return eve.exists() and any('"pkts":' in l and '"pkts":0,' not in l
                                    for l in eve.read_text().splitlines() if '"event_type":"stats"' in l)
    text, hwm, cpu, wall = run_for([str(POSTERN), "--config", str(cfg)], seconds + 4, OUT / f"{tag}.log", ready, env=env)
    if not eve.exists():
        return {"error": text[-500:]}
    st = [json.loads(l) for l in eve.open() if '"event_type":"stats"' in l]
    loaded = [s for s in st if s["stats"]["decoder"]["pkts"] > 0]
    if len(loaded) < 3:
        return {"error": "too few stats records: " + text[-300:]}

    def t(s):
        return datetime.datetime.strptime(s["timestamp"][:26], "%Y-%m-%dT%H:%M:%S.%f")

    a, b = loaded[1], st[-2]  # steady state: after loading, before the stop
    dt = (t(b) - t(a)).total_seconds()
    W = lambda s: s["stats"]["postern"]["workers"]
    wsum = lambda s, k: sum(w[k] for w in W(s))
    stage = lambda s, k: sum(w.get("stage_cycles", {}).get(k, 0) for w in W(s))
    rxs = lambda s, k: sum(r.get(k, 0) for r in s["stats"]["postern"].get("rx", []))
    rx_pkts = b["stats"]["decoder"]["pkts"] - a["stats"]["decoder"]["pkts"]
    rx_bytes = b["stats"]["decoder"]["bytes"] - a["stats"]["decoder"]["bytes"]
    wp = wsum(b, "packets") - wsum(a, "packets")
    res = {"seconds": dt, "rx_mpps": rx_pkts / dt / 1e6, "rx_gbps": rx_bytes * 8 / dt / 1e9,
           "inspected_mpps": wp / dt / 1e6, "inspected_gbps": (wsum(b, "bytes") - wsum(a, "bytes")) * 8 / dt / 1e9,
           "ring_drops_per_s": (b["stats"]["postern"]["ring_drops"] - a["stats"]["postern"]["ring_drops"]) / dt,
           "drop_share": (b["stats"]["postern"]["ring_drops"] - a["stats"]["postern"]["ring_drops"]) / max(1, rx_pkts),
           "event_drops": b["stats"]["postern"]["event_drops"],
           "worker_cycles_per_packet": (wsum(b, "busy_cycles") - wsum(a, "busy_cycles")) / max(1, wp),
           "worker_busy_share": (wsum(b, "busy_cycles") - wsum(a, "busy_cycles")) /
                                max(1, wsum(b, "busy_cycles") + wsum(b, "idle_cycles") - wsum(a, "busy_cycles") - wsum(a, "idle_cycles")),
           "rx_cycles_per_packet": (rxs(b, "busy_cycles") - rxs(a, "busy_cycles")) / max(1, rx_pkts),
           "vm_hwm_mb": hwm / 1024,
           "flows_active": b["stats"]["flow"]["active"],
           # CPU time, not TSC time: on a shared, oversubscribed machine an lcore is preempted in
           # the middle of a burst and the TSC keeps counting; the scheduler's account does not.
           "thread_cpu_share": {k: round(v / wall, 3) for k, v in cpu.items() if v > 0.01},
           "load_average": os.getloadavg()[0]}
    worker_cpu = sum(v for k, v in cpu.items() if k.startswith("rte-worker") and k not in rx_thread_names(config))
    hz = (tsc_mhz() or 0) * 1e6
    res["worker_cpu_cycles_per_packet"] = worker_cpu / wall * hz / max(1, res["inspected_mpps"] * 1e6) if hz else None
    res["stages"] = {
        "rx_pmd": (rxs(b, "pmd_cycles") - rxs(a, "pmd_cycles")) / max(1, rx_pkts),
        "rx_decode_hash": ((rxs(b, "busy_cycles") - rxs(a, "busy_cycles")) - (rxs(b, "pmd_cycles") - rxs(a, "pmd_cycles"))
                           - (rxs(b, "enqueue_cycles") - rxs(a, "enqueue_cycles"))) / max(1, rx_pkts),
        "rx_ring_enqueue": (rxs(b, "enqueue_cycles") - rxs(a, "enqueue_cycles")) / max(1, rx_pkts)}
    for k in ("dequeue", "lookup", "tcp", "app", "expiry"):
        res["stages"][k] = (stage(b, k) - stage(a, k)) / max(1, wp)
    res["rules_loaded"] = rules_loaded(st[-1]["stats"])
    eve.unlink()  # hundreds of MB of records, read: only the figures are kept (bench.json)
    return res


def perf_profile(pcap, rules):
    """Where a worker's cycles go, by function: perf (cpu-clock samples) over postern -r with one
    worker; the worker is the lcore-2 thread (rte-worker-2)."""
    import shutil
    if not shutil.which("perf"):
        return {"error": "perf is not installed"}
    data = OUT / "perf.data"
    cfg = OUT / "perf.config.json"
    cfg.write_text(json.dumps({"ports": [{"name": "bench", "device": f"net_pcap0,rx_pcap={pcap}"}], **rules}))
    p = subprocess.run(["perf", "record", "-e", "cpu-clock", "-F", "2000", "-o", str(data), "--", str(POSTERN), "-r",
                        str(pcap), "--workers", "1", "--config", str(cfg), "--eve-log", "/dev/null"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": p.stderr[-300:]}
    rep_ = subprocess.run(["perf", "report", "-i", str(data), "--comm", "rte-worker-2", "--percentage", "relative",
                           "--sort", "sym", "--stdio"], capture_output=True, text=True).stdout
    top = []
    for line in rep_.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+\[[.k]\]\s+(.*)", line)
        if m:
            top.append({"share": float(m.group(1)) / 100, "symbol": m.group(2).strip()})
    return {"worker_top": top[:15]}


# ---------------------------------------------------------------------------------------------
# Scaling

def flow_capture(n):
    """n sessions that are all open at once: they start within 1 s and think 20 s between
    exchanges (random payload on mail ports: detection gives up quickly, so this measures the
    flow table and TCP state, not parser slots)."""
    pcap = OUT / f"flows-{n}.pcap"
    if not pcap.exists():
        log(f"synthesizing {pcap.name}")
        subprocess.run([str(SYNTH), "--out", str(pcap), "--seed", "3", "--flows", str(n), "--duration", "1",
                        "--think-ms", "20000", "--payload", "random", "--bytes-per-flow", "100:300",
                        "--ports", "25,110,143", "--ack", "0", "--servers", "64"], check=True, capture_output=True)
    return pcap


def scale_flows(counts):
    out = []
    for n in counts:
        pcap = flow_capture(n)
        table = max(1024, int(n * 1.1))
        r = postern_offline(pcap, 1, {"flow": {"max_flows_per_worker": table}}, tag=f"flows-{n}")
        r.update({"concurrent_flows": n, "max_flows_per_worker": table, "capture_mb": pcap.stat().st_size / 1e6})
        out.append(r)
        log(f"flows {n}: {r.get('mpps', 0):.2f} Mpps, VmHWM {r.get('vm_hwm_mb', 0):.0f} MB")
    return out


def app_slot_memory():
    """Peak memory with 1,024 and 131,072 app-layer session slots on the sample: bytes per slot."""
    sample = ROOT / "config" / "sample.pcap"
    a = postern_offline(sample, 1, {"app": {"max_sessions_per_worker": 1024}}, tag="slots-1k")
    b = postern_offline(sample, 1, {"app": {"max_sessions_per_worker": 131072}}, tag="slots-128k")
    if "error" in a or "error" in b:
        return {"error": a.get("error") or b.get("error")}
    return {"vm_hwm_mb_1k": a["vm_hwm_mb"], "vm_hwm_mb_128k": b["vm_hwm_mb"],
            "bytes_per_slot": (b["vm_hwm_mb"] - a["vm_hwm_mb"]) * 2**20 / (131072 - 1024)}


def synthetic_rules(n, path):
    """n rules of the shapes the default set uses (as tests/bench/rules_bench.cpp writes them)."""
    rng = random.Random(7)
    word = lambda k: "".join(chr(97 + rng.randrange(26)) for _ in range(k))
    fields = ["email.subject", "email.x_mailer", "smtp.helo", "smtp.rcpt_to", "email.attachment.filename",
              "email.header.x-campaign", "email.body_prefix"]
    rules = []
    for i in range(n):
        shape = rng.randrange(4)
        pattern = [f"\\A{word(4)}_[A-Za-z0-9]{{2,16}}/{word(3)}", f"{word(6)}\\s+{word(5)}[0-9]{{2,4}}",
                   f"@(?:{word(5)}|{word(6)})\\.{word(3)}\\z", f"\\.{word(3)}{word(2)}[\\s.]*\\z"][shape]
        match = [{"field": rng.choice(fields), "patterns": [pattern], "flags": ["caseless"]}]
        if rng.randrange(5) == 0:
            match.append({"field": "smtp.helo", "patterns": [f"\\A{word(7)}-"]})
        rules.append({"id": 1000000 + i, "rev": 1, "title": "synthetic", "level": "low", "protocols": ["smtp"],
                      "match": {"all": match}})
    path.write_text(json.dumps({"rules": rules}))
    return path


def rules_loaded(stats):
    """Rules the workers loaded, from a stats record's `stats` object."""
    try:
        return sum(e["rules_loaded"] for e in stats.get("detect", {}).get("engines", []))
    except (KeyError, TypeError):
        return None


def rules_section(files):
    return {"rules": {"files": [str(f) for f in files]}}


DEFAULT_RULES = ROOT / "config" / "rules"


def rules_supported():
    sample = ROOT / "config" / "sample.pcap"
    r = postern_offline(sample, 1, rules_section([DEFAULT_RULES]), tag="rules-probe")
    return "error" not in r


def scale_rules(pcap, packets, seconds):
    if not rules_supported():
        return {"error": "this build's config takes no rule files (rule engine not wired into the workers)"}
    default = [DEFAULT_RULES]
    sets = {"none": [], "default": default,
            "default+1k": default + [synthetic_rules(1000, OUT / "rules-1k.json")],
            "default+10k": default + [synthetic_rules(10000, OUT / "rules-10k.json")]}
    out = {}
    for name, files in sets.items():
        extra = rules_section(files) if files else {}
        r = postern_live(pcap, packets, 1, seconds, config_extra=extra, tag=f"rules-{name}")
        out[name] = r
        log(f"rules {name}: {r.get('inspected_mpps', 0):.3f} Mpps inspected, VmHWM {r.get('vm_hwm_mb', 0):.0f} MB")
    return out


# ---------------------------------------------------------------------------------------------

def table(rows, header):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    print()


def fmt(x, spec=".2f"):
    return "-" if x is None else format(x, spec)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="300M", help="mail capture size (postern-synth --target-bytes)")
    ap.add_argument("--seconds", type=int, default=10, help="steady-state seconds per live run")
    ap.add_argument("--flows", default="1000,100000,1000000", help="concurrent flows for the flow scaling")
    ap.add_argument("--capture", type=pathlib.Path, default=None,
                    help="bench on this capture instead of the synthetic mix (scripts/make_bench_mix.py: real mail)")
    ap.add_argument("--workers", default="1,2",
                    help="worker counts of the live and -r runs, comma list (1 RX lcore each; give a box 2+N cores)")
    ap.add_argument("--skip", default="", help="comma list of: testpmd,live,stages,ndpi,offline,perf,scale-flows,scale-rules")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    workers = [int(w) for w in args.workers.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    rules = rules_section([DEFAULT_RULES]) if rules_supported() else {}
    log("default rule set: " + ("on" if rules else "not supported by this build"))
    if args.capture:
        pcap, mix = args.capture.resolve(), describe_pcap(args.capture)
    else:
        pcap, truth = mail_capture(args.size)
        mix = describe_mix(truth)
    packets = mix["packets"]
    res = {"date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z", "cpus": os.cpu_count(),
           "rules": rules.get("rules", {}).get("files", []),
           "tsc_mhz": tsc_mhz(), "capture": {"path": str(pcap), "bytes": pcap.stat().st_size, **mix},
           "seconds": args.seconds, "workers": workers}
    if "testpmd" not in skip:
        log("testpmd rxonly")
        res["testpmd_rxonly"] = testpmd(pcap, packets, args.seconds)
    if "live" not in skip:
        for w in workers:
            log(f"postern live 1 RX + {w} worker(s)")
            res[f"postern_live_{w}w"] = postern_live(pcap, packets, w, args.seconds, config_extra=rules)
    if "stages" not in skip:
        log("postern live, stage counters on")
        res["postern_stages_1w"] = postern_live(pcap, packets, 1, args.seconds, env={"POSTERN_STAGE_CYCLES": "1"},
                                                config_extra=rules, tag="stages-1w")
    if "ndpi" not in skip:
        log("ndpiReader")
        res["ndpi"] = ndpi(pcap, 3)
    if "offline" not in skip:
        for w in workers:
            log(f"postern -r, {w} worker(s)")
            res[f"postern_offline_{w}w"] = postern_offline(pcap, w, rules or None)
    if "perf" not in skip:
        log("perf profile of postern -r, 1 worker")
        res["perf"] = perf_profile(pcap, rules)
    if "scale-flows" not in skip:
        res["scale_flows"] = scale_flows([int(x) for x in args.flows.split(",")])
        res["app_slot_memory"] = app_slot_memory()
    if "scale-rules" not in skip:
        res["scale_rules"] = scale_rules(pcap, packets, args.seconds)
    res["load_average"] = statistics.mean(v.get("load_average", 0) for v in res.values()
                                          if isinstance(v, dict) and "load_average" in v) if any(
        isinstance(v, dict) and "load_average" in v for v in res.values()) else os.getloadavg()[0]
    report(res)
    (OUT / "bench.json").write_text(json.dumps(res, indent=2))
    print(f"written: {OUT / 'bench.json'}")


def tsc_mhz():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("cpu MHz"):
                return float(line.split(":")[1])
    except OSError:
        pass
    return None


def scaled_stages(run):
    """A stage-counter run's cycles per packet by stage, and the worker's total. TSC counters
    include time an lcore spent preempted: the worker stages are scaled to its CPU time; tcp_only
    is TCP without the app layer it calls, other what no stage counter covers."""
    st = dict(run["stages"])
    scale = (run.get("worker_cpu_cycles_per_packet") or run["worker_cycles_per_packet"]) / run["worker_cycles_per_packet"]
    for k in ("dequeue", "lookup", "tcp", "app", "expiry"):
        st[k] *= scale
    total = run["worker_cycles_per_packet"] * scale
    st["tcp_only"] = st["tcp"] - st["app"]
    st["other"] = total - st["dequeue"] - st["lookup"] - st["tcp"] - st["expiry"]
    return st, total


def report(res):
    c = res["capture"]
    print(f"capture: {c['packets']} packets, {c['bytes'] / 1e6:.0f} MB, {c['flows']} flows, mean frame "
          f"{c['mean_frame_bytes']} B; flows by protocol {c['flow_share']}, bytes {c['byte_share']}, "
          f"STARTTLS {'n/a' if c['starttls_flow_share'] is None else format(c['starttls_flow_share'], '.0%')} of flows; "
          f"{res['cpus']} CPUs (lcores beyond that share them)\n")
    hz = (res.get("tsc_mhz") or 0) * 1e6
    frame_bits = (c["frame_bytes"] / c["packets"]) * 8
    rows = []

    def per_core(cpp):
        return hz / cpp / 1e6 if cpp and hz else None
    ceiling = per_core(res.get("testpmd_rxonly", {}).get("cpu_cycles_per_packet"))
    peer = per_core(res.get("ndpi", {}).get("cpu_cycles_per_packet"))

    def row(name, mpps, gbps, cpp, drops, note=""):
        pc = per_core(cpp)
        rows.append([name, fmt(mpps), fmt(gbps), fmt(cpp, ".0f"), fmt(pc), fmt(pc * frame_bits / 1e3 if pc else None),
                     drops, f"{pc / ceiling:.1%}" if ceiling and pc else "-", f"{pc / peer:.2f}x" if peer and pc else "-",
                     note])
    if "testpmd_rxonly" in res:
        t = res["testpmd_rxonly"]
        row("(a) testpmd rxonly (I/O ceiling)", t["mpps"], t["gbps"], t.get("cpu_cycles_per_packet"), 0,
            f"forwarding lcore CPU {t['thread_cpu_share'].get('rte-worker-1', 0):.0%}")
    for w in res.get("workers", (1, 2)):
        l = res.get(f"postern_live_{w}w")
        if l and "error" not in l:
            row(f"(b) postern live 1 RX + {w}W", l["inspected_mpps"], l["inspected_gbps"],
                l.get("worker_cpu_cycles_per_packet"), f"{l['drop_share']:.0%}",
                f"TSC {l['worker_cycles_per_packet']:.0f} cyc/pkt; CPU shares {l['thread_cpu_share']}")
    if "ndpi" in res and "error" not in res["ndpi"]:
        n = res["ndpi"]
        row("(c) ndpiReader (file, 1 thread)", n["mpps"], n["gbps"], n.get("cpu_cycles_per_packet"), 0,
            f"median of {n['loops']} loops {[round(x, 2) for x in n['loops_mpps']]}; DPI on {n['dpi_packets_per_flow']} pkts/flow")
    for w in res.get("workers", (1, 2)):
        o = res.get(f"postern_offline_{w}w")
        if o and "error" not in o:
            row(f"postern -r, 1 RX + {w}W (file)", o["mpps"], o["gbps"], None, 0,
                f"{o['seconds']:.1f} s incl. start-up; TSC {o['worker_cycles_per_packet']:.0f} cyc/pkt")
    print(f"cycles are CPU time (scheduler's account per thread) x TSC {res.get('tsc_mhz')} MHz; "
          f"per core = one dedicated core at that clock; load average during the runs ~{res.get('load_average', 0):.1f}")
    table(rows, ["run", "Mpps", "Gbit/s", "CPU cyc/pkt", "Mpps/core", "Gbit/s/core", "drops", "of (a)", "vs (c)",
                 "notes"])
    s = res.get("postern_stages_1w")
    if s and "error" not in s:
        names = [("rx_pmd", "RX: PMD rx_burst (net_pcap replay)"), ("rx_decode_hash", "RX: decode L2-L4 + hash"),
                 ("rx_ring_enqueue", "RX: ring enqueue"), ("dequeue", "worker: ring dequeue"),
                 ("lookup", "worker: flow lookup/create"), ("tcp_only", "worker: TCP tracking + stream order"),
                 ("app", "worker: detection, parsers, MIME, matching, EVE"), ("expiry", "worker: timeouts"),
                 ("other", "worker: rest (counters, free, loop)")]
        st, total = scaled_stages(s)
        table([[label, f"{st[k]:.0f}"] for k, label in names] +
              [["worker total (busy cycles / packet)", f"{total:.0f}"]],
              ["stage (cycles per packet, stage counters on; worker scaled to CPU time)", "cycles"])
    if res.get("perf", {}).get("worker_top"):
        table([[t["symbol"][:70], f"{t['share']:.1%}"] for t in res["perf"]["worker_top"][:10]],
              ["worker thread, by function (perf, postern -r, 1 worker)", "share"])
    if "scale_flows" in res:
        table([[f"{r['concurrent_flows']:,}", r.get("packets", "-"), fmt(r.get("mpps")),
                fmt(r.get("process_cpu_cycles_per_packet"), ".0f"), fmt(r.get("worker_cycles_per_packet"), ".0f"),
                fmt(r.get("vm_hwm_mb"), ".0f"), r.get("flows", "-"), r.get("flows_evicted", "-")]
               for r in res["scale_flows"]],
              ["concurrent flows (postern -r, 1 worker)", "packets", "Mpps (incl. start)", "process CPU cyc/pkt",
               "worker TSC cyc/pkt", "VmHWM MB", "flows", "evicted"])
        f = [r for r in res["scale_flows"] if "vm_hwm_mb" in r]
        if len(f) >= 2:
            per = (f[-1]["vm_hwm_mb"] - f[0]["vm_hwm_mb"]) * 2**20 / (f[-1]["concurrent_flows"] - f[0]["concurrent_flows"])
            res["memory_per_flow_bytes"] = per
            print(f"memory per concurrent flow: {per:.0f} B (VmHWM slope); app-layer slot: "
                  f"{res.get('app_slot_memory', {}).get('bytes_per_slot', 0):.0f} B\n")
    sr = res.get("scale_rules")
    if sr:
        if "error" in sr:
            print(f"rule scaling: {sr['error']}\n")
        else:
            table([[k, v.get("rules_loaded", "-"), fmt(v.get("inspected_mpps"), ".3f"),
                    fmt(v.get("worker_cpu_cycles_per_packet"), ".0f"), fmt(v.get("worker_cycles_per_packet"), ".0f"),
                    fmt(v.get("vm_hwm_mb"), ".0f")] for k, v in sr.items()],
                  ["rule set (live, 1 worker)", "rules", "Mpps", "CPU cyc/pkt", "TSC cyc/pkt", "VmHWM MB"])


if __name__ == "__main__":
    main()
