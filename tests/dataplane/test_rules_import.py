"""postern rules import: Suricata rules on smtp.*/email.*/file.* buffers become Postern rules that
fire on the same traffic as hand-written equivalents; the rules it cannot convert are refused,
each with its reason."""
import collections
import json

import pytest

from conftest import ROOT, flow_key, read_eve, run_postern

FIXTURES = ROOT / "tests" / "fixtures" / "suricata"
SAMPLE = ROOT / "config" / "sample.pcap"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("import") / "imported.json"
    proc = run_postern("rules", "import", FIXTURES / "mail.rules", "-o", out, check=False)
    return proc, out


def test_refusals_name_the_rule_and_the_reason(imported):
    proc, out = imported
    assert proc.returncode == 1, proc.stderr  # some were refused; the file holds the others
    assert "13 rules converted, 9 not converted" in proc.stderr
    for sid, reason in [
        (8000101, 'protocol "http": Postern follows SMTP, POP3 and IMAP'),
        (8000102, "content: outside a buffer Postern has"),
        (8000103, "distance: contents relative to each other do not map"),
        (8000104, 'keyword "flowbits" has no Postern equivalent'),
        (8000105, "threshold: type limit has no Postern equivalent"),
        (8000106, "file.data: a match not tied to the first 256 bytes"),
        (8000107, "Back-references are unsupported"),
        (8000001, "sid also used by the rule at line 4"),
    ]:
        line = next((ln for ln in proc.stderr.splitlines() if f"sid {sid}: not converted:" in ln), "")
        assert reason in line, (sid, proc.stderr)
    assert "mail.rules:28: not converted: not a rule" in proc.stderr
    assert "sid 8000010: note: addresses and ports ($EXTERNAL_NET any -> $HOME_NET 25) are not converted" in proc.stderr


def test_imported_rules_keep_suricata_metadata_and_pass_rules_check(imported):
    _, out = imported
    rules = {r["id"]: r for r in json.loads(out.read_text())["rules"]}
    assert len(rules) == 13
    assert rules[8000013]["filestore"] is True and rules[8000013]["match"]["all"][0]["field"] == "file.magic"
    r = rules[8000001]
    assert (r["title"], r["rev"], r["level"]) == ("POLICY SMTP HELO from a corporate laptop", 2, "high")
    assert r["category"] == "Potential Corporate Privacy Violation"  # Suricata's classtype description
    assert r["tags"] == ["attack.t1071.003", "attack.command-and-control"]
    assert "created_at 2026_12_04" in r["description"] and "sid:8000001" in r["description"]
    assert rules[8000002]["references"] == ["https://github.com/PHPMailer/PHPMailer"]
    assert rules[8000005]["level"] == "medium"  # priority:2 beats misc-activity's 3
    assert rules[8000009]["threshold"] == {"count": 1, "seconds": 60, "track": "by_src"}
    check = run_postern("rules", "check", out, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def alerts(eve):
    return collections.Counter((e["alert"]["signature_id"], flow_key(e), e["timestamp"])
                               for e in read_eve(eve, {"alert"}))


def test_imported_rules_fire_where_hand_written_equivalents_do(imported, tmp_path):
    _, out = imported
    run_postern("-r", SAMPLE, "-S", out, "--eve-log", tmp_path / "imported.eve")
    run_postern("-r", SAMPLE, "-S", FIXTURES / "mail-equivalent.json", "--eve-log", tmp_path / "written.eve")
    got, want = alerts(tmp_path / "imported.eve"), alerts(tmp_path / "written.eve")
    fired = {sid for sid, _, _ in want if 8000000 < sid < 8000100}
    assert fired == set(range(8000001, 8000014)), "every convertible rule has traffic in the sample"
    assert got == want
