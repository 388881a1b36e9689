#!/usr/bin/env python3
"""Runs one step of the test command and measures it, so a step that grows is seen before it is
killed: wall time, the peak memory of its whole process tree (sampled) and of its largest process,
bytes it wrote to disk, and the change in free disk space. The step runs in its own session; any
process of it still alive at the end (a postern a killed test left behind) is killed and named.

Usage: scripts/run_step.py RESULTS_DIR NAME [--timeout SECONDS] -- COMMAND...
Appends one JSON line {name, status, rc, ...} to RESULTS_DIR/steps.jsonl and prints a line."""
import argparse
import json
import os
import pathlib
import resource
import shutil
import signal
import subprocess
import sys
import time

from sizes import human

PAGE = os.sysconf("SC_PAGE_SIZE")


def session_members(sid):
    """(pid, rss_bytes, comm) of every live process in session `sid`."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # comm may hold spaces and parentheses: fields after the last ')' are fixed.
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid:  # field 6 of stat: session id
            out.append((int(entry), int(fields[21]) * PAGE, comm))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("name")
    ap.add_argument("--timeout", type=float, default=0, help="seconds; 0: none")
    # Split at "--" ourselves: argparse's REMAINDER would also swallow the options before it.
    argv = sys.argv[1:]
    if "--" not in argv:
        ap.error("missing -- before the command")
    cut = argv.index("--")
    a = ap.parse_args(argv[:cut])
    cmd = argv[cut + 1:]
    if not cmd:
        ap.error("no command after --")
    results = pathlib.Path(a.results)
    results.mkdir(parents=True, exist_ok=True)

    disk_before = shutil.disk_usage(results).free
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, start_new_session=True)
    peak_tree = 0
    timed_out = False
    while proc.poll() is None:
        peak_tree = max(peak_tree, sum(rss for _, rss, _ in session_members(proc.pid)))
        if a.timeout and time.monotonic() - start > a.timeout:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            break
        time.sleep(0.5)
    rc = proc.returncode
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)

    # What the step left running dies with it.
    leftovers = session_members(proc.pid)
    for pid, _, _ in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    record = {
        "name": a.name,
        "status": "passed" if rc == 0 and not timed_out else "failed",
        "rc": rc,
        "timed_out": timed_out,
        "wall_seconds": round(wall, 1),
        "peak_tree_rss_bytes": peak_tree,
        # ru_maxrss of waited-for children is the largest single process (KiB on Linux).
        "max_process_rss_bytes": after.ru_maxrss * 1024,
        "written_bytes": (after.ru_oublock - before.ru_oublock) * 512,
        "disk_free_change_bytes": shutil.disk_usage(results).free - disk_before,
        "left_running": [f"{pid} {comm}" for pid, _, comm in leftovers],
    }
    with open(results / "steps.jsonl", "a") as f:
        f.write(json.dumps(record) + "\n")
    how = "timed out" if timed_out else f"exit {rc}"
    print(f"== {a.name}: {record['status']} ({how}) in {wall:.0f} s; peak memory {human(peak_tree)} "
          f"(largest process {human(record['max_process_rss_bytes'])}); wrote {human(record['written_bytes'])}; "
          f"free disk {'+' if record['disk_free_change_bytes'] >= 0 else '-'}{human(abs(record['disk_free_change_bytes']))}",
          flush=True)
    if leftovers:
        print(f"!! {a.name} left processes running, killed: {', '.join(record['left_running'])}", flush=True)
    sys.exit(0 if record["status"] == "passed" else 1)


main()
