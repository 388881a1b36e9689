// TCP session tracking: who is the client, the connection state, and both ordered directions.
#include <gtest/gtest.h>

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/packet.hpp"
#include "stream/segment_pool.hpp"
#include "stream/stream_context.hpp"
#include "stream/tcp_session.hpp"

namespace {

using postern::net::kTcpAck;
using postern::net::kTcpFin;
using postern::net::kTcpPsh;
using postern::net::kTcpRst;
using postern::net::kTcpSyn;
using postern::stream::Direction;
using postern::stream::index;
using postern::stream::is_likely_server_port;
using postern::stream::SegmentOps;
using postern::stream::SegmentPool;
using postern::stream::SegmentRef;
using postern::stream::StreamContext;
using postern::stream::StreamEvent;
using postern::stream::StreamSink;
using postern::stream::tcp_state_name;
using postern::stream::TcpPacket;
using postern::stream::TcpSession;
using postern::stream::TcpState;

constexpr Direction kTs = Direction::ToServer;
constexpr Direction kTc = Direction::ToClient;

class Sink final : public StreamSink {
public:
    void on_data(Direction dir, const uint8_t *data, size_t len) override {
        if (ends[index(dir)]) ++violations;
        bytes[index(dir)].append(reinterpret_cast<const char *>(data), len);
        log += (dir == kTs ? ">" : "<") + std::string(reinterpret_cast<const char *>(data), len) + " ";
    }
    void on_gap(Direction dir, uint32_t len) override {
        if (ends[index(dir)]) ++violations;
        gaps[index(dir)] += len;
        log += (dir == kTs ? ">gap" : "<gap") + std::to_string(len) + " ";
    }
    void on_end(Direction dir) override {
        ++ends[index(dir)];
        log += (dir == kTs ? ">end " : "<end ");
    }
    void on_event(Direction dir, StreamEvent e) override {
        events += std::string(dir == kTs ? ">" : "<") + std::string(postern::stream::stream_event_name(e)) + " ";
    }
    std::string events;
    std::string bytes[2];
    uint64_t gaps[2] = {0, 0};
    int ends[2] = {0, 0};
    int violations = 0;
    std::string log;
};

// Payload buffers with reference counts: the stream may hold them, the test checks it lets go.
class Buffers {
public:
    SegmentOps ops() {
        SegmentOps o;
        o.ctx = this;
        o.retain = [](void *c, void *h) { static_cast<Buffers *>(c)->ref(h, +1); };
        o.release = [](void *c, void *h) { static_cast<Buffers *>(c)->ref(h, -1); };
        return o;
    }
    SegmentRef make(std::string_view s) {
        Buf &b = bufs_.emplace_back();
        b.data.reset(new uint8_t[std::max<size_t>(1, s.size())]);
        if (!s.empty()) std::memcpy(b.data.get(), s.data(), s.size());
        b.refs = 1;
        SegmentRef r;
        r.handle = &b;
        r.data = b.data.get();
        r.len = static_cast<uint32_t>(s.size());
        return r;
    }
    void drop(const SegmentRef &r) { ref(r.handle, -1); }
    int64_t outstanding() const {
        int64_t n = 0;
        for (const auto &b : bufs_) n += b.refs;
        return n;
    }
    int errors = 0;

private:
    struct Buf {
        std::unique_ptr<uint8_t[]> data;
        int refs = 0;
    };
    void ref(void *h, int d) {
        Buf *b = static_cast<Buf *>(h);
        if (b->refs <= 0) {
            ++errors;
            return;
        }
        b->refs += d;
        if (b->refs == 0) b->data.reset();
    }
    std::deque<Buf> bufs_;
};

struct Harness {
    Harness() : pool(256), ctx{pool, buffers.ops(), {}, {}} {}

    // A packet from endpoint a (port pa) or b (port pb), with optional payload pieces.
    Direction send(bool from_a, uint32_t seq, uint32_t ack, uint8_t flags,
                   std::vector<std::string_view> pieces = {}, uint16_t window = 64240,
                   uint8_t wscale = TcpPacket::kNoWindowScale) {
        TcpPacket p;
        p.from_a = from_a;
        p.src_port = from_a ? port_a : port_b;
        p.dst_port = from_a ? port_b : port_a;
        p.seq = seq;
        p.ack = ack;
        p.flags = flags;
        p.window = window;
        p.wscale = wscale;
        std::vector<SegmentRef> refs;
        for (auto s : pieces) refs.push_back(buffers.make(s));
        p.pieces = refs.data();
        p.piece_count = static_cast<uint32_t>(refs.size());
        const Direction d = session.on_packet(ctx, sink, p);
        for (const auto &r : refs) buffers.drop(r);
        return d;
    }
    void expect_clean() {
        EXPECT_EQ(buffers.errors, 0);
        EXPECT_EQ(buffers.outstanding(), 0);
        EXPECT_EQ(pool.in_use(), 0u);
        EXPECT_EQ(sink.violations, 0);
    }

    uint16_t port_a = 40000;
    uint16_t port_b = 25;
    Buffers buffers;
    SegmentPool pool;
    StreamContext ctx;
    Sink sink;
    TcpSession session;
};

constexpr uint32_t kClientIsn = 1000;
constexpr uint32_t kServerIsn = 0xFFFFFFF0u;  // the server's stream wraps around zero

// Handshake with the client at endpoint `client_a`.
void handshake(Harness &h, bool client_a) {
    EXPECT_EQ(h.send(client_a, kClientIsn, 0, kTcpSyn), kTs);
    EXPECT_EQ(h.session.state(), TcpState::SynSent);
    EXPECT_EQ(h.send(!client_a, kServerIsn, kClientIsn + 1, kTcpSyn | kTcpAck), kTc);
    EXPECT_EQ(h.session.state(), TcpState::SynReceived);
    EXPECT_EQ(h.send(client_a, kClientIsn + 1, kServerIsn + 1, kTcpAck), kTs);
    EXPECT_EQ(h.session.state(), TcpState::Established);
}

// ---------------------------------------------------------------- roles

TEST(TcpSession, RolesFromSyn) {
    for (bool client_a : {true, false}) {
        Harness h;
        h.port_a = client_a ? 40000 : 25;  // the server port does not matter when a SYN is seen
        h.port_b = client_a ? 25 : 40000;
        h.send(client_a, kClientIsn, 0, kTcpSyn);
        EXPECT_TRUE(h.session.roles_known());
        EXPECT_FALSE(h.session.midstream());
        EXPECT_EQ(h.session.client_is_a(), client_a);
        EXPECT_EQ(h.session.state(), TcpState::SynSent);
        EXPECT_TRUE(h.session.stream(kTs).initialized());
        EXPECT_EQ(h.session.stream(kTs).next_seq(), kClientIsn + 1);
        EXPECT_FALSE(h.session.stream(kTc).initialized());
    }
}

TEST(TcpSession, SynDecidesEvenAgainstThePorts) {
    Harness h;
    h.port_a = 25;  // a connects *from* port 25 to a high port: still the client
    h.port_b = 50000;
    EXPECT_EQ(h.send(true, 1, 0, kTcpSyn), kTs);
    EXPECT_TRUE(h.session.client_is_a());
}

TEST(TcpSession, RolesFromSynAckSeenFirst) {
    for (bool server_a : {true, false}) {
        Harness h;
        EXPECT_EQ(h.send(server_a, kServerIsn, kClientIsn + 1, kTcpSyn | kTcpAck), kTc);
        EXPECT_EQ(h.session.client_is_a(), !server_a);
        EXPECT_FALSE(h.session.midstream());
        EXPECT_EQ(h.session.state(), TcpState::SynReceived);
        EXPECT_EQ(h.session.stream(kTc).next_seq(), kServerIsn + 1);
        EXPECT_EQ(h.send(!server_a, kClientIsn + 1, kServerIsn + 1, kTcpAck), kTs);
        EXPECT_EQ(h.session.state(), TcpState::Established);
        h.send(!server_a, kClientIsn + 1, kServerIsn + 1, kTcpAck | kTcpPsh, {"EHLO x\r\n"});
        h.send(server_a, kServerIsn + 1, kClientIsn + 9, kTcpAck | kTcpPsh, {"250 ok\r\n"});
        EXPECT_EQ(h.sink.bytes[0], "EHLO x\r\n");
        EXPECT_EQ(h.sink.bytes[1], "250 ok\r\n");
        h.expect_clean();
    }
}

// Mid-stream pickup: the well-known mail port marks the server, whichever side sends first.
TEST(TcpSession, MidstreamRolesFromMailPorts) {
    for (int server_port : {25, 110, 143, 465, 587, 993, 995, 2525}) {
        for (bool server_sends : {true, false}) {
            for (bool server_a : {true, false}) {
                Harness h;
                h.port_a = static_cast<uint16_t>(server_a ? server_port : 51000);
                h.port_b = static_cast<uint16_t>(server_a ? 51000 : server_port);
                const bool from_a = server_sends == server_a;
                const Direction d = h.send(from_a, 5000, 6000, kTcpAck | kTcpPsh, {"data"});
                EXPECT_TRUE(h.session.midstream());
                EXPECT_EQ(h.session.client_is_a(), !server_a) << server_port;
                EXPECT_EQ(d, server_sends ? kTc : kTs) << server_port;
                EXPECT_EQ(h.session.state(), TcpState::Established);
                EXPECT_EQ(h.sink.bytes[index(d)], "data");
                h.expect_clean();
            }
        }
    }
}

TEST(TcpSession, MidstreamRolesFromPortsBelow1024) {
    Harness h;
    h.port_a = 60000;
    h.port_b = 80;  // any privileged port counts
    EXPECT_EQ(h.send(false, 1, 1, kTcpAck), kTc);
    EXPECT_TRUE(h.session.client_is_a());
}

TEST(TcpSession, MidstreamBothOrNeitherWellKnownLowerPortIsTheServer) {
    {
        Harness h;  // both high: the lower one serves
        h.port_a = 8080;
        h.port_b = 50123;
        EXPECT_EQ(h.send(true, 1, 1, kTcpAck), kTc);
        EXPECT_FALSE(h.session.client_is_a());
    }
    {
        Harness h;  // both privileged: lower serves
        h.port_a = 993;
        h.port_b = 25;
        EXPECT_EQ(h.send(true, 1, 1, kTcpAck), kTs);
        EXPECT_TRUE(h.session.client_is_a());
    }
    {
        Harness h;  // equal ports: the receiver is taken as the server
        h.port_a = 3000;
        h.port_b = 3000;
        EXPECT_EQ(h.send(false, 1, 1, kTcpAck), kTs);
        EXPECT_FALSE(h.session.client_is_a());
    }
}

TEST(TcpSession, LikelyServerPorts) {
    for (int p : {25, 110, 143, 465, 587, 993, 995, 2525, 1, 22, 80, 443, 1023})
        EXPECT_TRUE(is_likely_server_port(static_cast<uint16_t>(p))) << p;
    for (int p : {1024, 1025, 8080, 40000, 65535})
        EXPECT_FALSE(is_likely_server_port(static_cast<uint16_t>(p))) << p;
}

TEST(TcpSession, RolesAreLearnedOnce) {
    Harness h;
    h.send(true, kClientIsn, 0, kTcpSyn);
    // A later SYN from the other side does not swap roles (simultaneous open, or noise).
    h.send(false, 7, 0, kTcpSyn);
    EXPECT_TRUE(h.session.client_is_a());
}

// ---------------------------------------------------------------- states

TEST(TcpSession, StateNames) {
    EXPECT_STREQ(tcp_state_name(TcpState::None), "none");
    EXPECT_STREQ(tcp_state_name(TcpState::SynSent), "syn_sent");
    EXPECT_STREQ(tcp_state_name(TcpState::SynReceived), "syn_recv");
    EXPECT_STREQ(tcp_state_name(TcpState::Established), "established");
    EXPECT_STREQ(tcp_state_name(TcpState::Closing), "closing");
    EXPECT_STREQ(tcp_state_name(TcpState::Closed), "closed");
    EXPECT_STREQ(tcp_state_name(static_cast<TcpState>(99)), "unknown");
}

TEST(TcpSession, FullConversationWithFinFromClientFirst) {
    Harness h;
    EXPECT_EQ(h.session.state(), TcpState::None);
    handshake(h, true);
    uint32_t cs = kClientIsn + 1, ss = kServerIsn + 1;
    h.send(false, ss, cs, kTcpAck | kTcpPsh, {"220 hi\r\n"});
    ss += 8;
    h.send(true, cs, ss, kTcpAck | kTcpPsh, {"QUIT\r\n"});
    cs += 6;
    h.send(false, ss, cs, kTcpAck | kTcpPsh, {"221 bye\r\n"});
    ss += 9;
    h.send(true, cs, ss, kTcpAck | kTcpFin);
    EXPECT_EQ(h.session.state(), TcpState::Closing);
    EXPECT_EQ(h.sink.ends[0], 1);
    EXPECT_EQ(h.sink.ends[1], 0);
    h.send(false, ss, cs + 1, kTcpAck | kTcpFin);
    EXPECT_EQ(h.session.state(), TcpState::Closed);
    EXPECT_EQ(h.sink.ends[1], 1);
    h.send(true, cs + 1, ss + 1, kTcpAck);  // the last ACK changes nothing
    EXPECT_EQ(h.session.state(), TcpState::Closed);
    EXPECT_EQ(h.sink.bytes[0], "QUIT\r\n");
    EXPECT_EQ(h.sink.bytes[1], "220 hi\r\n221 bye\r\n");
    EXPECT_EQ(h.sink.log, "<220 hi\r\n >QUIT\r\n <221 bye\r\n >end <end ");
    h.session.flush(h.ctx, h.sink);  // nothing left: no second end
    EXPECT_EQ(h.sink.ends[0], 1);
    EXPECT_EQ(h.sink.ends[1], 1);
    h.expect_clean();
}

TEST(TcpSession, FinFromServerFirst) {
    Harness h;
    handshake(h, false);
    h.send(true, kServerIsn + 1, kClientIsn + 1, kTcpAck | kTcpFin | kTcpPsh, {"bye"});
    EXPECT_EQ(h.session.state(), TcpState::Closing);
    EXPECT_EQ(h.sink.log, "<bye <end ");
    h.send(false, kClientIsn + 1, kServerIsn + 5, kTcpAck | kTcpFin);
    EXPECT_EQ(h.session.state(), TcpState::Closed);
    EXPECT_EQ(h.sink.ends[0], 1);
    h.expect_clean();
}

TEST(TcpSession, FinWithDataStillMissingEndsWhenTheDataArrives) {
    Harness h;
    handshake(h, true);
    const uint32_t cs = kClientIsn + 1;
    h.send(true, cs + 5, kServerIsn + 1, kTcpAck | kTcpFin, {"world"});  // "hello" was lost so far
    EXPECT_EQ(h.session.state(), TcpState::Closing);
    EXPECT_EQ(h.sink.ends[0], 0);
    h.send(true, cs, kServerIsn + 1, kTcpAck, {"hello"});
    EXPECT_EQ(h.sink.bytes[0], "helloworld");
    EXPECT_EQ(h.sink.ends[0], 1);
    h.expect_clean();
}

TEST(TcpSession, RstFlushesBothDirections) {
    Harness h;
    handshake(h, true);
    const uint32_t cs = kClientIsn + 1, ss = kServerIsn + 1;
    h.send(true, cs + 4, ss, kTcpAck, {"held"});  // a hole of 4 bytes before it
    h.send(false, ss, cs, kTcpAck, {"220"});
    EXPECT_EQ(h.pool.in_use(), 1u);
    h.send(false, ss + 3, cs, kTcpRst);
    EXPECT_EQ(h.session.state(), TcpState::Closed);
    EXPECT_EQ(h.sink.ends[0], 1);
    EXPECT_EQ(h.sink.ends[1], 1);
    EXPECT_EQ(h.sink.gaps[0], 4u);
    EXPECT_EQ(h.sink.bytes[0], "held");
    // After the reset nothing more is delivered.
    h.send(true, cs + 8, ss, kTcpAck, {"late"});
    EXPECT_EQ(h.sink.bytes[0], "held");
    EXPECT_EQ(h.ctx.stats.data_after_end, 1u);
    h.session.flush(h.ctx, h.sink);
    EXPECT_EQ(h.sink.ends[0], 1);
    h.expect_clean();
}

TEST(TcpSession, RstDuringHandshake) {
    Harness h;
    h.send(true, kClientIsn, 0, kTcpSyn);
    h.send(false, 0, kClientIsn + 1, kTcpRst | kTcpAck);
    EXPECT_EQ(h.session.state(), TcpState::Closed);
    EXPECT_EQ(h.sink.ends[0], 1);
    EXPECT_EQ(h.sink.ends[1], 1);
    h.expect_clean();
}

TEST(TcpSession, DataWithoutHandshakeIsEstablished) {
    Harness h;
    h.send(true, 123, 456, kTcpAck | kTcpPsh, {"MAIL FROM:<a@b>\r\n"});
    EXPECT_EQ(h.session.state(), TcpState::Established);
    EXPECT_TRUE(h.session.midstream());
    EXPECT_EQ(h.sink.bytes[0], "MAIL FROM:<a@b>\r\n");
    h.expect_clean();
}

TEST(TcpSession, DataInTheSynAndAcrossSeveralPieces) {
    Harness h;
    // TCP Fast Open style: data after the SYN's sequence number.
    h.send(true, kClientIsn, 0, kTcpSyn, {"early"});
    EXPECT_EQ(h.sink.bytes[0], "early");
    h.send(false, kServerIsn, kClientIsn + 6, kTcpSyn | kTcpAck);
    h.send(true, kClientIsn + 6, kServerIsn + 1, kTcpAck, {"one", "two", "three"});  // chained mbufs
    EXPECT_EQ(h.sink.bytes[0], "earlyonetwothree");
    // Pieces of a packet that arrives early are held and released like whole segments.
    h.send(true, kClientIsn + 6 + 11 + 3, kServerIsn + 1, kTcpAck, {"C", "D"});
    EXPECT_EQ(h.pool.in_use(), 2u);
    h.send(true, kClientIsn + 6 + 11, kServerIsn + 1, kTcpAck, {"A", "B", "x"});
    EXPECT_EQ(h.sink.bytes[0], "earlyonetwothreeABxCD");
    h.expect_clean();
}

TEST(TcpSession, BothDirectionsInterleavedOutOfOrder) {
    Harness h;
    handshake(h, true);
    const uint32_t cs = kClientIsn + 1, ss = kServerIsn + 1;  // the server's sequence wraps
    h.send(false, ss + 10, cs, kTcpAck, {"0123456789"});
    h.send(true, cs + 3, ss, kTcpAck, {"DEF"});
    h.send(false, ss + 5, cs, kTcpAck, {"fghij"});
    h.send(true, cs, ss, kTcpAck, {"abc"});
    h.send(false, ss, cs, kTcpAck, {"ABCDE"});
    EXPECT_EQ(h.sink.bytes[0], "abcDEF");
    EXPECT_EQ(h.sink.bytes[1], "ABCDEfghij0123456789");
    h.session.flush(h.ctx, h.sink);
    EXPECT_EQ(h.sink.ends[0], 1);
    EXPECT_EQ(h.sink.ends[1], 1);
    h.expect_clean();
}

TEST(TcpSession, FlushAtEndDeliversHeldDataAndEndsBoth) {
    Harness h;
    handshake(h, true);
    h.send(true, kClientIsn + 1 + 100, kServerIsn + 1, kTcpAck, {"tail"});
    h.send(false, kServerIsn + 1 + 7, kClientIsn + 1, kTcpAck, {"resp"});
    EXPECT_EQ(h.pool.in_use(), 2u);
    h.session.flush(h.ctx, h.sink);
    EXPECT_EQ(h.sink.gaps[0], 100u);
    EXPECT_EQ(h.sink.gaps[1], 7u);
    EXPECT_EQ(h.sink.bytes[0], "tail");
    EXPECT_EQ(h.sink.bytes[1], "resp");
    EXPECT_EQ(h.sink.ends[0], 1);
    EXPECT_EQ(h.sink.ends[1], 1);
    EXPECT_TRUE(h.session.stream(kTs).ended());
    EXPECT_TRUE(h.session.stream(kTc).ended());
    h.session.release(h.ctx);
    h.expect_clean();
}

TEST(TcpSession, ReleaseDropsHeldDataWithoutDelivering) {
    Harness h;
    handshake(h, true);
    h.send(true, kClientIsn + 50, kServerIsn + 1, kTcpAck, {"held"});
    h.send(false, kServerIsn + 50, kClientIsn + 1, kTcpAck, {"held"});
    EXPECT_EQ(h.buffers.outstanding(), 2);
    h.session.release(h.ctx);
    EXPECT_EQ(h.sink.bytes[0], "");
    EXPECT_EQ(h.sink.bytes[1], "");
    h.expect_clean();
}

TEST(TcpSession, FlushOnAnUnusedSessionEndsBothDirections) {
    Harness h;
    h.session.flush(h.ctx, h.sink);
    EXPECT_EQ(h.sink.log, ">end <end ");
    h.expect_clean();
}

}  // namespace

// ---------------------------------------------------------------- what the receiver believes

namespace evasion {

// A RST far outside the receiver's window is ignored (RFC 5961): the session goes on and its
// later data is delivered; the trick is reported once.
TEST(TcpSession, RstOutsideTheWindowIsIgnored) {
    Harness h;
    handshake(h, true);
    const uint32_t cs = kClientIsn + 1, ss = kServerIsn + 1;
    h.send(true, cs, ss, kTcpAck, {"MAIL FROM:<a@b>\r\n"});
    h.send(true, cs + 17 + (1u << 30), ss, kTcpRst);  // what an IDS-blinding RST looks like
    h.send(false, ss - (1u << 30), cs + 17, kTcpRst | kTcpAck);  // nor from the server
    EXPECT_EQ(h.session.state(), TcpState::Established);
    h.send(true, cs + 17, ss, kTcpAck, {"RCPT TO:<c@d>\r\n"});
    EXPECT_EQ(h.sink.bytes[0], "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n");
    EXPECT_EQ(h.ctx.stats.rst_out_of_window, 2u);
    EXPECT_EQ(h.sink.events, ">stream.rst_out_of_window <stream.rst_out_of_window ");
    EXPECT_EQ(h.sink.ends[0], 0);
    // The server's RST at its own next sequence number is in window: that one ends it.
    h.send(false, ss, cs + 33, kTcpRst | kTcpAck);
    EXPECT_EQ(h.session.state(), TcpState::Closed);
    h.expect_clean();
}

TEST(TcpSession, RstInsideTheWindowEndsTheSession) {
    Harness h;
    handshake(h, true);
    const uint32_t cs = kClientIsn + 1, ss = kServerIsn + 1;
    h.send(true, cs, ss, kTcpAck, {"QUIT\r\n"});
    h.send(true, cs + 6 + 1000, ss, kTcpRst);  // ahead, but within the window: believed
    EXPECT_EQ(h.session.state(), TcpState::Closed);
    EXPECT_EQ(h.sink.ends[0], 1);
    EXPECT_EQ(h.sink.ends[1], 1);
    EXPECT_EQ(h.sink.events, "");
    h.expect_clean();
}

TEST(TcpSession, RstOnlyAcknowledgingTheSynEndsAHandshake) {
    Harness h;
    h.send(true, kClientIsn, 0, kTcpSyn);
    h.send(false, 777, kClientIsn + 5, kTcpRst | kTcpAck);  // does not acknowledge the SYN
    EXPECT_EQ(h.session.state(), TcpState::SynSent);
    EXPECT_EQ(h.sink.events, "<stream.rst_out_of_window ");
    h.send(false, 0, kClientIsn + 1, kTcpRst | kTcpAck);
    EXPECT_EQ(h.session.state(), TcpState::Closed);
    h.expect_clean();
}

// The window, once both sides announced a scale, is the advertised one scaled (at least 64 KB).
TEST(TcpSession, WindowScaleWidensWhatIsInWindow) {
    Harness h;
    h.send(true, kClientIsn, 0, kTcpSyn, {}, 64240, 7);
    h.send(false, kServerIsn, kClientIsn + 1, kTcpSyn | kTcpAck, {}, 65535, 7);
    h.send(true, kClientIsn + 1, kServerIsn + 1, kTcpAck, {}, 1000);  // 1000 << 7 = 128000
    const uint32_t ss = kServerIsn + 1;
    h.send(false, ss + 120000, kClientIsn + 1, kTcpFin | kTcpAck);  // inside 128000: a FIN held
    EXPECT_EQ(h.sink.events, "");
    h.send(false, ss + 200000, kClientIsn + 1, kTcpRst);  // past it: ignored
    EXPECT_EQ(h.sink.events, "<stream.rst_out_of_window ");
    EXPECT_EQ(h.session.state(), TcpState::Closing);
}

TEST(TcpSession, FinOutsideTheWindowIsIgnored) {
    Harness h;
    handshake(h, true);
    const uint32_t cs = kClientIsn + 1, ss = kServerIsn + 1;
    h.send(true, cs + (1u << 31), ss, kTcpAck | kTcpFin, {"x"});
    EXPECT_EQ(h.session.state(), TcpState::Established);
    EXPECT_EQ(h.sink.ends[0], 0);
    EXPECT_EQ(h.sink.events, ">stream.fin_out_of_window ");
    h.send(true, cs, ss, kTcpAck, {"EHLO x\r\n"});
    EXPECT_EQ(h.sink.bytes[0], "EHLO x\r\n");
    h.session.flush(h.ctx, h.sink);
    h.expect_clean();
}

// A decoy SYN with another ISN before the real one: the SYN-ACK's ACK says which the server took,
// and the client stream starts there.
TEST(TcpSession, TheSynAckDecidesBetweenDecoySyns) {
    Harness h;
    const uint32_t decoy = 5000000, real = kClientIsn;
    h.send(true, decoy, 0, kTcpSyn);
    h.send(true, real, 0, kTcpSyn);
    h.send(false, kServerIsn, real + 1, kTcpSyn | kTcpAck);
    h.send(true, real + 1, kServerIsn + 1, kTcpAck);
    h.send(true, real + 1, kServerIsn + 1, kTcpAck, {"EHLO real\r\n"});
    EXPECT_EQ(h.sink.bytes[0], "EHLO real\r\n");
    // Decoy first and the server took the first: also right.
    Harness g;
    g.send(true, real, 0, kTcpSyn);
    g.send(true, decoy, 0, kTcpSyn);  // the last SYN seen, but the server answers the first
    g.send(false, kServerIsn, real + 1, kTcpSyn | kTcpAck);
    EXPECT_EQ(g.sink.events, ">stream.syn_with_new_isn ");
    g.send(true, real + 1, kServerIsn + 1, kTcpAck, {"EHLO real\r\n"});
    EXPECT_EQ(g.sink.bytes[0], "EHLO real\r\n");
    EXPECT_EQ(g.ctx.stats.out_of_window, 0u);
}

TEST(TcpSession, ASynWithANewIsnMidSessionMovesNothing) {
    Harness h;
    handshake(h, true);
    const uint32_t cs = kClientIsn + 1, ss = kServerIsn + 1;
    h.send(true, cs, ss, kTcpAck, {"EHLO a\r\n"});
    h.send(true, 99999, 0, kTcpSyn, {"junk"});
    h.send(true, cs + 8, ss, kTcpAck, {"QUIT\r\n"});
    EXPECT_EQ(h.sink.bytes[0], "EHLO a\r\nQUIT\r\n");
    EXPECT_EQ(h.sink.events, ">stream.syn_with_new_isn ");
    EXPECT_EQ(h.ctx.stats.decoy_syns, 1u);
    h.session.flush(h.ctx, h.sink);
    h.expect_clean();
}

// Right after the handshake, before the client's first byte: the server has taken an ISN, so a
// SYN with another one moves nothing (it would otherwise slip the whole client stream).
TEST(TcpSession, ASynWithANewIsnAfterTheHandshakeButBeforeDataMovesNothing) {
    Harness h;
    handshake(h, true);
    h.send(true, 777777, 0, kTcpSyn);
    h.send(true, kClientIsn + 1, kServerIsn + 1, kTcpAck, {"EHLO a\r\n"});
    EXPECT_EQ(h.sink.bytes[0], "EHLO a\r\n");
    EXPECT_EQ(h.sink.gaps[0], 0u);
    EXPECT_EQ(h.sink.events, ">stream.syn_with_new_isn ");
}

TEST(TcpSession, ARetransmittedSynIsNotADecoy) {
    Harness h;
    h.send(true, kClientIsn, 0, kTcpSyn);
    h.send(true, kClientIsn, 0, kTcpSyn);
    EXPECT_EQ(h.ctx.stats.syn_retransmitted, 1u);
    EXPECT_EQ(h.sink.events, "");
}

// With the SYN missed, the SYN-ACK's ACK anchors the client stream: a first segment that arrives
// after the second is still delivered from the start, not skipped as a gap.
TEST(TcpSession, TheSynAckAnchorsAClientStreamWhoseSynWasMissed) {
    Harness h;
    h.send(false, kServerIsn, kClientIsn + 1, kTcpSyn | kTcpAck);
    const uint32_t cs = kClientIsn + 1, ss = kServerIsn + 1;
    h.send(true, cs + 6, ss, kTcpAck, {"world\r\n"});
    h.send(true, cs, ss, kTcpAck, {"hello "});
    EXPECT_EQ(h.sink.bytes[0], "hello world\r\n");
    EXPECT_EQ(h.sink.gaps[0], 0u);
    EXPECT_FALSE(h.session.midstream());
}

// A copy that disagrees with bytes already held is reported; the first copy stays (as in the
// receiver's out-of-order queue).
TEST(TcpSession, OverlapWithDifferentDataIsReported) {
    Harness h;
    handshake(h, true);
    const uint32_t cs = kClientIsn + 1, ss = kServerIsn + 1;
    h.send(true, cs + 5, ss, kTcpAck, {"SECRET"});  // held: a hole before it
    h.send(true, cs + 5, ss, kTcpAck, {"SECRET"});  // the same again: fine
    EXPECT_EQ(h.sink.events, "");
    h.send(true, cs + 5, ss, kTcpAck, {"public"});  // another text for the same bytes
    EXPECT_EQ(h.sink.events, ">stream.overlap_different_data ");
    h.send(true, cs, ss, kTcpAck, {"HELO xxxxx"});  // fills the hole and overlaps the held bytes too
    EXPECT_EQ(h.sink.bytes[0], "HELO SECRET");
    EXPECT_EQ(h.ctx.stats.overlap_different, 2u);
    EXPECT_EQ(h.sink.events, ">stream.overlap_different_data ");  // once per direction
    h.session.flush(h.ctx, h.sink);
    h.expect_clean();
}

}  // namespace evasion
