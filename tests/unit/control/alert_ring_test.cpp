// The alert ring keeps the newest records, filters by their EVE timestamp and limits the answer.
#include <gtest/gtest.h>

#include "control/alert_ring.hpp"

namespace {

std::string alert(int second, int sid) {
    return "{\"timestamp\":\"2026-11-27T10:00:" + std::string(second < 10 ? "0" : "") + std::to_string(second) +
           ".000000+0000\",\"event_type\":\"alert\",\"alert\":{\"signature_id\":" + std::to_string(sid) + "}}";
}

TEST(AlertRing, NewestKeptFilteredAndLimited) {
    postern::control::AlertRing ring(4);
    for (int i = 0; i < 6; ++i) ring.push(alert(i, 100 + i));
    EXPECT_EQ(ring.size(), 4u);
    EXPECT_EQ(ring.total(), 6u);
    auto all = ring.query(0, 100);
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0]["alert"]["signature_id"], 102);  // the two oldest were overwritten
    EXPECT_EQ(all[3]["alert"]["signature_id"], 105);
    const uint64_t since = postern::control::eve_timestamp_ns(alert(4, 0));
    auto recent = ring.query(since, 100);
    ASSERT_EQ(recent.size(), 2u);
    EXPECT_EQ(recent[0]["alert"]["signature_id"], 104);
    auto limited = ring.query(0, 1);
    ASSERT_EQ(limited.size(), 1u);
    EXPECT_EQ(limited[0]["alert"]["signature_id"], 105);  // the newest
}

}  // namespace
