// TCP session tracking for one flow, as the receiving hosts see it: who the client is, the
// connection state, and the two ordered streams. A RST or FIN counts only inside the receiver's
// window (a forged one far off is ignored and reported), a SYN with another ISN does not move a
// stream that started, and the handshake's ACKs anchor each stream where its receiver says it
// starts (so a decoy or missed SYN cannot shift it). Endpoint "a"/"b" are the flow key's
// canonical endpoints.
#pragma once

#include <cstdint>

#include "stream/direction.hpp"
#include "stream/direction_stream.hpp"
#include "util/named_enum.hpp"

namespace postern::stream {

#define POSTERN_TCP_STATES(X)                               \
    X(None, "none") /* nothing seen yet */                  \
    X(SynSent, "syn_sent") /* client SYN seen */            \
    X(SynReceived, "syn_recv") /* server SYN-ACK seen */    \
    X(Established, "established")                           \
    X(Closing, "closing") /* a FIN seen in one direction */ \
    X(Closed, "closed") /* FIN both ways, or RST */
POSTERN_NAMED_ENUM(TcpState, POSTERN_TCP_STATES);

// The names are string literals: data() ends in a NUL.
constexpr const char *tcp_state_name(TcpState s) { return util::enum_name(kTcpStateNames, s, "unknown").data(); }

struct TcpPacket {
    bool from_a = false;  // sender is the canonical endpoint a
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint16_t window = 0;  // as sent (scaled by the sender's window scale outside SYNs)
    uint8_t wscale = kNoWindowScale;  // a SYN's window scale option
    uint8_t flags = 0;
    static constexpr uint8_t kNoWindowScale = 0xFF;
    // The payload in order; several pieces when the frame spans chained buffers.
    const SegmentRef *pieces = nullptr;
    uint32_t piece_count = 0;
};

// Ports that identify the server side when the handshake was not seen.
bool is_likely_server_port(uint16_t port);

class TcpSession {
public:
    // Processes one packet; returns its direction (client→server is ToServer).
    Direction on_packet(StreamContext &ctx, StreamSink &sink, const TcpPacket &p);
    // Flow end (timeout, eviction, shutdown): deliver what is held and end both directions.
    void flush(StreamContext &ctx, StreamSink &sink);
    // Drops held segments without delivering them.
    void release(StreamContext &ctx);

    bool client_is_a() const { return client_is_a_; }
    bool roles_known() const { return roles_known_; }
    bool midstream() const { return midstream_; }
    TcpState state() const { return state_; }
    const DirectionStream &stream(Direction d) const { return streams_[index(d)]; }

private:
    // What one side has told the other: its ISN, its last ACK and window, its window scale.
    struct Side {
        uint32_t isn = 0;
        uint32_t ack = 0;      // the next byte of the other direction this side expects
        uint32_t window = 0;   // raw, as last advertised
        uint8_t wscale = TcpPacket::kNoWindowScale;
        bool syn_seen = false;
        bool ack_seen = false;
        bool anchored = false;  // the peer acknowledged this side's ISN: no SYN moves it any more
    };

    void learn_roles(const TcpPacket &p);
    // False when the SYN must be ignored (a retransmission or a decoy).
    bool on_syn(StreamContext &ctx, StreamSink &sink, Direction dir, const TcpPacket &p);
    // True when `seq` of direction `dir` lies in what its receiver would accept.
    bool in_receiver_window(const StreamContext &ctx, Direction dir, uint32_t seq) const;
    void close(StreamContext &ctx, StreamSink &sink);

    DirectionStream streams_[2];
    Side sides_[2];  // [client, server]
    TcpState state_ = TcpState::None;
    bool client_is_a_ = true;
    bool roles_known_ = false;
    bool midstream_ = false;
    bool fin_[2] = {false, false};
};

}  // namespace postern::stream
