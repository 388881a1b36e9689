// Turns a Conversation into the packets of one TCP session as a capture would see them:
// handshake, MSS-sized data, the receiver's ACKs, teardown, and seeded impairments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "synth/conversation.hpp"
#include "synth/packet_builder.hpp"
#include "synth/rng.hpp"

namespace postern::synth {

class PcapWriter;

// Probabilities, each drawn per data segment.
struct Impairments {
    double reorder = 0;    // the segment is delayed behind 1..3 later segments of its direction
    double duplicate = 0;  // a retransmission follows: verbatim, or overlapping it and the next one
    double drop = 0;       // the segment is missing from the capture (the receiver still got it)
};

struct SessionOptions {
    uint32_t mss = 1460;           // largest TCP payload per segment
    bool split = false;            // segment sizes drawn in [1, mss] instead of full-sized
    uint32_t ack_every = 1;        // pure ACK after every N received segments; 0 = no pure ACKs
    uint64_t rtt_us = 20000;       // a reply appears rtt/2 after what it answers
    uint64_t think_us = 50000;     // pause before each exchange, drawn in [think/2, 3*think/2]
    uint64_t segment_gap_us = 10;  // spacing of back-to-back segments
    uint16_t window = 64240;
    Impairments impair;
    bool wrap = false;       // initial sequence numbers just below 2^32: every stream crosses it
    bool handshake = true;   // false: the capture starts mid-stream
};

enum class PacketKind : uint8_t { Syn, SynAck, HandshakeAck, Data, Retransmit, Overlap, Ack, Fin, Rst };

// One frame of the plan. `offset`/`len` index the sender's stream (data kinds only).
struct PlannedPacket {
    uint64_t ts_us = 0;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint32_t offset = 0;
    uint32_t len = 0;
    uint16_t ip_id = 0;
    uint8_t flags = 0;
    Side from = Side::Client;
    PacketKind kind = PacketKind::Data;
};

struct ImpairmentCounts {
    uint64_t reordered = 0;
    uint64_t duplicated = 0;   // verbatim retransmissions
    uint64_t overlapped = 0;   // retransmissions spanning two segments
    uint64_t dropped = 0;      // data segments left out of the capture
};

struct SessionPlan {
    FlowAddressing addr;
    std::vector<uint8_t> stream[2];  // everything each side sent, indexed by Side
    uint32_t isn[2] = {0, 0};
    uint16_t mss = 0;
    uint16_t window = 0;
    bool handshake = true;
    Teardown teardown = Teardown::FinClient;
    ImpairmentCounts impairments;
    std::vector<PlannedPacket> packets;  // capture order; timestamps never decrease
};

// Plans one session starting at `start_us`. `out` is overwritten; its buffers are reused, so a
// caller planning many sessions can keep one SessionPlan per live session.
void plan_session(const FlowAddressing &addr, const Conversation &conv, const SessionOptions &opt,
                  uint64_t start_us, Rng &rng, SessionPlan &out);

size_t planned_frame_len(const SessionPlan &plan, const PlannedPacket &p);
size_t build_planned_frame(const SessionPlan &plan, const PlannedPacket &p, uint8_t *out);

// Writes all packets of one session (no interleaving with others).
void write_session(const SessionPlan &plan, PcapWriter &writer);

}  // namespace postern::synth
