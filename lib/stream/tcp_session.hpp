// TCP session tracking for one flow: who the client is, the connection state, and the two
// ordered streams. Endpoint "a"/"b" are the flow key's canonical endpoints.
#pragma once

#include <cstdint>

#include "stream/direction.hpp"
#include "stream/direction_stream.hpp"

namespace postern::stream {

enum class TcpState : uint8_t {
    None,         // nothing seen yet
    SynSent,      // client SYN seen
    SynReceived,  // server SYN-ACK seen
    Established,
    Closing,      // a FIN seen in one direction
    Closed,       // FIN both ways, or RST
};

const char *tcp_state_name(TcpState s);

struct TcpPacket {
    bool from_a = false;  // sender is the canonical endpoint a
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = 0;
    // The payload in order; several pieces when the frame spans chained buffers.
    static constexpr int kMaxPieces = 8;
    SegmentRef pieces[kMaxPieces];
    uint8_t piece_count = 0;
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
    void learn_roles(const TcpPacket &p);

    DirectionStream streams_[2];
    TcpState state_ = TcpState::None;
    bool client_is_a_ = true;
    bool roles_known_ = false;
    bool midstream_ = false;
    bool fin_[2] = {false, false};
};

}  // namespace postern::stream
