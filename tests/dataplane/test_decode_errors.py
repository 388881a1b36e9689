"""Malformed and uninspectable frames are counted by reason (EVE stats) and freed; they never
crash the RX path nor disappear silently. The capture is written byte by byte here."""
import struct

from conftest import read_eve, run_postern


def eth(payload, ethertype=0x0800, vlans=()):
    hdr = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02"
    for tpid, vid in vlans:
        hdr += struct.pack("!HH", tpid, vid)
    return hdr + struct.pack("!H", ethertype) + payload


def ipv4(payload, proto=6, ihl=5, total=None, version=4, frag=0, options=b""):
    total = 20 + len(options) + len(payload) if total is None else total
    return struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, total, 1, frag, 64, proto, 0,
                       bytes([192, 0, 2, 1]), bytes([198, 51, 100, 1])) + options + payload


def ipv6(payload, nh=6, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 6 << 28, plen, nh, 64, b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x01",
                       b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x02") + payload


def tcp(offset=5, payload=b""):
    return struct.pack("!HHIIBBHHH", 40000, 25, 1, 0, offset << 4, 0x02, 65535, 0, 0) + b"\x00" * max(0, (offset - 5) * 4) + payload


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)


CASES = {
    "truncated_ethernet": b"\x00" * 10,
    "truncated_vlan": eth(b"", ethertype=0x8100)[:15],
    "too_many_vlan_tags": eth(ipv4(tcp()), vlans=((0x88A8, 1), (0x8100, 2), (0x8100, 3))),
    "non_ip_ethertype": eth(b"\x00" * 28, ethertype=0x0806),
    "truncated_ipv4": eth(ipv4(tcp())[:12]),
    "bad_ipv4_version": eth(ipv4(tcp(), version=5)),
    "bad_ipv4_header_length": eth(ipv4(tcp(), ihl=3)),
    "bad_ipv4_total_length": eth(ipv4(tcp(), total=10)),
    "ipv4_fragment": eth(ipv4(tcp(), frag=0x2000)),
    "truncated_ipv6": eth(ipv6(tcp())[:30], ethertype=0x86DD),
    "bad_ipv6_version": eth(b"\x40" + ipv6(tcp())[1:], ethertype=0x86DD),
    "bad_ipv6_payload_length": eth(ipv6(tcp(), plen=200), ethertype=0x86DD),
    "bad_ipv6_extension_header": eth(ipv6(b"\x06\xff" + b"\x00" * 6, nh=0), ethertype=0x86DD),
    "ipv6_fragment": eth(ipv6(b"\x06\x00\x00\x01\x00\x00\x00\x01" + tcp(), nh=44), ethertype=0x86DD),
    "truncated_tcp": eth(ipv4(tcp()[:12])),
    "bad_tcp_header_length": eth(ipv4(tcp(offset=3))),
    "truncated_udp": eth(ipv4(b"\x00" * 4, proto=17)),
    "bad_udp_length": eth(ipv4(struct.pack("!HHHH", 1, 2, 4, 0), proto=17)),
    "other_l4": eth(ipv4(b"\x08\x00" + b"\x00" * 6, proto=1)),
}


def test_each_malformed_frame_is_counted_by_reason(tmp_path):
    pcap = tmp_path / "bad.pcap"
    good = [eth(ipv4(tcp())), eth(ipv6(tcp()), ethertype=0x86DD), eth(ipv4(tcp(offset=8)), vlans=((0x8100, 7),))]
    write_pcap(pcap, list(CASES.values()) + good)
    eve = tmp_path / "eve.json"
    run_postern("-r", pcap, "--eve-log", eve)
    stats = [e for e in read_eve(eve) if e["event_type"] == "stats"][-1]["stats"]
    decode = stats["postern"]["decode"]
    for reason in CASES:
        assert decode[reason] == 1, (reason, decode)
    assert stats["decoder"]["pkts"] == len(CASES) + len(good)
    flows = [e for e in read_eve(eve) if e["event_type"] == "flow"]
    assert len(flows) == 2  # v4 (two frames, one VLAN-tagged, same flow) and v6
