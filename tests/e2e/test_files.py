"""fileinfo on real servers and real clients: the sha256 Postern reports for an attachment equals
the sha256 of the bytes the client attached, whichever way the file went (SMTP submission to
Postfix, POP3 RETR and IMAP FETCH from Dovecot, IMAP APPEND of a sent copy); the appended
message's own digest equals that of the literal the client sent; records validate against
Suricata's EVE schema. With extraction on, the stored files are byte for byte what the client
sent."""
import hashlib
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


def stored(e2e, sha256, message=False):
    path = e2e.live_store / sha256[:2] / (sha256 + (".eml" if message else ""))
    assert path.is_file(), f"{path} was not stored"
    return path.read_bytes()


def test_extracted_files_are_what_the_client_sent(e2e):
    sent = e2e.work / "sent"
    for name in ("smtp_attachment_to_carol", "pop3_retr_attachment", "imap_fetch_and_append_attachment"):
        s = scenario(e2e, name)
        records = {r["fileinfo"]["filename"]: r["fileinfo"] for r in fileinfo(e2e.live, s["src_ip"])}
        for filename, sha256 in s["expect"]["files"].items():
            assert records[filename]["stored"] is True, (name, records[filename])
            assert stored(e2e, sha256) == (sent / filename).read_bytes(), (name, filename)
    s = scenario(e2e, "imap_fetch_and_append_attachment")
    assert stored(e2e, s["expect"]["appended_message"], message=True) == (sent / "appended.eml").read_bytes()


def test_one_long_base64_line_is_hashed_and_extracted(e2e):
    """8,000 base64 characters in one line, past every line limit of the parser: the digest and the
    stored file are still those of the bytes the implant uploaded (the line is decoded in pieces)."""
    s = scenario(e2e, "c2_imap_append_one_long_base64_line")
    (f,) = [r["fileinfo"] for r in fileinfo(e2e.live, s["src_ip"]) if r["fileinfo"]["filename"] == "stash.bin"]
    assert f["sha256"] == s["expect"]["files"]["stash.bin"] and f["size"] == 6000 and f["stored"]
    assert stored(e2e, f["sha256"]) == (e2e.work / "sent" / "stash.bin").read_bytes()


def test_every_stored_record_has_its_file(e2e):
    records = [e["fileinfo"] for e in e2e.live if e["event_type"] == "fileinfo"]
    kept = [f for f in records if f["stored"]]
    assert kept and all(not f["stored"] for f in records if f["gaps"])
    for f in kept:
        data = stored(e2e, f["sha256"], message=f["filename"] == "message.eml")
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"]
    assert not any((e2e.live_store / "tmp").iterdir()), "temporary files left behind"
