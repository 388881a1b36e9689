"""Every event type postern writes validates against Suricata's EVE schema for every field the
schema defines (tools built for Suricata's EVE read ours)."""
import collections

from conftest import ROOT, read_eve, run_postern, synthesize, write_config
from eve_schema import prune, validate


def test_every_event_validates(tmp_path):
    pcap, _ = synthesize(tmp_path, "mix", "--seed", 21, "--flows", 300, "--ipv6", 0.3, "--drop", 0.02,
                         "--rst", 0.1, "--ports", "25,110,143,465,587,993,995")
    eve = tmp_path / "eve.json"
    run_postern("-r", pcap, "--eve-log", eve)
    events = read_eve(eve)
    by_type = collections.Counter(e["event_type"] for e in events)
    assert by_type["flow"] == 300 and by_type["stats"] >= 1
    for e in events:
        validate(e)


def test_fileinfo_validates(tmp_path):
    """Attachments and messages of the sample capture (SMTP, POP3, IMAP) with every digest."""
    eve = tmp_path / "eve.json"
    config = write_config(tmp_path / "c.json", output={"files": {"hashes": ["md5", "sha1", "sha256"]}})
    run_postern("-r", ROOT / "config" / "sample.pcap", "--config", config, "--eve-log", eve)
    events = [e for e in read_eve(eve) if e["event_type"] == "fileinfo"]
    assert {e["app_proto"] for e in events} == {"smtp", "pop3", "imap"}
    files = [e["fileinfo"] for e in events]
    assert any(f["filename"] != "message.eml" and len(f.get("sha256", "")) == 64 for f in files), "attachments"
    assert any(f["filename"] == "message.eml" and len(f.get("sha1", "")) == 40 for f in files), "messages"
    for e in events:
        validate(e)


def test_pruning_keeps_suricata_fields():
    rec = {"timestamp": "2024-01-01T00:00:00.000000+0000", "event_type": "flow", "flow_id": 1,
           "flow": {"pkts_toserver": 1, "ours": 2}, "ours": {"x": 1}}
    pruned = prune(rec, __import__("eve_schema").schema())
    assert "ours" not in pruned and "ours" not in pruned["flow"] and pruned["flow"]["pkts_toserver"] == 1


def test_wrong_type_is_caught():
    import jsonschema
    import pytest
    rec = {"timestamp": "2024-01-01T00:00:00.000000+0000", "event_type": "flow", "flow": {"pkts_toserver": "1"}}
    with pytest.raises(jsonschema.ValidationError):
        validate(rec)
