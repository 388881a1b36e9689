"""What a Linux host would accept from a capture, for checking the evasion transforms.

Written from the raw bytes with struct only (no scapy, nothing shared with evasions.py), so a
transform cannot pass by agreeing with itself. The model, per Linux behaviour:
  * IPv4 header checksum and TCP checksum (with the pseudo-header) must be right, else drop;
  * IP fragments: a non-last fragment must be a multiple of 8 bytes; an exact duplicate is
    ignored; any other overlap discards the whole datagram (RFC 5722, Linux >= 4.19 for IPv4)
    and a later fragment with the same id starts a new datagram; an IPv6 first fragment must
    hold the 20-byte TCP header;
  * TCP per direction: the first SYN sets the ISN (later SYNs are ignored: challenge ACK);
    without a SYN the first segment starts the stream; data in the window is accepted,
    first copy wins; a RST counts only at exactly the next expected seq; a FIN only in order.
"""
import struct

WINDOW = 1 << 20
SYN, FIN, RST, ACK = 0x02, 0x01, 0x04, 0x10


def read_pcap(path):
    """[(microseconds, frame bytes)] of a classic little-endian µs pcap with Ethernet frames."""
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xA1B2C3D4 and linktype == 1, (hex(magic), linktype)
    out, off = [], 24
    while off < len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        assert incl == orig, "truncated frame"
        out.append((sec * 1000000 + usec, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def checksum(data):
    """The Internet checksum of data: 0 when data includes a right checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_checksum_ok(src, dst, segment):
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(segment)) if len(src) == 4 else \
        src + dst + struct.pack("!IxxxB", len(segment), 6)
    return checksum(pseudo + segment) == 0


def signed(n):
    n %= 1 << 32
    return n - (1 << 32) if n >= 1 << 31 else n


def ip_packet(frame):
    """(version, IP bytes) of an Ethernet frame (VLAN tags skipped), or None."""
    off, etype = 12, struct.unpack("!H", frame[12:14])[0]
    while etype in (0x8100, 0x88A8):
        off += 4
        etype = struct.unpack("!H", frame[off:off + 2])[0]
    if etype == 0x0800:
        return 4, frame[off + 2:]
    if etype == 0x86DD:
        return 6, frame[off + 2:]
    return None


class Datagram:
    def __init__(self):
        self.frags = []          # (start, end, bytes)
        self.total = None


class IpLayer:
    """IP input: yields (src, dst, protocol, payload) of each complete datagram."""

    def __init__(self):
        self.queues = {}
        self.overlaps = []       # (key, start, end, [(start, end)] already queued) per kill
        self.dropped = 0

    def push(self, frame):
        found = ip_packet(frame)
        if found is None:
            return None
        version, ip = found
        return self._v4(ip) if version == 4 else self._v6(ip)

    def _v4(self, ip):
        ihl = (ip[0] & 15) * 4
        if ip[0] >> 4 != 4 or checksum(ip[:ihl]) != 0:
            self.dropped += 1
            return None
        total, ident, frag, proto = struct.unpack("!HHHxB", ip[2:10])
        src, dst, body = ip[12:16], ip[16:20], ip[ihl:total]
        more, start = bool(frag & 0x2000), (frag & 0x1FFF) * 8
        if not more and start == 0:
            return src, dst, proto, body
        whole = self._fragment((4, src, dst, ident, proto), start, body, more, 0)
        return whole and (src, dst, proto, whole)

    def _v6(self, ip):
        plen, nh = struct.unpack("!HB", ip[4:7])
        src, dst, body = ip[8:24], ip[24:40], ip[40:40 + plen]
        if nh != 44:
            return src, dst, nh, body
        proto, frag, ident = body[0], struct.unpack("!H", body[2:4])[0], body[4:8]
        whole = self._fragment((6, src, dst, ident), frag & 0xFFF8, body[8:], bool(frag & 1),
                               20 if proto == 6 else 0)
        return whole and (src, dst, proto, whole)

    def _fragment(self, key, start, data, more, first_min):
        end = start + len(data)
        if (more and len(data) % 8) or (start == 0 and len(data) < first_min):
            self.dropped += 1
            return None
        q = self.queues.setdefault(key, Datagram())
        if any((s, e) == (start, end) for s, e, _ in q.frags):
            return None
        if any(s < end and start < e for s, e, _ in q.frags):
            self.overlaps.append((key, start, end, [(s, e) for s, e, _ in q.frags]))
            del self.queues[key]
            return None
        q.frags.append((start, end, data))
        if not more:
            q.total = end
        q.frags.sort()
        pos = 0
        for s, e, _ in q.frags:
            if s != pos:
                return None
            pos = e
        if q.total != pos:
            return None
        del self.queues[key]
        return b"".join(d for _, _, d in q.frags)


class Stream:
    def __init__(self):
        self.isn = None
        self.rcv_nxt = None
        self.data = bytearray()
        self.ooo = {}            # seq -> payload, first copy wins
        self.fin = False
        self.reset = False


class TcpLayer:
    """TCP input per direction (src, sport, dst, dport) -> Stream."""

    def __init__(self):
        self.streams = {}
        self.bad_checksum = []   # (src, sport, dst, dport, seq, flags, payload, rcv_nxt then)
        self.ignored = []        # (tuple, seq, flags, why)

    def push(self, src, dst, segment):
        sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", segment[:14])
        tup = (src, sport, dst, dport)
        st = self.streams.setdefault(tup, Stream())
        payload = segment[(off >> 4) * 4:]
        if not tcp_checksum_ok(src, dst, segment):
            self.bad_checksum.append((tup, seq, flags, payload, st.rcv_nxt))
            return
        if flags & SYN:
            if st.isn is None:
                st.isn, st.rcv_nxt = seq, (seq + 1) % (1 << 32)
            else:
                self.ignored.append((tup, seq, flags, "syn"))
            return
        if st.rcv_nxt is None:
            st.rcv_nxt = seq
        rel = signed(seq - st.rcv_nxt)
        if flags & RST:
            if rel == 0:
                st.reset = True
                self.streams.setdefault((dst, dport, src, sport), Stream()).reset = True
            else:     # out of window: dropped; in window but not exact: challenge ACK (RFC 5961)
                self.ignored.append((tup, seq, flags, "rst-challenge" if -WINDOW < rel < WINDOW else "rst-window"))
            return
        if not -WINDOW < rel < WINDOW:
            self.ignored.append((tup, seq, flags, "window"))
            return
        if st.reset or st.fin:
            if payload or flags & FIN:
                self.ignored.append((tup, seq, flags, "closed"))
            return
        if payload:
            st.ooo.setdefault(seq, payload)
            self._drain(st)
        if flags & FIN:
            if signed(seq + len(payload) - st.rcv_nxt) == 0:
                st.fin = True
                st.rcv_nxt = (st.rcv_nxt + 1) % (1 << 32)
            else:
                self.ignored.append((tup, seq, flags, "fin"))

    @staticmethod
    def _drain(st):
        progress = True
        while progress:
            progress = False
            for seq, p in list(st.ooo.items()):
                rel = signed(seq - st.rcv_nxt)
                if rel <= 0:
                    del st.ooo[seq]
                    if rel + len(p) > 0:
                        st.data += p[-rel:]
                        st.rcv_nxt = (st.rcv_nxt + len(p) + rel) % (1 << 32)
                        progress = True


class Receiver:
    """Feeds a capture through IpLayer and TcpLayer."""

    def __init__(self, frames):
        self.ip, self.tcp = IpLayer(), TcpLayer()
        for _, frame in frames:
            found = self.ip.push(frame)
            if found and found[2] == 6:
                self.tcp.push(found[0], found[1], found[3])

    def accepted(self):
        """{direction tuple: (bytes, fin, reset)} for every direction that had anything."""
        return {t: (bytes(s.data), s.fin, s.reset) for t, s in self.tcp.streams.items()
                if s.isn is not None or s.data}


def accepted(path):
    return Receiver(read_pcap(path)).accepted()
