#include "net/packet.hpp"

#include <cstring>

namespace postern::net {

namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86DD;
constexpr uint16_t kEthVlan = 0x8100;
constexpr uint16_t kEthQinQ = 0x88A8;
constexpr uint16_t kEthQinQOld = 0x9100;

inline uint16_t be16(const uint8_t *p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t *p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// The frame being decoded: headers are read from the first `contig` bytes only; lengths in the
// headers are checked against the whole frame.
struct Frame {
    const uint8_t *p;
    size_t contig;
    size_t len;
};

// The window scale option of a SYN (kind 3, length 3); malformed options end the walk.
uint8_t window_scale(const uint8_t *opt, size_t n) {
    size_t i = 0;
    while (i < n) {
        const uint8_t kind = opt[i];
        if (kind == 0) break;         // end of options
        if (kind == 1) { ++i; continue; }  // no-op
        if (i + 1 >= n || opt[i + 1] < 2 || i + opt[i + 1] > n) break;
        if (kind == 3 && opt[i + 1] == 3) return opt[i + 2] > 14 ? 14 : opt[i + 2];  // RFC 7323 §2.3
        i += opt[i + 1];
    }
    return PacketView::kNoWindowScale;
}

DecodeResult decode_l4(const Frame &f, size_t l4, size_t l4_end, uint8_t proto, PacketView &out) {
    out.tuple.proto = proto;
    out.l4_offset = static_cast<uint16_t>(l4);
    const size_t avail = l4_end - l4;
    const size_t contig = f.contig > l4 ? f.contig - l4 : 0;
    const uint8_t *p = f.p + l4;
    if (proto == kProtoTcp) {
        if (avail < 20 || contig < 20) return DecodeResult::TruncatedTcp;
        const size_t hlen = size_t{static_cast<uint8_t>(p[12] >> 4)} * 4;
        if (hlen < 20) return DecodeResult::BadTcpHeaderLength;
        if (hlen > avail || hlen > contig) return DecodeResult::TruncatedTcp;
        out.tuple.src_port = be16(p);
        out.tuple.dst_port = be16(p + 2);
        out.seq = be32(p + 4);
        out.ack = be32(p + 8);
        out.tcp_flags = p[13];
        out.window = be16(p + 14);
        if ((out.tcp_flags & kTcpSyn) && hlen > 20) out.tcp_wscale = window_scale(p + 20, hlen - 20);
        out.payload_offset = static_cast<uint16_t>(l4 + hlen);
        out.payload_len = static_cast<uint16_t>(avail - hlen);
        return DecodeResult::Ok;
    }
    if (proto == kProtoUdp) {
        if (avail < 8 || contig < 8) return DecodeResult::TruncatedUdp;
        const size_t ulen = be16(p + 4);
        if (ulen < 8 || ulen > avail) return DecodeResult::BadUdpLength;
        out.tuple.src_port = be16(p);
        out.tuple.dst_port = be16(p + 2);
        out.payload_offset = static_cast<uint16_t>(l4 + 8);
        out.payload_len = static_cast<uint16_t>(ulen - 8);
        return DecodeResult::Ok;
    }
    return DecodeResult::OtherL4;
}

DecodeResult decode_ipv4(const Frame &f, size_t off, PacketView &out) {
    if (f.contig - off < 20) return DecodeResult::TruncatedIpv4;
    const uint8_t *ip = f.p + off;
    if ((ip[0] >> 4) != 4) return DecodeResult::BadIpv4Version;
    const size_t ihl = size_t{static_cast<uint8_t>(ip[0] & 0x0F)} * 4;  // options are skipped
    if (ihl < 20) return DecodeResult::BadIpv4HeaderLength;
    if (ihl > f.contig - off) return DecodeResult::TruncatedIpv4;
    const size_t total = be16(ip + 2);
    if (total < ihl) return DecodeResult::BadIpv4TotalLength;
    if (total > f.len - off) return DecodeResult::TruncatedIpv4;
    out.tuple.family = IpFamily::V4;
    out.ip_ttl = ip[8];
    std::memcpy(out.tuple.src.bytes.data(), ip + 12, 4);
    std::memcpy(out.tuple.dst.bytes.data(), ip + 16, 4);
    const uint16_t frag = be16(ip + 6);
    if ((frag & 0x3FFF) != 0) return DecodeResult::Ipv4Fragment;  // MF set or offset non-zero
    return decode_l4(f, off + ihl, off + total, ip[9], out);
}

bool is_ipv6_extension(uint8_t nh) {
    return nh == 0 || nh == 43 || nh == 60 || nh == 51 || nh == 135 || nh == 139 || nh == 140;
}

DecodeResult decode_ipv6(const Frame &f, size_t off, PacketView &out) {
    if (f.contig - off < 40) return DecodeResult::TruncatedIpv6;
    const uint8_t *ip = f.p + off;
    if ((ip[0] >> 4) != 6) return DecodeResult::BadIpv6Version;
    const size_t plen = be16(ip + 4);
    if (plen > f.len - off - 40) return DecodeResult::BadIpv6PayloadLength;
    out.tuple.family = IpFamily::V6;
    out.ip_ttl = ip[7];
    std::memcpy(out.tuple.src.bytes.data(), ip + 8, 16);
    std::memcpy(out.tuple.dst.bytes.data(), ip + 24, 16);
    const size_t end = off + 40 + plen;
    const size_t header_end = end < f.contig ? end : f.contig;  // extension headers must be contiguous
    size_t cur = off + 40;
    uint8_t nh = ip[6];
    // Walk at most 8 extension headers: more than that is an evasion attempt, not traffic.
    for (int i = 0; i < 8 && is_ipv6_extension(nh); ++i) {
        if (header_end < cur + 8) return DecodeResult::BadIpv6ExtensionHeader;
        const uint8_t *eh = f.p + cur;
        size_t ehlen;
        if (nh == 51) {  // AH counts 4-octet units minus 2
            ehlen = (size_t{eh[1]} + 2) * 4;
        } else {
            ehlen = (size_t{eh[1]} + 1) * 8;
        }
        if (ehlen > header_end - cur) return DecodeResult::BadIpv6ExtensionHeader;
        nh = eh[0];
        cur += ehlen;
    }
    if (is_ipv6_extension(nh)) return DecodeResult::BadIpv6ExtensionHeader;
    if (nh == 44) return DecodeResult::Ipv6Fragment;
    return decode_l4(f, cur, end, nh, out);
}

}  // namespace

DecodeResult decode_packet(const uint8_t *frame, size_t contiguous, size_t frame_len, PacketView &out) {
    out = PacketView{};
    if (contiguous > frame_len) contiguous = frame_len;
    if (contiguous < 14) return DecodeResult::TruncatedEthernet;
    if (frame_len > 0xFFFF) frame_len = 0xFFFF;  // offsets are 16-bit; no Ethernet frame is larger
    if (contiguous > frame_len) contiguous = frame_len;
    const Frame f{frame, contiguous, frame_len};
    uint16_t type = be16(frame + 12);
    size_t off = 14;
    while (type == kEthVlan || type == kEthQinQ || type == kEthQinQOld) {
        if (out.vlan_count == 2) return DecodeResult::TooManyVlanTags;
        if (f.contig - off < 4) return DecodeResult::TruncatedVlan;
        out.vlan_ids[out.vlan_count++] = be16(frame + off) & 0x0FFF;
        type = be16(frame + off + 2);
        off += 4;
    }
    out.l3_offset = static_cast<uint16_t>(off);
    if (type == kEthIpv4) return decode_ipv4(f, off, out);
    if (type == kEthIpv6) return decode_ipv6(f, off, out);
    return DecodeResult::NonIpEthertype;
}

}  // namespace postern::net
