// Control-plane history detectors fed SessionSummary records directly (no DPDK).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "detect/history_detectors.hpp"

namespace postern::detect {
namespace {

constexpr uint64_t kS = 1000000000ull;
constexpr uint64_t kT0 = 1700000000ull * kS;

SessionSummary session(uint8_t client, proto::Protocol p, uint64_t start, uint64_t len = 2 * kS) {
    SessionSummary s;
    s.endpoints.family = net::IpFamily::V4;
    s.endpoints.src_ip.bytes[0] = 192, s.endpoints.src_ip.bytes[3] = client;
    s.endpoints.dest_ip.bytes[0] = 198, s.endpoints.dest_ip.bytes[3] = 1;
    s.endpoints.src_port = 40000, s.endpoints.dest_port = 110, s.endpoints.proto = 6;
    s.protocol = p, s.handshake = true, s.start_ns = start, s.end_ns = start + len, s.flow_id = start;
    s.set_user("alice");
    return s;
}

struct History {
    DetectConfig cfg;
    HistoryDetectors h{cfg};
    std::vector<nlohmann::json> alerts;
    void feed(const SessionSummary &s) {
        h.on_record(as_bytes(s), [&](std::string_view l) { alerts.push_back(nlohmann::json::parse(l)); });
    }
    size_t count(std::string_view detector) const {
        size_t n = 0;
        for (const auto &a : alerts) n += a["alert"]["metadata"]["detector"][0] == detector;
        return n;
    }
};

TEST(DetectHistory, JitteredShortPeriodBeaconsAlertPollingEveryTenMinutesDoesNot) {
    History r;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> jitter(0.75, 1.25);
    uint64_t t = kT0;
    for (int i = 0; i < 20; ++i, t += static_cast<uint64_t>(30 * jitter(rng) * kS))
        r.feed(session(1, proto::Protocol::Pop3, t));
    t = kT0;
    for (int i = 0; i < 20; ++i, t += 600 * kS) r.feed(session(2, proto::Protocol::Pop3, t));
    EXPECT_EQ(r.count("beaconing"), 1u);
    EXPECT_EQ(r.alerts.at(0)["evidence"]["sessions"], 12);
    EXPECT_EQ(r.alerts.at(0)["event_type"], "alert");
}

TEST(DetectHistory, PoissonArrivalsAreNotBeacons) {
    History r;
    std::mt19937_64 rng(3);
    std::exponential_distribution<double> gap(1.0 / 20);
    uint64_t t = kT0;
    for (int i = 0; i < 200; ++i, t += static_cast<uint64_t>(gap(rng) * kS) + kS)
        r.feed(session(3, proto::Protocol::Imap, t));
    EXPECT_EQ(r.count("beaconing"), 0u);
}

TEST(DetectHistory, RepeatedPop3DeadDropsAndAuthBruteForce) {
    History r;
    for (int i = 0; i < 4; ++i) {
        SessionSummary s = session(4, proto::Protocol::Pop3, kT0 + i * 400 * kS);
        s.fetched = 1, s.deletes = 1, s.quit = true;
        r.feed(s);
    }
    EXPECT_EQ(r.count("dead_drop"), 1u);
    for (int i = 0; i < 12; ++i) {
        SessionSummary s = session(5, proto::Protocol::Smtp, kT0 + i * 5 * kS);
        s.auth_failures = 1;
        r.feed(s);
    }
    EXPECT_EQ(r.count("auth_abuse"), 1u);
}

TEST(DetectHistory, AuthAbuseCountsSummariesThatArriveOutOfOrder) {
    // Three workers hand their summaries over in their own order: an older session arriving after
    // a newer one is inside the window, not a wrap-around that starts the count over.
    History r;
    for (int i = 0; i < 12; ++i) {
        const int swapped = i % 2 ? i - 1 : i + 1;
        SessionSummary s = session(8, proto::Protocol::Smtp, kT0 + static_cast<uint64_t>(swapped) * 5 * kS);
        s.auth_failures = 1;
        r.feed(s);
    }
    EXPECT_EQ(r.count("auth_abuse"), 1u);
}

TEST(DetectHistory, DraftsSharedByTwoClients) {
    History r;
    for (int i = 0; i < 6; ++i) {
        SessionSummary implant = session(6, proto::Protocol::Imap, kT0 + i * 300 * kS);
        implant.drafts_appends = 1;
        r.feed(implant);
        SessionSummary op = session(7, proto::Protocol::Imap, kT0 + i * 300 * kS + 100 * kS);
        op.drafts_pickups = 2;
        r.feed(op);
    }
    EXPECT_EQ(r.count("drafts_shared_drop"), 1u);
}

// A person's laptop and phone on one account: each session syncs INBOX (other mailbox work),
// reads the draft the other device saved, saves a new version and deletes the old one. The same
// exchanges in sessions that work in Drafts alone are a drop.
TEST(DetectHistory, TwoDevicesEditingDraftsAreNotADeadDrop) {
    for (uint16_t other : {uint16_t{2}, uint16_t{0}}) {
        History r;
        for (int i = 0; i < 8; ++i) {
            SessionSummary s = session(static_cast<uint8_t>(20 + i % 2), proto::Protocol::Imap, kT0 + i * 400 * kS, 3 * kS);
            s.set_user("ivan");
            s.appends = s.drafts_appends = 1;
            s.fetched = 1, s.deletes = 2, s.drafts_pickups = i ? 3 : 0;
            s.other_mailbox_ops = other;
            r.feed(s);
        }
        EXPECT_EQ(r.count("drafts_shared_drop"), other ? 0u : 1u) << other;
        EXPECT_EQ(r.count("dead_drop"), other ? 0u : 2u) << other;  // one per client
    }
}

// A person's client reading INBOX and saving the sent copy of its reply, every 20 minutes (the
// labelled corpus's benign day called it a severity-1 drop): its own copies. The same sessions
// working in Sent alone are a drop.
TEST(DetectHistory, ReadingTheInboxAndSavingSentCopiesIsNotADeadDrop) {
    for (uint16_t other : {uint16_t{2}, uint16_t{0}}) {
        History r;
        for (int i = 0; i < 4; ++i) {
            SessionSummary s = session(40, proto::Protocol::Imap, kT0 + i * 1200 * kS, 3 * kS);
            s.appends = s.sent_appends = 1;
            s.fetched = 1;
            s.other_mailbox_ops = other;
            r.feed(s);
        }
        EXPECT_EQ(r.count("dead_drop"), other ? 0u : 1u) << other;
    }
}

TEST(DetectHistory, OpaqueUploadsAddUpAcrossSessions) {
    History r;
    for (int i = 0; i < 4; ++i) {  // 80 KB each: under the session threshold, 320 KB in total
        SessionSummary s = session(30, proto::Protocol::Imap, kT0 + i * 60 * kS);
        s.opaque_append_bytes = 80000;
        r.feed(s);
    }
    ASSERT_EQ(r.count("upload_asymmetry"), 1u);
    EXPECT_EQ(r.alerts[0]["evidence"]["scope"], "history");
    EXPECT_EQ(r.alerts[0]["evidence"]["sessions"], 4);
    History spread;  // the same bytes over more than the window: nothing
    for (int i = 0; i < 4; ++i) {
        SessionSummary s = session(31, proto::Protocol::Imap, kT0 + i * 3000 * kS);
        s.opaque_append_bytes = 80000;
        spread.feed(s);
    }
    EXPECT_EQ(spread.count("upload_asymmetry"), 0u);
}

TEST(DetectHistory, SmtpSizeAgainstOwnHistory) {
    History r;
    for (int i = 0; i < 10; ++i) {
        SessionSummary s = session(8, proto::Protocol::Smtp, kT0 + i * 3600 * kS);
        s.smtp_messages = 1, s.bytes_toserver = 3000 + i * 10;
        r.feed(s);
    }
    SessionSummary big = session(8, proto::Protocol::Smtp, kT0 + 20 * 3600 * kS);
    big.smtp_messages = 1, big.bytes_toserver = 3u << 20;
    r.feed(big);
    EXPECT_EQ(r.count("smtp_size_outlier"), 1u);
}

TEST(DetectHistory, TablesAreBoundedAndCountEvictions) {
    History r;
    r.cfg.history.max_keys = 64;
    HistoryDetectors small(r.cfg);
    for (int i = 0; i < 1000; ++i) {
        SessionSummary s = session(static_cast<uint8_t>(i), proto::Protocol::Pop3, kT0 + i * kS);
        s.endpoints.src_ip.bytes[2] = static_cast<uint8_t>(i >> 8);
        small.on_summary(s, [](std::string_view) {});
    }
    EXPECT_GT(small.stats().evictions, 0u);
    EXPECT_EQ(small.stats().summaries, 1000u);
}

TEST(DetectConfigTest, DetectSectionIsReadAndCheckedByName) {
    auto ok = config::parse_config(R"({"detect": {"beacon": {"min_sessions": 12, "max_period_s": 600}}})", ".");
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.config.detect.beacon.min_sessions, 12u);
    EXPECT_EQ(ok.config.detect.beacon.max_period_s, 600u);
    auto bad = config::parse_config(R"({"detect": {"beacon": {"min_sessions": 2, "typo": 1}}})", ".");
    ASSERT_EQ(bad.errors.size(), 2u);
    EXPECT_NE(bad.errors[0].find("detect.beacon.min_sessions: must be"), std::string::npos);
    EXPECT_NE(bad.errors[1].find("detect.beacon.typo: unknown key"), std::string::npos);
}

}  // namespace
}  // namespace postern::detect
