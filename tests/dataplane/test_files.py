"""fileinfo records and the file.sha256 rule field on the sample capture: a rule with a list of
known-bad digests fires on exactly the files that have them; without output.files.hashes no
digest is computed and messages get no record (real-server digests: tests/e2e/test_files.py)."""
import json

from conftest import ROOT, flow_key, read_eve, run_postern, write_config

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
