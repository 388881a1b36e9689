#!/usr/bin/env python3
"""Runs a GoogleTest binary so that a crash costs one test, not the run: a test that aborts (a
sanitizer finding, a signal) is recorded as failed with its output, and the binary is started
again on the tests that have not run yet. Writes one JUnit XML for all of it.

Usage: tests/run_gtest.py BINARY XML [gtest options...]"""
import pathlib
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET

MAX_RESTARTS = 20
RUN = re.compile(r"^\[ RUN      \] (\S+)")
DONE = re.compile(r"^\[ +(OK|FAILED|SKIPPED) +\] (\S+) \(\d+ ms\)")


def list_tests(binary):
    out = subprocess.run([binary, "--gtest_list_tests"], capture_output=True, text=True, check=True).stdout
    names, suite = [], None
    for line in out.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            suite = line.split("#")[0].strip()
        else:
            name = line.split("#")[0].strip()
            if "DISABLED_" not in suite + name:
                names.append(suite + name)
    return names


def run_once(binary, tests, extra, results):
    """Runs `tests`; fills results[name] = (outcome, message). Returns the test running at a crash."""
    proc = subprocess.Popen([binary, "--gtest_filter=" + ":".join(tests), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    current, lines = None, []
    for line in proc.stdout:
        m = RUN.match(line)
        if m:
            current, lines = m.group(1), []
            continue
        m = DONE.match(line)
        if m and m.group(2) == current:
            outcome = {"OK": "passed", "FAILED": "failed", "SKIPPED": "skipped"}[m.group(1)]
            results[current] = (outcome, "".join(lines[-200:]))
            if outcome == "failed":
                sys.stdout.write("".join(lines[-200:]) + line)
            current = None
            continue
        if current:
            lines.append(line)
    rc = proc.wait()
    if current:  # it never finished: the process died inside it
        why = f"killed by signal {signal.Signals(-rc).name}" if rc < 0 else f"exited {rc} inside the test"
        text = "".join(lines[-200:])
        results[current] = ("failed", f"crashed: {why}\n{text}")
        sys.stdout.write(f"[ CRASHED  ] {current}: {why}\n{text}")
    return current, rc


def main():
    binary, xml_path, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    extra = [a for a in extra if not a.startswith("--gtest_brief")]
    tests = list_tests(binary)
    results = {}
    remaining, restarts, rc = list(tests), 0, 0
    while remaining:
        crashed, rc = run_once(binary, remaining, extra, results)
        remaining = [t for t in tests if t not in results]
        if not crashed:
            break
        restarts += 1
        if restarts > MAX_RESTARTS:
            break
        if remaining:
            print(f"-- restarting {binary} on the {len(remaining)} tests not run yet", flush=True)
    for t in tests:
        if t not in results:
            results[t] = ("failed", "not run: the binary stopped before reaching it"
                          + (f" (exit {rc})" if rc else ""))

    suite = ET.Element("testsuite", name=pathlib.Path(binary).name, tests=str(len(tests)),
                       failures=str(sum(1 for o, _ in results.values() if o == "failed")))
    for t in tests:
        outcome, message = results[t]
        classname, _, name = t.rpartition(".")
        case = ET.SubElement(suite, "testcase", classname=classname, name=name)
        if outcome == "failed":
            ET.SubElement(case, "failure", message=message.splitlines()[0][:200] if message else "failed").text = message
        elif outcome == "skipped":
            ET.SubElement(case, "skipped")
    ET.ElementTree(suite).write(xml_path, encoding="utf-8", xml_declaration=True)
    counts = {o: sum(1 for v, _ in results.values() if v == o) for o in ("passed", "failed", "skipped")}
    print(f"{pathlib.Path(binary).name}: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped, {restarts} restarts after a crash")
    sys.exit(1 if counts["failed"] else 0)


main()
