// What RX learns about a packet travels with it in the mbuf's private area, so the worker does
// not decode the headers again.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>

#include "net/packet.hpp"

namespace postern::dataplane {

struct PacketMeta {
    net::PacketView view;
    uint64_t ts_ns = 0;  // capture time (pcap) or wall-clock receive time
    uint64_t rx_tsc = 0;  // when RX received its burst (inline latency)
    rte_mbuf *forward = nullptr;  // inline: the frame to send instead (a reassembled datagram's last fragment)
    uint32_t hash = 0;   // symmetric flow hash
    uint16_t port = 0;
};

// Whole cache lines: the buffer after it, and so each frame, then starts on a line, so a frame's
// headers take as few lines as they can (an unaligned private area put an IPv4 header across two).
inline constexpr uint16_t kPacketMetaSize = static_cast<uint16_t>(RTE_ALIGN(sizeof(PacketMeta), RTE_CACHE_LINE_SIZE));

inline PacketMeta &packet_meta(rte_mbuf *m) { return *static_cast<PacketMeta *>(rte_mbuf_to_priv(m)); }

}  // namespace postern::dataplane
