"""The application layer in the real dataplane: sessions are identified by content on any port,
the SMTP parser writes EVE smtp/email records and anomalies, TLS sessions are marked, and
unknown payload is "failed" — all through postern -r."""
import base64

from conftest import read_eve, run_postern
from eve_schema import validate
from pcapgen import tcp_session, write_pcap

MESSAGE = (b"From: \"Alice\" <alice@example.com>\r\n"
           b"To: bob@example.net\r\n"
           b"Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?= quarterly\r\n"
           b"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
           b"Message-ID: <1@example.com>\r\n"
           b"X-Mailer: TestMailer 1.0\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
           b"\r\n"
           b"--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n..dot-stuffed line\r\n"
           b"--b1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
           b"Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"%PDF-1.4 test").replace(b"\n", b"\r\n") +
           b"--b1--\r\n")

SMTP = [
    ("s", b"220 mx.example.net ESMTP Postfix\r\n"),
    ("c", b"EHLO DESKTOP-AB12CD\r\n"),
    ("s", b"250-mx.example.net\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"),
    ("c", b"AUTH PLAIN " + base64.b64encode(b"\0alice@example.com\0secret-password") + b"\r\n"),
    ("s", b"235 2.7.0 Authentication successful\r\n"),
    ("c", b"MAIL FROM:<alice@example.com> SIZE=1000\r\nRCPT TO:<bob@example.net>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n"),
    ("s", b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"),
    ("c", MESSAGE + b".\r\n"),
    ("s", b"250 2.0.0 Ok: queued\r\n"),
    ("c", b"XYZZY " + b"A" * 600 + b"\r\n"),
    ("s", b"502 5.5.2 Error: command not recognized\r\n"),
    ("c", b"QUIT\r\n"),
    ("s", b"221 2.0.0 Bye\r\n"),
]


def run(tmp_path, packets, *extra):
    pcap = tmp_path / "t.pcap"
    write_pcap(pcap, packets)
    eve = tmp_path / "eve.json"
    run_postern("-r", pcap, "--eve-log", eve, *extra)
    events = read_eve(eve)
    for e in events:
        validate(e)
    return events


def test_smtp_session_records(tmp_path):
    events = run(tmp_path, tcp_session(SMTP, mss=300))
    smtp = [e for e in events if e["event_type"] == "smtp"]
    assert len(smtp) >= 1
    tx = smtp[0]
    assert tx["app_proto"] == "smtp" and tx["src_port"] == 40000 and tx["dest_port"] == 25
    assert tx["smtp"]["helo"] == "DESKTOP-AB12CD"
    assert tx["smtp"]["mail_from"] == "<alice@example.com>"
    assert tx["smtp"]["rcpt_to"] == ["<bob@example.net>", "<carol@example.org>"]
    email = tx["email"]
    assert email["subject"] == "Привет quarterly"
    assert email["x_mailer"] == "TestMailer 1.0"
    assert "report.pdf" in email["attachment"]
    text = "\n".join(str(e) for e in events)
    assert "secret-password" not in text  # secrets are never written
    anomalies = [e["anomaly"]["event"] for e in events if e["event_type"] == "anomaly"]
    assert "smtp.command_line_too_long" in anomalies
    flow = [e for e in events if e["event_type"] == "flow"][0]
    assert flow["app_proto"] == "smtp"
    stats = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
    assert stats["app_layer"]["flow"]["smtp"] == 1
    assert stats["postern"]["anomalies"]["smtp.command_line_too_long"] == 1


def test_smtp_on_an_odd_port_is_identified(tmp_path):
    events = run(tmp_path, tcp_session(SMTP, server=("198.51.100.20", 8443)))
    flow = [e for e in events if e["event_type"] == "flow"][0]
    assert flow["app_proto"] == "smtp" and flow["dest_port"] == 8443
    assert any(e["event_type"] == "smtp" for e in events)
    assert any(e["event_type"] == "anomaly" and e["anomaly"]["event"] == "applayer.mail_on_nonstandard_port"
               for e in events)


def test_unknown_payload_is_failed(tmp_path):
    events = run(tmp_path, tcp_session([("c", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"), ("s", b"HTTP/1.1 200 OK\r\n\r\n")],
                                       server=("198.51.100.20", 25)))
    flow = [e for e in events if e["event_type"] == "flow"][0]
    assert flow["app_proto"] == "failed"
    assert [e["anomaly"]["event"] for e in events if e["event_type"] == "anomaly"] == ["applayer.non_mail_on_mail_port"]
    assert [e for e in events if e["event_type"] == "stats"][-1]["stats"]["app_layer"]["flow"]["failed"] == 1


def test_segment_sizes_do_not_change_records(tmp_path):
    """The same conversation cut into 1..7-byte segments gives the same smtp records."""
    def records(mss, sub):
        d = tmp_path / sub
        d.mkdir()
        evs = run(d, tcp_session(SMTP, mss=mss))
        return [{k: v for k, v in e.items() if k in ("smtp", "email")} for e in evs if e["event_type"] == "smtp"]

    baseline = records(1460, "a")
    assert baseline
    for mss in (1, 7):
        assert records(mss, f"m{mss}") == baseline


POP3 = [
    ("s", b"+OK POP3 ready <1896.697170952@dbc.example.net>\r\n"),
    ("c", b"USER alice\r\n"), ("s", b"+OK\r\n"),
    ("c", b"PASS hunter2-secret\r\n"), ("s", b"+OK maildrop has 1 message\r\n"),
    ("c", b"RETR 1\r\n"),
    ("s", b"+OK 120 octets\r\nFrom: a@example.com\r\nSubject: PW_alice-DESKTOP\r\n\r\nbody\r\n..dots\r\n.\r\n"),
    ("c", b"DELE 1\r\n"), ("s", b"+OK\r\n"),
    ("c", b"QUIT\r\n"), ("s", b"+OK bye\r\n"),
]


def test_pop3_session_records(tmp_path):
    events = run(tmp_path, tcp_session(POP3, server=("198.51.100.20", 110), mss=17))
    pop = [e for e in events if e["event_type"] == "pop3"]
    commands = [e["pop3"]["request"]["command"] for e in pop if "request" in e["pop3"]]
    assert commands == ["USER", "PASS", "RETR", "DELE", "QUIT"]
    retr = next(e for e in pop if e["pop3"].get("request", {}).get("command") == "RETR")
    assert retr["email"]["subject"] == "PW_alice-DESKTOP"
    assert "hunter2-secret" not in "\n".join(map(str, events))
    flow = [e for e in events if e["event_type"] == "flow"][0]
    assert flow["app_proto"] == "pop3"


def test_sessions_picked_up_in_the_middle_of_a_message_are_mail(tmp_path):
    """The tap came up late: no handshake, and each session's first bytes are the middle of a
    message (SMTP DATA, a POP3 RETR, an IMAP FETCH literal). Server replies and the commands that
    follow identify the protocol, and the rest of each session is parsed, not failed."""
    body = b"".join(b"Line %d of the quarterly report, nothing to see here at all.\r\n" % i for i in range(200))
    smtp = [("c", body[3000:] + b".\r\n"), ("s", b"250 2.0.0 Ok: queued as 4FZ\r\n"),
            ("c", b"MAIL FROM:<a@corp.example>\r\n"), ("s", b"250 2.1.0 Ok\r\n"),
            ("c", b"RCPT TO:<b@corp.example>\r\n"), ("s", b"250 2.1.5 Ok\r\n"),
            ("c", b"QUIT\r\n"), ("s", b"221 2.0.0 Bye\r\n")]
    imap = [("s", body[2000:] + b")\r\na5 OK Fetch completed.\r\n"), ("c", b"a6 UID FETCH 7 (BODY.PEEK[])\r\n"),
            ("s", b"a6 OK Fetch completed.\r\n"), ("c", b"a7 LOGOUT\r\n"), ("s", b"* BYE\r\na7 OK Logout completed.\r\n")]
    pop3 = [("s", body[1000:] + b".\r\n"), ("c", b"DELE 1\r\n"), ("s", b"+OK Marked to be deleted.\r\n"),
            ("c", b"QUIT\r\n"), ("s", b"+OK Logging out.\r\n")]
    packets = tcp_session(smtp, client=("192.0.2.50", 40001), server=("198.51.100.20", 25), handshake=False)
    packets += tcp_session(imap, client=("192.0.2.51", 40002), server=("198.51.100.20", 143), handshake=False,
                           start=1700000010.0)
    packets += tcp_session(pop3, client=("192.0.2.52", 40003), server=("198.51.100.20", 110), handshake=False,
                           start=1700000020.0)
    write_pcap(tmp_path / "late.pcap", packets)
    run_postern("-r", tmp_path / "late.pcap", "--eve-log", tmp_path / "eve.json", "--no-rules")
    events = read_eve(tmp_path / "eve.json")
    flows = {e["dest_port"]: e["app_proto"] for e in events if e["event_type"] == "flow"}
    assert flows == {25: "smtp", 143: "imap", 110: "pop3"}
    assert not [e for e in events if e.get("anomaly", {}).get("event") == "applayer.non_mail_on_mail_port"]
    smtp_rec = [e["smtp"] for e in events if e["event_type"] == "smtp"]
    assert any(r.get("rcpt_to") == ["<b@corp.example>"] for r in smtp_rec), smtp_rec
    assert any(e["pop3"].get("request", {}).get("command") == "DELE" for e in events if e["event_type"] == "pop3")
    assert any(e["imap"].get("command") == "UID FETCH" for e in events if e["event_type"] == "imap")
