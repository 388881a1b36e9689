// TCP resets for a reject verdict (as Suricata's reject): from a decoded TCP packet, a RST|ACK
// that continues the sender's stream toward its receiver, or one that the receiver would have sent
// back to the sender. Both carry the sequence numbers the host they reach accepts, so both ends
// tear the connection down.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/packet.hpp"

namespace postern::net {

enum class ResetToward : uint8_t { Receiver, Sender };

// Writes the frame into `out` (Ethernet and VLAN tags as in `frame`, IPv4 without options or IPv6
// without extension headers, a 20-byte TCP header) and returns its length; 0 when `cap` is short
// or the packet is not TCP.
size_t build_tcp_reset(const uint8_t *frame, const PacketView &v, ResetToward toward, uint8_t *out, size_t cap);

}  // namespace postern::net
