"""Golden tests in folders, like suricata-verify: every tests/golden/<case>/ with a test.json is one
test. The runner makes the case's capture (postern-synth arguments, a committed pcap, or TCP
sessions written out from a transcript), runs `postern -r CAPTURE --config MERGED --eve-log EVE`
and evaluates the case's checks on the EVE records, the last `stats` record and postern's stderr
summary. Every failed check of a case is reported, naming the check and what was found.
The check language is described in tests/golden/README.md."""
import base64
import collections
import copy
import importlib.util
import json
import pathlib
import re
import subprocess

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _load(name, path):
    """The dataplane suite's helpers, loaded under names of their own: its conftest is a conftest
    (not an importable module) and `conftest` in sys.modules is whichever pytest loaded last."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_dataplane = _load("golden_dataplane_helpers", ROOT / "tests" / "dataplane" / "conftest.py")
_pcapgen = _load("golden_pcapgen", ROOT / "tests" / "dataplane" / "pcapgen.py")
POSTERN, SYNTH = _dataplane.POSTERN, _dataplane.SYNTH
read_eve, run_postern, synthesize, write_config = (_dataplane.read_eve, _dataplane.run_postern,
                                                   _dataplane.synthesize, _dataplane.write_config)

CASES = sorted(p.parent for p in HERE.glob("*/test.json"))
KNOWN_KEYS = {"description", "capture", "config", "rules", "args", "truth", "counts", "records", "stats",
              "summary", "eve_excludes", "timeout"}
CHECK_KEYS = {"counts", "records", "stats", "summary", "eve_excludes"}
RECORD_KEYS = {"name", "filter", "count", "match", "present", "absent", "sequence"}
OPERATORS = {"min", "max", "contains", "regex", "in", "len", "not", "exists", "truth"}
MISSING = object()


# ---- paths and matchers ---------------------------------------------------------------------

def lookup(obj, path):
    """The value at a dotted path, or MISSING. Keys may contain dots themselves (the `evidence`
    of a rule alert has "email.subject", `stats.postern.anomalies` "smtp.unknown_command"): the
    longest key that exists wins. A path part that is an integer indexes a list (-1 is the last)."""
    parts = path.split(".") if isinstance(path, str) else [str(p) for p in path]
    return _lookup(obj, parts)


def _lookup(obj, parts):
    if not parts:
        return obj
    if isinstance(obj, dict):
        for k in range(len(parts), 0, -1):
            key = ".".join(parts[:k])
            if key in obj:
                value = _lookup(obj[key], parts[k:])
                if value is not MISSING:
                    return value
        return MISSING
    if isinstance(obj, list) and re.fullmatch(r"-?\d+", parts[0]):
        i = int(parts[0])
        if -len(obj) <= i < len(obj):
            return _lookup(obj[i], parts[1:])
    return MISSING


def is_operator(spec):
    return isinstance(spec, dict) and spec and set(spec) <= OPERATORS


def same(a, b):
    """JSON equality: 1 == 1.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


class Context:
    """What a matcher can refer to: the ground truth of a synthesized capture."""

    def __init__(self, truth=None):
        self.truth = truth

    def truth_value(self, path):
        if self.truth is None:
            raise CaseError('"truth" refers to ground truth, but the capture is not synthesized')
        value = lookup(self.truth, path)
        if value is MISSING:
            raise CaseError(f'ground truth has no "{path}"')
        return value


class CaseError(Exception):
    """A test.json that cannot be evaluated (a mistake in the case, not in postern)."""


def matches(value, spec, ctx):
    """Whether `value` (MISSING when the path is absent) satisfies `spec`: a JSON literal
    (equality) or an object of operators, all of which must hold."""
    if not is_operator(spec):
        return value is not MISSING and same(value, spec)
    for op, arg in spec.items():
        if op == "exists":
            ok = (value is not MISSING) == bool(arg)
        elif op == "not":
            ok = not matches(value, arg, ctx)
        elif value is MISSING:
            ok = False
        elif op in ("min", "max"):
            ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
                  and (value >= arg if op == "min" else value <= arg))
        elif op == "contains":
            if isinstance(value, str):
                ok = isinstance(arg, str) and arg in value
            elif isinstance(value, list):  # an element that matches (arg may be an operator object)
                ok = any(matches(v, arg, ctx) for v in value)
            elif isinstance(value, dict):
                ok = arg in value
            else:
                ok = False
        elif op == "regex":
            ok = isinstance(value, str) and re.search(arg, value) is not None
        elif op == "in":
            ok = any(same(value, a) for a in arg)
        elif op == "len":
            ok = isinstance(value, (str, list, dict)) and matches(len(value), arg, ctx)
        elif op == "truth":
            ok = same(value, ctx.truth_value(arg))
        else:  # pragma: no cover  (is_operator admits only OPERATORS)
            raise CaseError(f"unknown operator {op}")
        if not ok:
            return False
    return True


def show(value, limit=300):
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def show_spec(spec, ctx):
    """The expectation as written, with ground-truth references resolved."""
    text = show(spec)
    if isinstance(spec, dict) and "truth" in spec and ctx.truth is not None:
        text += f" = {show(lookup(ctx.truth, spec['truth']))}"
    return text


def check_fields(obj, fields, ctx, where):
    """Failures of {path: matcher} on one object."""
    failures = []
    for path, spec in fields.items():
        value = lookup(obj, path)
        if not matches(value, spec, ctx):
            failures.append(f"{where}: {path}: expected {show_spec(spec, ctx)}, found {show(value)}")
    return failures


# ---- captures, config, run ------------------------------------------------------------------

def data_bytes(part):
    """A transcript chunk: a string (UTF-8), {"repeat": s, "times": n}, {"base64": s}, {"hex": s}
    or a list of those, concatenated."""
    if isinstance(part, str):
        return part.encode()
    if isinstance(part, list):
        return b"".join(data_bytes(p) for p in part)
    if isinstance(part, dict) and "repeat" in part:
        return data_bytes(part["repeat"]) * int(part["times"])
    if isinstance(part, dict) and "base64" in part:
        return base64.b64decode(part["base64"])
    if isinstance(part, dict) and "hex" in part:
        return bytes.fromhex(part["hex"])
    raise CaseError(f"bad transcript data {show(part)}")


def write_sessions(case, spec, out):
    """A pcap from a transcript file: {"sessions": [{"client": [ip, port], "server": [ip, port],
    "start": unix_seconds, "mss": n, "exchanges": [["c"|"s", data], ...]}]} (tests/dataplane/pcapgen.py)."""
    doc = json.loads((case / spec).read_text())
    packets = []
    for s in doc["sessions"]:
        kwargs = {k: tuple(s[k]) for k in ("client", "server") if k in s}
        kwargs.update({k: s[k] for k in ("mss", "start", "handshake") if k in s})
        exchanges = [(side, data_bytes(data)) for side, data in s["exchanges"]]
        packets += _pcapgen.tcp_session(exchanges, **kwargs)
    _pcapgen.write_pcap(out, packets)
    return out


def make_capture(case, spec, tmp):
    """(pcap path, ground truth or None) for a case's "capture"."""
    capture = spec.get("capture") or ({"pcap": "capture.pcap"} if (case / "capture.pcap").exists() else None)
    if not isinstance(capture, dict) or len(capture) != 1:
        raise CaseError('"capture" must be one of {"synth": [ARGS]}, {"pcap": FILE}, {"sessions": FILE}')
    (kind, arg), = capture.items()
    if kind == "synth":
        try:
            return synthesize(tmp, "capture", *arg)
        except subprocess.CalledProcessError as e:
            raise CaseError(f"postern-synth {' '.join(map(str, arg))} failed: {e.stderr.decode().strip()}") from None
    if kind == "pcap":
        path = (case / arg).resolve()
        if not path.exists():
            raise CaseError(f"capture {arg} does not exist")
        return path, None
    if kind == "sessions":
        return write_sessions(case, arg, tmp / "capture.pcap"), None
    raise CaseError(f"unknown capture kind {kind}")


def merge(base, overrides):
    out = copy.deepcopy(base)
    for k, v in overrides.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def postern_args(case, spec, tmp, pcap):
    """The command line after `postern`: -r, the merged config, the EVE log, rules and extra args."""
    config = spec.get("config", {})
    if (case / "config.json").exists():
        config = merge(config, json.loads((case / "config.json").read_text()))
    eve = tmp / "eve.json"
    args = ["-r", pcap, "--config", write_config(tmp / "config.json", **config), "--eve-log", eve]
    rules = list(spec.get("rules", []))
    if (case / "rules").is_dir():
        rules.append("rules")
    for r in rules:
        args += ["--rules", ROOT / "config" / "rules" if r == "default" else case / r]
    return args + [str(a) for a in spec.get("args", [])], eve


SUMMARY_LINES = [
    (re.compile(r"postern: (\d+) packets \(.*\) in .* s, (\d+) flows, (\d+) packets not inspected"),
     lambda m, s: s.update(packets=int(m[1]), flows=int(m[2]), not_inspected=int(m[3]))),
    (re.compile(r"postern: events: (.*)"),
     lambda m, s: s.update(events={} if m[1] == "none" else
                           {k: int(v) for k, v in (item.rsplit(" ", 1) for item in m[1].split(", "))})),
    (re.compile(r"postern: rules: (\d+) rules from (\d+) files, version (\d+)"),
     lambda m, s: s.update(rules={"rules": int(m[1]), "files": int(m[2]), "version": int(m[3])})),
    (re.compile(r"postern: dropped (\d+) events and (\d+) packets"),
     lambda m, s: s.update(event_drops=int(m[1]), ring_drops=int(m[2]))),
]


def parse_summary(stderr):
    """postern's closing lines on stderr as an object: packets, flows, not_inspected,
    events {type: n}, rules {rules, files, version}, and event_drops/ring_drops when it dropped."""
    summary = {"event_drops": 0, "ring_drops": 0}
    for line in stderr.splitlines():
        for pattern, take in SUMMARY_LINES:
            m = pattern.match(line.strip())
            if m:
                take(m, summary)
    return summary


# ---- the checks -----------------------------------------------------------------------------

def evaluate(spec, events, raw_eve, summary, ctx):
    """Every failed check, as a line naming it and what was found."""
    failures = []
    if "truth" in spec:
        if ctx.truth is None:
            raise CaseError('"truth" checks need a synthesized capture')
        failures += check_fields(ctx.truth, spec["truth"], ctx, "truth (the synthesizer's ground truth)")

    counts = collections.Counter(e.get("event_type") for e in events)
    count_specs = dict(spec.get("counts", {}))
    others = count_specs.pop("*", None)
    for etype, want in count_specs.items():
        if not matches(counts[etype], want, ctx):
            failures.append(f"counts: {etype}: expected {show(want)}, found {counts[etype]}")
    if others is not None:
        for etype in sorted(set(counts) - set(count_specs)):
            if not matches(counts[etype], others, ctx):
                failures.append(f'counts: {etype} (by "*"): expected {show(others)}, found {counts[etype]}')
    if failures and any(f.startswith("counts") for f in failures):
        failures.append(f"counts: all records by type: {show(dict(sorted(counts.items())))}")

    for i, check in enumerate(spec.get("records", [])):
        unknown = set(check) - RECORD_KEYS
        if unknown:
            raise CaseError(f"records[{i}]: unknown keys {sorted(unknown)}")
        label = f"records[{i}]" + (f" '{check['name']}'" if "name" in check else "")
        label += f" (filter {show(check.get('filter', {}))})"
        selected = [e for e in events if all(matches(lookup(e, p), s, ctx) for p, s in check.get("filter", {}).items())]
        want = check.get("count", {"min": 1})
        if not matches(len(selected), want, ctx):
            what = "no record matches the filter" if not selected else f"{len(selected)} records match"
            failures.append(f"{label}: count: expected {show(want)}, {what}")
            continue
        fields = dict(check.get("match", {}))
        fields.update({p: {"exists": True} for p in check.get("present", [])})
        fields.update({p: {"exists": False} for p in check.get("absent", [])})
        for n, record in enumerate(selected):
            bad = check_fields(record, fields, ctx, f"{label} record {n + 1}/{len(selected)}")
            if bad:
                failures += bad
                failures.append(f"{label}: the record: {show(record, 600)}")
                break
        for path, want_seq in check.get("sequence", {}).items():
            seq = [v for v in (lookup(e, path) for e in selected) if v is not MISSING]
            if not matches(seq, want_seq, ctx):
                failures.append(f"{label}: sequence of {path}: expected {show_spec(want_seq, ctx)}, found {show(seq)}")

    if "stats" in spec:
        stats = [e for e in events if e.get("event_type") == "stats"]
        if not stats:
            failures.append("stats: no stats record in the EVE log")
        else:
            failures += check_fields(stats[-1]["stats"], spec["stats"], ctx, "stats (last record)")
    if "summary" in spec:
        failures += check_fields(summary, spec["summary"], ctx, "summary (stderr)")
    for text in spec.get("eve_excludes", []):
        if text in raw_eve:
            failures.append(f"eve_excludes: {show(text)} is in the EVE log")
    return failures


@pytest.fixture(scope="module", autouse=True)
def binaries():
    for b in (POSTERN, SYNTH):
        if not b.exists():
            pytest.fail(f"{b} is missing: build first (scripts/build.sh), or set POSTERN_BUILD", pytrace=False)


def run_case(case, tmp_path):
    """(failures, postern command line) of one case folder."""
    try:
        spec = json.loads((case / "test.json").read_text())
    except ValueError as e:
        raise CaseError(f"not JSON: {e}") from None
    unknown = set(spec) - KNOWN_KEYS
    if unknown:
        raise CaseError(f"unknown keys {sorted(unknown)}")
    if not CHECK_KEYS & set(spec):
        raise CaseError(f"no checks: give at least one of {sorted(CHECK_KEYS)}")
    pcap, truth = make_capture(case, spec, tmp_path)
    args, eve = postern_args(case, spec, tmp_path, pcap)
    proc = run_postern(*args, timeout=spec.get("timeout", 300))
    failures = evaluate(spec, read_eve(eve), eve.read_text(), parse_summary(proc.stderr), Context(truth))
    return failures, [POSTERN, *args]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case, tmp_path):
    try:
        failures, command = run_case(case, tmp_path)
    except CaseError as e:
        failures, command = None, f"{case.name}/test.json: {e}"
    if failures is None:
        pytest.fail(f"golden case {case.name}: cannot evaluate {command}", pytrace=False)
    if failures:
        pytest.fail(f"golden case {case.name}: {len(failures)} check(s) failed\n  " + "\n  ".join(failures) +
                    "\n(command: " + " ".join(str(a) for a in command) + ")", pytrace=False)
