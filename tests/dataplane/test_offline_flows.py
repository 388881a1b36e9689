"""postern -r on synthesized captures gives exactly the flow records the synthesizer wrote:
packets and bytes per direction per flow, and the reassembled payload (length and FNV-1a
digest) of every direction, through the real RX → ring → worker → control-plane path."""
import collections
import json
import pathlib

import pytest

from conftest import flow_key, read_eve, run_postern, synthesize, truth_key, write_config

NO_BYPASS = {"tls": False, "failed_detection": False}


def check_flows(truth, events, check_payload=True):
    flows = [e for e in events if e["event_type"] == "flow"]
    got = {}
    for e in flows:
        assert flow_key(e) not in got, f"two flow records for {flow_key(e)}"
        got[flow_key(e)] = e
    expected = {truth_key(f): f for f in truth["flows"]}
    assert set(got) == set(expected)
    mismatches = []
    for key, f in expected.items():
        g = got[key]
        for field in ("pkts_toserver", "pkts_toclient", "bytes_toserver", "bytes_toclient"):
            if g["flow"][field] != f[field]:
                mismatches.append((key, field, g["flow"][field], f[field]))
        # A capture that starts mid-stream with a reordered first segment cannot be reassembled
        # from its start by anyone: the earlier bytes arrive after later ones were delivered.
        if not check_payload or (not f["handshake"] and f["impairments"]["reordered"]):
            continue
        r = g["reassembly"]
        for d in ("toserver", "toclient"):
            # The synthesizer counts every byte sent; postern delivers what arrived and reports
            # the rest as gaps.
            delivered = r[f"app_bytes_{d}"] + r[f"gap_bytes_{d}"]
            if delivered != f[f"app_bytes_{d}"] or r[f"gap_bytes_{d}"] != f[f"gap_bytes_{d}"]:
                mismatches.append((key, d, r, f))
            elif (not f["holes"] and "digest_" + d in r and r["digest_" + d] != f[f"app_fnv1a64_{d}"]):
                mismatches.append((key, "digest_" + d))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]}"
    return got


@pytest.fixture(scope="module")
def impaired_capture(tmp_path_factory):
    d = tmp_path_factory.mktemp("impaired")
    return synthesize(d, "impaired", "--seed", 11, "--flows", 10000, "--duration", 30,
                      "--reorder", 0.1, "--dup", 0.1, "--split", "--wrap", "--midstream", 0.05,
                      "--ipv6", 0.2, "--vlan", "1q", "--bytes-per-flow", "100:6000")


@pytest.mark.parametrize("workers", [1, 2])
def test_ten_thousand_impaired_flows_exact(tmp_path, impaired_capture, workers):
    pcap, truth = impaired_capture
    assert len(truth["flows"]) == 10000
    # Every byte reassembled: random payload is no mail protocol, and would otherwise be bypassed.
    cfg = write_config(tmp_path / "c.json", flow={"stream_digest": True}, bypass=NO_BYPASS)
    eve = tmp_path / "eve.json"
    proc = run_postern("-r", pcap, "--config", cfg, "--workers", workers, "--eve-log", eve)
    assert "10000 flows" in proc.stderr
    events = read_eve(eve)
    check_flows(truth, events)
    stats = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
    assert stats["postern"]["ring_drops"] == 0
    assert stats["postern"]["event_drops"] == 0
    per_worker = [w["flows_created"] for w in stats["postern"]["workers"]]
    assert len(per_worker) == workers and all(n > 0 for n in per_worker)


def test_dropped_segments_become_gaps(tmp_path):
    pcap, truth = synthesize(tmp_path, "holes", "--seed", 5, "--flows", 500, "--drop", 0.05,
                             "--bytes-per-flow", "2000:20000")
    assert any(f["holes"] for f in truth["flows"])
    eve = tmp_path / "eve.json"
    run_postern("-r", pcap, "--config",
                write_config(tmp_path / "c.json", flow={"stream_digest": True}, bypass=NO_BYPASS), "--eve-log", eve)
    got = check_flows(truth, read_eve(eve))
    gapped = [k for k, e in got.items() if e["reassembly"]["gap_bytes_toserver"] or e["reassembly"]["gap_bytes_toclient"]]
    assert gapped and all(got[k]["tcp"].get("ts_gap") or got[k]["tcp"].get("tc_gap") for k in gapped)


def test_flow_table_pressure_evicts_and_counts(tmp_path):
    """With room for 64 flows per worker, 2000 overlapping sessions force evictions: every
    packet is still counted once, evicted flows say reason "forced", nothing crashes."""
    pcap, truth = synthesize(tmp_path, "pressure", "--seed", 3, "--flows", 2000, "--duration", 2)
    eve = tmp_path / "eve.json"
    cfg = write_config(tmp_path / "c.json", flow={"max_flows_per_worker": 64})
    run_postern("-r", pcap, "--config", cfg, "--eve-log", eve)
    events = read_eve(eve)
    flows = [e for e in events if e["event_type"] == "flow"]
    totals = collections.Counter()
    for e in flows:
        totals[flow_key(e)] += e["flow"]["pkts_toserver"] + e["flow"]["pkts_toclient"]
    for f in truth["flows"]:
        assert totals[truth_key(f)] == f["pkts_toserver"] + f["pkts_toclient"]
    assert any(e["flow"]["reason"] == "forced" for e in flows)
    stats = [e for e in events if e["event_type"] == "stats"][-1]["stats"]["postern"]
    assert sum(w["flows_evicted"] for w in stats["workers"]) == sum(1 for e in flows if e["flow"]["reason"] == "forced")


def test_capture_time_drives_timeouts(tmp_path):
    """Sessions spread over an hour of capture time: closed flows time out long before the end
    of the file (tcp_closed is 10 s), so their records say "timeout", and timestamps are the
    capture's, not the wall clock's."""
    pcap, truth = synthesize(tmp_path, "hour", "--seed", 9, "--flows", 200, "--duration", 3600,
                             "--start-time", 1600000000)
    eve = tmp_path / "eve.json"
    run_postern("-r", pcap, "--eve-log", eve)
    flows = [e for e in read_eve(eve) if e["event_type"] == "flow"]
    assert len(flows) == 200
    reasons = collections.Counter(e["flow"]["reason"] for e in flows)
    assert reasons["timeout"] > 150, reasons
    assert all(e["timestamp"].startswith("2020-09-1") for e in flows)
    by_key = {truth_key(f): f for f in truth["flows"]}
    for e in flows:
        assert e["flow"]["start"][:19] == by_key[flow_key(e)]["start"][:19]


def test_eve_to_stdout(tmp_path):
    pcap, truth = synthesize(tmp_path, "small", "--seed", 1, "--flows", 20)
    proc = run_postern("-r", pcap, "--eve-log", "-")
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    assert sum('"event_type":"flow"' in l for l in lines) == 20


def test_offline_runs_end_every_flow_the_same_way(tmp_path, impaired_capture):
    """Replaying one capture gives the same records every run, as suricata -r does: in particular
    a flow that had timed out by the capture's last packet ends as a timeout, whenever the
    worker's periodic expiry last ran (it runs once per capture second, at burst boundaries that
    differ from run to run)."""
    pcap, _ = impaired_capture
    cfg = write_config(tmp_path / "c.json", bypass=NO_BYPASS)
    runs = []
    for i in range(4):
        eve = tmp_path / f"eve{i}.json"
        run_postern("-r", pcap, "--config", cfg, "--workers", 1, "--eve-log", eve)
        records = sorted(json.dumps({k: v for k, v in e.items() if k != "flow_id"}, sort_keys=True)
                         for e in read_eve(eve) if e["event_type"] != "stats")
        runs.append(records)
    reasons = collections.Counter(json.loads(r)["flow"]["reason"] for r in runs[0] if '"event_type": "flow"' in r)
    assert reasons["timeout"] > 0 and reasons["shutdown"] > 0, reasons  # both kinds of end are in it
    for i, records in enumerate(runs[1:], 1):
        assert records == runs[0], f"run {i} differs: {len(set(records) ^ set(runs[0]))} records"


def test_vector_and_scalar_base64_give_the_same_records(tmp_path, monkeypatch):
    """The AVX2 base64 decoder, chosen at start when the CPU has it, and the scalar fallback any
    x86-64 runs (POSTERN_SIMD=scalar) give the same records on a mail mix with attachments, digests
    of every attachment and message included."""
    if "avx2" not in pathlib.Path("/proc/cpuinfo").read_text().split():
        pytest.skip("no AVX2 on this CPU: both runs would take the scalar path")
    pcap, _ = synthesize(tmp_path, "mail", "--seed", 21, "--flows", 300, "--payload", "smtp,pop3,imap",
                         "--ports", "auto", "--bytes-per-flow", "2000:200000")
    cfg = write_config(tmp_path / "c.json", output={"files": {"hashes": ["md5", "sha256"]}})
    runs = {}
    for mode in ("scalar", "avx2"):
        if mode == "scalar":
            monkeypatch.setenv("POSTERN_SIMD", "scalar")
        else:
            monkeypatch.delenv("POSTERN_SIMD", raising=False)
        eve = tmp_path / f"{mode}.json"
        proc = run_postern("-r", pcap, "--config", cfg, "--workers", 1, "--eve-log", eve)
        assert f"base64 decoding: {mode}" in proc.stderr
        runs[mode] = sorted(json.dumps({k: v for k, v in e.items() if k != "flow_id"}, sort_keys=True)
                            for e in read_eve(eve) if e["event_type"] != "stats")
    digests = [r for r in runs["avx2"] if '"sha256"' in r]
    assert len(digests) > 50, len(digests)  # attachments and messages were decoded and hashed
    assert runs["scalar"] == runs["avx2"], f"{len(set(runs['scalar']) ^ set(runs['avx2']))} records differ"
