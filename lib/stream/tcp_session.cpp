#include "stream/tcp_session.hpp"

#include "net/mail_ports.hpp"
#include "net/packet.hpp"

namespace postern::stream {

using net::kTcpAck;
using net::kTcpFin;
using net::kTcpRst;
using net::kTcpSyn;

namespace {
// The smallest window a receiver is taken to offer: a RST or FIN within this of where the
// receiver is is believed even when the advertised window is smaller (zero-window probes, lost
// window updates on a lossy tap).
constexpr uint32_t kMinWindow = 65535;
}  // namespace

bool is_likely_server_port(uint16_t port) {
    return net::mail_service(port) != net::MailService::None || port < 1024;
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

// The handshake, as the two hosts settle it. The client's SYN starts its stream; the server's
// SYN-ACK says which client ISN the server took (its ACK), and re-anchors the client stream if a
// decoy or a missed SYN put it elsewhere, as long as no client byte was delivered. The client's
// ACK of the SYN-ACK does the same for the server stream.
bool TcpSession::on_syn(StreamContext &ctx, StreamSink &sink, Direction dir, const TcpPacket &p) {
    const int d = index(dir);
    Side &me = sides_[d];
    DirectionStream &mine = streams_[d];
    if (me.syn_seen && me.isn == p.seq) {
        ++ctx.stats.syn_retransmitted;
        return false;
    }
    if (!mine.untouched() || me.anchored) {
        // Another ISN once the peer took one, or once the side's bytes flowed: the receiver
        // answers with an ACK (RFC 5961 §4), nothing moves.
        ++ctx.stats.decoy_syns;
        sink.on_event(dir, StreamEvent::SynWithNewIsn);
        return false;
    }
    // Before any byte flowed a new ISN replaces the old one; the peer's ACK decides which it took.
    me.isn = p.seq;
    me.syn_seen = true;
    me.wscale = p.wscale;
    mine.reanchor(p.seq + 1);  // SYN takes one sequence number
    if (dir == Direction::ToServer) {
        if (state_ == TcpState::None) state_ = TcpState::SynSent;
        return true;
    }
    if (!(p.flags & kTcpAck)) return true;  // a simultaneous open: no ACK to learn from
    if (state_ == TcpState::None || state_ == TcpState::SynSent) state_ = TcpState::SynReceived;
    DirectionStream &client = streams_[index(Direction::ToServer)];
    if (client.untouched() && (!client.initialized() || client.next_seq() != p.ack)) {
        if (sides_[0].syn_seen) {  // the server took another SYN than the last one we saw
            ++ctx.stats.decoy_syns;
            sink.on_event(Direction::ToServer, StreamEvent::SynWithNewIsn);
        }
        client.reanchor(p.ack);
    }
    sides_[0].anchored = true;
    return true;
}

bool TcpSession::in_receiver_window(const StreamContext &ctx, Direction dir, uint32_t seq) const {
    const int d = index(dir);
    const Side &receiver = sides_[1 - d];
    const DirectionStream &s = streams_[d];
    uint32_t window = ctx.limits.max_window;  // scale unknown (no handshake): as far as we hold
    if (sides_[0].wscale != TcpPacket::kNoWindowScale && sides_[1].wscale != TcpPacket::kNoWindowScale) {
        const uint64_t w = uint64_t{receiver.window} << receiver.wscale;
        window = static_cast<uint32_t>(w > kMinWindow ? (w < ctx.limits.max_window ? w : ctx.limits.max_window)
                                                       : kMinWindow);
    } else if (sides_[0].syn_seen && sides_[1].syn_seen) {
        window = receiver.window > kMinWindow ? receiver.window : kMinWindow;  // no scaling in use
    }
    bool known = false;
    // Where the receiver is: its last ACK, or (for what it has not acknowledged yet) the point the
    // stream reached. Either reference accepts.
    for (int i = 0; i < 2; ++i) {
        uint32_t base;
        if (i == 0) {
            if (!receiver.ack_seen) continue;
            base = receiver.ack;
        } else {
            if (!s.initialized()) continue;
            base = s.next_seq();
        }
        known = true;
        if (seq - base <= window) return true;
    }
    return !known;  // nothing tells where the receiver is: believe it
}

void TcpSession::close(StreamContext &ctx, StreamSink &sink) {
    state_ = TcpState::Closed;
    flush(ctx, sink);
}

Direction TcpSession::on_packet(StreamContext &ctx, StreamSink &sink, const TcpPacket &p) {
    if (!roles_known_) learn_roles(p);
    const Direction dir = (p.from_a == client_is_a_) ? Direction::ToServer : Direction::ToClient;
    const int d = index(dir);
    DirectionStream &s = streams_[d];
    Side &me = sides_[d];
    const bool syn = p.flags & kTcpSyn;
    const bool ack = p.flags & kTcpAck;

    if (p.flags & kTcpRst) {
        // In SYN-SENT a RST is valid when it acknowledges the SYN (RFC 9293 §3.10.7.3); later only
        // inside the receiver's window (RFC 5961). An invalid one changes nothing.
        const bool valid = state_ == TcpState::SynSent && dir == Direction::ToClient
                               ? ack && sides_[0].syn_seen && p.ack == sides_[0].isn + 1
                               : in_receiver_window(ctx, dir, p.seq);
        if (!valid) {
            ++ctx.stats.rst_out_of_window;
            sink.on_event(dir, StreamEvent::RstOutOfWindow);
            return dir;
        }
        close(ctx, sink);
        return dir;
    }

    uint32_t payload = 0;
    for (uint32_t i = 0; i < p.piece_count; ++i) payload += p.pieces[i].len;
    if ((p.flags & kTcpFin) && !syn && !in_receiver_window(ctx, dir, p.seq + payload)) {
        ++ctx.stats.fin_out_of_window;
        sink.on_event(dir, StreamEvent::FinOutOfWindow);
        return dir;  // the receiver drops the whole segment
    }

    if (syn) {
        if (!on_syn(ctx, sink, dir, p)) return dir;
    } else if (state_ == TcpState::SynReceived && dir == Direction::ToServer && ack) {
        state_ = TcpState::Established;
        DirectionStream &server = streams_[index(Direction::ToClient)];
        if (server.untouched() && server.next_seq() != p.ack) server.reanchor(p.ack);
        sides_[1].anchored = true;
    } else if (state_ == TcpState::None || state_ == TcpState::SynSent) {
        state_ = TcpState::Established;  // data without a visible handshake
    }
    if (ack) {
        me.ack = p.ack;
        me.ack_seen = true;
        me.window = p.window;
    }

    uint32_t data_seq = syn ? p.seq + 1 : p.seq;
    for (uint32_t i = 0; i < p.piece_count; ++i) {
        s.add(ctx, dir, sink, data_seq, p.pieces[i]);
        data_seq += p.pieces[i].len;
    }

    if (p.flags & kTcpFin) {
        s.fin(ctx, dir, sink, data_seq);
        fin_[d] = true;
        if (state_ != TcpState::Closed)
            state_ = (fin_[0] && fin_[1]) ? TcpState::Closed : TcpState::Closing;
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
