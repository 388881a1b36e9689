"""The detection scorecard on the labelled real-traffic corpus (scripts/make_corpus.py): every C2
class alerted with severity 1-2 and no benign class with such an alert, on every variant (a clean
link, a lossy link, an 802.1Q trunk, IPv6, a tap that came up late, the benign sessions replayed
over a working day). The table is printed and
written to out/test-results/scorecard.md; docs/detections.md shows it."""
import json
import os
import pathlib
import struct
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_corpus  # noqa: E402
import pcap_io  # noqa: E402
import scorecard  # noqa: E402
import testbed  # noqa: E402

VARIANTS = ("base", "lossy", "vlan", "ipv6", "late_tap", "benign_day")


@pytest.fixture(scope="module")
def corpus():
    problem = testbed.capability_problem()
    if problem:
        pytest.skip(f"e2e testbed unavailable: {problem}")
    missing = testbed.client_problem()
    if missing:
        pytest.fail(f"e2e clients incomplete: {missing}")
    return make_corpus.make(make_corpus.default_out(), VARIANTS)


@pytest.fixture(scope="module")
def scores(corpus, tmp_path_factory):
    result = scorecard.score(corpus["base"].parent, VARIANTS, tmp_path_factory.mktemp("scorecard"))
    table = scorecard.table(result)
    print("\n" + table)
    results = os.environ.get("POSTERN_PROGRESS")
    out = pathlib.Path(results).parent if results else ROOT / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scorecard.md").write_text(table + "\n")
    return result


def truth(corpus, variant):
    return json.loads((corpus[variant] / "truth.json").read_text())


def test_every_scenario_ran_and_was_captured(corpus):
    for variant in ("base", "lossy"):
        for s in truth(corpus, variant)["scenarios"]:
            assert s["error"] is None, (variant, s["name"], s["error"])
            assert len(s["connections"]) == s["sent"].get("sessions", 1), (variant, s["name"])
            for c in s["connections"]:
                assert c["frames"][0] > 0 and c["frames"][1] > 0, (variant, s["name"], c)
    kinds = [s["kind"] for s in truth(corpus, "base")["scenarios"]]
    assert kinds.count("c2") >= 10 and kinds.count("benign") >= 20


def test_lossy_link_lost_frames(corpus):
    note = truth(corpus, "lossy")["note"]
    dropped = int(note.split("(")[1].split()[0])
    assert dropped >= 20, note
    assert retransmitted_segments(corpus["lossy"]) >= 10


def retransmitted_segments(variant_dir):
    """Data segments the capture holds more than once (same flow, sequence number and length)."""
    _, records = pcap_io.read_pcap(variant_dir / "capture.pcap")
    seen, again = set(), 0
    for _, f in records:
        t = pcap_io.tcp_tuple(f)
        if t and t[4] > 0:
            ihl = (f[14] & 0x0F) * 4
            key = t[:4] + (f[14 + ihl + 4:14 + ihl + 8], t[4])
            again += key in seen
            seen.add(key)
    return again


def test_derived_variants_are_what_they_say(corpus):
    _, base = pcap_io.read_pcap(corpus["base"] / "capture.pcap")
    _, vlan = pcap_io.read_pcap(corpus["vlan"] / "capture.pcap")
    assert len(vlan) == len(base) and all(f[12:16] == b"\x81\x00\x00\x2a" for _, f in vlan)
    _, v6 = pcap_io.read_pcap(corpus["ipv6"] / "capture.pcap")
    assert v6 and all(f[12:14] == b"\x86\xdd" for _, f in v6)
    for _, f in v6[:200]:  # TCP checksums recomputed over the IPv6 pseudo-header
        seg = f[54:]
        assert pcap_io.checksum(f[22:54] + struct.pack(">IxxxB", len(seg), 6) + seg) == 0
    # The late tap missed each scenario's start: fewer frames for every scenario.
    count = lambda v: {s["name"]: sum(sum(c["frames"]) for c in s["connections"]) for s in truth(corpus, v)["scenarios"]}
    late, whole = count("late_tap"), count("base")
    assert all(late[n] < whole[n] for n in whole), [n for n in whole if late[n] >= whole[n]]


def test_benign_day_spans_a_day_with_pollers_on_their_timer(corpus):
    day = truth(corpus, "benign_day")["scenarios"]
    assert day and all(s["kind"] == "benign" for s in day)
    polls = {s["name"]: len(s["connections"]) for s in day if "fetchmail" in s["name"]}
    assert polls == {"pop3_fetchmail_poll": 96, "imap_fetchmail_poll": 96}, polls
    _, records = pcap_io.read_pcap(corpus["benign_day"] / "capture.pcap")
    times = [pcap_io.ts_of(rh) for rh, _ in records]
    assert times == sorted(times) and times[-1] - times[0] > 7 * 3600
    for _, f in records[:300]:  # client ports rewritten: TCP checksums still right
        ihl, total = (f[14] & 0x0F) * 4, struct.unpack_from(">H", f, 16)[0]
        seg = f[14 + ihl:14 + total]
        assert pcap_io.checksum(f[26:34] + struct.pack(">xBH", 6, len(seg)) + seg) == 0


def test_bench_mix_replays_the_corpus_as_distinct_flows(corpus, tmp_path):
    """scripts/make_bench_mix.py: each copy of a real session is a flow of its own, checksums
    right, and postern parses every copy as it parses the recording."""
    import make_bench_mix
    header, records, copies, per_copy = make_bench_mix.mix(corpus["base"], 1)
    header2, records2, copies2, _ = make_bench_mix.mix(corpus["base"], 2 * sum(16 + len(f) for _, f in records) + 1)
    assert (copies, copies2) == (1, 3) and len(records2) == 3 * len(records)
    clients = {a for _, f in records2 if (t := pcap_io.tcp_tuple(f)) for a in (t[0], t[2]) if a.startswith("10.100.")}
    assert len(clients) == 3 * per_copy
    for _, f in records2[:300]:
        assert pcap_io.checksum(f[14:34]) == 0  # IPv4 header
    pcap = tmp_path / "mix.pcap"
    pcap_io.write_pcap(pcap, header2, records2)
    eve = tmp_path / "mix.json"
    proc = subprocess.run([str(scorecard.POSTERN), "-r", str(pcap), "--eve-log", str(eve)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    flows = [json.loads(l) for l in eve.read_text().splitlines() if '"event_type":"flow"' in l]
    assert len(flows) == 3 * per_copy and all(f.get("app_proto") for f in flows)


def test_scorecard(scores):
    assert not scorecard.failures(scores), "\n".join(scorecard.failures(scores))
