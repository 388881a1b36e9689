#!/usr/bin/python3
"""A labelled corpus of real mail traffic, recorded on the e2e testbed (tests/e2e): real Postfix
and Dovecot, real clients (swaks, curl, msmtp, mutt, fetchmail, smtplib/imaplib/poplib) and
implant-like raw-socket scripts, captured by tcpdump on the mirror port.

    sudo scripts/make_corpus.py [--out DIR] [--variants base,lossy,vlan,ipv6,late_tap]

Each variant is a folder with the whole capture (capture.pcap), for the recorded variants one
pcap per scenario (<scenario>.pcap), and truth.json: per scenario its kind (c2 or benign), class, technique, client
address, what the client sent, and its TCP connections as the capture holds them. The folder is
reused when it exists (the default DIR is out/corpus/<digest of the clients, testbed and this
script>, so the test suite records it once per change).

Variants:
- base: every scenario of tests/e2e/clients.py, on a clean link;
- lossy: the same on a link that drops 3 % of TCP frames (SYNs excepted) at random (nftables on
  the bridge, this kernel has no netem): real retransmissions, and frames the sensor saw but the
  receiver did not;
- vlan, ipv6, late_tap: base as a sensor would see it behind an 802.1Q trunk, on an IPv6
  network (each frame's network layer translated, TCP checksums recomputed, payload and timing
  untouched), and from a tap that came up after each scenario's first connection had started
  (its handshake and server greeting are missing);
- benign_day: the benign scenarios' sessions replayed over an 8-hour day, as a replay tool does
  (each copy moved in time, its client port rewritten, checksums recomputed): the pollers on a
  5-minute timer (96 polls each), everything else at random times, 8 times a day. What history
  detectors see of ordinary mail over hours, which the testbed cannot record in minutes."""
import argparse
import hashlib
import json
import pathlib
import shutil
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
E2E = ROOT / "tests" / "e2e"
sys.path.insert(0, str(E2E))
import testbed  # noqa: E402
from corpus_variants import VLAN_ID, benign_day, late_tap, to_ipv6, to_vlan, v6_of  # noqa: E402
from pcap_io import address, read_pcap, tcp_tuple, write_pcap  # noqa: E402

RECORDED = ("base", "lossy")
DERIVED = ("vlan", "ipv6", "late_tap", "benign_day")
LOSS_PERCENT = 3

# Scenarios that together make one attack (the operator's tasking mail and the implant's
# polls) or one person (two devices) are scored as one class; the rest are their own class.
CLASS_OF = {"c2_smtp_command_queue": "pop3_tasking", "c2_pop3_polling": "pop3_tasking",
            "c2_smtp_subject_tasking_queue": "pop3_subject_tasking", "c2_pop3_subject_tasking": "pop3_subject_tasking",
            "imap_two_devices_laptop": "imap_two_devices", "imap_two_devices_phone": "imap_two_devices"}
TECHNIQUE_OF_PREFIX = {"c2_smtp_stealer": "T1071.003, T1048.003 (credential stealer mailing its loot)",
                       "c2_smtp_message_id": "T1071.003, T1048.003 (exfiltration in Message-IDs)",
                       "c2_imap_drafts_dead": "T1071.003, T1102.001 (mailbox dead drop)",
                       "c2_imap": "T1071.003, T1048.003 (exfiltration by IMAP APPEND)",
                       "c2_imaps": "T1071.003 (mailbox polling over implicit TLS)",
                       "c2_pop3s": "T1071.003 (mailbox polling over implicit TLS)",
                       "c2_smtps": "T1071.003 (check-in mail over implicit TLS)",
                       "c2_pop3": "T1071.003 (tasking fetched over POP3)",
                       "c2_smtp": "T1071.003 (command channel over SMTP)"}


# -- one variant's folder ---------------------------------------------------------------------
def connections(records, client):
    """The scenario's TCP connections as captured: client port, server, frames and payload bytes
    per direction."""
    conns = {}
    for _, frame in records:
        t = tcp_tuple(frame)
        if not t or client not in (t[0], t[2]):
            continue
        up = t[0] == client
        key = (t[1], t[2], t[3]) if up else (t[3], t[0], t[1])
        c = conns.setdefault(key, {"client_port": key[0], "server": key[1], "server_port": key[2],
                                   "frames": [0, 0], "payload_bytes": [0, 0]})
        c["frames"][0 if up else 1] += 1
        c["payload_bytes"][0 if up else 1] += t[4]
    return list(conns.values())


def truth_of(scenario, records):
    name = scenario["name"]
    technique = next((v for k, v in TECHNIQUE_OF_PREFIX.items() if name.startswith(k)), "")
    return {"name": name, "kind": scenario["kind"], "class": CLASS_OF.get(name, name),
            "technique": technique if scenario["kind"] == "c2" else "", "protocol": scenario["protocol"],
            "port": scenario["port"], "client": scenario["src_ip"], "sent": scenario["expect"],
            "error": scenario.get("error"), "connections": connections(records, scenario["src_ip"])}


def write_variant(folder, header, records, scenarios, note, per_scenario=True):
    """capture.pcap, one pcap per scenario (recorded variants), truth.json; `scenarios` as
    clients.py wrote them."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_pcap(folder / "capture.pcap", header, records)
    truth = []
    for s in scenarios:
        mine = [(rh, f) for rh, f in records if (t := tcp_tuple(f)) and s["src_ip"] in (t[0], t[2])]
        if per_scenario:
            write_pcap(folder / f"{s['name']}.pcap", header, mine)
        truth.append(truth_of(s, mine))
    (folder / "truth.json").write_text(json.dumps({"variant": folder.name, "note": note, "scenarios": truth},
                                                  indent=1))


def derive(base, name):
    """A derived variant's folder from the base folder."""
    header, records = read_pcap(base / "capture.pcap")
    truth = json.loads((base / "truth.json").read_text())
    scenarios = [{"name": s["name"], "kind": s["kind"], "protocol": s["protocol"], "port": s["port"],
                  "src_ip": s["client"], "expect": s["sent"], "error": s["error"]} for s in truth["scenarios"]]
    if name == "vlan":
        out, note = [(rh, to_vlan(f)) for rh, f in records], f"base behind an 802.1Q trunk (VLAN {VLAN_ID})"
    elif name == "late_tap":
        out, note = late_tap(records, {s["src_ip"] for s in scenarios}), "base from a tap that came up late"
    elif name == "benign_day":
        out, note = benign_day(records, scenarios), "base's benign sessions replayed over an 8-hour day"
        scenarios = [s for s in scenarios if s["kind"] == "benign"]
    elif name == "ipv6":
        out, note = [(rh, f6) for rh, f in records if (f6 := to_ipv6(f))], "base translated to IPv6 (fd99::/64)"
        for s in scenarios:
            s["src_ip"] = address(v6_of(bytes(map(int, s["src_ip"].split(".")))))
    else:
        raise ValueError(name)
    folder = base.parent / name
    write_variant(folder, header, out, scenarios, note, per_scenario=False)
    return folder


# -- recording on the testbed -----------------------------------------------------------------
def lossy_link(percent):
    """Random drops of TCP frames on the bridge, both directions, after the mirror's ingress
    copy: the sensor sees server frames the client never got, and misses client frames the
    server never got, then sees both retransmitted. SYNs pass: the testbed's beacons poll every
    1.5 s, 40 times faster than real implants, and a lost SYN's 1 s retransmission timeout would
    be 66 % jitter here where it is 2 % at a real minute-long period."""
    ns = testbed.NS_TAP
    testbed.sh("nft", "add", "table", "bridge", "lossy", ns=ns)
    testbed.sh("nft", "add", "chain", "bridge", "lossy", "drops", "{ type filter hook forward priority 0; }", ns=ns)
    testbed.sh("nft", "add", "rule", "bridge", "lossy", "drops", "ether", "type", "ip", "ip", "protocol", "tcp",
               "tcp", "flags", "&", "syn", "==", "0", "numgen", "random", "mod", "100", "<", str(percent),
               "counter", "drop", ns=ns)


def dropped_frames():
    out = testbed.sh("nft", "list", "table", "bridge", "lossy", ns=testbed.NS_TAP, check=False).stdout
    return int(out.split("packets ")[1].split()[0]) if "packets " in out else 0


def record(folder, loss_percent=0):
    """Brings the testbed up, captures every client scenario, tears it down."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pcap, clients_json = folder / "raw.pcap", folder / "clients.json"
    state = testbed.up()
    tcpdump = None
    try:
        if loss_percent:
            lossy_link(loss_percent)
        log = open(folder / "tcpdump.log", "w")
        tcpdump = subprocess.Popen(testbed.tcpdump_command(pcap), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while "listening on" not in (folder / "tcpdump.log").read_text():
            assert time.monotonic() < deadline and tcpdump.poll() is None, "tcpdump did not start"
            time.sleep(0.1)
        # --keep-going: on a lossy link a scenario may fail; the rest still run and truth says so.
        clients = subprocess.run(["ip", "netns", "exec", testbed.NS_CLIENT, sys.executable, str(E2E / "clients.py"),
                                  "--keep-going", str(state), str(clients_json)],
                                 capture_output=True, text=True, timeout=600)
        time.sleep(1.5)  # the last ACKs and FINs reach the mirror
        dropped = dropped_frames() if loss_percent else 0
    finally:
        if tcpdump and tcpdump.poll() is None:
            tcpdump.send_signal(signal.SIGINT)
            tcpdump.wait(timeout=30)
        testbed.down(str(state))
    ran = json.loads(clients_json.read_text())
    if ran["error"]:
        raise RuntimeError(f"clients.py: {ran['error']}\n{clients.stderr[-2000:]}")
    drops = testbed.tcpdump_kernel_drops((folder / "tcpdump.log").read_text())
    if drops != 0:  # the capture is the corpus's truth: a frame it missed was still on the wire
        raise RuntimeError(f"tcpdump dropped {drops} frames in the kernel: record again on a quieter machine")
    header, records = read_pcap(pcap)
    note = (f"real servers and clients, {loss_percent} % of TCP frames but SYNs dropped at random ({dropped} dropped)"
            if loss_percent else "real servers and clients on a clean link")
    write_variant(folder, header, records, ran["scenarios"], note)
    pcap.unlink()
    return folder


def make(out, variants):
    """The variants' folders under `out`, made when missing (a folder with truth.json is kept)."""
    out = pathlib.Path(out)
    prune_stale(out)
    for v in variants:
        folder = out / v
        if (folder / "truth.json").exists():
            continue
        if v in RECORDED:
            record(folder, LOSS_PERCENT if v == "lossy" else 0)
        else:
            make(out, ["base"])
            derive(out / "base", v)
    return {v: out / v for v in variants}


def prune_stale(out):
    """Corpora of other digests under out/corpus (older clients, testbed or scripts) are never read
    again: each is ~100 MB, so only the one in use is kept."""
    root = ROOT / "out" / "corpus"
    if out.parent != root or not root.is_dir():
        return
    for d in root.iterdir():
        if d.is_dir() and d != out:
            shutil.rmtree(d)


def default_out():
    """out/corpus/<digest of what makes the corpus>: reused until the clients, the testbed or
    this script change."""
    h = hashlib.sha256()
    makers = [E2E / n for n in ("clients.py", "lookalikes.py", "testbed.py", "fake_servers.py")]
    scripts = [pathlib.Path(__file__).with_name(n) for n in ("make_corpus.py", "corpus_variants.py", "pcap_io.py")]
    for f in sorted([*makers, *(E2E / "config").rglob("*"), *scripts]):
        if f.is_file():
            h.update(f.name.encode() + f.read_bytes())
    return ROOT / "out" / "corpus" / h.hexdigest()[:12]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=pathlib.Path, default=None)
    ap.add_argument("--variants", default=",".join(RECORDED + DERIVED))
    args = ap.parse_args()
    problem = testbed.capability_problem()
    wanted = args.variants.split(",")
    if problem and any(v in RECORDED for v in wanted):
        sys.exit(f"make_corpus: the testbed cannot run here: {problem}")
    for v, folder in make(args.out or default_out(), wanted).items():
        t = json.loads((folder / "truth.json").read_text())
        kinds = [s["kind"] for s in t["scenarios"]]
        print(f"{v}: {folder} ({kinds.count('c2')} c2, {kinds.count('benign')} benign scenarios; {t['note']})")
