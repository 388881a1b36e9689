"""Classic pcap files and TCP frames, with struct only: what the corpus and benchmark scripts
(make_corpus.py, corpus_variants.py, make_bench_mix.py) read and write."""
import ipaddress
import pathlib
import struct
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "dataplane"))
from pcapgen import checksum  # noqa: E402,F401  (the Internet checksum, for the rewriters)


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
