"""Benign mail that looks like C2 to a naive detector, sent and read by real mail programs
(msmtp, mutt, fetchmail) and by a client that re-issues IDLE: non-Latin encoded subjects, an
S/MIME signed mail, a newsletter full of tracking tokens, a 2 MB attachment, pollers. Part of
clients.py's run (each function takes its Run); the corpus scorecard expects no alert of
severity 1 or 2 on any of them."""
import contextlib
import io
import os
import pathlib
import random
import smtplib
import socket
import subprocess
import tempfile
import time
import zipfile

from clients import PASSWORDS, SERVER, message, read_until_tagged, run_client


@contextlib.contextmanager
def routed_from(src):
    """New connections leave from `src`: for programs that cannot bind a source address (mutt,
    fetchmail). The client namespace's connected route says which address is the source."""
    route = ["10.99.0.0/24", "dev", "c0", "proto", "kernel", "scope", "link"]
    subprocess.run(["ip", "route", "replace", *route, "src", src], check=True)
    try:
        yield
    finally:
        subprocess.run(["ip", "route", "replace", *route, "src", "10.99.0.10"], check=True)


def msmtp(src, helo, sender, to, raw):
    run_client(["msmtp", "--host", SERVER, "--port", "25", "--tls=off", "--auth=off", f"--domain={helo}",
                f"--source-ip={src}", f"--from={sender}", to], input=raw)


def non_latin_subjects(run):
    """Russian and Chinese subjects as RFC 2047 base64 encoded words (what mail programs send):
    long opaque-looking tokens on the wire, human text after decoding."""
    subjects = ["Отчёт за третий квартал и планы на следующий год", "会议纪要：下周三的项目进度评审"]
    s = run.scenario("smtp_msmtp_non_latin_subjects", "benign", "smtp", 25, helo="ws-0431.corp.example", sessions=2,
                     mail_from="<carol@corp.example>", rcpt_to=["<bob@corp.example>"], subjects=subjects)
    for subject in subjects:
        m = message("Карина <carol@corp.example>", ["bob@corp.example"], subject,
                    "Добрый день! Во вложении краткий отчёт. 附件是会议纪要。\n")
        msmtp(s["src_ip"], s["expect"]["helo"], "carol@corp.example", "bob@corp.example", m.as_bytes())


def smime_signed(run):
    """An S/MIME signed mail made by openssl: a base64 pkcs7-signature part, no human text in it."""
    s = run.scenario("smtp_msmtp_smime_signed", "benign", "smtp", 25, helo="ws-0432.corp.example",
                     mail_from="<alice@corp.example>", rcpt_to=["<bob@corp.example>"],
                     subject="Signed: purchase order 4711", attachments=["smime.p7s"])
    with tempfile.TemporaryDirectory() as d:
        d = pathlib.Path(d)
        run_client(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=Alice/emailAddress=alice@corp.example", "-keyout", str(d / "key.pem"), "-out",
                    str(d / "cert.pem")])
        (d / "body.txt").write_text("Bob,\n\nplease find the purchase order details below and approve.\n\nAlice\n")
        signed = run_client(["openssl", "smime", "-sign", "-text", "-in", str(d / "body.txt"), "-signer",
                             str(d / "cert.pem"), "-inkey", str(d / "key.pem"), "-from", "alice@corp.example",
                             "-to", "bob@corp.example", "-subject", s["expect"]["subject"]]).stdout
    msmtp(s["src_ip"], s["expect"]["helo"], "alice@corp.example", "bob@corp.example", signed)


def newsletter(run):
    """A bulk sender's newsletter: tracking ids in its headers and links, an HTML part."""
    s = run.scenario("smtp_newsletter", "benign", "smtp", 25, helo="mta-07.mail.shop.example",
                     mail_from="<bounce-7f3a9c@mail.shop.example>", rcpt_to=["<bob@corp.example>"],
                     subject="Your December deals are here")
    rng = random.Random(23)
    token = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    m = message("Shop <news@shop.example>", ["bob@corp.example"], s["expect"]["subject"],
                "Hi Bob,\n\nour December deals are here: 20 % off winter jackets.\n",
                extra_headers=[("List-Unsubscribe", f"<https://shop.example/unsub/{token}>"),
                               ("List-Id", "Shop deals <deals.shop.example>"), ("Precedence", "bulk"),
                               ("Feedback-ID", "4711:0815:newsletter:shop"),
                               ("X-Campaign-ID", token), ("X-Mailer", "MailChimp Mailer - **CID" + token[:20] + "**")])
    links = "".join(f'<p><a href="https://click.shop.example/t/{token}/{i}?u=bob">Deal {i}</a></p>' for i in range(8))
    m.add_alternative(f"<html><body><h1>December deals</h1>{links}</body></html>", subtype="html")
    with smtplib.SMTP(SERVER, 25, local_hostname=s["expect"]["helo"], source_address=(s["src_ip"], 0), timeout=20) as c:
        c.sendmail("bounce-7f3a9c@mail.shop.example", ["bob@corp.example"], m.as_bytes())


def mutt_large_attachment(run):
    """mutt mailing a 2 MB zip of photos (its own MIME encoding)."""
    s = run.scenario("smtp_mutt_large_attachment", "benign", "smtp", 25, mail_from="<alice@corp.example>",
                     rcpt_to=["<bob@corp.example>"], subject="Photos from the offsite",
                     attachments=["offsite-photos.zip"])
    rng = random.Random(29)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for n in range(8):
            z.writestr(f"IMG_{2040 + n}.jpg", b"\xff\xd8\xff\xe0" + rng.randbytes(250_000))
    with tempfile.TemporaryDirectory() as d:
        (pathlib.Path(d) / "offsite-photos.zip").write_bytes(buf.getvalue())
        env = dict(os.environ, HOME=d)
        with routed_from(s["src_ip"]):
            p = subprocess.run(["mutt", "-n", "-F", "/dev/null", "-e", f"set smtp_url=smtp://{SERVER}:25/",
                                "-e", "set from='Alice <alice@corp.example>'", "-e", "set use_from=yes",
                                "-e", "set envelope_from=yes", "-e", "set hostname=corp.example",
                                "-e", "set ssl_starttls=no", "-e", "set ssl_force_tls=no", "-e", "set copy=no",
                                "-s", s["expect"]["subject"], "-a", str(pathlib.Path(d) / "offsite-photos.zip"),
                                "--", "bob@corp.example"],
                               input=b"Hi Bob,\n\nthe photos from the offsite, as promised.\n\nAlice\n",
                               capture_output=True, env=env, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"mutt exited {p.returncode}: {p.stderr.decode(errors='replace')[-2000:]}")


def fetchmail_polls(run):
    """fetchmail polling a POP3 and an IMAP mailbox three times each (keep, UIDL): the first poll
    downloads, the others find nothing new."""
    for proto, port in (("pop3", 110), ("imap", 143)):
        s = run.scenario(f"{proto}_fetchmail_poll", "benign", proto, port, user="bob@corp.example", sessions=3)
        with tempfile.TemporaryDirectory() as d:
            rc = pathlib.Path(d) / "fetchmailrc"
            rc.write_text(f'set no syslog\nset idfile "{d}/ids"\n'
                          f"poll {SERVER} protocol {proto.upper()} port {port}{' uidl' if proto == 'pop3' else ''}\n"
                          f'  user "bob@corp.example" password "{PASSWORDS["bob@corp.example"]}" keep sslproto ""\n'
                          f'  mda "/bin/sh -c \'cat > /dev/null\'"\n')
            rc.chmod(0o600)
            with routed_from(s["src_ip"]):
                for _ in range(3):
                    p = subprocess.run(["fetchmail", "-N", "-f", str(rc)], capture_output=True, timeout=60,
                                       env=dict(os.environ, HOME=d))
                    if p.returncode not in (0, 1):  # 1: no new mail
                        raise RuntimeError(f"fetchmail exited {p.returncode}: {p.stderr.decode(errors='replace')}")
                    time.sleep(1.0)


def idle_reissue(run):
    """A mail program's IDLE loop: IDLE, DONE after a while, IDLE again (as Thunderbird does)."""
    s = run.scenario("imap_idle_reissue", "benign", "imap", 143, user="alice@corp.example")
    sock = socket.create_connection((SERVER, 143), 20, source_address=(s["src_ip"], 0))
    f = sock.makefile("rb")

    f.readline()
    sock.sendall(b'i1 LOGIN "alice@corp.example" "' + PASSWORDS["alice@corp.example"].encode() + b'"\r\n')
    read_until_tagged(f, b"i1")
    sock.sendall(b"i2 SELECT INBOX\r\n")
    read_until_tagged(f, b"i2")
    for n in range(3):
        tag = b"i%d" % (n + 3)
        sock.sendall(tag + b" IDLE\r\n")
        assert f.readline().startswith(b"+"), "no IDLE continuation"
        time.sleep(1.2)
        sock.sendall(b"DONE\r\n")
        read_until_tagged(f, tag)
    sock.sendall(b"i9 LOGOUT\r\n")
    read_until_tagged(f, b"i9")
    sock.close()


ALL = (non_latin_subjects, smime_signed, newsletter, mutt_large_attachment, fetchmail_polls, idle_reissue)
