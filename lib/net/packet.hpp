// Decoding of Ethernet (802.1Q, QinQ) / IPv4 / IPv6 / TCP / UDP headers. The headers must lie in
// the frame's first contiguous bytes; the payload may continue beyond them (a frame in chained
// buffers: jumbo frames, GRO/LRO captures, reassembled IP datagrams). No copies: the view holds
// offsets into the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/flow_key.hpp"

namespace postern::net {

// Why a frame was not handed to a worker. Every value has a counter and a metric label.
enum class DecodeResult : uint8_t {
    Ok = 0,
    TruncatedEthernet,
    TruncatedVlan,
    TooManyVlanTags,
    NonIpEthertype,      // ARP, LLDP, ...: not an error, but not ours
    TruncatedIpv4,
    BadIpv4Version,
    BadIpv4HeaderLength,
    BadIpv4TotalLength,
    Ipv4Fragment,        // handed to IP reassembly (net/defrag.hpp)
    TruncatedIpv6,
    BadIpv6Version,
    BadIpv6PayloadLength,
    BadIpv6ExtensionHeader,
    Ipv6Fragment,        // handed to IP reassembly
    TruncatedTcp,
    BadTcpHeaderLength,
    TruncatedUdp,
    BadUdpLength,
    OtherL4,             // ICMP, SCTP, ...: counted, not inspected
    Count
};

std::string_view decode_result_name(DecodeResult r);

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
