// Request targets and parameter values: times in ISO 8601 and unix form, counts with ranges, and
// errors that name the parameter.
#include <gtest/gtest.h>

#include "config/listen_address.hpp"
#include "control/query.hpp"

namespace {

using postern::control::parse_target;
using postern::control::parse_time;
using postern::control::uint_param;

TEST(Query, PathAndDecodedParams) {
    const auto t = parse_target("/api/v1/alerts?since=2026-11-27T11%3A00%3A00Z&limit=5");
    EXPECT_EQ(t.path, "/api/v1/alerts");
    EXPECT_EQ(t.params.at("since"), "2026-11-27T11:00:00Z");
    EXPECT_EQ(t.params.at("limit"), "5");
    EXPECT_TRUE(t.error.empty());
    EXPECT_NE(parse_target("/x?a=1&a=2").error.find("a: given more than once"), std::string::npos);
    EXPECT_NE(parse_target("/x?a=%zz").error.find("a: bad percent-encoding"), std::string::npos);
}

TEST(Query, TimesInEveryAcceptedForm) {
    const uint64_t t = 1795767600ull * 1000000000ull;  // 2026-11-27T08:20:00Z
    EXPECT_EQ(parse_time("2026-11-27T08:20:00Z"), t);
    EXPECT_EQ(parse_time("2026-11-27T08:20:00+0000"), t);
    EXPECT_EQ(parse_time("2026-11-27T09:20:00+01:00"), t);
    EXPECT_EQ(parse_time("2026-11-27T08:20:00.500000+0000"), t + 500000000);
    EXPECT_EQ(parse_time("1795767600"), t);
    EXPECT_EQ(parse_time("1795767600.25"), t + 250000000);
    EXPECT_FALSE(parse_time(""));
    EXPECT_FALSE(parse_time("yesterday"));
    EXPECT_FALSE(parse_time("2026-13-01T00:00:00Z"));
    EXPECT_FALSE(parse_time("2026-11-27T08:20:00"));  // no offset: ambiguous
    EXPECT_FALSE(parse_time("12x"));
}

TEST(Query, UintParamRangesNameTheField) {
    const auto t = parse_target("/f?top=0&by=bytes&n=7");
    uint64_t v = 10;
    std::string err;
    EXPECT_FALSE(uint_param(t, "top", 1, 100, v, err));
    EXPECT_EQ(err, "top: must be an integer from 1 to 100, got \"0\"");
    EXPECT_TRUE(uint_param(t, "n", 1, 100, v, err));
    EXPECT_EQ(v, 7u);
    EXPECT_TRUE(uint_param(t, "absent", 1, 100, v, err));
    EXPECT_EQ(v, 7u);
}

TEST(ListenAddress, AcceptsIpv4Ipv6AndOff) {
    using postern::config::parse_listen_address;
    auto a = parse_listen_address("127.0.0.1:8080");
    ASSERT_TRUE(a.address);
    EXPECT_EQ(a.address->host, "127.0.0.1");
    EXPECT_EQ(a.address->port, 8080);
    a = parse_listen_address("[::1]:0");
    ASSERT_TRUE(a.address);
    EXPECT_EQ(a.address->host, "::1");
    EXPECT_FALSE(parse_listen_address("off").address);
    EXPECT_TRUE(parse_listen_address("off").error.empty());
    EXPECT_FALSE(parse_listen_address("").address);
    EXPECT_NE(parse_listen_address("localhost:80").error.find("address must be"), std::string::npos);
    EXPECT_NE(parse_listen_address("127.0.0.1:99999").error.find("port must be"), std::string::npos);
    EXPECT_NE(parse_listen_address("8080").error.find("must be ADDR:PORT"), std::string::npos);
}

}  // namespace
