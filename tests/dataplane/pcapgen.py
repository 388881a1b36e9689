"""Small, exact pcap writer for protocol transcripts: a TCP session (handshake, the given
exchanges segmented to an MSS, ACKs, FIN) between documentation addresses. Used by tests that
need a precise conversation rather than the synthesizer's random mix."""
import struct

CLIENT_MAC = b"\x02\x00\x00\x00\x00\x01"
SERVER_MAC = b"\x02\x00\x00\x00\x00\x02"


def checksum(data):
    """The Internet checksum (RFC 1071): 0 over data that holds a right one."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    macs = (SERVER_MAC + CLIENT_MAC) if sport < dport else (CLIENT_MAC + SERVER_MAC)
    return macs + b"\x08\x00" + ip + tcp


def tcp_session(exchanges, client=("192.0.2.10", 40000), server=("198.51.100.20", 25), mss=1460,
                start=1700000000.0, handshake=True):
    """exchanges: [(side, bytes)], side "c" (client) or "s" (server). Returns [(ts, frame)]."""
    c_ip, c_port = bytes(map(int, client[0].split("."))), client[1]
    s_ip, s_port = bytes(map(int, server[0].split("."))), server[1]
    cseq, sseq = 1000, 500000
    t = start
    out = []

    def add(frame):
        nonlocal t
        t += 0.001
        out.append((t, frame))

    if handshake:
        add(_frame(c_ip, s_ip, c_port, s_port, cseq, 0, 0x02))
        add(_frame(s_ip, c_ip, s_port, c_port, sseq, cseq + 1, 0x12))
        cseq += 1
        sseq += 1
        add(_frame(c_ip, s_ip, c_port, s_port, cseq, sseq, 0x10))
    for side, data in exchanges:
        for i in range(0, len(data), mss):
            chunk = data[i:i + mss]
            if side == "c":
                add(_frame(c_ip, s_ip, c_port, s_port, cseq, sseq, 0x18, chunk))
                cseq += len(chunk)
                add(_frame(s_ip, c_ip, s_port, c_port, sseq, cseq, 0x10))
            else:
                add(_frame(s_ip, c_ip, s_port, c_port, sseq, cseq, 0x18, chunk))
                sseq += len(chunk)
                add(_frame(c_ip, s_ip, c_port, s_port, cseq, sseq, 0x10))
    add(_frame(c_ip, s_ip, c_port, s_port, cseq, sseq, 0x11))
    add(_frame(s_ip, c_ip, s_port, c_port, sseq, cseq + 1, 0x11))
    add(_frame(c_ip, s_ip, c_port, s_port, cseq + 1, sseq + 1, 0x10))
    return out


def write_pcap(path, packets):
    """packets: [(ts, frame)] in any order; written sorted by time."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, fr in sorted(packets, key=lambda p: p[0]):
            sec = int(ts)
            f.write(struct.pack("<IIII", sec, int(round((ts - sec) * 1e6)), len(fr), len(fr)) + fr)


def tls_client_hello(sni):
    """A TLS 1.2 ClientHello record with an SNI extension (enough for protocol identification)."""
    name = sni.encode()
    sni_ext = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    body = (b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", 4) + b"\x13\x01\xc0\x2f" + b"\x01\x00" +
            struct.pack("!H", len(sni_ext)) + sni_ext)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls_server_hello():
    """A ServerHello record, then a ChangeCipherSpec: the server side of a TLS handshake's start."""
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x13\x01" + b"\x00" + b"\x00\x00"
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs + b"\x14\x03\x03\x00\x01\x01"


def tls_records(n, size):
    """n application-data records of `size` bytes (opaque)."""
    return b"".join(b"\x17\x03\x03" + struct.pack("!H", size) + bytes((i * 7 + j) & 0xFF for j in range(size))
                    for i in range(n))
