"""Tests for evasions.py: each transform keeps what a Linux receiver accepts (checked with the
independent model in linux_receiver.py), really adds the decoys it promises, keeps time
monotonic and other flows untouched, and writes pcaps tshark reads."""
import ipaddress
import re
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from scapy.compat import raw
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Raw

import evasions as ev
import linux_receiver as lr

HERE = Path(__file__).resolve().parent
T0 = Decimal("1700000000")
BODY = (b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: invoice 42\r\n"
        b"Content-Type: text/plain\r\n\r\n"
        + b"".join(b"Line %03d of the body: AAAAAAAAAAAAAAAAAAAA 0123456789 %%n%%n {${jndi:ldap://x}}\r\n" % n
                   for n in range(14))
        + b".\r\n")
HOSTS = {4: ("192.0.2.10", "192.0.2.11", "198.51.100.20"),
         6: ("2001:db8::10", "2001:db8::11", "2001:db8:1::20")}


# ------------------------------------------------------------------ synthetic sessions

def smtp_session(client, server, start, isn_c, isn_s, step_us=1000):
    """An SMTP session as scapy packets: handshake, greeting, EHLO, MAIL, RCPT, DATA with the
    body in 4 segments back to back (a server ACK after the 2nd), QUIT, FIN both ways."""
    body = [BODY[i * 300:(i + 1) * 300] for i in range(3)] + [BODY[900:]]
    steps = [("c", "S", b""), ("s", "SA", b""), ("c", "A", b""),
             ("s", "PA", b"220 mx.example ESMTP\r\n"), ("c", "A", b""),
             ("c", "PA", b"EHLO client.example\r\n"), ("s", "PA", b"250-mx.example\r\n250 SIZE 1000000\r\n"),
             ("c", "PA", b"MAIL FROM:<alice@example.org>\r\n"), ("s", "PA", b"250 2.1.0 Ok\r\n"),
             ("c", "PA", b"RCPT TO:<bob@example.net>\r\n"), ("s", "PA", b"250 2.1.5 Ok\r\n"),
             ("c", "PA", b"DATA\r\n"), ("s", "PA", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
             ("c", "A", body[0]), ("c", "A", body[1]), ("s", "A", b""), ("c", "A", body[2]),
             ("c", "PA", body[3]), ("s", "A", b""), ("s", "PA", b"250 2.0.0 Ok: queued\r\n"),
             ("c", "PA", b"QUIT\r\n"), ("s", "PA", b"221 2.0.0 Bye\r\n"),
             ("s", "FA", b""), ("c", "FA", b""), ("s", "A", b"")]
    nxt = {"c": isn_c, "s": isn_s}
    macs = {"c": "02:00:00:00:00:01", "s": "02:00:00:00:00:02"}
    out = []
    for n, (who, flags, data) in enumerate(steps):
        other = "s" if who == "c" else "c"
        src, dst = (client, server) if who == "c" else (server, client)
        ack = nxt[other] if "A" in flags else 0
        options = [("MSS", 1460)] if "S" in flags else [("NOP", None), ("NOP", None), ("Timestamp", (1000 + n, 900 + n))]
        ip = IP(src=src[0], dst=dst[0], flags="DF", id=100 + n) if ":" not in src[0] else IPv6(src=src[0], dst=dst[0])
        pkt = Ether(src=macs[who], dst=macs[other]) / ip / TCP(
            sport=src[1], dport=dst[1], seq=nxt[who] % 2**32, ack=ack % 2**32, flags=flags, window=502, options=options)
        if data:
            pkt = pkt / Raw(data)
        pkt = Ether(raw(pkt))
        pkt.time = start + Decimal(n * step_us) / 1000000
        out.append(pkt)
        nxt[who] += len(data) + ("S" in flags) + ("F" in flags)
    return out


def capture(family):
    """The attacked session, a benign twin from another client interleaved with it, and a UDP
    packet, in time order. Returns (packets, attacked key, twin key)."""
    c1, c2, s = HOSTS[family]
    a = smtp_session((c1, 40001), (s, 25), T0, 1000000, 5000000)
    b = smtp_session((c2, 40002), (s, 25), T0 + Decimal("0.0005"), 4294967000, 7000000)  # seq wraps
    ipl = IP(src=c2, dst=s) if family == 4 else IPv6(src=c2, dst=s)
    udp = Ether(raw(Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:02") / ipl / UDP(sport=5353, dport=53) / Raw(b"dns?")))
    udp.time = T0 + Decimal("0.0101")
    packets = sorted(a + b + [udp], key=lambda p: p.time)
    return packets, ev.FlowKey(c1, 40001, s, 25), ev.FlowKey(c2, 40002, s, 25)


@pytest.fixture(params=[4, 6], ids=["ipv4", "ipv6"])
def session(request, tmp_path):
    packets, key, twin = capture(request.param)
    original = tmp_path / "original.pcap"
    ev.save(original, packets)
    return packets, key, twin, original


# ------------------------------------------------------------------ independent frame parsing

def parse(frame):
    """Fields of a frame from raw bytes: src, dst (address bytes), frag (None or (id, offset,
    more)), tcp (None or (sport, dport, seq, ack, flags, payload)) for unfragmented TCP."""
    version, ip = lr.ip_packet(frame)
    if version == 4:
        ihl, total = (ip[0] & 15) * 4, struct.unpack("!H", ip[2:4])[0]
        ident, fl = struct.unpack("!HH", ip[4:8])
        src, dst, proto, body = ip[12:16], ip[16:20], ip[9], ip[ihl:total]
        frag = (ident, (fl & 0x1FFF) * 8, bool(fl & 0x2000)) if fl & 0x3FFF else None
    else:
        plen, proto = struct.unpack("!HB", ip[4:7])
        src, dst, body = ip[8:24], ip[24:40], ip[40:40 + plen]
        frag = None
        if proto == 44:
            fo = struct.unpack("!H", body[2:4])[0]
            frag, body = (body[4:8], fo & 0xFFF8, bool(fo & 1)), body[8:]
    tcp = None
    if proto == 6 and frag is None:
        sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", body[:14])
        tcp = (sport, dport, seq, ack, flags, body[(off >> 4) * 4:])
    return {"src": src, "dst": dst, "frag": frag, "tcp": tcp, "body": body}


def addr(text):
    return ipaddress.ip_address(text).packed


def in_flow(fields, key):
    """The frame travels between the flow's two hosts (the twin uses another client address)."""
    return {fields["src"], fields["dst"]} == {addr(key.client_ip), addr(key.server_ip)}


def to_server(fields, key):
    return fields["src"] == addr(key.client_ip) and fields["dst"] == addr(key.server_ip)


def innocuous_ok(decoy, real):
    """Same length, CR/LF/space/tab where the real text has them, every other byte 'x'."""
    return len(decoy) == len(real) and all(
        d == r if r in b"\r\n \t" else d == ord("x") for d, r in zip(decoy, real))


def tshark_reads(path):
    r = subprocess.run(["tshark", "-r", str(path), "-q"], capture_output=True, text=True, timeout=60)
    damaged = re.search(r"damaged|corrupt|cut short|isn't a capture", r.stderr, re.I)
    return r.returncode == 0 and not damaged, r.stderr


def check(original, packets, tmp_path, key, name="out.pcap"):
    """Saves the transformed packets and checks the common promises (tshark: see the last
    test); returns (path, frames, receiver model of the output)."""
    out = tmp_path / name
    ev.save(out, packets)
    frames = lr.read_pcap(out)
    times = [t for t, _ in frames]
    assert times == sorted(times), "timestamps go backwards"
    before = [f for _, f in lr.read_pcap(original) if not in_flow(parse(f), key)]
    after = [f for _, f in frames if not in_flow(parse(f), key)]
    assert before == after, "packets of other flows changed"
    return out, frames, lr.Receiver(frames)


def assert_same_accepted(original, receiver):
    assert receiver.accepted() == lr.accepted(original)


def flow_frames(frames, key):
    return [parse(f) for _, f in frames if in_flow(parse(f), key)]


def client_data_count(frames, key):
    return sum(1 for p in flow_frames(frames, key) if p["tcp"] and p["tcp"][5] and to_server(p, key))


# ------------------------------------------------------------------ basics

def test_crc32c_known_vectors():
    assert ev.crc32c(b"123456789") == 0xE3069283
    assert ev.crc32c(b"") == 0
    assert ev.crc32c(b"", 0x1234) == 0x1234
    assert ev.crc32c(bytes(32)) == 0x8A9136AA                    # RFC 3720 B.4
    assert ev.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert ev.crc32c(bytes(range(32))) == 0x46DD794E
    assert ev.crc32c(b"world", ev.crc32c(b"hello ", 0x5EED)) == ev.crc32c(b"hello world", 0x5EED)


def bitwise_crc32c(data, seed):
    """Bit-at-a-time CRC32-C, written apart from the library's table version."""
    c = seed ^ 0xFFFFFFFF
    for byte in data:
        c ^= byte
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    return c ^ 0xFFFFFFFF


def reference_hash(c_ip, c_port, s_ip, s_port):
    a, b = sorted([(addr(c_ip).ljust(16, b"\0"), c_port), (addr(s_ip).ljust(16, b"\0"), s_port)])
    n = len(addr(c_ip))
    return bitwise_crc32c(a[0][:n] + b[0][:n] + struct.pack("!HHB", a[1], b[1], 6), 0x5EED)


def test_flow_hash_matches_reference():
    for args in [("10.0.0.2", 1025, "10.0.0.1", 25), ("2001:db8::1", 5, "2001:db8::1", 4),
                 ("192.0.2.1", 1, "9.255.255.255", 2)]:
        assert ev.flow_hash(*args) == reference_hash(*args) == ev.flow_hash(args[2], args[3], args[0], args[1])


def test_save_load_roundtrip(session, tmp_path):
    packets, _, _, original = session
    again = ev.load(original)
    assert [raw(p) for p in again] == [raw(p) for p in packets]
    assert [ev._us(p.time) for p in again] == [ev._us(p.time) for p in packets]


def test_flows_and_select(session):
    packets, key, twin, _ = session
    found = ev.flows(packets)
    assert list(found) == [key, twin]
    assert len(found[key]) == 25
    assert ev.select(packets, client_ip=key.client_ip, server_port=25) == [key]
    assert ev.select(packets, server_port=25) == [key, twin]
    assert ev.select(packets, server_port=110) == []
    late = ev.midstream(packets, key, drop_first=3)
    assert key in ev.flows(late)      # no SYN: the higher port is the client


# ------------------------------------------------------------------ RST / FIN

def test_rst_out_of_window(session, tmp_path):
    packets, key, _, original = session
    out = ev.rst_out_of_window(packets, key, after_data=3)
    assert len(out) == len(packets) + 1
    _, frames, rx = check(original, out, tmp_path, key)
    assert_same_accepted(original, rx)
    rsts = [p for p in flow_frames(frames, key) if p["tcp"] and p["tcp"][4] & lr.RST]
    assert len(rsts) == 1 and to_server(rsts[0], key)
    assert [w for *_, w in rx.tcp.ignored] == ["rst-window"]
    # The check can tell: the same RST at the expected seq resets the session.
    _, _, rx0 = check(original, ev.rst_out_of_window(packets, key, after_data=3, offset=0), tmp_path, key, "in.pcap")
    assert rx0.accepted() != lr.accepted(original)


def test_rst_out_of_window_to_client(session, tmp_path):
    packets, key, _, original = session
    out = ev.rst_out_of_window(packets, key, direction="to_client", after_data=0)
    _, frames, rx = check(original, out, tmp_path, key)
    assert_same_accepted(original, rx)
    rst = [p for p in flow_frames(frames, key) if p["tcp"] and p["tcp"][4] & lr.RST]
    assert len(rst) == 1 and rst[0]["dst"] == addr(key.client_ip)
    assert [w for *_, w in rx.tcp.ignored] == ["rst-window"]


def test_rst_bad_checksum(session, tmp_path):
    packets, key, _, original = session
    out = ev.rst_bad_checksum(packets, key, after_data=5)
    _, frames, rx = check(original, out, tmp_path, key)
    assert_same_accepted(original, rx)
    assert len(rx.tcp.bad_checksum) == 1
    tup, seq, flags, payload, rcv_nxt = rx.tcp.bad_checksum[0]
    assert flags & lr.RST and seq == rcv_nxt       # exactly what the receiver expected next
    # With its checksum fixed the same frame would be accepted and reset the session.
    fixed = [(t, fix_tcp_checksum(f) if parse(f)["tcp"] and parse(f)["tcp"][4] & lr.RST else f) for t, f in frames]
    broken = lr.Receiver(fixed).accepted()
    assert broken != lr.accepted(original)
    assert any(reset for _, _, reset in broken.values())


def fix_tcp_checksum(frame):
    version, ip = lr.ip_packet(frame)
    ip_off = len(frame) - len(ip)
    hlen = (ip[0] & 15) * 4 if version == 4 else 40
    end = struct.unpack("!H", ip[2:4])[0] if version == 4 else 40 + struct.unpack("!H", ip[4:6])[0]
    seg = bytearray(ip[hlen:end])
    seg[16:18] = b"\0\0"
    src, dst = (ip[12:16], ip[16:20]) if version == 4 else (ip[8:24], ip[24:40])
    pseudo = src + dst + (struct.pack("!BBH", 0, 6, len(seg)) if version == 4 else struct.pack("!IxxxB", len(seg), 6))
    seg[16:18] = struct.pack("!H", lr.checksum(pseudo + bytes(seg)))
    return frame[:ip_off + hlen] + bytes(seg) + frame[ip_off + end:]


def test_fin_out_of_window(session, tmp_path):
    packets, key, _, original = session
    out = ev.fin_out_of_window(packets, key, after_data=4)
    _, frames, rx = check(original, out, tmp_path, key)
    assert_same_accepted(original, rx)
    fins = [p for p in flow_frames(frames, key) if p["tcp"] and p["tcp"][4] & lr.FIN and to_server(p, key)]
    assert len(fins) == 2                       # the forged one and the real close
    assert [(t[3], w) for t, _, flags, w in rx.tcp.ignored] == [(25, "window")]


# ------------------------------------------------------------------ bad-checksum overlap

@pytest.mark.parametrize("every", [1, 2])
def test_bad_checksum_overlap(session, tmp_path, every):
    packets, key, _, original = session
    out = ev.bad_checksum_overlap(packets, key, every=every)
    _, frames, rx = check(original, out, tmp_path, key)
    assert_same_accepted(original, rx)
    real = [p["tcp"] for p in flow_frames(lr.read_pcap(original), key) if p["tcp"] and p["tcp"][5] and to_server(p, key)]
    assert len(rx.tcp.bad_checksum) == len(real[::every]) > 3
    seen = flow_frames(frames, key)
    for (tup, seq, flags, payload, _), orig in zip(rx.tcp.bad_checksum, real[::every]):
        assert seq == orig[2] and innocuous_ok(payload, orig[5])
        assert not re.search(rb"[A-Za-z0-9]", payload.replace(b"x", b""))
    # each decoy comes right before its real segment
    for n, p in enumerate(seen[:-1]):
        if p["tcp"] and p["tcp"][5] and not lr.tcp_checksum_ok(p["src"], p["dst"], p["body"]):
            assert seen[n + 1]["tcp"][2] == p["tcp"][2] and seen[n + 1]["tcp"][5] != p["tcp"][5]


# ------------------------------------------------------------------ IP fragments

def reassemble_first_wins(pieces):
    """What a naive monitor keeping the first copy of every byte reassembles."""
    total = max(start + len(d) for start, d, more in pieces if not more)
    buf = [None] * total
    for start, d, _ in pieces:
        for k, byte in enumerate(d):
            if start + k < total and buf[start + k] is None:
                buf[start + k] = byte
    return bytes(buf)


@pytest.mark.parametrize("order", ["in", "reverse", "overlap"])
@pytest.mark.parametrize("size", [8, 16, 64])
def test_ip_fragments(session, tmp_path, order, size):
    packets, key, _, original = session
    out = ev.ip_fragments(packets, key, size=size, order=order)
    _, frames, rx = check(original, out, tmp_path, key)
    assert_same_accepted(original, rx)
    flow = flow_frames(frames, key)
    assert client_data_count(frames, key) == 0 or size == 64   # short commands fit in 64
    frags = [p for p in flow if p["frag"]]
    datagrams = {}
    for p in frags:
        assert p["dst"] == addr(key.server_ip)
        start, more = p["frag"][1], p["frag"][2]
        datagrams.setdefault(p["frag"][0], []).append((start, p["body"], more))
        assert len(p["body"]) <= max(size, 32) + 8 and (not more or len(p["body"]) % 8 == 0)
    body_datagrams = [d for d in datagrams.values() if sum(len(b) for _, b, _ in d) > 300]
    assert len(body_datagrams) == 4 and all(len(d) >= 300 // max(size, 32) for d in body_datagrams)
    if size == 8:
        assert max(len(d) for d in datagrams.values()) >= 36          # dozens per datagram
    if order == "reverse":
        runs = consecutive_runs(frags)
        assert all(run[0][1] == max(s for _, s, _ in run) and not run[0][2] for run in runs)
    if order == "in":
        assert all(run[0][1] == 0 for run in consecutive_runs(frags))
    if order == "overlap":
        check_overlap_decoys(original, rx, frags, key)
    else:
        assert rx.ip.overlaps == []


def consecutive_runs(frags):
    """Fragments grouped into datagrams in order of arrival: [[(id, start, more)]]."""
    runs, last = [], None
    for p in frags:
        ident, start, more = p["frag"]
        if ident != last:
            runs.append([])
        runs[-1].append((ident, start, more))
        last = ident
    return runs


def check_overlap_decoys(original, rx, frags, key):
    real = [p["tcp"] for p in flow_frames(lr.read_pcap(original), key) if p["tcp"] and p["tcp"][5] and to_server(p, key)]
    assert len(rx.ip.overlaps) == len(real)
    for _, start, end, queued in rx.ip.overlaps:
        # Linux's cheap check: the new fragment starts inside the last one queued and ends past it.
        last = max(queued, key=lambda q: q[1])
        assert last[0] <= start < last[1] < end
    # A monitor that keeps first copies and ignores overlaps gets the innocuous decoy.
    decoys, pieces, ident = [], [], None
    for p in frags:
        if p["frag"][0] != ident and pieces:
            decoys.append(pieces)
            pieces = []
        ident = p["frag"][0]
        pieces.append((p["frag"][1], p["body"], p["frag"][2]))
    decoys.append(pieces)
    naive = [reassemble_first_wins(d) for d in decoys]
    seen = [(struct.unpack("!I", s[4:8])[0], s[(s[12] >> 4) * 4:]) for s in naive]
    for r in real:
        assert any(seq == r[2] and innocuous_ok(payload, r[5]) for seq, payload in seen)


def test_ip_fragments_new_decoy_id_and_both_directions(session, tmp_path):
    packets, key, _, original = session
    out = ev.ip_fragments(packets, key, size=16, order="overlap", decoy_id="new", direction="both")
    _, frames, rx = check(original, out, tmp_path, key)
    assert_same_accepted(original, rx)
    flow = flow_frames(frames, key)
    assert not any(p["tcp"] and p["tcp"][5] for p in flow)       # no data left unfragmented
    assert len(rx.ip.overlaps) == 4 + 8 + 4                      # every data packet, both ways


# ------------------------------------------------------------------ GRO

@pytest.mark.parametrize("max_frame", [65535, 700])
def test_gro_coalesce(session, tmp_path, max_frame):
    packets, key, _, original = session
    out = ev.gro_coalesce(packets, key, max_frame=max_frame)
    _, frames, rx = check(original, out, tmp_path, key)
    assert_same_accepted(original, rx)
    sizes = [len(p["tcp"][5]) for p in flow_frames(frames, key) if p["tcp"] and to_server(p, key) and p["tcp"][5]]
    if max_frame == 65535:
        assert len(BODY) in sizes                    # the whole DATA body in one frame
        assert len(out) == len(packets) - 3
    else:
        assert sorted(sizes)[-2:] == [600, len(BODY) - 600] and len(out) == len(packets) - 2
    for _, f in frames:
        p = parse(f)
        if p["tcp"] and in_flow(p, key):
            assert lr.tcp_checksum_ok(p["src"], p["dst"], p["body"])


# ------------------------------------------------------------------ SYNs, late taps

def test_decoy_syn(session, tmp_path):
    packets, key, _, original = session
    out = ev.decoy_syn(packets, key)
    _, frames, rx = check(original, out, tmp_path, key)
    assert_same_accepted(original, rx)
    syns = [(t, p) for t, p in ((t, parse(f)) for t, f in frames)
            if p["tcp"] and p["tcp"][4] == lr.SYN and to_server(p, key)]
    assert len(syns) == 3 and len({p["tcp"][2] for _, p in syns}) == 3
    (t_early, early), (t_real, real), (_, mid) = syns
    assert real["tcp"][2] == 1000000 and 2000 <= t_real - t_early <= 3000
    assert not lr.tcp_checksum_ok(early["src"], early["dst"], early["body"])
    assert lr.tcp_checksum_ok(mid["src"], mid["dst"], mid["body"])
    synack = next(parse(f)["tcp"] for _, f in frames if parse(f)["tcp"] and parse(f)["tcp"][4] == 0x12
                  and in_flow(parse(f), key))
    assert synack[3] == 1000001                       # the SYN-ACK still answers the real ISN
    assert [w for *_, w in rx.tcp.ignored] == ["syn"]


def test_decoy_syn_valid_checksum_is_not_linux_consistent(session, tmp_path):
    """The textbook decoy (valid checksum) would have been taken by a real server: the model
    shows the capture no longer matches, which is why the default corrupts its checksum."""
    packets, key, _, original = session
    out = ev.decoy_syn(packets, key, early_checksum="valid", mid=False)
    _, _, rx = check(original, out, tmp_path, key)
    assert rx.accepted() != lr.accepted(original)


def test_midstream(session, tmp_path):
    packets, key, _, original = session
    out = ev.midstream(packets, key, drop_first=7)
    _, frames, rx = check(original, out, tmp_path, key)
    assert len(out) == len(packets) - 7
    before, after = lr.accepted(original), rx.accepted()
    for tup, (data, fin, reset) in before.items():
        if tup[1] in (40001,) or tup[3] in (40001,):
            assert data.endswith(after[tup][0]) and len(after[tup][0]) < len(data)
            assert after[tup][1] == fin
        else:
            assert after[tup] == before[tup]


def test_apply_to_attacked_flow_and_twin(session, tmp_path):
    packets, key, twin, original = session
    out = ev.apply(packets, ev.rst_out_of_window, [key, twin], after_data=2)
    out_path = tmp_path / "both.pcap"
    ev.save(out_path, out)
    assert lr.accepted(out_path) == lr.accepted(original)
    assert [w for *_, w in lr.Receiver(lr.read_pcap(out_path)).tcp.ignored] == ["rst-window"] * 2


# ------------------------------------------------------------------ generated connections

@pytest.mark.parametrize("one_sided", [False, True])
def test_idle_connections(session, tmp_path, one_sided):
    packets, key, _, original = session
    start = ev.first_ts(packets, key)
    v6 = ":" in key.server_ip
    out = ev.idle_connections(packets, 50, key.server_ip, 25, start, one_sided=one_sided,
                              client_net="2001:db8:98::/64" if v6 else "10.98.0.0/16")
    path = tmp_path / "idle.pcap"
    ev.save(path, out)
    frames = lr.read_pcap(path)
    assert [t for t, _ in frames] == sorted(t for t, _ in frames)
    net = ipaddress.ip_network("2001:db8:98::/64" if v6 else "10.98.0.0/16")
    new = [(t, p) for t, p in ((t, parse(f)) for t, f in frames)
           if any(ipaddress.ip_address(a) in net for a in (p["src"], p["dst"]))]
    assert len(new) == (50 * 3 if one_sided else 50 * 5)
    assert all(t < ev._us(start) for t, _ in new)
    clients = {(p["src"], p["tcp"][0]) for _, p in new if p["dst"] == addr(key.server_ip)}
    assert len(clients) == 50
    assert not any(p["tcp"][4] & (lr.FIN | lr.RST) for _, p in new)
    from_server = [p for _, p in new if p["src"] == addr(key.server_ip)]
    assert len(from_server) == (0 if one_sided else 100)
    rx = lr.Receiver(frames).accepted()
    for (src, sport, dst, dport), (data, fin, _) in rx.items():
        if ipaddress.ip_address(dst) in net:
            assert data == b"220 mx.example ESMTP\r\n" and not fin
        if ipaddress.ip_address(src) in net:
            assert data == (b"EHLO client.example\r\n" if one_sided else b"") and not fin
    assert {k: v for k, v in rx.items() if k in lr.accepted(original)} == lr.accepted(original)


@pytest.mark.parametrize("bucket_bits,top_bits", [(16, 1), (12, 2)])
def test_hash_collision_flood(session, tmp_path, bucket_bits, top_bits):
    packets, key, _, original = session
    v6 = ":" in key.server_ip
    start = ev.first_ts(packets, key)
    count = 200
    out = ev.hash_collision_flood(packets, count, key.server_ip, 25, start, bucket_bits=bucket_bits,
                                  top_bits=top_bits, target=key,
                                  client_net="2001:db8:99::/64" if v6 else "10.99.0.0/16")
    path = tmp_path / "flood.pcap"
    ev.save(path, out)
    frames = lr.read_pcap(path)
    assert [t for t, _ in frames] == sorted(t for t, _ in frames)
    net = ipaddress.ip_network("2001:db8:99::/64" if v6 else "10.99.0.0/16")
    new = [(t, parse(f)) for t, f in frames
           if parse(f)["tcp"] and any(ipaddress.ip_address(a) in net for a in (parse(f)["src"], parse(f)["dst"]))]
    assert len(new) == count * 7 and all(t < ev._us(start) for t, _ in new)
    tuples = {(p["src"], p["tcp"][0], p["dst"], p["tcp"][1]) for _, p in new if p["dst"] == addr(key.server_ip)}
    assert len(tuples) == count
    mask = (1 << bucket_bits) - 1 | (((1 << top_bits) - 1) << (32 - top_bits))
    victim = reference_hash(key.client_ip, key.client_port, key.server_ip, 25)
    for src, sport, dst, dport in tuples:
        h = reference_hash(str(ipaddress.ip_address(src)), sport, str(ipaddress.ip_address(dst)), dport)
        assert h & mask == victim & mask
        assert ev.worker_of(h, 1 << top_bits) == ev.worker_of(victim, 1 << top_bits)
    rx = lr.Receiver(frames).accepted()
    flood = {k: v for k, v in rx.items() if ipaddress.ip_address(k[0]) in net or ipaddress.ip_address(k[2]) in net}
    assert len(flood) == 2 * count and all(fin and not reset for _, fin, reset in flood.values())


def test_collision_clients_are_not_a_fluke():
    """Without solving, 200 random clients almost never share 17 hash bits."""
    got = ev.collision_clients(300, "198.51.100.20", 25, bucket_bits=16, top_bits=1, target=0x1234)
    assert len(set(got)) == 300
    assert {reference_hash(ip, port, "198.51.100.20", 25) & 0x8000FFFF for ip, port in got} == {0x1234}
    assert all(port >= 1024 and ip.startswith("10.99.") for ip, port in got)


def test_collision_clients_around_a_server_inside_client_net():
    """Clients below and above the server's address order the endpoints differently; each
    order is solved on its own (the clients below the server run out first, 2**13 solutions
    for 24 free bits and 11 constraints) and every result still collides."""
    got = ev.collision_clients(7000, "10.99.0.200", 25, client_net="10.99.0.0/24", bucket_bits=10, target=0x155)
    assert len(set(got)) == 7000 and all(ip != "10.99.0.200" for ip, _ in got)
    assert {reference_hash(ip, port, "10.99.0.200", 25) & 0x800003FF for ip, port in got} == {0x155}
    below = [ip for ip, _ in got if ipaddress.ip_address(ip) < ipaddress.ip_address("10.99.0.200")]
    assert 0 < len(below) < 7000


# ------------------------------------------------------------------ command line

def test_command_line(session, tmp_path):
    packets, key, _, original = session
    out = tmp_path / "cli.pcap"
    r = subprocess.run([sys.executable, str(HERE / "evasions.py"), str(original), str(out), "ip_fragments",
                        "--client-ip", key.client_ip, "--server-port", "25", "--size", "16", "--order", "reverse"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert lr.accepted(out) == lr.accepted(original)
    assert len(lr.read_pcap(out)) > len(packets) + 80
    r = subprocess.run([sys.executable, str(HERE / "evasions.py"), str(original), str(out), "midstream",
                        "--client-ip", key.client_ip, "--server-port", "25", "--size", "16"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "no option size" in r.stderr


# ------------------------------------------------------------------ tshark

def every_output(packets, key):
    """Each transform and generator once (ip_fragments in every order), by name."""
    start, v6 = ev.first_ts(packets, key), ":" in key.server_ip
    return {
        "rst_out_of_window": ev.rst_out_of_window(packets, key),
        "rst_bad_checksum": ev.rst_bad_checksum(packets, key),
        "fin_out_of_window": ev.fin_out_of_window(packets, key),
        "bad_checksum_overlap": ev.bad_checksum_overlap(packets, key),
        **{f"ip_fragments_{order}": ev.ip_fragments(packets, key, size=8, order=order, direction="both")
           for order in ("in", "reverse", "overlap")},
        "gro_coalesce": ev.gro_coalesce(packets, key),
        "decoy_syn": ev.decoy_syn(packets, key),
        "midstream": ev.midstream(packets, key),
        "idle_connections": ev.idle_connections(packets, 20, key.server_ip, 25, start,
                                                client_net="2001:db8:98::/64" if v6 else "10.98.0.0/16"),
        "idle_one_sided": ev.idle_connections(packets, 20, key.server_ip, 25, start, one_sided=True,
                                              client_net="2001:db8:98::/64" if v6 else "10.98.0.0/16"),
        "hash_collision_flood": ev.hash_collision_flood(packets, 20, key.server_ip, 25, start,
                                                        client_net="2001:db8:99::/64" if v6 else "10.99.0.0/16"),
    }


def test_tshark_reads_every_output(tmp_path):
    paths = []
    for family in (4, 6):
        packets, key, _ = capture(family)
        for name, out in every_output(packets, key).items():
            paths.append(tmp_path / f"{name}-ipv{family}.pcap")
            ev.save(paths[-1], out)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(tshark_reads, paths))
    assert len(paths) == 26
    assert [(p.name, err) for p, (ok, err) in zip(paths, results) if not ok] == []
