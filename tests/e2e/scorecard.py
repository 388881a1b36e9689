"""The detection scorecard on the labelled corpus (scripts/make_corpus.py): `postern -r` with the
shipped rules, as a new user runs it, on each variant's capture; alerts are given to the scenario
whose client address they carry; per class: alerted or not (C2) and false alerts (benign).

    python3 tests/e2e/scorecard.py CORPUS_DIR [VARIANT...]      # prints the table (Markdown)

A C2 class counts as caught when any of its flows has an alert of severity 1 or 2; a benign
class is clean when none of its flows has one (severity 3 alerts are hints, shown apart)."""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
POSTERN = pathlib.Path(os.environ.get("POSTERN_BUILD", ROOT / "build")) / "app" / "postern"
SERIOUS = 2  # severities 1 and 2 must hold on every variant; 3 is informational


def run_postern(variant_dir, eve):
    eve.unlink(missing_ok=True)  # postern appends to an EVE file, as Suricata does
    p = subprocess.run([str(POSTERN), "-r", str(variant_dir / "capture.pcap"), "--eve-log", str(eve)],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"postern -r {variant_dir}: exit {p.returncode}\n{p.stderr[-3000:]}")
    return [json.loads(line) for line in eve.read_text().splitlines() if line.strip()]


def score_variant(variant_dir, events):
    """{class: {"kind", "scenarios", "alerts": [(sid, severity, signature)], "errors"}} for one
    variant; alerts of any severity, attributed by client address."""
    truth = json.loads((variant_dir / "truth.json").read_text())
    by_client = {s["client"]: s for s in truth["scenarios"]}
    classes = {}
    for s in truth["scenarios"]:
        c = classes.setdefault(s["class"], {"kind": s["kind"], "scenarios": [], "alerts": [], "errors": []})
        c["scenarios"].append(s["name"])
        if s["error"]:
            c["errors"].append(f"{s['name']}: {s['error']}")
    unattributed = []
    for e in events:
        if e.get("event_type") != "alert":
            continue
        s = by_client.get(e.get("src_ip")) or by_client.get(e.get("dest_ip"))
        a = e["alert"]
        entry = (a["signature_id"], a["severity"], a["signature"])
        if s is None:
            unattributed.append(entry)
        else:
            classes[s["class"]]["alerts"].append(entry)
    return classes, unattributed


def caught(c):
    return any(sev <= SERIOUS for _, sev, _ in c["alerts"])


def failures(scores):
    """What the scorecard asserts, as readable lines: C2 classes not caught, benign classes with
    a serious alert, scenarios that did not run, alerts that belong to no scenario."""
    out = []
    for variant, (classes, unattributed) in scores.items():
        for name, c in classes.items():
            if c["errors"]:
                out.append(f"{variant}/{name}: the scenario did not run: {c['errors']}")
            elif c["kind"] == "c2" and not caught(c):
                out.append(f"{variant}/{name}: C2 not alerted (alerts: {sorted(set(c['alerts']))})")
            elif c["kind"] == "benign" and caught(c):
                out.append(f"{variant}/{name}: false alert {sorted({a for a in c['alerts'] if a[1] <= SERIOUS})}")
        if unattributed:
            out.append(f"{variant}: alerts on no scenario's flows: {sorted(set(unattributed))}")
    return out


def cell(c):
    serious = sorted({sid for sid, sev, _ in c["alerts"] if sev <= SERIOUS})
    if c["errors"]:
        return "did not run"
    if c["kind"] == "c2":
        return ("yes " + ", ".join(map(str, serious))) if serious else "**missed**"
    return ("**false: " + ", ".join(map(str, serious)) + "**") if serious else "clean"


def table(scores):
    """Markdown: one row per class, one column per variant."""
    variants = list(scores)
    first = scores[variants[0]][0]
    rows = [f"| class | kind | {' | '.join(variants)} |", "|---|---|" + "---|" * len(variants)]
    for name in sorted(first, key=lambda n: (first[n]["kind"] != "c2", n)):
        cells = [cell(scores[v][0][name]) if name in scores[v][0] else "-" for v in variants]
        rows.append(f"| {name} | {first[name]['kind']} | {' | '.join(cells)} |")
    c2 = [n for n in first if first[n]["kind"] == "c2"]
    benign = [n for n in first if first[n]["kind"] == "benign"]
    rows.append("")
    for v in variants:
        classes = scores[v][0]
        hits = sum(caught(classes[n]) for n in c2 if n in classes)
        false = sum(caught(classes[n]) for n in benign if n in classes)
        rows.append(f"- {v}: {hits} of {len(c2)} C2 classes alerted; {false} of {len(benign)} benign classes "
                    f"with a false alert of severity 1-2")
    return "\n".join(rows)


def score(corpus, variants, work):
    scores = {}
    for v in variants:
        events = run_postern(corpus / v, work / f"eve-{v}.json")
        scores[v] = score_variant(corpus / v, events)
    return scores


if __name__ == "__main__":
    corpus = pathlib.Path(sys.argv[1])
    variants = sys.argv[2:] or sorted(p.name for p in corpus.iterdir() if (p / "truth.json").exists())
    work = pathlib.Path(os.environ.get("TMPDIR", "/tmp"))
    result = score(corpus, variants, work)
    print(table(result))
    for line in failures(result):
        print("FAIL", line)
