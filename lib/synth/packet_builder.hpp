// Builds Ethernet [802.1Q | QinQ] / IPv4 | IPv6 / TCP frames with correct checksums.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "net/flow_key.hpp"

namespace postern::synth {

enum class VlanMode : uint8_t { None, Dot1Q, QinQ };

inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;

inline constexpr uint16_t kEtherIpv4 = 0x0800;
inline constexpr uint16_t kEtherIpv6 = 0x86DD;
inline constexpr uint16_t kEtherVlan = 0x8100;
inline constexpr uint16_t kEtherQinQ = 0x88A8;

// Largest TCP payload one frame may carry (keeps IPv4 total length and IPv6 payload length < 64K).
inline constexpr uint32_t kMaxSegmentPayload = 65000;
inline constexpr uint32_t kMaxFrameLen = 14 + 8 + 40 + 24 + kMaxSegmentPayload;

// The fixed header fields of one session, seen from the client.
struct FlowAddressing {
    net::IpFamily family = net::IpFamily::V4;
    net::IpAddress client_ip;
    net::IpAddress server_ip;
    uint16_t client_port = 0;
    uint16_t server_port = 0;
    std::array<uint8_t, 6> client_mac{};
    std::array<uint8_t, 6> server_mac{};
    VlanMode vlan = VlanMode::None;
    uint16_t vlan_outer = 0;  // the only tag for 802.1Q; the service tag (0x88A8) for QinQ
    uint16_t vlan_inner = 0;  // customer tag for QinQ
    uint32_t ipv6_flow_label = 0;
};

// One TCP segment to encode.
struct SegmentFields {
    bool from_client = true;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = 0;
    uint16_t window = 0;
    uint16_t ip_id = 0;    // IPv4 identification
    uint16_t mss_option = 0;  // non-zero: add an MSS option (SYN, SYN-ACK)
    const uint8_t *payload = nullptr;
    uint32_t payload_len = 0;
};

size_t l2_header_len(VlanMode vlan);

// Length of the frame build_tcp_frame writes (no Ethernet padding, no FCS).
size_t tcp_frame_len(const FlowAddressing &flow, bool mss_option, uint32_t payload_len);

// Writes the frame to `out` (at least tcp_frame_len bytes) and returns its length.
size_t build_tcp_frame(const FlowAddressing &flow, const SegmentFields &seg, uint8_t *out);

}  // namespace postern::synth
