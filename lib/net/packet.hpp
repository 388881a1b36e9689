// Decoding of Ethernet (802.1Q, QinQ) / IPv4 / IPv6 / TCP / UDP headers over a contiguous frame.
// No copies: the view holds offsets into the caller's buffer.
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
    BadIpv4Checksum,     // reserved; checksums are not verified on a tap (offloads)
    Ipv4Fragment,        // counted; reassembly is not done
    TruncatedIpv6,
    BadIpv6Version,
    BadIpv6PayloadLength,
    BadIpv6ExtensionHeader,
    Ipv6Fragment,
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
};

// Decodes `frame` (the bytes of one Ethernet frame, possibly snapped). On success fills `out`.
DecodeResult decode_packet(const uint8_t *frame, size_t len, PacketView &out);

}  // namespace postern::net
