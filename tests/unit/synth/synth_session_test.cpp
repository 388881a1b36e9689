#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "synth/checksum.hpp"
#include "synth/flow_truth.hpp"
#include "synth/pcap_writer.hpp"
#include "synth/rng.hpp"
#include "synth/subnet.hpp"
#include "synth/tcp_session.hpp"
#include "synth_test_util.hpp"

namespace postern::synth {
namespace {

using testing::Frame;

FlowAddressing addr(bool v6 = false) {
    FlowAddressing a;
    a.family = v6 ? net::IpFamily::V6 : net::IpFamily::V4;
    a.client_ip = subnet_host(*parse_subnet(v6 ? "2001:db8:1::/64" : "203.0.113.0/24"), 4);
    a.server_ip = subnet_host(*parse_subnet(v6 ? "2001:db8:2::/64" : "198.51.100.0/24"), 0);
    a.client_port = 40000;
    a.server_port = 143;
    return a;
}

std::vector<uint8_t> bytes(size_t n, uint64_t seed) {
    std::vector<uint8_t> v(n);
    Rng(seed).fill(v.data(), n);
    return v;
}

Conversation big_conversation() {
    Conversation c;
    c.server("* OK IMAP ready\r\n");
    c.client("a1 LOGIN user secret\r\n");
    Exchange up;
    up.from = Side::Client;
    up.data = bytes(40000, 1);
    c.exchanges.push_back(up);
    Exchange down;
    down.from = Side::Server;
    down.data = bytes(30000, 2);
    c.exchanges.push_back(down);
    c.client("a2 LOGOUT\r\n");
    return c;
}

struct Captured {
    SessionPlan plan;
    FlowTruth truth;
    std::vector<Frame> frames;
};

Captured run(const Conversation &conv, const SessionOptions &opt, uint64_t seed = 3, bool v6 = false) {
    Captured c;
    Rng rng(seed);
    plan_session(addr(v6), conv, opt, 1700000000000000ULL, rng, c.plan);
    c.truth = summarize(c.plan, 0, true);
    const std::string path = testing::temp_path("session.pcap");
    {
        PcapWriter w(path);
        write_session(c.plan, w);
        w.close();
    }
    c.frames = testing::read_frames(path);
    return c;
}

bool to_server(const Frame &f) { return f.sport == 40000; }

// Data segments of one direction as (stream offset, payload), offsets from 32-bit sequence math.
struct Seg {
    uint32_t offset;
    std::vector<uint8_t> data;
};
std::vector<Seg> data_segments(const Captured &c, Side side) {
    std::vector<Seg> out;
    const uint32_t isn = c.plan.isn[index(side)];
    for (const auto &f : c.frames)
        if (to_server(f) == (side == Side::Client) && !f.payload.empty())
            out.push_back({f.seq - isn - 1, f.payload});
    return out;
}

// Every captured byte equals the stream's byte at that offset; returns bytes covered.
uint64_t check_against_stream(const Captured &c, Side side) {
    const auto &stream = c.plan.stream[index(side)];
    std::vector<bool> seen(stream.size());
    for (const auto &s : data_segments(c, side)) {
        EXPECT_LE(s.offset + s.data.size(), stream.size());
        if (s.offset + s.data.size() > stream.size()) continue;
        EXPECT_TRUE(std::equal(s.data.begin(), s.data.end(), stream.begin() + s.offset)) << "offset " << s.offset;
        for (size_t i = 0; i < s.data.size(); ++i) seen[s.offset + i] = true;
    }
    return static_cast<uint64_t>(std::count(seen.begin(), seen.end(), true));
}

void expect_sane(const Captured &c) {
    ASSERT_EQ(c.frames.size(), c.plan.packets.size());
    for (size_t i = 0; i < c.frames.size(); ++i) {
        EXPECT_TRUE(c.frames[i].tcp_csum_ok) << "packet " << i;
        EXPECT_TRUE(c.frames[i].ip_csum_ok) << "packet " << i;
        if (i) {
            EXPECT_GE(c.frames[i].ts_us, c.frames[i - 1].ts_us);
        }
    }
}

TEST(SynthTcpSession, CleanSessionHasHandshakeDataAcksAndFin) {
    SessionOptions opt;
    const Captured c = run(big_conversation(), opt);
    expect_sane(c);
    ASSERT_GE(c.frames.size(), 6u);
    const auto &f = c.frames;
    EXPECT_EQ(f[0].flags, kSyn);
    EXPECT_TRUE(to_server(f[0]));
    EXPECT_EQ(f[0].mss, 1460);
    EXPECT_EQ(f[1].flags, kSyn | kAck);
    EXPECT_EQ(f[1].ack, f[0].seq + 1);
    EXPECT_EQ(f[2].flags, kAck);
    EXPECT_EQ(f[2].ack, f[1].seq + 1);
    // Teardown FIN from the client, FIN from the server, last ACK from the client.
    const size_t n = f.size();
    EXPECT_EQ(f[n - 3].flags, kFin | kAck);
    EXPECT_TRUE(to_server(f[n - 3]));
    EXPECT_EQ(f[n - 2].flags, kFin | kAck);
    EXPECT_EQ(f[n - 2].ack, f[n - 3].seq + 1);
    EXPECT_EQ(f[n - 1].ack, f[n - 2].seq + 1);
    // The streams are complete and in order.
    for (Side s : {Side::Client, Side::Server}) {
        EXPECT_EQ(check_against_stream(c, s), c.plan.stream[index(s)].size());
        uint32_t next = 0;
        for (const auto &seg : data_segments(c, s)) {
            EXPECT_EQ(seg.offset, next);
            next = seg.offset + static_cast<uint32_t>(seg.data.size());
        }
    }
    EXPECT_EQ(c.truth.toserver.gap_bytes + c.truth.toclient.gap_bytes, 0u);
    // One pure ACK per data segment (ack_every = 1).
    size_t data = 0, pure = 0;
    for (size_t i = 3; i + 3 < n; ++i) (f[i].payload.empty() ? pure : data) += 1;
    EXPECT_EQ(pure, data);
}

TEST(SynthTcpSession, SegmentsRespectMssAndSplit) {
    SessionOptions opt;
    opt.mss = 536;
    Captured c = run(big_conversation(), opt);
    expect_sane(c);
    auto segs = data_segments(c, Side::Client);
    for (const auto &s : segs) EXPECT_LE(s.data.size(), 536u);
    EXPECT_EQ(segs.size(), 1 + 1 + (40000 + 535) / 536);  // the LOGIN line, 40000 bytes, LOGOUT

    opt.split = true;
    c = run(big_conversation(), opt);
    expect_sane(c);
    std::set<size_t> sizes;
    for (const auto &s : data_segments(c, Side::Server)) {
        EXPECT_GE(s.data.size(), 1u);
        EXPECT_LE(s.data.size(), 536u);
        sizes.insert(s.data.size());
    }
    EXPECT_GT(sizes.size(), 10u);
    EXPECT_EQ(check_against_stream(c, Side::Server), c.plan.stream[1].size());
}

TEST(SynthTcpSession, NoPureAcksWhenDisabled) {
    SessionOptions opt;
    opt.ack_every = 0;
    const Captured c = run(big_conversation(), opt);
    expect_sane(c);
    size_t pure = 0;
    for (const auto &p : c.plan.packets) pure += p.kind == PacketKind::Ack;
    EXPECT_EQ(pure, 1u);  // only the last ACK of the FIN exchange
}

TEST(SynthTcpSession, WraparoundCrosses2To32) {
    SessionOptions opt;
    opt.wrap = true;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        const Captured c = run(big_conversation(), opt, seed, seed % 2 == 0);
        expect_sane(c);
        EXPECT_TRUE(c.truth.seq_wraps);
        for (Side s : {Side::Client, Side::Server}) {
            // Absolute sequence numbers on both sides of 2^32, yet the bytes line up.
            bool high = false, low = false;
            for (const auto &f : c.frames) {
                if (to_server(f) != (s == Side::Client) || f.payload.empty()) continue;
                const uint64_t end = uint64_t{f.seq} + f.payload.size();
                high = high || f.seq >= 0x80000000u;
                low = low || f.seq < 0x80000000u || end > 0x100000000ULL;
            }
            EXPECT_TRUE(high && low) << "seed " << seed;
            EXPECT_EQ(check_against_stream(c, s), c.plan.stream[index(s)].size());
        }
    }
}

TEST(SynthTcpSession, ReorderedSegmentsArrivePastLaterOnes) {
    SessionOptions opt;
    opt.impair.reorder = 0.3;
    const Captured c = run(big_conversation(), opt);
    expect_sane(c);
    EXPECT_GT(c.plan.impairments.reordered, 0u);
    size_t late = 0;
    uint32_t reach = 0;
    for (const auto &s : data_segments(c, Side::Client)) {
        if (s.offset < reach) ++late;
        reach = std::max<uint32_t>(reach, s.offset + static_cast<uint32_t>(s.data.size()));
    }
    EXPECT_GT(late, 0u);
    EXPECT_EQ(check_against_stream(c, Side::Client), c.plan.stream[0].size());
    // The receiver's last ACK still covers the whole stream.
    EXPECT_EQ(c.truth.toserver.gap_bytes, 0u);
}

TEST(SynthTcpSession, DuplicatesAreVerbatimOrOverlapWithSameBytes) {
    SessionOptions opt;
    opt.impair.duplicate = 0.3;
    const Captured c = run(big_conversation(), opt);
    expect_sane(c);
    EXPECT_GT(c.plan.impairments.duplicated, 0u);
    EXPECT_GT(c.plan.impairments.overlapped, 0u);
    // Originals, from the capture: (direction, seq, payload) of the frames the plan calls Data.
    std::set<std::tuple<bool, uint32_t, std::vector<uint8_t>>> originals;
    std::set<uint32_t> starts[2];
    for (size_t i = 0; i < c.frames.size(); ++i) {
        const Frame &f = c.frames[i];
        if (c.plan.packets[i].kind != PacketKind::Data) continue;
        originals.insert({to_server(f), f.seq, f.payload});
        starts[to_server(f)].insert(f.seq);
    }
    size_t verbatim = 0, overlapping = 0;
    for (size_t i = 0; i < c.frames.size(); ++i) {
        const Frame &f = c.frames[i];
        const auto &st = starts[to_server(f)];
        if (c.plan.packets[i].kind == PacketKind::Retransmit) {
            EXPECT_TRUE(originals.count({to_server(f), f.seq, f.payload})) << "retransmission " << i << " differs";
            ++verbatim;
        } else if (c.plan.packets[i].kind == PacketKind::Overlap) {
            // Starts inside one original and ends inside the next (no wrap here).
            EXPECT_FALSE(st.count(f.seq));
            const auto next = st.upper_bound(f.seq);
            ASSERT_NE(next, st.end());
            EXPECT_LT(*next, f.seq + f.payload.size());
            EXPECT_NE(next, st.begin());
            ++overlapping;
        }
    }
    EXPECT_EQ(verbatim, c.plan.impairments.duplicated);
    EXPECT_EQ(overlapping, c.plan.impairments.overlapped);
    // Same bytes as the stream everywhere (retransmissions never disagree).
    for (Side sd : {Side::Client, Side::Server})
        EXPECT_EQ(check_against_stream(c, sd), c.plan.stream[index(sd)].size());
}

TEST(SynthTcpSession, DropsLeaveHolesThatTheTruthReports) {
    SessionOptions opt;
    opt.impair.drop = 0.2;
    const Captured c = run(big_conversation(), opt);
    expect_sane(c);
    EXPECT_GT(c.plan.impairments.dropped, 0u);
    const uint64_t covered = check_against_stream(c, Side::Client) + check_against_stream(c, Side::Server);
    const uint64_t total = c.plan.stream[0].size() + c.plan.stream[1].size();
    EXPECT_LT(covered, total);
    EXPECT_EQ(total - covered, c.truth.toserver.gap_bytes + c.truth.toclient.gap_bytes);
    EXPECT_GT(c.truth.toserver.gap_bytes + c.truth.toclient.gap_bytes, 0u);
}

TEST(SynthTcpSession, MidstreamCaptureHasNoHandshake) {
    SessionOptions opt;
    opt.handshake = false;
    const Captured c = run(big_conversation(), opt);
    expect_sane(c);
    for (const auto &f : c.frames) EXPECT_FALSE(f.flags & kSyn);
    EXPECT_FALSE(c.frames.front().payload.empty());
    EXPECT_EQ(c.frames.front().ts_us, 1700000000000000ULL);
    EXPECT_FALSE(c.truth.handshake);
}

TEST(SynthTcpSession, RstAndServerFirstTeardown) {
    Conversation conv = big_conversation();
    conv.teardown = Teardown::Rst;
    Captured c = run(conv, SessionOptions{});
    expect_sane(c);
    EXPECT_EQ(c.frames.back().flags, kRst | kAck);
    EXPECT_TRUE(to_server(c.frames.back()));

    conv.teardown = Teardown::FinServer;
    c = run(conv, SessionOptions{});
    expect_sane(c);
    const size_t n = c.frames.size();
    EXPECT_EQ(c.frames[n - 3].flags, kFin | kAck);
    EXPECT_FALSE(to_server(c.frames[n - 3]));

    conv.teardown = Teardown::None;
    c = run(conv, SessionOptions{});
    for (const auto &f : c.frames) EXPECT_FALSE(f.flags & (kFin | kRst));
}

TEST(SynthTcpSession, TruthCountsEqualARecount) {
    SessionOptions opt;
    opt.impair = {0.2, 0.2, 0.1};
    opt.split = true;
    const Captured c = run(big_conversation(), opt, 11, true);
    expect_sane(c);
    uint64_t pkts[2] = {0, 0}, bytes[2] = {0, 0};
    for (const auto &f : c.frames) {
        const int d = to_server(f) ? 0 : 1;
        ++pkts[d];
        bytes[d] += f.len;
    }
    EXPECT_EQ(c.truth.toserver.pkts, pkts[0]);
    EXPECT_EQ(c.truth.toclient.pkts, pkts[1]);
    EXPECT_EQ(c.truth.toserver.bytes, bytes[0]);
    EXPECT_EQ(c.truth.toclient.bytes, bytes[1]);
    EXPECT_EQ(c.truth.first_ts_us, c.frames.front().ts_us);
    EXPECT_EQ(c.truth.last_ts_us, c.frames.back().ts_us);
    EXPECT_EQ(c.truth.toserver.app_hash, fnv1a64(c.plan.stream[0].data(), c.plan.stream[0].size()));
}

}  // namespace
}  // namespace postern::synth
