#!/usr/bin/env python3
"""Counts the test cases of a results folder and prints the totals; the last line is
`N passed, N failed[, N skipped]`. Exits non-zero if anything failed.

Per step (steps.jsonl, written by scripts/run_step.py):
- its JUnit XML (STEP.xml: GoogleTest through tests/run_gtest.py, pytest, the fuzzers) when there is one;
- else the progress file pytest wrote as it went (STEP.progress.jsonl): a pytest that was killed
  counts what passed, and the test it was running and those it never reached as failed;
- else a step that failed counts as one failure (a build, a crash before any result).
A failed test case is printed with the start of its failure message."""
import json
import pathlib
import sys
import xml.etree.ElementTree as ET

from sizes import human

MESSAGE_CHARS = 1500


def count_xml(xml_path):
    passed = failed = skipped = 0
    failures = []
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        name = f"{case.get('classname', '')}.{case.get('name', '')}"
        bad = case.find("failure")
        bad = bad if bad is not None else case.find("error")
        if bad is not None:
            failed += 1
            # The first lines of why, so that a CI log that keeps only this summary says it.
            why = " ".join((bad.get("message") or "").split())[:MESSAGE_CHARS]
            failures.append(f"{name}: {why}" if why else name)
        elif case.find("skipped") is not None or case.get("result") == "skipped":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def count_progress(path):
    collected, outcome, started = [], {}, []
    for line in path.read_text().splitlines():
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue  # the last line of a killed writer may be cut
        if "collected" in r:
            collected = r["collected"]
        elif "start" in r:
            started.append(r["start"])
        elif outcome.get(r["nodeid"]) != "failed":
            outcome[r["nodeid"]] = r["outcome"]
    failures = []
    for nodeid in collected or started:
        if nodeid not in outcome:
            outcome[nodeid] = "failed"
            failures.append(nodeid + (" (running when the step died)" if nodeid in started else " (never ran)"))
        elif outcome[nodeid] == "failed":
            failures.append(nodeid)
    values = list(outcome.values())
    return values.count("passed"), values.count("failed"), values.count("skipped"), failures


def main():
    results = pathlib.Path(sys.argv[1])
    steps = []
    if (results / "steps.jsonl").exists():
        steps = [json.loads(l) for l in (results / "steps.jsonl").read_text().splitlines() if l.strip()]
    if steps:
        print(f"{'step':<18} {'result':<7} {'wall':>7} {'peak memory':>12} {'largest proc':>12} {'written':>10}")
        for s in steps:
            print(f"{s['name']:<18} {s['status']:<7} {s['wall_seconds']:>6.0f}s {human(s['peak_tree_rss_bytes']):>12} "
                  f"{human(s['max_process_rss_bytes']):>12} {human(s['written_bytes']):>10}")
        print(f"suite peak memory {human(max(s['peak_tree_rss_bytes'] for s in steps))}, "
              f"wall {sum(s['wall_seconds'] for s in steps) / 60:.1f} min")

    passed = failed = skipped = 0
    counted = set()
    for xml in sorted(results.glob("*.xml")):
        try:
            p, f, s, names = count_xml(xml)
        except ET.ParseError as e:
            print(f"{xml.name}: unreadable ({e})")
            failed += 1
            continue
        counted.add(xml.stem)
        print(f"{xml.stem}: {p} passed, {f} failed, {s} skipped")
        for n in names:
            print(f"  FAILED {n}")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    for step in steps:
        name = step["name"]
        if name in counted:
            continue
        progress = results / f"{name}.progress.jsonl"
        if progress.exists():
            p, f, s, names = count_progress(progress)
            print(f"{name}: no JUnit file (the step died); from its progress: {p} passed, {f} failed, {s} skipped")
            for n in names:
                print(f"  FAILED {n}")
            passed, failed, skipped = passed + p, failed + f, skipped + s
        elif step["status"] == "failed":
            print(f"step {name}: failed")
            failed += 1
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    sys.exit(1 if failed or passed == 0 else 0)


main()
