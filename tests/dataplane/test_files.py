"""fileinfo records and the file.sha256 rule field on the sample capture: a rule with a list of
known-bad digests fires on exactly the files that have them; without output.files.hashes no
digest is computed and messages get no record (real-server digests: tests/e2e/test_files.py).
Extraction: every file once under its sha256, bounds counted, rules with "filestore" select."""
import hashlib
import json

from conftest import ROOT, flow_key, read_eve, run_postern, write_config
from eve_schema import validate

SAMPLE = ROOT / "config" / "sample.pcap"


def run(tmp_path, name, **config):
    eve = tmp_path / f"{name}.json"
    args = ["-r", SAMPLE, "--eve-log", eve]
    if config:
        args += ["--config", write_config(tmp_path / f"{name}.config.json", **config)]
    run_postern(*args)
    return read_eve(eve)


def test_rule_on_a_list_of_sha256_fires_on_those_files(tmp_path):
    events = run(tmp_path, "hashes", output={"files": {"hashes": ["sha256"]}})
    files = [e for e in events if e["event_type"] == "fileinfo" and e["fileinfo"]["filename"] != "message.eml"]
    bad = sorted({e["fileinfo"]["sha256"] for e in files})[:3]  # three attachments play the known-bad files
    rules = tmp_path / "ioc-rules.json"
    rules.write_text(json.dumps({"rules": [{
        "id": 9900001, "rev": 1, "title": "Attachment on the known-bad list", "level": "high",
        "match": {"all": [{"field": "file.sha256", "patterns": bad, "flags": ["start", "end"]}]},
        "tests": {"positive": [{"fields": {"file.sha256": bad[0]}}],
                  "negative": [{"fields": {"file.sha256": "0" * 64}}]}}]}))
    events = run(tmp_path, "ioc", output={"files": {"hashes": ["sha256"]}}, rules={"files": [str(rules)]})
    alerts = [e for e in events if e["event_type"] == "alert" and e["alert"]["signature_id"] == 9900001]
    carriers = {flow_key(e) for e in events if e["event_type"] == "fileinfo" and e["fileinfo"].get("sha256") in bad}
    assert alerts and {flow_key(a) for a in alerts} == carriers
    assert all(a["evidence"]["file.sha256"] in bad for a in alerts), alerts[0]["evidence"]


def test_no_hashes_unless_configured(tmp_path):
    events = run(tmp_path, "plain")
    files = [e["fileinfo"] for e in events if e["event_type"] == "fileinfo"]
    assert files and all(f["filename"] != "message.eml" for f in files)
    assert not any(k in f for f in files for k in ("md5", "sha1", "sha256"))


# -- extraction (output.files.store) --------------------------------------------------------------

def store_run(tmp_path, name, store, rules=None):
    """A run with extraction on; returns (events, stderr, store dir)."""
    eve, out = tmp_path / f"{name}.json", tmp_path / f"{name}-store"
    config = {"output": {"files": {"store": dict({"enabled": True, "dir": str(out)}, **store)}}}
    if rules:
        config["rules"] = {"files": [str(rules)]}
    proc = run_postern("-r", SAMPLE, "--eve-log", eve, "--config", write_config(tmp_path / f"{name}.config.json", **config))
    return read_eve(eve), proc.stderr, out


def stored_files(out):
    return {p.name: p.read_bytes() for p in out.glob("??/*")}


def filestore_stats(events):
    return [e for e in events if e["event_type"] == "stats"][-1]["stats"]["postern"]["filestore"]


def test_extraction_stores_every_file_once_under_its_sha256(tmp_path):
    events, stderr, out = store_run(tmp_path, "all", {"kinds": ["attachments", "messages"]})
    records = [e for e in events if e["event_type"] == "fileinfo"]
    kept = [e["fileinfo"] for e in records if e["fileinfo"]["stored"]]
    files = stored_files(out)
    assert kept and len(kept) == len(records)  # the sample has no gaps
    names = {f["sha256"] + (".eml" if f["filename"] == "message.eml" else "") for f in kept}
    assert set(files) == names
    for f in kept:
        name = f["sha256"] + (".eml" if f["filename"] == "message.eml" else "")
        assert hashlib.sha256(files[name]).hexdigest() == f["sha256"] and len(files[name]) == f["size"]
        assert (out / name[:2] / name).is_file()  # filed under the first two hex digits
    for e in records:
        validate(e)
    stats = filestore_stats(events)
    assert stats["stored"] == len(files) and stats["stored"] + stats["duplicate"] == len(kept)
    assert stats["bytes_in_store"] == sum(len(b) for b in files.values())
    assert f"files: {len(files)} stored in {out}" in stderr
    assert not any((out / "tmp").iterdir())
    # The same capture again into the same folder: everything is there already.
    events, stderr, _ = store_run(tmp_path, "all", {"kinds": ["attachments", "messages"]})
    assert f"files: 0 stored in {out}, {len(kept)} already there" in stderr
    assert stored_files(out) == files


def test_extraction_bounds_are_counted_and_kept(tmp_path):
    events, _, out = store_run(tmp_path, "small", {"max_file_bytes": 1500})
    stats = filestore_stats(events)
    files = stored_files(out)
    assert stats["too_large"] > 0 and files and all(len(b) <= 1500 for b in files.values())
    too_large = [e["fileinfo"] for e in events if e["event_type"] == "fileinfo" and e["fileinfo"]["size"] > 1500
                 and e["fileinfo"]["filename"] != "message.eml"]  # kinds: attachments by default
    assert len(too_large) == stats["too_large"] and not any(f["stored"] for f in too_large)
    events, _, out = store_run(tmp_path, "full", {"max_total_bytes": 20000})
    stats = filestore_stats(events)
    assert stats["total_limit"] > 0 and 0 < stats["bytes_in_store"] <= 20000
    assert sum(len(b) for b in stored_files(out).values()) == stats["bytes_in_store"]


def test_rule_with_filestore_selects_its_transactions_files(tmp_path):
    rules = tmp_path / "filestore-rules.json"
    rules.write_text(json.dumps({"rules": [{
        "id": 9900002, "rev": 1, "title": "Keep the files of one campaign", "level": "high", "filestore": True,
        "match": {"all": [{"field": "email.subject", "patterns": ["\\AHoliday schedule\\z"]}]}}]}))
    events, _, out = store_run(tmp_path, "rules", {"kinds": ["attachments", "messages"], "select": "rules"}, rules)
    records = [e for e in events if e["event_type"] == "fileinfo"]
    kept = [e for e in records if e["fileinfo"]["stored"]]
    alerted = {flow_key(e) for e in events if e["event_type"] == "alert" and e["alert"]["signature_id"] == 9900002}
    assert kept and alerted
    assert all(e["fileinfo"]["sid"] == [9900002] and flow_key(e) in alerted for e in kept)
    assert all(e["email"]["subject"] == "Holiday schedule" for e in kept)
    assert not any(e["fileinfo"]["stored"] for e in records if not e.get("email", {}).get("subject", "") == "Holiday schedule")
    assert len(stored_files(out)) == filestore_stats(events)["stored"] > 0
    for e in kept:
        validate(e)


def test_fileinfo_links_to_its_transaction_record_by_tx_id(tmp_path):
    """fileinfo carries the tx_id of the smtp/pop3/imap record of the message it came in, as
    Suricata links them: same flow_id and tx_id, same message."""
    events = run(tmp_path, "link", output={"files": {"hashes": ["sha256"]}})
    records = {(e["flow_id"], e["tx_id"]): e for e in events if e["event_type"] in ("smtp", "pop3", "imap")}
    files = [e for e in events if e["event_type"] == "fileinfo"]
    assert files and {e["app_proto"] for e in files} == {"smtp", "pop3", "imap"}
    for f in files:
        r = records.get((f["flow_id"], f["tx_id"]))
        assert r is not None, f
        assert r["event_type"] == f["app_proto"] and r["email"].get("message_id") == f["email"].get("message_id"), (f, r)


def test_offline_extraction_waits_for_the_writer(tmp_path):
    """-r loses nothing to speed: with the smallest worker-to-writer queue every file is still
    stored (the e2e testbed's 2 MB message was not, before: the policy was read at config load)."""
    events, _, out = store_run(tmp_path, "tiny-queue", {"kinds": ["attachments", "messages"], "queue_bytes": 65536})
    stats = filestore_stats(events)
    records = [e["fileinfo"] for e in events if e["event_type"] == "fileinfo"]
    assert stats["queue_full"] == 0 and records and all(f["stored"] for f in records), stats
