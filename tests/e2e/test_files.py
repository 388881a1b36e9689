"""fileinfo on real servers and real clients: the sha256 Postern reports for an attachment equals
the sha256 of the bytes the client attached, whichever way the file went (SMTP submission to
Postfix, POP3 RETR and IMAP FETCH from Dovecot, IMAP APPEND of a sent copy); the appended
message's own digest equals that of the literal the client sent; records validate against
Suricata's EVE schema."""
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "dataplane"))
from eve_schema import validate  # noqa: E402


def scenario(e2e, name):
    return next(s for s in e2e.clients["scenarios"] if s["name"] == name)


def fileinfo(events, src_ip):
    return [e for e in events if e["event_type"] == "fileinfo" and e.get("src_ip") == src_ip]


def test_attachment_digests_equal_what_the_client_sent(e2e):
    for name, proto in (("smtp_attachment_to_carol", "smtp"), ("pop3_retr_attachment", "pop3"),
                        ("imap_fetch_and_append_attachment", "imap")):
        s = scenario(e2e, name)
        records = fileinfo(e2e.live, s["src_ip"])
        got = {r["fileinfo"]["filename"]: r["fileinfo"] for r in records if r["fileinfo"]["filename"] != "message.eml"}
        for filename, sha256 in s["expect"]["files"].items():
            assert filename in got, (name, sorted(got))
            f = got[filename]
            assert f["sha256"] == sha256, (name, filename)
            assert f["state"] == "CLOSED" and f["gaps"] is False and len(f["md5"]) == 32 and len(f["sha1"]) == 40
        assert {r["app_proto"] for r in records} == {proto}
        for r in records:
            validate(r)


def test_appended_message_digest_equals_the_literal(e2e):
    s = scenario(e2e, "imap_fetch_and_append_attachment")
    messages = [r["fileinfo"] for r in fileinfo(e2e.live, s["src_ip"]) if r["fileinfo"]["filename"] == "message.eml"]
    assert s["expect"]["appended_message"] in {m.get("sha256") for m in messages}, messages


def test_pdf_attachment_magic_and_type(e2e):
    s = scenario(e2e, "smtp_attachment_to_carol")
    (f,) = [r["fileinfo"] for r in fileinfo(e2e.live, s["src_ip"]) if r["fileinfo"]["filename"] == "survey-2026.pdf"]
    assert f["magic"] == "PDF document" and f["mimetype"] == "application/pdf"
