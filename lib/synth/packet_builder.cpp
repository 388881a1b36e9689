#include "synth/packet_builder.hpp"

#include <cstring>

#include "synth/checksum.hpp"

namespace postern::synth {

namespace {

constexpr uint8_t kTtl = 64;

inline void be16(uint8_t *p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}

inline void be32(uint8_t *p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v >> 24);
    p[1] = static_cast<uint8_t>(v >> 16);
    p[2] = static_cast<uint8_t>(v >> 8);
    p[3] = static_cast<uint8_t>(v);
}

size_t write_l2(const FlowAddressing &f, bool from_client, uint8_t *p) {
    const auto &src = from_client ? f.client_mac : f.server_mac;
    const auto &dst = from_client ? f.server_mac : f.client_mac;
    std::memcpy(p, dst.data(), 6);
    std::memcpy(p + 6, src.data(), 6);
    size_t off = 12;
    if (f.vlan == VlanMode::QinQ) {
        be16(p + off, kEtherQinQ);
        be16(p + off + 2, f.vlan_outer & 0x0FFF);
        off += 4;
        be16(p + off, kEtherVlan);
        be16(p + off + 2, f.vlan_inner & 0x0FFF);
        off += 4;
    } else if (f.vlan == VlanMode::Dot1Q) {
        be16(p + off, kEtherVlan);
        be16(p + off + 2, f.vlan_outer & 0x0FFF);
        off += 4;
    }
    be16(p + off, f.family == net::IpFamily::V6 ? kEtherIpv6 : kEtherIpv4);
    return off + 2;
}

}  // namespace

size_t l2_header_len(VlanMode vlan) {
    return vlan == VlanMode::QinQ ? 22 : vlan == VlanMode::Dot1Q ? 18 : 14;
}

size_t tcp_frame_len(const FlowAddressing &flow, bool mss_option, uint32_t payload_len) {
    const size_t l3 = flow.family == net::IpFamily::V6 ? 40 : 20;
    return l2_header_len(flow.vlan) + l3 + 20 + (mss_option ? 4 : 0) + payload_len;
}

size_t build_tcp_frame(const FlowAddressing &f, const SegmentFields &s, uint8_t *out) {
    const bool v6 = f.family == net::IpFamily::V6;
    const size_t l3_off = write_l2(f, s.from_client, out);
    const size_t l3_len = v6 ? 40 : 20;
    const size_t tcp_hlen = 20 + (s.mss_option ? 4 : 0);
    const size_t tcp_len = tcp_hlen + s.payload_len;
    const auto &src_ip = s.from_client ? f.client_ip : f.server_ip;
    const auto &dst_ip = s.from_client ? f.server_ip : f.client_ip;

    uint8_t *ip = out + l3_off;
    uint8_t *tcp = ip + l3_len;
    uint64_t pseudo = 0;
    if (v6) {
        be32(ip, (6u << 28) | (f.ipv6_flow_label & 0xFFFFF));
        be16(ip + 4, static_cast<uint16_t>(tcp_len));
        ip[6] = net::kProtoTcp;
        ip[7] = kTtl;
        std::memcpy(ip + 8, src_ip.bytes.data(), 16);
        std::memcpy(ip + 24, dst_ip.bytes.data(), 16);
        uint8_t ph[8];
        be32(ph, static_cast<uint32_t>(tcp_len));
        be32(ph + 4, net::kProtoTcp);
        pseudo = checksum_add(ip + 8, 32, 0);
        pseudo = checksum_add(ph, sizeof ph, pseudo);
    } else {
        ip[0] = 0x45;
        ip[1] = 0;
        be16(ip + 2, static_cast<uint16_t>(20 + tcp_len));
        be16(ip + 4, s.ip_id);
        be16(ip + 6, 0x4000);  // DF: segments are never IP-fragmented
        ip[8] = kTtl;
        ip[9] = net::kProtoTcp;
        ip[10] = ip[11] = 0;
        std::memcpy(ip + 12, src_ip.bytes.data(), 4);
        std::memcpy(ip + 16, dst_ip.bytes.data(), 4);
        store_checksum(checksum_add(ip, 20, 0), ip + 10);
        uint8_t ph[4] = {0, net::kProtoTcp, 0, 0};
        be16(ph + 2, static_cast<uint16_t>(tcp_len));
        pseudo = checksum_add(ip + 12, 8, 0);
        pseudo = checksum_add(ph, sizeof ph, pseudo);
    }

    be16(tcp, s.from_client ? f.client_port : f.server_port);
    be16(tcp + 2, s.from_client ? f.server_port : f.client_port);
    be32(tcp + 4, s.seq);
    be32(tcp + 8, s.ack);
    tcp[12] = static_cast<uint8_t>((tcp_hlen / 4) << 4);
    tcp[13] = s.flags;
    be16(tcp + 14, s.window);
    tcp[16] = tcp[17] = 0;  // checksum, filled below
    tcp[18] = tcp[19] = 0;  // urgent pointer
    if (s.mss_option) {
        tcp[20] = 2;  // kind MSS
        tcp[21] = 4;
        be16(tcp + 22, s.mss_option);
    }
    if (s.payload_len) std::memcpy(tcp + tcp_hlen, s.payload, s.payload_len);
    store_checksum(checksum_add(tcp, tcp_len, pseudo), tcp + 16);
    return l3_off + l3_len + tcp_len;
}

}  // namespace postern::synth
