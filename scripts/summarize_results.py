#!/usr/bin/env python3
"""Counts test cases in every JUnit XML file of a results folder (GoogleTest and pytest write
them), adds steps that failed without producing one (a build, a crash), prints the totals and
exits non-zero if anything failed. The last line is `N passed, N failed[, N skipped]`."""
import pathlib
import sys
import xml.etree.ElementTree as ET


def count(xml_path):
    passed = failed = skipped = 0
    failures = []
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        name = f"{case.get('classname', '')}.{case.get('name', '')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failures.append(name)
        elif case.find("skipped") is not None or case.get("result") == "skipped":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def main():
    results = pathlib.Path(sys.argv[1])
    passed = failed = skipped = 0
    for xml in sorted(results.glob("*.xml")):
        try:
            p, f, s, names = count(xml)
        except ET.ParseError as e:
            print(f"{xml.name}: unreadable ({e})")
            failed += 1
            continue
        print(f"{xml.stem}: {p} passed, {f} failed, {s} skipped")
        for n in names:
            print(f"  FAILED {n}")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    steps = results / "steps.txt"
    if steps.exists():
        for line in steps.read_text().splitlines():
            name, status = line.rsplit(" ", 1)
            # A step that wrote NAME.xml is counted through it; one that did not counts once
            # when it failed (a build, a crash before any result).
            if status == "failed" and not (results / f"{name}.xml").exists():
                print(f"step {name}: failed")
                failed += 1
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    sys.exit(1 if failed or passed == 0 else 0)


main()
