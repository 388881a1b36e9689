// A packet as the inspector takes it: decoded headers, where its bytes are, its capture time and
// flow hash. The dataplane fills one from an mbuf chain, tests and fuzzers from buffers.
#pragma once

#include <cstdint>

#include "net/packet.hpp"
#include "stream/segment.hpp"

namespace postern::engine {

// What becomes of a packet after inspection. Tap mode forwards nothing, so only inline mode acts
// on it: Drop frees it, Reject frees it and sends TCP RSTs both ways.
enum class Verdict : uint8_t { Forward, Drop, Reject };

// What the NIC said of a checksum, when it checked (else the inspector computes it if asked to).
enum class ChecksumStatus : uint8_t { Unknown, Good, Bad };

struct Packet {
    net::PacketView view;
    const uint8_t *frame = nullptr;  // the frame's first contiguous bytes: every header is here
    uint32_t wire_len = 0;           // the whole frame
    uint64_t ts_ns = 0;
    uint32_t hash = 0;               // the symmetric flow hash (net::FlowHasher)
    uint16_t port = 0;
    ChecksumStatus ip_checksum = ChecksumStatus::Unknown;
    ChecksumStatus l4_checksum = ChecksumStatus::Unknown;
    // The L4 payload in order: one piece per buffer it lies in, each with the handle that keeps
    // that buffer alive (stream/segment.hpp). The caller owns the array.
    const stream::SegmentRef *pieces = nullptr;
    uint32_t piece_count = 0;
};

}  // namespace postern::engine
