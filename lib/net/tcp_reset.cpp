#include "net/tcp_reset.hpp"

#include <cstring>

#include "net/checksum.hpp"

namespace postern::net {

namespace {

void put16(uint8_t *p, uint16_t v) { p[0] = static_cast<uint8_t>(v >> 8), p[1] = static_cast<uint8_t>(v); }
void put32(uint8_t *p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v >> 24), p[1] = static_cast<uint8_t>(v >> 16);
    p[2] = static_cast<uint8_t>(v >> 8), p[3] = static_cast<uint8_t>(v);
}

}  // namespace

size_t build_tcp_reset(const uint8_t *frame, const PacketView &v, ResetToward toward, uint8_t *out, size_t cap) {
    if (v.tuple.proto != kProtoTcp) return 0;
    const bool v6 = v.tuple.family == IpFamily::V6;
    const size_t l3 = v.l3_offset, ip_len = v6 ? 40 : 20, total = l3 + ip_len + 20;
    if (cap < total) return 0;
    const bool back = toward == ResetToward::Sender;
    // Ethernet and VLAN tags as they were; MACs swapped for the way back.
    std::memcpy(out, frame, l3);
    if (back) {
        std::memcpy(out, frame + 6, 6);
        std::memcpy(out + 6, frame, 6);
    }
    const IpAddress &src = back ? v.tuple.dst : v.tuple.src;
    const IpAddress &dst = back ? v.tuple.src : v.tuple.dst;
    uint8_t *ip = out + l3;
    std::memset(ip, 0, ip_len + 20);
    if (v6) {
        ip[0] = 0x60;
        put16(ip + 4, 20);
        ip[6] = kProtoTcp;
        ip[7] = 64;
        std::memcpy(ip + 8, src.bytes.data(), 16);
        std::memcpy(ip + 24, dst.bytes.data(), 16);
    } else {
        ip[0] = 0x45;
        put16(ip + 2, 40);
        put16(ip + 6, 0x4000);  // don't fragment
        ip[8] = 64;
        ip[9] = kProtoTcp;
        std::memcpy(ip + 12, src.bytes.data(), 4);
        std::memcpy(ip + 16, dst.bytes.data(), 4);
        store_checksum(checksum_add(ip, 20, 0), ip + 10);
    }
    // Sequence numbers: where the sender's stream continues, and what it has acknowledged.
    const uint32_t seq_len = v.payload_len + ((v.tcp_flags & kTcpSyn) ? 1 : 0) + ((v.tcp_flags & kTcpFin) ? 1 : 0);
    const uint32_t sender_next = v.seq + seq_len;
    uint8_t *tcp = ip + ip_len;
    put16(tcp, back ? v.tuple.dst_port : v.tuple.src_port);
    put16(tcp + 2, back ? v.tuple.src_port : v.tuple.dst_port);
    put32(tcp + 4, back ? v.ack : sender_next);
    put32(tcp + 8, back ? sender_next : v.ack);
    tcp[12] = 5 << 4;
    tcp[13] = kTcpRst | kTcpAck;
    // The TCP checksum over the pseudo-header (addresses, protocol, length) and the header.
    const uint32_t l4_len = 20;
    uint8_t pseudo[40];
    size_t n = 0;
    if (v6) {
        std::memcpy(pseudo, ip + 8, 32);
        n = 32;
    } else {
        std::memcpy(pseudo, ip + 12, 8);
        n = 8;
    }
    const uint8_t tail[4] = {0, kProtoTcp, 0, static_cast<uint8_t>(l4_len)};
    std::memcpy(pseudo + n, tail, 4);
    n += 4;
    store_checksum(checksum_add(tcp, 20, checksum_add(pseudo, n, 0)), tcp + 16);
    return total;
}

}  // namespace postern::net
