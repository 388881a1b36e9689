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
import ipaddress
import json
import pathlib
import random
import signal
import struct
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
E2E = ROOT / "tests" / "e2e"
sys.path.insert(0, str(E2E))
sys.path.insert(0, str(ROOT / "tests" / "dataplane"))
import testbed  # noqa: E402
from pcapgen import checksum  # noqa: E402

RECORDED = ("base", "lossy")
DERIVED = ("vlan", "ipv6", "late_tap", "benign_day")
DAY_S = 8 * 3600  # benign_day: a working day
POLL_PERIOD_S = 300  # a mail program polling on its timer (fetchmail's usual; Thunderbird's is 600)
VISITS_PER_DAY = 8  # how often each person's scenario comes again over the day
LOSS_PERCENT = 3
VLAN_ID = 42

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


# -- classic pcap, with struct only -----------------------------------------------------------
def read_pcap(path):
    """(24-byte header, [(header16, frame)]) of a classic little-endian pcap."""
    data = pathlib.Path(path).read_bytes()
    assert struct.unpack_from("<I", data)[0] in (0xA1B2C3D4, 0xA1B23C4D), f"{path}: not a little-endian pcap"
    records, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        records.append((data[off:off + 16], data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return data[:24], records


def write_pcap(path, header, records):
    out = bytearray(header)
    for rh, frame in records:
        sec, frac, _, orig = struct.unpack("<IIII", rh)
        out += struct.pack("<IIII", sec, frac, len(frame), orig + len(frame) - struct.unpack_from("<I", rh, 8)[0])
        out += frame
    pathlib.Path(path).write_bytes(bytes(out))


def ts_of(rh):
    sec, frac = struct.unpack_from("<II", rh)
    return sec + frac / 1e6


def address(b):
    return str(ipaddress.ip_address(bytes(b)))


def tcp_tuple(frame):
    """(src, sport, dst, dport, payload length) of an Ethernet IPv4/IPv6 TCP frame (802.1Q tags
    skipped), or None."""
    off, ethertype = 14, struct.unpack_from(">H", frame, 12)[0] if len(frame) >= 14 else 0
    while ethertype == 0x8100 and len(frame) >= off + 4:
        ethertype, off = struct.unpack_from(">H", frame, off + 2)[0], off + 4
    if ethertype == 0x0800 and len(frame) >= off + 20 and frame[off + 9] == 6:
        ihl = (frame[off] & 0x0F) * 4
        l4, l4_len = off + ihl, struct.unpack_from(">H", frame, off + 2)[0] - ihl
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
    elif ethertype == 0x86DD and len(frame) >= off + 40 and frame[off + 6] == 6:
        l4, l4_len = off + 40, struct.unpack_from(">H", frame, off + 4)[0]
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
    else:
        return None
    if len(frame) < l4 + 20:
        return None
    sport, dport = struct.unpack_from(">HH", frame, l4)
    return address(src), sport, address(dst), dport, l4_len - (frame[l4 + 12] >> 4) * 4


# -- derived variants -------------------------------------------------------------------------
def to_vlan(frame):
    return frame[:12] + struct.pack(">HH", 0x8100, VLAN_ID) + frame[12:]


def v6_of(ip4):
    """10.99.0.N -> fd99::N (the testbed's addresses, mapped one to one)."""
    return bytes.fromhex("fd99" + "00" * 12) + bytes([0, ip4[3]])


def to_ipv6(frame):
    """The same TCP segment over IPv6; None for frames that are not IPv4/TCP (ARP)."""
    if tcp_tuple(frame) is None:
        return None
    ihl = (frame[14] & 0x0F) * 4
    total = struct.unpack_from(">H", frame, 16)[0]
    src, dst = v6_of(frame[26:30]), v6_of(frame[30:34])
    seg = bytearray(frame[14 + ihl:14 + total])
    seg[16:18] = b"\0\0"
    pseudo = src + dst + struct.pack(">IxxxB", len(seg), 6)
    seg[16:18] = struct.pack(">H", checksum(pseudo + bytes(seg)))
    ip6 = struct.pack(">IHBB", 6 << 28, len(seg), 6, frame[22]) + src + dst
    return frame[:12] + b"\x86\xdd" + ip6 + bytes(seg)


def late_tap(records, scenarios):
    """Each scenario's frames from its first client payload on: the sensor missed the first
    connection's handshake and greeting (and everything of the scenario before it)."""
    cut = {}
    for rh, frame in records:
        t = tcp_tuple(frame)
        if t and t[4] > 0 and t[0] in scenarios and t[0] not in cut:
            cut[t[0]] = ts_of(rh)
    out = []
    for rh, frame in records:
        t = tcp_tuple(frame)
        client = t and (t[0] if t[0] in scenarios else t[2] if t[2] in scenarios else None)
        if client and ts_of(rh) < cut.get(client, 0):
            continue
        out.append((rh, frame))
    return out


def moved(frames, start, port, client, new_client=None):
    """A connection's frames again from `start`, its client port now `port` and its client
    address `new_client` (IPv4 bytes; None: kept), checksums recomputed: the same session later,
    or from another host, as replay tools make it."""
    t0, out = ts_of(frames[0][0]), []
    for rh, frame in frames:
        t = start + ts_of(rh) - t0
        f = bytearray(frame)
        ihl = (f[14] & 0x0F) * 4
        l4, total = 14 + ihl, struct.unpack_from(">H", f, 16)[0]
        up = address(f[26:30]) == client
        struct.pack_into(">H", f, l4 if up else l4 + 2, port)
        if new_client:
            at = 26 if up else 30  # the client's address: source going up, destination coming back
            f[at:at + 4] = new_client
            struct.pack_into(">H", f, 24, 0)
            struct.pack_into(">H", f, 24, checksum(bytes(f[14:l4])))
        struct.pack_into(">H", f, l4 + 16, 0)
        pseudo = bytes(f[26:34]) + struct.pack(">xBH", 6, total - ihl)
        struct.pack_into(">H", f, l4 + 16, checksum(pseudo + bytes(f[l4:14 + total])))
        out.append((struct.pack("<II", *divmod(round(t * 1e6), 1000000)) + rh[8:], bytes(f)))
    return out


def benign_day(records, scenarios, seed=5):
    """The benign scenarios' connections spread over DAY_S (benign_day in the docstring above)."""
    rng = random.Random(seed)
    benign = {s["src_ip"]: s["name"] for s in scenarios if s["kind"] == "benign"}
    sessions = {}  # client -> {client port: frames}, in capture order
    for rh, frame in records:
        t = tcp_tuple(frame)
        client = t and (t[0] if t[0] in benign else t[2] if t[2] in benign else None)
        if client:
            sessions.setdefault(client, {}).setdefault(t[1] if t[0] == client else t[3], []).append((rh, frame))
    day0, port, out = ts_of(records[0][0]), 20000, []
    for client, by_port in sessions.items():
        conns = list(by_port.values())
        if "poll" in benign[client]:
            offset = rng.uniform(0, POLL_PERIOD_S)
            starts = [day0 + offset + k * POLL_PERIOD_S + rng.uniform(-3, 3) for k in range(DAY_S // POLL_PERIOD_S)]
            # The first poll downloads what is new; the later ones find nothing (keep, UIDL).
            later = conns[1:] or conns
            plan = [(t, conns[0] if k == 0 else later[(k - 1) % len(later)]) for k, t in enumerate(starts)]
        else:
            t, plan = day0, []
            for _ in range(VISITS_PER_DAY):
                t += rng.expovariate(VISITS_PER_DAY / DAY_S)
                first = ts_of(conns[0][0][0])
                plan += [(t + ts_of(c[0][0]) - first, c) for c in conns]  # the visit's sessions as recorded
        for start, conn in plan:
            out += moved(conn, start, port, client)
            port += 1
    out.sort(key=lambda r: ts_of(r[0]))
    return out


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
        tcpdump = subprocess.Popen(["ip", "netns", "exec", testbed.NS_SENSOR, "tcpdump", "-i", testbed.SENSOR_IFACE,
                                    "-s", "0", "-U", "--immediate-mode", "-Z", "root", "-w", str(pcap)],
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
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
    header, records = read_pcap(pcap)
    note = (f"real servers and clients, {loss_percent} % of TCP frames but SYNs dropped at random ({dropped} dropped)"
            if loss_percent else "real servers and clients on a clean link")
    write_variant(folder, header, records, ran["scenarios"], note)
    pcap.unlink()
    return folder


def make(out, variants):
    """The variants' folders under `out`, made when missing (a folder with truth.json is kept)."""
    out = pathlib.Path(out)
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


def default_out():
    """out/corpus/<digest of what makes the corpus>: reused until the clients, the testbed or
    this script change."""
    h = hashlib.sha256()
    makers = [E2E / n for n in ("clients.py", "lookalikes.py", "testbed.py", "fake_servers.py")]
    for f in sorted([*makers, *(E2E / "config").rglob("*"), pathlib.Path(__file__)]):
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
