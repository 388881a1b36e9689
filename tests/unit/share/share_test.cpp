// The shared history without Redis: messages survive the wire (and garbage does not decode), a
// summary goes to its client's shard and its user's, and history run per shard with the roles
// the publisher gives raises exactly the alerts of one process that saw everything.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "detect/history_detectors.hpp"
#include "detect/summary_merger.hpp"
#include "share/share_wire.hpp"

namespace postern::share {
namespace {

using detect::SessionSummary;
constexpr uint64_t kS = 1000000000ull;
constexpr uint64_t kT0 = 1700000000ull * kS;

SessionSummary session(uint8_t client, std::string_view user, uint64_t start, uint16_t failures = 0) {
    SessionSummary s;
    s.endpoints.family = net::IpFamily::V4;
    s.endpoints.src_ip.bytes[0] = 192, s.endpoints.src_ip.bytes[3] = client;
    s.endpoints.dest_ip.bytes[0] = 198, s.endpoints.dest_ip.bytes[3] = 1;
    s.endpoints.src_port = static_cast<uint16_t>(40000 + start / kS % 20000), s.endpoints.dest_port = 110;
    s.endpoints.proto = 6;
    s.protocol = proto::Protocol::Pop3, s.handshake = true, s.quit = true;
    s.start_ns = start, s.end_ns = start + 2 * kS, s.decided_ns = s.end_ns, s.flow_id = start;
    s.auth_failures = failures;
    s.set_user(user);
    s.set_iface("tap0");
    return s;
}

std::string wire(const Message &m) {
    char buf[kMaxMessageBytes];
    return {buf, encode(m, buf)};
}

TEST(ShareWire, SummaryClockAndEndRoundTrip) {
    Message m;
    m.summary = session(7, "alice@corp.example", kT0, 3);
    m.summary.endpoints.vlan_count = 1, m.summary.endpoints.vlan[0] = 42;
    m.summary.bytes_toserver = 123456789012ull, m.summary.drafts_pickups = 9, m.summary.sent_appends = 4;
    m.roles = detect::kUserRole;
    const auto back = decode(wire(m));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->kind, MessageKind::Summary);
    EXPECT_EQ(back->roles, detect::kUserRole);
    EXPECT_EQ(std::string(detect::as_bytes(back->summary)), std::string(detect::as_bytes(m.summary)));
    Message c;
    c.kind = MessageKind::End, c.clock_ns = kT0 + 5;
    const auto end = decode(wire(c));
    ASSERT_TRUE(end);
    EXPECT_EQ(end->kind, MessageKind::End);
    EXPECT_EQ(end->clock_ns, kT0 + 5);
}

TEST(ShareWire, TruncatedExtendedOrForeignBytesDoNotDecode) {
    Message m;
    m.summary = session(7, "alice", kT0);
    const std::string good = wire(m);
    for (size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(decode(good.substr(0, n))) << n;
    EXPECT_FALSE(decode(good + "x"));
    std::string wrong_version = good;
    wrong_version[0] = 9;
    EXPECT_FALSE(decode(wrong_version));
    std::string no_roles = good;
    no_roles[2] = 0;
    EXPECT_FALSE(decode(no_roles));
    EXPECT_FALSE(decode("{\"event_type\":\"alert\"}"));
    std::mt19937 rng(1);
    for (int i = 0; i < 2000; ++i) {  // random mutations never read past the message
        std::string b = good;
        b[rng() % b.size()] = static_cast<char>(rng());
        (void)decode(b);
    }
}

TEST(ShareWire, ShardsAreStableAndSpread) {
    EXPECT_EQ(shard_stream("postern:summaries", 3), "postern:summaries:{3}");
    std::vector<int> per_shard(4);
    for (int c = 0; c < 200; ++c) {
        const SessionSummary s = session(static_cast<uint8_t>(c), "u" + std::to_string(c), kT0);
        EXPECT_EQ(client_shard(s, 4), client_shard(session(static_cast<uint8_t>(c), "other", kT0 + kS), 4));
        EXPECT_EQ(user_shard(s, 4), user_shard(session(1, "u" + std::to_string(c), kT0), 4));
        ++per_shard[client_shard(s, 4)];
        EXPECT_EQ(client_shard(s, 1), 0u);
    }
    for (int n : per_shard) EXPECT_GT(n, 20);
}

// What SummaryPublisher sends (shard_routes), as pairs.
std::vector<std::pair<uint32_t, uint8_t>> routes(const SessionSummary &s, uint32_t shards) {
    const Routes r = shard_routes(s, shards);
    std::vector<std::pair<uint32_t, uint8_t>> out;
    for (size_t i = 0; i < r.count; ++i) out.emplace_back(r.route[i].shard, r.route[i].roles);
    return out;
}

std::vector<std::string> alerts_of(detect::HistoryDetectors &h, const SessionSummary &s, uint8_t roles) {
    std::vector<std::string> out;
    h.on_summary(s, [&](std::string_view l) { out.emplace_back(l); }, roles);
    return out;
}

// A mixed history: beacons, brute force from one client, stuffing from several against one
// user, Drafts shared by two clients, benign polling; then the same summaries run through one
// table set and through N shards, each shard a table set of its own.
TEST(ShareHistory, ShardedByRolesAlertsAsOneProcess) {
    std::vector<SessionSummary> all;
    for (int i = 0; i < 15; ++i) all.push_back(session(1, "beacon", kT0 + i * 30 * kS));
    for (int i = 0; i < 12; ++i) all.push_back(session(2, "user" + std::to_string(i), kT0 + i * 7 * kS, 1));
    for (int i = 0; i < 12; ++i) all.push_back(session(static_cast<uint8_t>(100 + i), "victim", kT0 + 3 * kS + i * 11 * kS, 1));
    for (int i = 0; i < 8; ++i) {
        SessionSummary s = session(static_cast<uint8_t>(50 + i % 2), "drop", kT0 + i * 60 * kS);
        s.protocol = proto::Protocol::Imap;
        (i % 2 ? s.drafts_pickups : s.drafts_appends) = 1;
        all.push_back(s);
    }
    for (int i = 0; i < 10; ++i) all.push_back(session(9, "benign", kT0 + i * 600 * kS));
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) { return a.decided_ns < b.decided_ns; });

    detect::DetectConfig cfg;
    detect::HistoryDetectors one(cfg);
    std::vector<std::string> expected;
    for (const auto &s : all)
        for (auto &a : alerts_of(one, s, detect::kBothRoles)) expected.push_back(std::move(a));
    ASSERT_GE(expected.size(), 4u) << "the history must hold alerts to compare";

    for (uint32_t shards : {2u, 3u, 8u}) {
        std::vector<std::unique_ptr<detect::HistoryDetectors>> shard;
        for (uint32_t i = 0; i < shards; ++i) shard.push_back(std::make_unique<detect::HistoryDetectors>(cfg));
        std::vector<std::string> got;
        for (const auto &s : all)
            for (auto [to, roles] : routes(s, shards))
                for (auto &a : alerts_of(*shard[to], s, roles)) got.push_back(std::move(a));
        std::sort(got.begin(), got.end());
        std::vector<std::string> want = expected;
        std::sort(want.begin(), want.end());
        EXPECT_EQ(got, want) << shards << " shards";
    }
}

TEST(ShareHistory, AuthAbuseUserScopeNeedsSeveralClients) {
    detect::DetectConfig cfg;
    detect::HistoryDetectors h(cfg);
    std::vector<nlohmann::json> alerts;
    auto feed = [&](const SessionSummary &s) {
        h.on_summary(s, [&](std::string_view l) {
            auto a = nlohmann::json::parse(l);
            if (a["alert"]["metadata"]["detector"][0] == "auth_abuse") alerts.push_back(a);  // not the beacon
        });
    };
    for (int i = 0; i < 12; ++i) feed(session(3, "alice", kT0 + i * kS, 1));  // one client, one user
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["evidence"]["scope"], "client");
    alerts.clear();
    for (int i = 0; i < 12; ++i) feed(session(static_cast<uint8_t>(10 + i), "bob", kT0 + i * kS, 1));  // stuffing
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["evidence"]["scope"], "user");
}

TEST(ShareMerger, HorizonIsTheEarliestAnySourceCanStillSend) {
    detect::SummaryMerger m(0, 100);
    EXPECT_EQ(m.horizon(), ~uint64_t{0});
    const size_t a = m.add_source(), b = m.add_source();
    m.advance(a, 50), m.advance(b, 70);
    EXPECT_EQ(m.horizon(), 50u);
    SessionSummary s = session(1, "x", 0);
    s.decided_ns = 60;
    m.add(a, s, detect::kUserRole);
    EXPECT_EQ(m.horizon(), 60u);  // a's next is at least its queued one
    std::vector<uint8_t> roles;
    m.release([&](const SessionSummary &, uint8_t r) { roles.push_back(r); });
    EXPECT_EQ(roles, std::vector<uint8_t>{detect::kUserRole});
    EXPECT_EQ(m.horizon(), 50u);
    m.finish(a);
    EXPECT_EQ(m.horizon(), 70u);
    m.resume(a);  // a silent producer that speaks again holds the others back again
    EXPECT_EQ(m.horizon(), 50u);
}

}  // namespace
}  // namespace postern::share
