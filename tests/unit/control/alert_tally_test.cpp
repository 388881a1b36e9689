#include <gtest/gtest.h>

#include "control/alert_tally.hpp"

namespace {

using postern::control::AlertTally;

std::string alert(int sid, int sev, const std::string &sig) {
    return R"({"event_type":"alert","alert":{"signature_id":)" + std::to_string(sid) + R"(,"severity":)" +
           std::to_string(sev) + R"(,"signature":")" + sig + R"("}})";
}

TEST(AlertTally, CountsBySignatureMostFrequentFirst) {
    AlertTally t;
    for (int i = 0; i < 3; ++i) t.add(alert(7, 2, "Encoded subject"));
    t.add(alert(9, 1, "Beaconing"));
    t.add(alert(8, 3, "Odd port"));
    t.add("not json");
    const auto rows = t.rows();
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].count, 3u);
    EXPECT_EQ(rows[0].signature, "Encoded subject");
    EXPECT_EQ(rows[1].signature, "Beaconing");  // ties: the most severe first
    EXPECT_EQ(rows[2].signature, "Odd port");
    EXPECT_EQ(rows[3].signature, "(alert without a signature)");
    const std::string table = postern::control::format_alert_table(rows);
    EXPECT_NE(table.find("       3    2  [7] Encoded subject\n"), std::string::npos) << table;
}

}  // namespace
