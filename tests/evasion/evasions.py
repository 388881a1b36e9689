#!/usr/bin/env python3
"""Rewrite mail sessions in a capture with the tricks an attacker uses to blind an IDS.

An attacker who controls one end of a TCP session (a client sending mail, or a server answering
one) can add packets that the real peer, a Linux host, throws away but a naive monitor believes,
or reshape packets so that a naive monitor cannot put them back together. Every transform here
keeps exactly the bytes a real Linux receiver accepts: it only adds packets that Linux drops
(out-of-window RST/FIN, bad checksums, overlapping IP fragments, SYNs on an open connection) or
reshapes packets the way Linux puts them back together anyway (IP fragments, GRO frames).

    import evasions as ev
    pkts = ev.load("in.pcap")
    key = ev.select(pkts, client_ip="192.0.2.10", server_port=25)[0]
    ev.save("out.pcap", ev.rst_out_of_window(pkts, key, after_data=3))

Capture and flows
    load(path) -> [Packet]              classic pcap (or pcapng), Ethernet link type
    save(path, packets)                 classic pcap, microsecond timestamps
    flows(packets) -> {FlowKey: [i]}    packet indexes per TCP connection
    select(packets, client_ip, server_port, ...) -> [FlowKey]
    first_ts(packets, key)              timestamp of a flow's first packet
Transforms on one flow: transform(packets, key, **options) -> new list
    rst_out_of_window    RST far outside the receiver's window (Linux ignores it)
    rst_bad_checksum     RST at exactly the expected seq but with a wrong TCP checksum
    fin_out_of_window    FIN far outside the receiver's window
    bad_checksum_overlap innocuous copy of each data segment, wrong checksum, sent first
    ip_fragments         tiny IP fragments, in order, reversed, or after an overlapping decoy
    gro_coalesce         consecutive segments merged into one big frame (capture behind GRO/LRO)
    decoy_syn            SYNs with other ISNs before the real SYN and after the handshake
    midstream            the first N packets of the flow removed (the tap came up late)
Generators: add connections to a capture
    idle_connections     handshake + greeting, then silence (or client side only)
    hash_collision_flood short connections whose flows share a bucket of Postern's old flow hash
Helpers
    apply(packets, transform, keys, **options)   the same transform on several flows, e.g. on the
                                                 attacked flow and on a benign twin flow
    innocuous(data)      the text with every byte but CR, LF, space and tab replaced by 'x'
    crc32c, flow_hash, worker_of, collision_clients   Postern's old unkeyed flow hash

Conventions
  * key: FlowKey(client_ip, client_port, server_ip, server_port); the client sent the SYN.
  * direction: 'to_server' or 'to_client', the way the added or reshaped packets travel
    ('both' where a transform says so). Forged packets carry the other end's addresses.
  * The input list and its packets are never modified; packets of other flows keep their order.
  * Inserted packets get timestamps between their neighbours (in µs), so time never goes back.
  * Input expectations: untruncated Ethernet frames (VLAN tags are kept), unfragmented TCP, no IP
    options or IPv6 extension headers on the transformed flow's packets, one connection per
    4-tuple. Transforms raise ValueError when the flow lacks what they need (e.g. no SYN).

Command line: python3 evasions.py IN.pcap OUT.pcap TRANSFORM --client-ip X --server-port N [...]
(see --help); flow transforms apply to every flow that matches.
"""
import argparse
import heapq
import inspect
import ipaddress
import itertools
import random
import struct
import sys
import zlib
from decimal import Decimal
from typing import NamedTuple

from scapy.compat import raw
from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import rdpcap

TO_SERVER, TO_CLIENT, BOTH = "to_server", "to_client", "both"
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
FAR = 2 ** 30          # beyond any TCP window (the largest scaled window is 65535 << 14)
SNAPLEN = 262144
SEQ_MOD = 2 ** 32
DEFAULT_MACS = (b"\x02\x00\x00\x00\x00\x02", b"\x02\x00\x00\x00\x00\x01")  # (to server, from client)


class FlowKey(NamedTuple):
    client_ip: str
    client_port: int
    server_ip: str
    server_port: int


class Seg(NamedTuple):
    """One unfragmented TCP packet, as the fields that matter here."""
    src: str
    sport: int
    dst: str
    dport: int
    seq: int
    ack: int
    flags: int
    payload: bytes

    @property
    def end(self):
        """The sequence number after this segment (SYN and FIN count one)."""
        return (self.seq + len(self.payload) + bool(self.flags & SYN) + bool(self.flags & FIN)) % SEQ_MOD


# ------------------------------------------------------------------ capture files and time

def load(path):
    """The packets of a capture, each with .time (seconds, Decimal)."""
    packets = list(rdpcap(str(path)))
    for p in packets:
        if not isinstance(p, Ether):
            raise ValueError(f"{path}: only Ethernet captures are supported")
    return packets


def save(path, packets):
    """Writes a classic pcap (Ethernet, microsecond timestamps) in list order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, 1))
        for p in packets:
            data = raw(p)
            us = _us(p.time)
            f.write(struct.pack("<IIII", us // 10**6, us % 10**6, len(data), len(data)) + data)


def _us(t):
    """A timestamp in whole microseconds."""
    if isinstance(t, Decimal):
        return int((t * 1000000).to_integral_value())
    return int(round(float(t) * 1e6))


def _at(pkt, us):
    pkt.time = Decimal(us) / 1000000
    return pkt


def _fill_times(out):
    """Gives packets without a time (time None) times spread between their neighbours'."""
    i = 0
    while i < len(out):
        if out[i].time is not None:
            i += 1
            continue
        j = i
        while j < len(out) and out[j].time is None:
            j += 1
        lo = _us(out[i - 1].time) if i > 0 else None
        hi = _us(out[j].time) if j < len(out) else None
        lo = hi if lo is None else lo
        hi = lo if hi is None else max(hi, lo)
        for k in range(j - i):
            _at(out[i + k], lo + (hi - lo) * (k + 1) // (j - i + 1))
        i = j
    return out


def _rewrite(packets, before=None, after=None, replace=None):
    """A new list: packets[i] replaced by replace[i] (if given), with before[i] and after[i]
    around it; added packets whose time is None get times between their neighbours."""
    before, after, replace = before or {}, after or {}, replace or {}
    out = []
    for i, p in enumerate(packets):
        out += before.get(i, [])
        out += replace.get(i, [p])
        out += after.get(i, [])
    return _fill_times(out)


def _merge(packets, new):
    """packets and new (each in time order) merged by time; on a tie the old packet comes first."""
    return list(heapq.merge(packets, new, key=lambda p: _us(p.time)))


# ------------------------------------------------------------------ reading packets

def _ip(pkt):
    """The IPv4 or IPv6 layer of a packet, or None."""
    if IP in pkt:
        return pkt[IP]
    if IPv6 in pkt:
        return pkt[IPv6]
    return None


def _is_fragment(ipl):
    if isinstance(ipl, IP):
        return bool(ipl.flags.MF) or ipl.frag > 0
    return IPv6ExtHdrFragment in ipl


def _tcp_bytes(pkt):
    """The TCP header and payload of an unfragmented packet, without link-layer padding."""
    ipl = _ip(pkt)
    whole = raw(ipl)
    start = len(whole) - len(raw(ipl[TCP]))
    end = ipl.len if isinstance(ipl, IP) else 40 + ipl.plen
    return whole[start:end]


def _seg(pkt):
    """The Seg of an unfragmented TCP/IP packet, or None for anything else."""
    ipl = _ip(pkt)
    if ipl is None or _is_fragment(ipl) or TCP not in ipl:
        return None
    tcp = ipl[TCP]
    payload = _tcp_bytes(pkt)[tcp.dataofs * 4:]
    return Seg(_norm(ipl.src), tcp.sport, _norm(ipl.dst), tcp.dport, tcp.seq, tcp.ack,
               int(tcp.flags), payload)


def _norm(address):
    return ipaddress.ip_address(address).compressed


def _direction(seg, key):
    if (seg.src, seg.sport, seg.dst, seg.dport) == (key.client_ip, key.client_port, key.server_ip, key.server_port):
        return TO_SERVER
    if (seg.dst, seg.dport, seg.src, seg.sport) == (key.client_ip, key.client_port, key.server_ip, key.server_port):
        return TO_CLIENT
    return None


def _other(direction):
    return TO_CLIENT if direction == TO_SERVER else TO_SERVER


def _after(a, b):
    """a comes after b in sequence space."""
    return 0 < (a - b) % SEQ_MOD < 2 ** 31


def flows(packets):
    """{FlowKey: [packet indexes]} for every TCP connection, in order of first packet. The client
    is the side that sent the first SYN (without ACK); without one, the side with the higher port."""
    by_pair, syn_sender = {}, {}
    for i, p in enumerate(packets):
        s = _seg(p)
        if s is None:
            continue
        pair = tuple(sorted([(s.src, s.sport), (s.dst, s.dport)]))
        by_pair.setdefault(pair, []).append(i)
        if s.flags & SYN and not s.flags & ACK:
            syn_sender.setdefault(pair, (s.src, s.sport))
    result = {}
    for pair, idxs in by_pair.items():
        client = syn_sender.get(pair) or max(pair, key=lambda e: (e[1], e[0]))
        server = pair[1] if pair[0] == client else pair[0]
        result[FlowKey(client[0], client[1], server[0], server[1])] = idxs
    return result


def select(packets, client_ip=None, server_port=None, server_ip=None, client_port=None):
    """Keys of the flows that match every criterion given."""
    want = {"client_ip": client_ip and _norm(client_ip), "server_ip": server_ip and _norm(server_ip),
            "client_port": client_port, "server_port": server_port}
    return [k for k in flows(packets)
            if all(v is None or getattr(k, f) == v for f, v in want.items())]


def first_ts(packets, key):
    """The timestamp of the flow's first packet."""
    return packets[_flow(packets, key)[0][0]].time


def _flow(packets, key):
    """[(index, direction, Seg)] of the flow's packets, matched by addresses and ports."""
    key = FlowKey(_norm(key[0]), key[1], _norm(key[2]), key[3])
    out = []
    for i, p in enumerate(packets):
        s = _seg(p)
        d = s and _direction(s, key)
        if d:
            out.append((i, d, s))
    if not out:
        raise ValueError(f"no packets of flow {key}")
    return out


def _data(flow, direction=BOTH):
    """Indexes of the flow's packets that carry payload, in the given direction."""
    return [i for i, d, s in flow if s.payload and direction in (d, BOTH)]


def _handshake_end(flow):
    """Index of the client's ACK that completes the handshake (else the flow's first packet)."""
    synack = False
    for i, d, s in flow:
        if d == TO_CLIENT and s.flags & SYN and s.flags & ACK:
            synack = True
        elif synack and d == TO_SERVER and s.flags & ACK:
            return i
    return flow[0][0]


def _next_seq(flow, direction, upto):
    """The seq the receiver expects next from the sender of `direction`, after packet `upto`."""
    nxt = None
    for i, d, s in flow:
        if i <= upto and d == direction and (nxt is None or _after(s.end, nxt)):
            nxt = s.end
    return nxt


def _template(packets, flow, direction, upto):
    """(packet, reverse): the latest flow packet going `direction` up to `upto` (reverse False),
    else any packet that way, else a packet the other way whose headers must be reversed."""
    same = [i for i, d, _ in flow if d == direction]
    if same:
        earlier = [i for i in same if i <= upto]
        return packets[(earlier or same)[-1]], False
    return packets[flow[0][0]], True


# ------------------------------------------------------------------ building packets

def _link(pkt, reverse=False):
    """The link-layer header bytes (Ethernet and any VLAN tags) in front of the IP header."""
    whole = raw(pkt)
    head = whole[:len(whole) - len(raw(_ip(pkt)))]
    return head[6:12] + head[0:6] + head[12:] if reverse else head


def _frame(link, ip_bytes, time=None):
    """An Ethernet packet from link header and IP bytes, padded to the 60-byte minimum."""
    data = link + ip_bytes
    pkt = Ether(data + b"\0" * max(0, 60 - len(data)))
    pkt.time = time
    return pkt


def _finish(net, bad_checksum=False):
    """The bytes of an IP packet with lengths and checksums computed; with bad_checksum the TCP
    checksum is off by XOR 0x1234 (never the equivalent 0/0xFFFF encoding of a right one)."""
    net = net.__class__(raw(net))
    if bad_checksum:
        net[TCP].chksum ^= 0x1234
    return raw(net)


def _ip_header(template, src, dst, **fields):
    """A new IP header like the template's (TTL, TOS / hop limit, class, flow label)."""
    if isinstance(template, IP):
        return IP(src=src, dst=dst, ttl=template.ttl, tos=template.tos, **fields)
    return IPv6(src=src, dst=dst, hlim=template.hlim, tc=template.tc, fl=template.fl)


def _forge(template, reverse, seq, ack, flags, payload=b"", bad_checksum=False):
    """A new TCP packet of the template's connection (reverse: travelling the other way)."""
    ipl, tcp = _ip(template), template[TCP]
    src, dst = (ipl.dst, ipl.src) if reverse else (ipl.src, ipl.dst)
    sport, dport = (tcp.dport, tcp.sport) if reverse else (tcp.sport, tcp.dport)
    extra = {"flags": "DF", "id": ipl.id} if isinstance(ipl, IP) else {}
    net = _ip_header(ipl, src, dst, **extra) / TCP(sport=sport, dport=dport, seq=seq % SEQ_MOD,
                                                   ack=ack % SEQ_MOD, flags=flags, window=tcp.window)
    if payload:
        net = net / Raw(payload)
    return _frame(_link(template, reverse), _finish(net, bad_checksum))


def _rebuild(pkt, payload=None, bad_checksum=False, **tcp_fields):
    """A copy of pkt with another TCP payload and/or TCP fields; lengths and checksums redone."""
    net = _ip(pkt).copy()
    tcp = net[TCP]
    if payload is not None:
        tcp.remove_payload()
        if payload:
            tcp.add_payload(Raw(payload))
        if isinstance(net, IP):
            net.len = None
            net.chksum = None
        else:
            net.plen = None
    for name, value in tcp_fields.items():
        setattr(tcp, name, value)
    tcp.chksum = None
    return _frame(_link(pkt), _finish(net, bad_checksum))


def innocuous(data):
    """The same length of text with every byte but CR, LF, space and tab replaced by 'x': the
    lines (and the CRLFs that end them) stay where they were, but no word or command survives."""
    return bytes(b if b in b"\r\n \t" else 0x78 for b in data)


# ------------------------------------------------------------------ RST / FIN injection

def _inject_after(packets, key, direction, after_data, flags, seq_offset, bad_checksum=False):
    """Inserts one forged packet going `direction`, after the flow's after_data-th data packet
    (0: after the handshake), with seq = the receiver's next expected seq + seq_offset."""
    flow = _flow(packets, key)
    data = _data(flow)
    if after_data > len(data):
        raise ValueError(f"flow has {len(data)} data packets, not {after_data}")
    at = data[after_data - 1] if after_data else _handshake_end(flow)
    nxt = _next_seq(flow, direction, at)
    if nxt is None:
        raise ValueError(f"no packet {direction} before packet {at}: nothing to spoof")
    ack = _next_seq(flow, _other(direction), at)
    if ack is None:
        flags, ack = flags.replace("A", ""), 0
    template, reverse = _template(packets, flow, direction, at)
    forged = _forge(template, reverse, nxt + seq_offset, ack, flags, bad_checksum=bad_checksum)
    return _rewrite(packets, after={at: [forged]})


def rst_out_of_window(packets, key, direction=TO_SERVER, after_data=1, offset=FAR):
    """After the flow's after_data-th data packet (either direction; 0 = after the handshake),
    insert a RST|ACK going `direction` whose seq is the receiver's next expected seq + offset.

    Attacker: a monitor that tears a session down on any RST stops watching, and the rest of
    the mail goes by unseen. Linux: the seq is outside the receive window, so the RST is dropped
    (at most a duplicate ACK is sent) and the session goes on."""
    return _inject_after(packets, key, direction, after_data, "RA", offset)


def rst_bad_checksum(packets, key, direction=TO_SERVER, after_data=1):
    """Same place as rst_out_of_window, a RST|ACK whose seq is exactly the receiver's next
    expected seq (it would reset the connection) but whose TCP checksum is wrong.

    Attacker: a monitor that skips checksum checks believes the reset. Linux: drops the
    packet on the checksum before TCP sees it."""
    return _inject_after(packets, key, direction, after_data, "RA", 0, bad_checksum=True)


def fin_out_of_window(packets, key, direction=TO_SERVER, after_data=1, offset=FAR):
    """Same place, a FIN|ACK whose seq is the receiver's next expected seq + offset.

    Attacker: a monitor that closes (or stops reassembling) a direction on any FIN misses the
    rest. Linux: out of window, dropped with a duplicate ACK; nothing is closed."""
    return _inject_after(packets, key, direction, after_data, "FA", offset)


# ------------------------------------------------------------------ overlapping data

def bad_checksum_overlap(packets, key, direction=TO_SERVER, every=1, filler=innocuous):
    """Before every `every`-th data segment going `direction` (the 1st, then 1+every, ...),
    insert a copy with the same headers, seq and length whose payload is filler(payload)
    (innocuous text, CRLFs kept) and whose TCP checksum is wrong.

    Attacker: a monitor that ignores checksums and keeps the first copy of overlapping data
    reassembles the innocuous text (and, for SMTP, never sees the CRLF.CRLF that ends DATA).
    Linux: drops each bad copy on its checksum and accepts the real segment that follows."""
    chosen = _data(_flow(packets, key), direction)[::every]
    before = {i: [_rebuild(packets[i], payload=filler(_seg(packets[i]).payload), bad_checksum=True)]
              for i in chosen}
    return _rewrite(packets, before=before)


# ------------------------------------------------------------------ IP fragments

def _spans(length, size, first):
    """[(start, end)] covering `length` bytes: first span `first` bytes long, then `size`."""
    spans, start, step = [], 0, first
    while start < length:
        spans.append((start, min(length, start + step)))
        start, step = spans[-1][1], size
    return spans


def _fragment_frames(pkt, body, spans, ident):
    """IP fragments of the datagram pkt, one per span of body (its IP payload); the fragment
    that ends at len(body) is the last one (MF clear)."""
    ipl, link, frames = _ip(pkt), _link(pkt), []
    for start, end in spans:
        more = end < len(body)
        if isinstance(ipl, IP):
            net = _ip_header(ipl, ipl.src, ipl.dst, id=ident, proto=6, frag=start // 8,
                             flags="MF" if more else 0)
        else:
            net = _ip_header(ipl, ipl.src, ipl.dst) / IPv6ExtHdrFragment(
                nh=6, offset=start // 8, m=int(more), id=ident)
        frames.append(_frame(link, raw(net / Raw(body[start:end]))))
    return frames


def _first_span(pkt, size):
    """IPv6: Linux drops a first fragment that does not hold the whole TCP header (RFC 7112,
    ipv6_frag_thdr_truncated), so the first fragment is at least the header, rounded up to 8."""
    if isinstance(_ip(pkt), IP):
        return size
    return max(size, (pkt[TCP].dataofs * 4 + 7) // 8 * 8)


def _overlap_decoy(pkt, size, ident, filler):
    """Fragments of a decoy datagram: pkt's TCP segment with filler(payload) (checksum valid
    for the decoy), split like the real one, except that the last fragment starts 8 bytes early,
    inside the fragment before it (same decoy bytes there). That fragment is the last one sent
    and extends past everything received, which is the overlap Linux detects (and drops the
    whole datagram on) before the datagram is complete."""
    body = _tcp_bytes(_rebuild(pkt, payload=filler(_seg(pkt).payload)))
    spans = _spans(len(body), size, _first_span(pkt, size))
    if len(spans) == 1:
        cut = (len(body) - 1) // 8 * 8
        spans = [(0, cut), (cut, len(body))]
    start, end = spans[-1]
    spans[-1] = (start - 8, end)
    return _fragment_frames(pkt, body, spans, ident)


def ip_fragments(packets, key, size=8, order="in", direction=TO_SERVER, decoy_id="same",
                 filler=innocuous):
    """Replaces each data packet going `direction` ('both' for both) by IP fragments of `size`
    payload bytes (a multiple of 8; 8 gives ~180 fragments per 1460-byte segment). IPv4 uses the
    packet's IP id; IPv6 adds a fragment header with an id per datagram, and its first fragment
    holds the whole TCP header (Linux requires it). A packet that fits in one fragment is sent
    whole. Orders:
      'in'       fragments in offset order;
      'reverse'  last fragment first;
      'overlap'  a decoy datagram first (see _overlap_decoy: the same TCP header and seq with
                 innocuous payload and a valid checksum, fragments in order, the final one
                 overlapping its predecessor by 8 bytes), then the real fragments in order. With
                 decoy_id='same' the decoy uses the real datagram's IP id (a monitor that does
                 not drop overlapping datagrams merges both into one), with 'new' another id.
    The last fragment sent keeps the original timestamp; the others come just before it.

    Attacker: a monitor that does not reassemble sees no TCP header at all; one that keeps the
    first copy of overlapping fragments, or forgets to drop a datagram with overlaps, sees the
    decoy text. Linux: reassembles fragments in any order; drops the decoy datagram on its
    overlap (RFC 5722 for IPv6, and for IPv4 since Linux 4.19), so only the real one arrives."""
    if size <= 0 or size % 8:
        raise ValueError("size must be a positive multiple of 8")
    if order not in ("in", "reverse", "overlap") or decoy_id not in ("same", "new"):
        raise ValueError("order: in|reverse|overlap; decoy_id: same|new")
    flow = _flow(packets, key)
    base = zlib.crc32(repr(tuple(flow[0][2][:4])).encode())
    replace = {}
    for n, i in enumerate(_data(flow, direction)):
        pkt, ipl = packets[i], _ip(packets[i])
        ident = ipl.id if isinstance(ipl, IP) else (base + n) % SEQ_MOD
        body = _tcp_bytes(pkt)
        spans = _spans(len(body), size, _first_span(pkt, size))
        real = _fragment_frames(pkt, body, spans, ident) if len(spans) > 1 else [pkt.copy()]
        if order == "reverse":
            real.reverse()
        decoy = []
        if order == "overlap":
            other = ident ^ (0x8000 if isinstance(ipl, IP) else 0x80000000)
            decoy = _overlap_decoy(pkt, size, ident if decoy_id == "same" else other, filler)
        sent = decoy + real
        for p in sent:
            p.time = None
        sent[-1].time = pkt.time
        replace[i] = sent
    return _rewrite(packets, replace=replace)


# ------------------------------------------------------------------ GRO / LRO

def _mergeable(seg):
    return bool(seg.payload) and seg.flags & ACK and not seg.flags & ~(ACK | PSH)


def _gro_runs(flow, direction, limit):
    """Runs of flow indexes that GRO would merge: same direction, contiguous seq, same ACK,
    only ACK/PSH flags, at most `limit` payload bytes; pure ACKs the other way may come between."""
    runs, run = [], None
    for i, d, s in flow:
        if run and d == run["dir"] and _mergeable(s) and s.seq == run["next"] \
                and s.ack == run["ack"] and run["len"] + len(s.payload) <= limit[run["idx"][0]]:
            run["idx"].append(i)
            run["next"], run["len"] = s.end, run["len"] + len(s.payload)
            continue
        if run and d != run["dir"] and not s.payload and not s.flags & (SYN | FIN | RST):
            continue
        if run:
            runs.append(run["idx"])
        run = None
        if direction in (d, BOTH) and _mergeable(s):
            run = {"dir": d, "idx": [i], "next": s.end, "ack": s.ack, "len": len(s.payload)}
    if run:
        runs.append(run["idx"])
    return [r for r in runs if len(r) > 1]


def gro_coalesce(packets, key, max_frame=65535, direction=BOTH):
    """Merges runs of consecutive data segments of one direction (contiguous seq, same ACK,
    only ACK/PSH; pure ACKs of the other side may lie between) into one packet whose IP datagram
    is at most max_frame bytes (65535 at most for IPv4; for IPv6 the payload length must fit 16
    bits), as a capture taken behind GRO/LRO shows. The merged packet keeps the first segment's
    headers (and options), place and timestamp, has PSH if any part had it, and gets correct
    lengths and checksums; the other segments of the run are removed.

    Attacker (or just a host with GRO): a monitor that assumes frames of at most an MTU, or that
    inspects per packet, mishandles one 64 KB frame. Linux: the receiving stack built this frame
    itself; the byte stream is the same."""
    flow = _flow(packets, key)
    headroom = {}
    for i, _, s in flow:
        ipl = _ip(packets[i])
        header = (ipl.ihl * 4 if isinstance(ipl, IP) else 40) + len(_tcp_bytes(packets[i])) - len(s.payload)
        cap = min(max_frame, 65535 if isinstance(ipl, IP) else 65535 + 40)
        headroom[i] = cap - header
    replace = {}
    for run in _gro_runs(flow, direction, headroom):
        segs = [_seg(packets[i]) for i in run]
        flags = ACK | (PSH if any(s.flags & PSH for s in segs) else 0)
        merged = _rebuild(packets[run[0]], payload=b"".join(s.payload for s in segs), flags=flags)
        merged.time = packets[run[0]].time
        replace[run[0]] = [merged]
        replace.update({i: [] for i in run[1:]})
    return _rewrite(packets, replace=replace)


# ------------------------------------------------------------------ SYNs and missing starts

def _settle(out, pkt):
    """Moves pkt (which has a time) back in out until the times before it are not later."""
    j = next(k for k, p in enumerate(out) if p is pkt)
    while j > 0 and _us(out[j - 1].time) > _us(pkt.time):
        out[j - 1], out[j] = out[j], out[j - 1]
        j -= 1
    return out


def decoy_syn(packets, key, early=True, early_checksum="bad", early_ms=3, mid=True,
              challenge_ack=True, seed=None):
    """Adds SYNs from the client socket with other ISNs (copies of the real SYN, options kept):
      early  early_ms before the real SYN. Its TCP checksum is wrong by default: a Linux
             server that accepted it would answer it and then drop the real SYN (out of window
             for the half-open connection), so the capture's SYN-ACK to the real ISN shows the
             server never took it. early_checksum='valid' gives the textbook decoy, which a real
             server would not have ignored.
      mid    right after the handshake's final ACK, a SYN with a third ISN, followed (if
             challenge_ack) by the server's challenge ACK (seq = its next seq, ack = the
             client's next seq), as Linux answers a SYN on an established connection (RFC 5961).

    Attacker: a monitor that takes the first SYN's ISN, or restarts a flow on any SYN, puts all
    real data outside its window and sees nothing. Linux: the early SYN fails its checksum; the
    mid-session SYN is answered with a challenge ACK and dropped."""
    flow = _flow(packets, key)
    syn = next(((i, s) for i, d, s in flow if d == TO_SERVER and s.flags & SYN and not s.flags & ACK), None)
    if syn is None:
        raise ValueError("flow has no client SYN")
    i, s = syn
    rng = random.Random(repr(tuple(key)) if seed is None else seed)
    isn_early = (s.seq + FAR + rng.randrange(2 ** 29)) % SEQ_MOD
    isn_mid = (s.seq + 3 * FAR + rng.randrange(2 ** 29)) % SEQ_MOD
    before, after, early_pkt = {}, {}, None
    if early:
        early_pkt = _rebuild(packets[i], seq=isn_early, bad_checksum=early_checksum == "bad")
        _at(early_pkt, _us(packets[i].time) - int(early_ms * 1000))
        before[i] = [early_pkt]
    if mid:
        at = _handshake_end(flow)
        added = [_rebuild(packets[i], seq=isn_mid)]
        server, reverse = _template(packets, flow, TO_CLIENT, at)
        if challenge_ack and _next_seq(flow, TO_CLIENT, at) is not None:
            added.append(_forge(server, reverse, _next_seq(flow, TO_CLIENT, at),
                                _next_seq(flow, TO_SERVER, at), "A"))
        after[at] = added
    out = _rewrite(packets, before=before, after=after)
    return _settle(out, early_pkt) if early_pkt is not None else out


def midstream(packets, key, drop_first=3):
    """Removes the flow's first drop_first packets (3: the handshake), as a tap that came up
    late sees it.

    Attacker: nothing to send; a monitor that needs the handshake to track a flow ignores
    the rest of the session. Linux: not concerned (the real hosts saw the handshake)."""
    drop = {i for i, _, _ in _flow(packets, key)[:drop_first]}
    return [p for i, p in enumerate(packets) if i not in drop]


def apply(packets, transform, keys, **options):
    """The same transform applied to each flow in keys, e.g. to the attacked flow and to a
    benign twin (a flow with the same shape but harmless content) so a test can tell
    'missed because of the evasion' from 'never detected'. Apply midstream last: without its
    SYN, a flow's client is guessed from the ports."""
    for key in keys:
        packets = transform(packets, key, **options)
    return packets


# ------------------------------------------------------------------ generated connections

GREETINGS = {25: b"220 mx.example ESMTP\r\n", 587: b"220 mx.example ESMTP\r\n",
             110: b"+OK POP3 ready\r\n", 143: b"* OK IMAP4rev1 ready\r\n"}
HELLOS = {25: b"EHLO client.example\r\n", 587: b"EHLO client.example\r\n",
          110: b"CAPA\r\n", 143: b"a1 CAPABILITY\r\n"}


def _server_link(packets, server_ip, family):
    """Link header for client-to-server frames: from a captured packet to (or from) the server,
    else made-up MACs."""
    server_ip = _norm(server_ip)
    for p in packets:
        ipl = _ip(p)
        if ipl is not None and _norm(ipl.dst) == server_ip:
            return _link(p)
        if ipl is not None and _norm(ipl.src) == server_ip:
            return _link(p, reverse=True)
    return DEFAULT_MACS[0] + DEFAULT_MACS[1] + (b"\x08\x00" if family == 4 else b"\x86\xdd")


def _conversation(link, client, server, steps, isn_c, isn_s):
    """Frames of a made-up connection; steps are (sender 'c'|'s', flags, payload); seq and ack
    follow the steps (each side acknowledges everything the other sent before)."""
    nxt = {"c": isn_c, "s": isn_s}
    out = []
    for who, flags, data in steps:
        src, dst = (client, server) if who == "c" else (server, client)
        ack = nxt["s" if who == "c" else "c"] if "A" in flags else 0
        options = [("MSS", 1460)] if "S" in flags else []
        ip = IP(src=src[0], dst=dst[0], flags="DF") if ":" not in src[0] else IPv6(src=src[0], dst=dst[0])
        net = ip / TCP(sport=src[1], dport=dst[1], seq=nxt[who] % SEQ_MOD, ack=ack % SEQ_MOD,
                       flags=flags, window=64240, options=options)
        if data:
            net = net / Raw(data)
        frame_link = link if who == "c" else link[6:12] + link[0:6] + link[12:]
        out.append(_frame(frame_link, _finish(net)))
        nxt[who] += len(data) + ("S" in flags) + ("F" in flags)
    return out


def _add_before(packets, conversations, start_ts, spacing_us):
    """Times the conversations' frames one after another, `spacing_us` apart, the last one
    spacing_us before start_ts, and merges them into the capture."""
    new = [f for conv in conversations for f in conv]
    start = _us(start_ts if isinstance(start_ts, Decimal) else Decimal(repr(float(start_ts))))
    for n, f in enumerate(new):
        _at(f, start - (len(new) - n) * spacing_us)
    return _merge(packets, new)


def _client_endpoints(client_net, server_ip, count, first_port=40000):
    """count distinct (ip, port) in client_net: each host once, then the next port."""
    hosts = list(itertools.islice((str(h) for h in ipaddress.ip_network(client_net).hosts()
                                   if h != ipaddress.ip_address(server_ip)), count))
    if not hosts:
        raise ValueError(f"{client_net} has no host addresses")
    return [(hosts[n % len(hosts)], first_port + n // len(hosts)) for n in range(count)]


def idle_connections(packets, count, server_ip, server_port, start_ts, client_net="10.98.0.0/16",
                     one_sided=False, greeting=None, spacing_us=100):
    """Adds `count` connections from distinct client (ip, port) in client_net to the server,
    all before start_ts: SYN, SYN-ACK, ACK, the server's greeting (by port; 220 for SMTP), the
    client's ACK, and then silence, never closed. one_sided=True: only the client's side is
    seen (SYN, ACK, a first command such as EHLO), as with asymmetric routing.

    Attacker: cheap connections that fill a monitor's flow table or per-flow memory before the
    real attack (use the attacked flow's first_ts as start_ts). Linux: these are other sockets,
    the attacked session is not affected."""
    family = ipaddress.ip_address(server_ip).version
    link = _server_link(packets, server_ip, family)
    greeting = greeting or GREETINGS.get(server_port, b"220 ready\r\n")
    hello = HELLOS.get(server_port, b"HELLO\r\n")
    if one_sided:
        steps = [("c", "S", b""), ("c", "A", b""), ("c", "PA", hello)]
    else:
        steps = [("c", "S", b""), ("s", "SA", b""), ("c", "A", b""), ("s", "PA", greeting), ("c", "A", b"")]
    rng = random.Random(f"idle {client_net} {count}")
    server = (_norm(server_ip), server_port)
    convs = [_conversation(link, client, server, steps, rng.randrange(SEQ_MOD),
                           rng.randrange(SEQ_MOD) + (1 if one_sided else 0))
             for client in _client_endpoints(client_net, server_ip, count)]
    return _add_before(packets, convs, start_ts, spacing_us)


# ------------------------------------------------------------------ Postern's old flow hash

def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc_table()


def crc32c(data, seed=0):
    """CRC32-C (Castagnoli) as postern::net::crc32c: ~crc_raw(data, init=~seed). The standard
    check value is crc32c(b"123456789") == 0xE3069283; crc32c(b, crc32c(a, s)) == crc32c(a + b, s)."""
    c = ~seed & 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return ~c & 0xFFFFFFFF


def _endpoint(ip, port):
    """(16 address bytes, IPv4 in the first 4, port): Postern's endpoint order, and the bytes hashed."""
    a = ipaddress.ip_address(ip)
    return (a.packed + bytes(16 - len(a.packed)), port), len(a.packed)


def _hash_ordered(a, b, alen, proto):
    return crc32c(a[0][:alen] + b[0][:alen] + struct.pack("!HHB", a[1], b[1], proto), 0x5EED)


def flow_hash(ip1, port1, ip2, port2, proto=6):
    """Postern's old unkeyed symmetric flow hash (lib/net/flow_key.cpp before the keyed hasher):
    the endpoints ordered by (address bytes big-endian, port), lower one `a`; CRC32-C seeded
    0x5eed over a_addr || b_addr (4 bytes for IPv4, 16 for IPv6) || a_port || b_port || proto."""
    (e1, alen), (e2, _) = _endpoint(ip1, port1), _endpoint(ip2, port2)
    a, b = sorted([e1, e2])
    return _hash_ordered(a, b, alen, proto)


def worker_of(hash_value, nworkers):
    """The worker RX hands a packet to: (hash * nworkers) >> 32."""
    return (hash_value * nworkers) >> 32


def _solve_gf2(columns, rhs):
    """x with XOR of columns[j] (for each bit j set in x) == rhs, over GF(2), as
    (one solution, basis of the null space), bitmasks over j; (None, []) when none exists."""
    pivots, null = {}, []
    for j, col in enumerate(columns):
        vec, combo = col, 1 << j
        while vec:
            lead = vec.bit_length() - 1
            if lead not in pivots:
                pivots[lead] = (vec, combo)
                break
            vec, combo = vec ^ pivots[lead][0], combo ^ pivots[lead][1]
        else:
            null.append(combo)
    solution = 0
    while rhs:
        lead = rhs.bit_length() - 1
        if lead not in pivots:
            return None, []
        rhs, solution = rhs ^ pivots[lead][0], solution ^ pivots[lead][1]
    return solution, null


def collision_clients(count, server_ip, server_port, client_net="10.99.0.0/16", bucket_bits=16,
                      top_bits=1, target=0, proto=6, min_port=1024):
    """count distinct client (ip, port) in client_net whose flow to the server has the same low
    `bucket_bits` and top `top_bits` bits of flow_hash as `target` (an int, or a FlowKey whose
    hash to copy: the flood then shares the victim's bucket and worker).

    CRC with a fixed init over a fixed length is affine over GF(2), so with the endpoints' order
    fixed the hash is h(x) = h(0) ^ XOR of columns picked by x, where x are the free bits (up
    to the 32 lowest host bits of client_net, then the 16 port bits). Solving the masked
    equations gives one solution plus a null space; walking the null space in Gray-code order
    gives distinct solutions, kept if the port is >= min_port, the host is usable, and the
    endpoint order is the one assumed."""
    if isinstance(target, tuple):
        target = flow_hash(*target, proto)
    mask = (1 << bucket_bits) - 1 | (((1 << top_bits) - 1) << (32 - top_bits) if top_bits else 0)
    net, server = ipaddress.ip_network(client_net), ipaddress.ip_address(server_ip)
    host_bits = min(net.max_prefixlen - net.prefixlen, 32)
    (server_end, alen) = _endpoint(server_ip, server_port)
    found = []

    def endpoint(x):
        return str(net.network_address + (x >> 16)), x & 0xFFFF

    for client_first in (net.network_address < server, not (net.network_address < server)):
        def h(x):
            client_end = _endpoint(*endpoint(x))[0]
            pair = (client_end, server_end) if client_first else (server_end, client_end)
            return _hash_ordered(*pair, alen, proto)
        base = h(0)
        columns = [(h(1 << j) ^ base) & mask for j in range(host_bits + 16)]
        x, null = _solve_gf2(columns, (target ^ base) & mask)
        if x is None:
            continue
        for n in range(1 << len(null)):
            if n:
                x ^= null[(n & -n).bit_length() - 1]      # Gray code: one basis vector per step
            ip, port = endpoint(x)
            host = x >> 16
            if port < min_port or ipaddress.ip_address(ip) == server or host == 0 \
                    or (net.version == 4 and host == (1 << host_bits) - 1):
                continue
            if (_endpoint(ip, port)[0] < server_end) != client_first:
                continue
            assert flow_hash(ip, port, server_ip, server_port, proto) & mask == target & mask
            found.append((ip, port))
            if len(found) == count:
                return found
    raise ValueError(f"only {len(found)} colliding clients in {client_net}")


def hash_collision_flood(packets, count, server_ip, server_port, start_ts, bucket_bits=16,
                         top_bits=1, client_net="10.99.0.0/16", target=0, spacing_us=10):
    """Adds `count` short connections to the server, all before start_ts, whose flows share the
    low bucket_bits and top top_bits bits of Postern's old unkeyed flow hash (see
    collision_clients; target may be the victim's FlowKey). Each: SYN, SYN-ACK, ACK, one client
    data packet (EHLO for SMTP), client FIN, server FIN (acking data and FIN), client ACK.

    Attacker: with an unkeyed hash the attacker can compute, all flows land in one bucket of one
    worker, so each lookup walks a long chain (or the bucket overflows and flows are evicted).
    Linux: ordinary short connections from other clients; nothing changes for the attacked one."""
    family = ipaddress.ip_address(server_ip).version
    link = _server_link(packets, server_ip, family)
    hello = HELLOS.get(server_port, b"HELLO\r\n")
    steps = [("c", "S", b""), ("s", "SA", b""), ("c", "A", b""), ("c", "PA", hello),
             ("c", "FA", b""), ("s", "FA", b""), ("c", "A", b"")]
    rng = random.Random(f"flood {client_net} {count}")
    server = (_norm(server_ip), server_port)
    clients = collision_clients(count, server_ip, server_port, client_net, bucket_bits, top_bits, target)
    convs = [_conversation(link, client, server, steps, rng.randrange(SEQ_MOD), rng.randrange(SEQ_MOD))
             for client in clients]
    return _add_before(packets, convs, start_ts, spacing_us)


# ------------------------------------------------------------------ command line

FLOW_TRANSFORMS = {f.__name__: f for f in (rst_out_of_window, rst_bad_checksum, fin_out_of_window,
                                           bad_checksum_overlap, ip_fragments, gro_coalesce,
                                           decoy_syn, midstream)}
GENERATORS = {f.__name__: f for f in (idle_connections, hash_collision_flood)}
_FIXED = {"packets", "key", "server_ip", "server_port", "start_ts", "filler", "seed", "greeting", "target",
          "early", "mid", "challenge_ack"}     # set by the command line itself, or library only


def main(argv=None):
    every = {**FLOW_TRANSFORMS, **GENERATORS}
    epilog = "options per transform (--name-with-dashes):\n" + "\n".join(
        f"  {name}: {', '.join(p for p in inspect.signature(f).parameters if p not in _FIXED)}"
        for name, f in every.items())
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=epilog,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("transform", choices=sorted(FLOW_TRANSFORMS) + sorted(GENERATORS))
    ap.add_argument("--client-ip")
    ap.add_argument("--server-port", type=int)
    ap.add_argument("--server-ip", help="generators: default, the selected flow's server")
    ap.add_argument("--start-ts", type=Decimal, help="generators: default, the selected flow's first packet")
    for name, kind in (("direction", str), ("after-data", int), ("offset", int), ("every", int),
                       ("size", int), ("order", str), ("decoy-id", str), ("max-frame", int),
                       ("drop-first", int), ("early-checksum", str), ("count", int),
                       ("client-net", str), ("bucket-bits", int), ("top-bits", int),
                       ("early-ms", float), ("spacing-us", int)):
        ap.add_argument("--" + name, type=kind)
    ap.add_argument("--one-sided", action="store_true", default=None)
    args = ap.parse_args(argv)

    packets = load(args.input)
    keys = select(packets, client_ip=args.client_ip, server_port=args.server_port)
    skip = {"input", "output", "transform", "client_ip", "server_port", "server_ip", "start_ts"}
    options = {k: v for k, v in vars(args).items() if k not in skip and v is not None}
    if args.transform in FLOW_TRANSFORMS:
        transform = FLOW_TRANSFORMS[args.transform]
        if not keys:
            ap.error("no flow matches --client-ip/--server-port")
    else:
        transform = GENERATORS[args.transform]
        server_ip = args.server_ip or (keys[0].server_ip if keys else None)
        start_ts = args.start_ts or (first_ts(packets, keys[0]) if keys else packets[0].time)
        if server_ip is None or args.server_port is None:
            ap.error("generators need --server-port and --server-ip (or a matching flow)")
        options.update(server_ip=server_ip, server_port=args.server_port, start_ts=start_ts)
        if transform is hash_collision_flood and keys:
            options.setdefault("target", keys[0])      # share the selected flow's bucket
    unknown = set(options) - set(inspect.signature(transform).parameters)
    if unknown:
        ap.error(f"{args.transform} takes no option {', '.join(sorted(unknown))}")
    if args.transform in FLOW_TRANSFORMS:
        packets = apply(packets, transform, keys, **options)
    else:
        packets = transform(packets, **options)
    save(args.output, packets)
    what = f"{len(keys)} flow(s)" if args.transform in FLOW_TRANSFORMS else f"server {options['server_ip']}"
    print(f"{args.transform}: {what}, {len(packets)} packets -> {args.output}")


if __name__ == "__main__":
    sys.exit(main())
