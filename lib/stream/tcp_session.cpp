#include "stream/tcp_session.hpp"

#include "net/packet.hpp"

namespace postern::stream {

using net::kTcpAck;
using net::kTcpFin;
using net::kTcpRst;
using net::kTcpSyn;

const char *tcp_state_name(TcpState s) {
    switch (s) {
    case TcpState::None: return "none";
    case TcpState::SynSent: return "syn_sent";
    case TcpState::SynReceived: return "syn_recv";
    case TcpState::Established: return "established";
    case TcpState::Closing: return "closing";
    case TcpState::Closed: return "closed";
    }
    return "unknown";
}

bool is_likely_server_port(uint16_t port) {
    switch (port) {
    case 25: case 110: case 143: case 465: case 587: case 993: case 995: case 2525:
        return true;
    default:
        return port < 1024;
    }
}

void TcpSession::learn_roles(const TcpPacket &p) {
    const bool syn = p.flags & kTcpSyn;
    const bool ack = p.flags & kTcpAck;
    bool sender_is_client;
    if (syn && !ack) {
        sender_is_client = true;
    } else if (syn && ack) {
        sender_is_client = false;
    } else {  // mid-stream pickup: guess from the ports
        midstream_ = true;
        const bool src_server = is_likely_server_port(p.src_port);
        const bool dst_server = is_likely_server_port(p.dst_port);
        if (src_server != dst_server) {
            sender_is_client = dst_server;
        } else {
            sender_is_client = p.dst_port <= p.src_port;
        }
    }
    client_is_a_ = sender_is_client == p.from_a;
    roles_known_ = true;
}

Direction TcpSession::on_packet(StreamContext &ctx, StreamSink &sink, const TcpPacket &p) {
    if (!roles_known_) learn_roles(p);
    const Direction dir = (p.from_a == client_is_a_) ? Direction::ToServer : Direction::ToClient;
    DirectionStream &s = streams_[index(dir)];
    const bool syn = p.flags & kTcpSyn;

    if (syn) {
        if (!s.initialized()) s.init(p.seq + 1);  // SYN takes one sequence number
        if (dir == Direction::ToServer && state_ == TcpState::None) state_ = TcpState::SynSent;
        if (dir == Direction::ToClient && (state_ == TcpState::None || state_ == TcpState::SynSent))
            state_ = TcpState::SynReceived;
    } else if (state_ == TcpState::SynReceived && dir == Direction::ToServer &&
               (p.flags & kTcpAck)) {
        state_ = TcpState::Established;
    } else if (state_ == TcpState::None || state_ == TcpState::SynSent) {
        state_ = TcpState::Established;  // data without a visible handshake
    }

    uint32_t data_seq = syn ? p.seq + 1 : p.seq;
    for (int i = 0; i < p.piece_count; ++i) {
        s.add(ctx, dir, sink, data_seq, p.pieces[i]);
        data_seq += p.pieces[i].len;
    }

    if (p.flags & kTcpFin) {
        s.fin(ctx, dir, sink, data_seq);
        fin_[index(dir)] = true;
        if (state_ != TcpState::Closed)
            state_ = (fin_[0] && fin_[1]) ? TcpState::Closed : TcpState::Closing;
    }
    if (p.flags & kTcpRst) {
        state_ = TcpState::Closed;
        flush(ctx, sink);
    }
    return dir;
}

void TcpSession::flush(StreamContext &ctx, StreamSink &sink) {
    for (Direction d : {Direction::ToServer, Direction::ToClient}) {
        DirectionStream &s = streams_[index(d)];
        if (!s.ended()) s.flush(ctx, d, sink);
    }
}

void TcpSession::release(StreamContext &ctx) {
    streams_[0].release_all(ctx);
    streams_[1].release_all(ctx);
}

}  // namespace postern::stream
