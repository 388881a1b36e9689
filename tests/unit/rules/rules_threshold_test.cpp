// Thresholds: N hits within T seconds per source, destination or user, in a bounded table.
#include <gtest/gtest.h>

#include "rules_test_util.hpp"

namespace postern::rules {
namespace {

using proto::Field;
using test::compile;
using test::rule;
using test::Session;

constexpr uint64_t kSec = 1000000000ull;

TEST(RulesThreshold, CountsHitsWithinTheWindow) {
    ThresholdTable t(64);
    const Threshold th{3, 60, TrackBy::Source};
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 42, th, 0));
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 42, th, 10 * kSec));
    EXPECT_TRUE(t.hit(1, TrackBy::Source, 42, th, 20 * kSec));  // third within 60 s
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 42, th, 21 * kSec));  // counting starts over
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 42, th, 30 * kSec));
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 42, th, 90 * kSec));  // window of 21 s expired: 1 again
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 42, th, 100 * kSec));
    EXPECT_TRUE(t.hit(1, TrackBy::Source, 42, th, 110 * kSec));
    EXPECT_EQ(t.stats().hits, 8u);
    EXPECT_EQ(t.stats().fired, 2u);
    EXPECT_EQ(t.stats().suppressed, 6u);
}

TEST(RulesThreshold, KeysRulesAndTracksAreSeparate) {
    ThresholdTable t(64);
    const Threshold th{2, 60, TrackBy::Source};
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 1, th, 0));
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 2, th, 0));
    EXPECT_FALSE(t.hit(2, TrackBy::Source, 1, th, 0));
    EXPECT_FALSE(t.hit(1, TrackBy::Destination, 1, th, 0));
    EXPECT_TRUE(t.hit(1, TrackBy::Source, 1, th, kSec));
    EXPECT_EQ(t.in_use(), 3u);
}

TEST(RulesThreshold, FullSetsEvictTheOldestWindowAndCountIt) {
    ThresholdTable t(4);  // one set of four ways
    ASSERT_EQ(t.capacity(), 4u);
    const Threshold th{2, 600, TrackBy::Source};
    for (uint64_t k = 1; k <= 4; ++k) EXPECT_FALSE(t.hit(1, TrackBy::Source, k, th, k * kSec));
    EXPECT_EQ(t.stats().evictions, 0u);
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 5, th, 5 * kSec));  // evicts key 1 (oldest window)
    EXPECT_EQ(t.stats().evictions, 1u);
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 1, th, 6 * kSec));  // key 1 starts over
    EXPECT_EQ(t.stats().evictions, 2u);
    EXPECT_TRUE(t.hit(1, TrackBy::Source, 5, th, 7 * kSec));
    // Expired entries are reused without counting an eviction.
    EXPECT_FALSE(t.hit(1, TrackBy::Source, 9, th, 10000 * kSec));
    EXPECT_EQ(t.stats().evictions, 2u);
}

TEST(RulesThreshold, MatcherAppliesThresholdsBySourceAndUser) {
    const auto set = compile(
        rule(1, R"({"all": [{"field": "smtp.mail_from"}]})", R"(, "threshold": {"count": 3, "seconds": 60, "track": "by_src"})") + "," +
        rule(2, R"({"all": [{"field": "email.subject", "patterns": ["x"]}]})", R"(, "threshold": {"count": 2, "seconds": 60, "track": "by_user"})"));
    ASSERT_TRUE(set);
    ThresholdTable table(256);
    // Three sessions from one source: the third message alerts.
    for (int i = 0; i < 3; ++i) {
        Session s(set, proto::Protocol::Smtp, &table);
        s.ctx = {static_cast<uint64_t>(i) * kSec, 7, 9};
        s.field(Field::SmtpMailFrom, "a@b").end();
        EXPECT_EQ(s.sink.count(1), i == 2 ? 1u : 0u) << i;
    }
    // by_user: two users from one source count apart.
    Session alice(set, proto::Protocol::Smtp, &table), bob(set, proto::Protocol::Smtp, &table);
    alice.ctx = bob.ctx = {10 * kSec, 7, 9};
    alice.field(Field::SmtpAuthUser, "alice").field(Field::EmailSubject, "x").end();
    bob.field(Field::SmtpAuthUser, "bob").field(Field::EmailSubject, "x").end();
    EXPECT_TRUE(alice.sink.matches.empty());
    EXPECT_TRUE(bob.sink.matches.empty());
    alice.field(Field::EmailSubject, "x").end();
    EXPECT_EQ(alice.sink.count(2), 1u);
    EXPECT_EQ(alice.matcher().stats().threshold_suppressed, 1u);
    // Without a user, by_user counts by source.
    Session anon1(set, proto::Protocol::Smtp, &table), anon2(set, proto::Protocol::Smtp, &table);
    anon1.ctx = anon2.ctx = {11 * kSec, 8, 9};
    anon1.field(Field::EmailSubject, "x").end();
    anon2.field(Field::EmailSubject, "x").end();
    EXPECT_EQ(anon2.sink.count(2), 1u);
}

}  // namespace
}  // namespace postern::rules
