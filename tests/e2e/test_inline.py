"""Postern inline between real clients and the real Postfix/Dovecot: the client and server
namespaces are connected only through postern, forwarding between two net_af_packet ports.

The same client scenarios as the tap testbed run (clients.py --keep-going). With no verdicts the
benign ones work end to end; the stealer's session hits a reject rule and a fake STARTTLS session a
detector set to drop: those sessions are cut, the stealer's report never reaches its mailbox, and
EVE says blocked, while the benign sessions of the same run are delivered."""
import json
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from conftest import HERE, POSTERN, ROOT, EveTail, Run, popen, read_eve, wait_for
import testbed

REJECT_RULE = {"id": 7100001, "rev": 1, "title": "Stealer report subject (inline reject)", "status": "test",
               "level": "critical", "tags": ["attack.exfiltration", "attack.t1071.003"], "action": "reject",
               "match": {"all": [{"field": "email.subject", "patterns": ["^PW_"]}]},
               "tests": {"positive": [{"fields": {"email.subject": "PW_x/HOST"}}],
                         "negative": [{"fields": {"email.subject": "Re: PW_"}}]}}



@pytest.fixture(scope="module")
def inline(tmp_path_factory):
    problem = testbed.capability_problem()
    if problem:
        pytest.skip(f"e2e testbed unavailable: {problem}")
    work = tmp_path_factory.mktemp("inline")
    r = Run()
    r.work = work
    r.eve = work / "eve.json"
    rules = work / "inline-rules.json"
    rules.write_text(json.dumps({"rules": [REJECT_RULE]}))
    cfg = {"mode": "inline",
           # One RX lcore and one worker: two TX queues per port, so two af_packet queue pairs (each
           # also an RX queue the RX lcore polls: af_packet spreads a socket's packets over them).
           "ports": [{"name": "client", "device": f"net_af_packet0,iface={testbed.INLINE_IFACES[0]},qpairs=2",
                      "rx_queues": 2, "peer": "server"},
                     {"name": "server", "device": f"net_af_packet1,iface={testbed.INLINE_IFACES[1]},qpairs=2",
                      "rx_queues": 2, "peer": "client"}],
           "lcores": {"control": 0, "rx": [1], "workers": [2]},
           "rx": {"idle_sleep_us": 20},
           "mempool": {"mbufs": 65535},
           "rules": {"files": sorted(str(p) for p in (ROOT / "config" / "rules").glob("*.json")) + [str(rules)]},
           "detect": {"starttls_cleartext": {"action": "drop"}},
           "output": {"eve_log": str(r.eve), "stats_interval": 1}}
    (work / "inline.json").write_text(json.dumps(cfg, indent=1))
    log = open(work / "postern-inline.log", "w")
    procs = []

    def start_postern(_state):
        p = popen(["ip", "netns", "exec", testbed.NS_SENSOR, str(POSTERN), "--config", str(work / "inline.json")],
                  stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        procs.append(p)
        tail = EveTail(r.eve, keep=())
        wait_for(lambda: p.poll() is not None or (tail.poll() and tail.counts["stats"]), 60, "postern inline")
        assert p.poll() is None, (work / "postern-inline.log").read_text()

    testbed.down(keep_dir=True)  # the tap testbed's network, if it ran: its results are taken already
    state = testbed.up(mode="inline", before_servers=start_postern)
    try:
        clients = subprocess.run(["ip", "netns", "exec", testbed.NS_CLIENT, sys.executable, str(HERE / "clients.py"),
                                  "--keep-going", str(state), str(work / "clients.json")],
                                 capture_output=True, text=True, timeout=600)
        r.clients = json.loads((work / "clients.json").read_text())
        r.clients_stderr = clients.stderr
        testbed.wait_queue_empty(state)
        r.mail = {p.relative_to(state / "mail").as_posix(): p.read_bytes()  # new/ and cur/ (read mail)
                  for sub in ("new", "cur") for p in (state / "mail").rglob(f"Maildir/{sub}/*")}
        r.postfix = (state / "log" / "postfix.log").read_text(errors="replace")
        time.sleep(1)
        procs[0].send_signal(signal.SIGINT)
        r.rc = procs[0].wait(timeout=60)
        r.log = (work / "postern-inline.log").read_text()
        r.events = read_eve(r.eve)
        yield r
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        testbed.down(str(state))


def scenario(r, name):
    return next(s for s in r.clients["scenarios"] if s["name"] == name)


def by_src(r, ip):
    return [e for e in r.events if e.get("src_ip") == ip]


def test_postern_ran_and_stopped_cleanly(inline):
    assert inline.rc == 0, inline.log
    stats = [e for e in inline.events if e["event_type"] == "stats"][-1]["stats"]
    ips = stats["ips"]
    assert ips["accepted"] > 0 and ips["uninspected_forwarded"] > 0  # mail, and ARP
    assert ips["tx_drops"] == 0
    assert ips["latency_us"]["count"] > 0


def test_benign_sessions_work_through_postern(inline):
    benign = [s for s in inline.clients["scenarios"] if s["kind"] == "benign"]
    assert len(benign) >= 8
    failed = {s["name"]: s["error"] for s in benign if s.get("error")}
    assert not failed, failed
    for s in benign:
        alerts = [e for e in by_src(inline, s["src_ip"]) if e["event_type"] == "alert"]
        assert all(a["alert"]["action"] == "allowed" for a in alerts), s["name"]
    delivered = [m for path, m in inline.mail.items() if path.startswith("corp.example/bob/")]
    assert len(delivered) >= 4


def test_the_stealer_is_cut_and_never_delivered(inline):
    s = scenario(inline, "c2_smtp_stealer_exfil")
    assert s.get("error"), "the stealer's client should have seen its session cut"
    assert not any(b"PW_jsmith" in m for m in inline.mail.values()), "the stealer's report was delivered"
    ev = by_src(inline, s["src_ip"])
    alerts = [e for e in ev if e["event_type"] == "alert" and e["alert"]["signature_id"] == 7100001]
    assert alerts and alerts[0]["alert"]["action"] == "blocked"
    drops = [e for e in ev if e["event_type"] == "drop"]
    assert len(drops) == 1 and drops[0]["drop"]["reason"] == "rules"
    flows = [e for e in ev if e["event_type"] == "flow"]
    assert flows and flows[0]["flow"]["action"] == "drop"


def test_a_detector_set_to_drop_cuts_the_fake_starttls_session(inline):
    s = scenario(inline, "c2_smtp_fake_starttls")
    assert s.get("error"), "the fake STARTTLS session should have been cut"
    ev = by_src(inline, s["src_ip"])
    alerts = [e for e in ev if e["event_type"] == "alert" and e["alert"]["signature_id"] == 9200019]
    assert alerts and alerts[0]["alert"]["action"] == "blocked"
