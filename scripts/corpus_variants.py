"""The corpus's derived variants (scripts/make_corpus.py): the clean capture as a sensor would
see it behind an 802.1Q trunk, on an IPv6 network, from a tap that came up late, and its benign
sessions replayed over a working day."""
import random
import struct

from pcap_io import address, checksum, tcp_tuple, ts_of

VLAN_ID = 42
DAY_S = 8 * 3600  # benign_day: a working day
POLL_PERIOD_S = 300  # a mail program polling on its timer (fetchmail's usual; Thunderbird's is 600)
VISITS_PER_DAY = 8  # how often each person's scenario comes again over the day


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
