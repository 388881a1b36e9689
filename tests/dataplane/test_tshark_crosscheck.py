"""Cross-check against Wireshark's dissectors: for synthesized SMTP, POP3 and IMAP sessions, the
commands postern records equal the commands tshark decodes (smtp.req.command,
pop.request.command, imap.request.command), flow by flow."""
import collections
import re
import shutil
import subprocess

import pytest

from conftest import read_eve, run_postern, synthesize

pytestmark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    d = tmp_path_factory.mktemp("tshark")
    pcap, truth = synthesize(d, "mail", "--seed", 77, "--flows", 300, "--payload", "smtp,pop3,imap",
                             "--ports", "auto", "--bytes-per-flow", "1K:30K")
    eve = d / "eve.json"
    run_postern("-r", pcap, "--eve-log", eve)
    by_flow = collections.defaultdict(list)
    for e in read_eve(eve):
        if "src_port" in e:
            by_flow[(e["src_ip"], e["src_port"])].append(e)
    return pcap, by_flow


def tshark_fields(pcap, display_filter, *fields, first_only_on_mismatch=False):
    """{(client ip, port): [(command, parameter)...]} in capture order. Commands pipelined in one
    segment come comma-separated in one row; they are split back into pairs."""
    out = subprocess.run(["tshark", "-r", str(pcap), "-Y", display_filter, "-T", "fields", "-E", "aggregator=\x1f",
                          "-e", "ip.src", "-e", "tcp.srcport", *sum((["-e", f] for f in fields), [])],
                         capture_output=True, text=True, check=True).stdout
    rows = collections.defaultdict(list)
    for line in out.splitlines():
        cols = (line.split("\t") + [""] * 4)[:2 + len(fields)]
        commands = [c.upper() for c in cols[2].split("\x1f") if c]
        params = [p for p in cols[3].split("\x1f") if p] if len(fields) > 1 else []
        if len(params) != len(commands) and first_only_on_mismatch:
            commands, params = commands[:1], params[:1]  # tshark read message lines as requests
        elif len(params) != len(commands):  # only some commands carry a parameter: hand them out
            it = iter(params)
            params = [next(it, "") if c in TAKES_PARAMETER else "" for c in commands]
        rows[(cols[0], int(cols[1]))].extend(zip(commands, params))
    return rows


TAKES_PARAMETER = {"EHLO", "HELO", "MAIL", "RCPT", "AUTH", "BDAT", "VRFY", "EXPN"}
# tshark's POP dissector also lists SASL response lines (base64) as commands: keep real verbs.
POP3_VERBS = {"USER", "PASS", "APOP", "AUTH", "CAPA", "STLS", "STAT", "LIST", "UIDL", "RETR", "TOP",
              "DELE", "RSET", "NOOP", "QUIT", "UTF8", "LANG"}


def pipelined_flows(pcap, port):
    """Client flows with a segment that carries more than one command line: tshark's POP and IMAP
    dissectors decode only the first line of such a segment."""
    out = subprocess.run(["tshark", "-r", str(pcap), "-Y", f"tcp.dstport=={port} && tcp.len>0", "-T", "fields",
                          "-e", "ip.src", "-e", "tcp.srcport", "-e", "tcp.payload"],
                         capture_output=True, text=True, check=True).stdout
    flows = set()
    for line in out.splitlines():
        ip, sport, payload = line.split("\t")
        if bytes.fromhex(payload.replace(":", "")).rstrip(b"\r\n").count(b"\r\n") > 0:
            flows.add((ip, int(sport)))
    return flows


def is_subsequence(short, long):
    it = iter(long)
    return all(x in it for x in short)


def angle(param):
    """The <address> of a MAIL FROM:/RCPT TO: parameter."""
    start, end = param.find("<"), param.find(">")
    return param[start:end + 1] if start >= 0 and end > start else param


def test_smtp_commands_match_tshark(capture):
    pcap, by_flow = capture
    ts = tshark_fields(pcap, "smtp.req.command", "smtp.req.command", "smtp.req.parameter")
    assert len(ts) > 50
    compared = 0
    for key, pairs in ts.items():
        records = [e["smtp"] for e in by_flow[key] if e["event_type"] == "smtp"]
        if any(r.get("data_mode") == "bdat" for r in records):
            continue  # tshark has no BDAT (RFC 3030): it takes the chunk and what follows as data
        compared += 1
        helo = [p for c, p in pairs if c in ("EHLO", "HELO")]
        assert {r["helo"] for r in records if "helo" in r} == set(helo), key
        assert [r["mail_from"] for r in records if "mail_from" in r] == [angle(p) for c, p in pairs if c == "MAIL"]
        assert sum((r.get("rcpt_to", []) for r in records), []) == [angle(p) for c, p in pairs if c == "RCPT"]
        # tshark does not decode BDAT (RFC 3030) chunks as commands, so compare DATA alone.
        data = sum(1 for c, _ in pairs if c == "DATA")
        assert data == sum(1 for r in records if r.get("data_mode") == "data"), key
    assert compared > 30


def test_pop3_commands_match_tshark(capture):
    pcap, by_flow = capture
    ts = tshark_fields(pcap, "pop.request.command", "pop.request.command")
    pipelined = pipelined_flows(pcap, 110)
    assert len(ts) > 50
    strict = 0
    for key, pairs in ts.items():
        theirs = [c for c, _ in pairs if c in POP3_VERBS]
        ours = [e["pop3"]["request"]["command"] for e in by_flow[key]
                if e["event_type"] == "pop3" and "request" in e["pop3"]]
        if key in pipelined:
            assert is_subsequence(theirs, ours), (key, ours, theirs)
        else:
            assert ours == theirs, (key, ours, theirs)
            strict += 1
    assert strict > 20


IMAP_VERBS = {"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN", "SELECT", "EXAMINE",
              "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "STATUS", "APPEND",
              "CHECK", "CLOSE", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE", "IDLE", "ENABLE", "ID",
              "NAMESPACE", "UNSELECT", "COMPRESS", "GETQUOTAROOT", "SORT", "THREAD"}


def test_imap_commands_match_tshark(capture):
    pcap, by_flow = capture
    ts = tshark_fields(pcap, "imap.request.command", "imap.request_tag", "imap.request.command",
                       first_only_on_mismatch=True)
    pipelined = pipelined_flows(pcap, 143)
    assert len(ts) > 50
    strict = 0
    for key, pairs in ts.items():
        # tshark puts the tag in the first field and the command in the second
        # tshark also decodes the lines of a LITERAL+ message as commands ("Signed copy ..."):
        # keep real verbs under tags shaped like a client's (letters then digits).
        theirs = [f"{tag} {cmd}".upper() for tag, cmd in pairs
                  if cmd.upper() in IMAP_VERBS and re.fullmatch(r"[A-Za-z]*[0-9]+", tag)]
        # tshark flags UID commands in a separate field: compare verbs without the UID prefix
        ours = [f"{e['imap']['tag']} {e['imap']['command'].removeprefix('UID ')}".upper() for e in by_flow[key]
                if e["event_type"] == "imap" and "tag" in e["imap"] and e["imap"].get("end") != "message"]
        if key in pipelined:
            assert is_subsequence(theirs, ours), (key, ours, theirs)
        else:
            assert ours == theirs, (key, ours, theirs)
            strict += 1
    assert strict > 20
