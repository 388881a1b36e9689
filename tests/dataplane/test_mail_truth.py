"""Mail sessions from the synthesizer (SMTP, POP3, IMAP on their ports, with reordering,
retransmissions and arbitrary segment sizes) produce EVE records that agree with what the
synthesizer wrote: envelopes, subjects, attachments, users, command sequences."""
import collections

import pytest

from conftest import read_eve, run_postern, synthesize, write_config
from eve_schema import validate


@pytest.fixture(scope="module")
def mail_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("mail")
    pcap, truth = synthesize(d, "mail", "--seed", 31, "--flows", 600, "--payload", "smtp,pop3,imap",
                             "--ports", "auto", "--reorder", 0.05, "--dup", 0.05, "--split",
                             "--bytes-per-flow", "1K:60K")
    eve = d / "eve.json"
    run_postern("-r", pcap, "--workers", 2, "--eve-log", eve)
    events = read_eve(eve)
    by_flow = collections.defaultdict(list)
    for e in events:
        if "src_port" in e:
            by_flow[(e["src_ip"], e["src_port"])].append(e)
    return truth, events, by_flow


def flows_of(truth, protocol):
    return [f for f in truth["flows"] if f.get("mail", {}).get("protocol") == protocol]


def test_every_record_validates(mail_run):
    _, events, _ = mail_run
    for e in events:
        validate(e)


def test_protocols_identified(mail_run):
    truth, _, by_flow = mail_run
    for f in truth["flows"]:
        flow = [e for e in by_flow[(f["client_ip"], f["client_port"])] if e["event_type"] == "flow"]
        assert len(flow) == 1
        assert flow[0]["app_proto"] == f["mail"]["protocol"], f["mail"]


def test_smtp_envelopes_and_messages(mail_run):
    truth, _, by_flow = mail_run
    checked = 0
    for f in flows_of(truth, "smtp"):
        m = f["mail"]
        records = [e for e in by_flow[(f["client_ip"], f["client_port"])] if e["event_type"] == "smtp"]
        with_mail = [e for e in records if "mail_from" in e["smtp"]]
        sent = [msg for msg in m["messages"]]
        assert len(with_mail) == len(sent), (m, records)
        for rec, msg in zip(with_mail, sent):
            assert rec["smtp"]["helo"] == m["helo"]
            assert rec["smtp"]["mail_from"] == msg["mail_from"]
            assert rec["smtp"]["rcpt_to"] == msg["rcpt_to"]
            assert rec["email"]["subject"] == msg["subject"]
            assert rec["email"]["message_id"] == msg["message_id"]
            assert sorted(rec["email"].get("attachment", [])) == sorted(msg["attachments"])
            if "auth" in m:
                assert rec["smtp"]["auth"]["mechanism"] == m["auth"]["mechanism"]
                assert rec["smtp"]["auth"]["user"] == m["auth"]["user"]
                assert rec["smtp"]["auth"]["result"] == m["auth"]["result"]
            checked += 1
        if m["starttls"]:
            assert any(r["smtp"].get("starttls") for r in records)
    assert checked > 50


def test_pop3_command_sequences_and_messages(mail_run):
    truth, _, by_flow = mail_run
    checked = 0
    for f in flows_of(truth, "pop3"):
        m = f["mail"]
        records = [e for e in by_flow[(f["client_ip"], f["client_port"])] if e["event_type"] == "pop3"]
        commands = [r["pop3"]["request"]["command"] for r in records if "request" in r["pop3"]]
        assert commands == m["commands"], (commands, m["commands"])
        retrieved = [r for r in records if "email" in r]
        assert [r["email"].get("subject") for r in retrieved] == [msg["subject"] for msg in m["messages"]]
        if "auth" in m:
            users = {r["pop3"].get("user") for r in records if r["pop3"].get("user")}
            assert users == {m["auth"]["user"]}
        checked += 1
    assert checked > 50


def test_imap_commands_mailboxes_and_messages(mail_run):
    truth, _, by_flow = mail_run
    checked = 0
    for f in flows_of(truth, "imap"):
        m = f["mail"]
        records = [e for e in by_flow[(f["client_ip"], f["client_port"])] if e["event_type"] == "imap"]
        # A FETCH of several messages writes one record per message ("end": "message") and a last
        # one when the tagged response completes it.
        commands = [f"{e['imap']['tag']} {e['imap']['command']}" for e in records
                    if "tag" in e["imap"] and e["imap"].get("end") != "message"]
        assert commands == m["commands"], (commands, m["commands"])
        mailboxes = {e["imap"]["mailbox"] for e in records if "mailbox" in e["imap"]}
        assert mailboxes == set(m.get("mailboxes", [])), (mailboxes, m)
        # Whole messages (FETCH BODY[]/RFC822, APPEND); header-only fetches are parsed too but
        # the synthesizer lists only whole messages.
        carried = [e for e in records if "email" in e and "HEADER" not in e["imap"]["message"].get("section", "")]
        assert [e["email"].get("subject") for e in carried] == [msg["subject"] for msg in m["messages"]]
        if "auth" in m:
            assert {e["imap"].get("user") for e in records if e["imap"].get("user")} == {m["auth"]["user"]}
        checked += 1
    assert checked > 50
