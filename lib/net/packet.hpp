// Decoding of Ethernet (802.1Q, QinQ) / IPv4 / IPv6 / TCP / UDP headers. The headers must lie in
// the frame's first contiguous bytes; the payload may continue beyond them (a frame in chained
// buffers: jumbo frames, GRO/LRO captures, reassembled IP datagrams). No copies: the view holds
// offsets into the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/flow_key.hpp"
#include "util/named_enum.hpp"

namespace postern::net {

// Why a frame was not handed to a worker. Every value has a counter and a metric label.
#define POSTERN_DECODE_RESULTS(X)                                                          \
    X(Ok, "ok")                                                                            \
    X(TruncatedEthernet, "truncated_ethernet")                                             \
    X(TruncatedVlan, "truncated_vlan")                                                     \
    X(TooManyVlanTags, "too_many_vlan_tags")                                               \
    X(NonIpEthertype, "non_ip_ethertype") /* ARP, LLDP, ...: not an error, but not ours */ \
    X(TruncatedIpv4, "truncated_ipv4")                                                     \
    X(BadIpv4Version, "bad_ipv4_version")                                                  \
    X(BadIpv4HeaderLength, "bad_ipv4_header_length")                                       \
    X(BadIpv4TotalLength, "bad_ipv4_total_length")                                         \
    X(Ipv4Fragment, "ipv4_fragment") /* handed to IP reassembly (net/defrag.hpp) */        \
    X(TruncatedIpv6, "truncated_ipv6")                                                     \
    X(BadIpv6Version, "bad_ipv6_version")                                                  \
    X(BadIpv6PayloadLength, "bad_ipv6_payload_length")                                     \
    X(BadIpv6ExtensionHeader, "bad_ipv6_extension_header")                                 \
    X(Ipv6Fragment, "ipv6_fragment") /* handed to IP reassembly */                         \
    X(TruncatedTcp, "truncated_tcp")                                                       \
    X(BadTcpHeaderLength, "bad_tcp_header_length")                                         \
    X(TruncatedUdp, "truncated_udp")                                                       \
    X(BadUdpLength, "bad_udp_length")                                                      \
    X(OtherL4, "other_l4") /* ICMP, SCTP, ...: counted, not inspected */
POSTERN_NAMED_ENUM_COUNTED(DecodeResult, POSTERN_DECODE_RESULTS);

constexpr std::string_view decode_result_name(DecodeResult r) {
    return util::enum_name(kDecodeResultNames, r, "unknown");
}

inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;

struct PacketView {
    FiveTuple tuple;
    uint16_t vlan_ids[2] = {0, 0};
    uint8_t vlan_count = 0;
    uint8_t ip_ttl = 0;
    uint16_t l3_offset = 0;
    uint16_t l4_offset = 0;
    uint16_t payload_offset = 0;
    uint16_t payload_len = 0;  // L4 payload, excluding Ethernet padding
    // TCP only
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint16_t window = 0;
    uint8_t tcp_flags = 0;
    static constexpr uint8_t kNoWindowScale = 0xFF;
    uint8_t tcp_wscale = kNoWindowScale;  // the window scale option of a SYN (RFC 7323), if any
};

// Decodes one Ethernet frame of `frame_len` bytes whose first `contiguous` bytes are at `frame`
// (all of them for a frame in one buffer). Headers beyond the contiguous bytes are truncated.
// On success fills `out`; on Ipv4Fragment/Ipv6Fragment the addresses and l3_offset are set.
DecodeResult decode_packet(const uint8_t *frame, size_t contiguous, size_t frame_len, PacketView &out);
inline DecodeResult decode_packet(const uint8_t *frame, size_t len, PacketView &out) {
    return decode_packet(frame, len, len, out);
}

}  // namespace postern::net
