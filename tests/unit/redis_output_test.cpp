// The Redis output without a Redis (the dataplane tests run a real redis-server): an unreachable
// server is retried and counted, never a crash; what cannot be sent is counted as lost at the
// end; a full buffer drops (counted) without waiting; a password that cannot be read is an error.
#include <gtest/gtest.h>

#include <string>

#include "output/redis_output.hpp"

namespace postern::output {
namespace {

RedisConfig unreachable() {
    RedisConfig c;
    c.enabled = true;
    c.port = 1;  // nothing listens on port 1 of loopback
    c.buffer_bytes = 65536;
    return c;
}

TEST(RedisOutput, UnreachableServerLosesWhatWasBufferedAndSaysSo) {
    RedisOutput r(unreachable());
    std::string error;
    ASSERT_TRUE(r.start(error)) << error;
    for (int i = 0; i < 100; ++i) r.offer(R"({"event_type":"alert","n":)" + std::to_string(i) + "}");
    r.stop(std::chrono::milliseconds(200));
    EXPECT_EQ(r.counters().sent, 0u);
    EXPECT_EQ(r.counters().lost, 100u);
    EXPECT_GE(r.counters().connect_failures, 1u);
    EXPECT_FALSE(r.counters().connected);
}

TEST(RedisOutput, FullBufferDropsWithoutWaiting) {
    RedisOutput r(unreachable());
    std::string error;
    ASSERT_TRUE(r.start(error)) << error;
    const std::string line(1000, 'x');
    for (int i = 0; i < 200; ++i) r.offer(line);  // 200 kB into a 64 KiB buffer
    r.stop(std::chrono::milliseconds(0));
    EXPECT_GT(r.counters().dropped, 0u);
    EXPECT_EQ(r.counters().dropped + r.counters().lost, 200u);
}

TEST(RedisOutput, UnreadablePasswordIsAnError) {
    RedisConfig c = unreachable();
    c.password_file = "/nonexistent/redis-password";
    RedisOutput r(c);
    std::string error;
    EXPECT_FALSE(r.start(error));
    EXPECT_NE(error.find("output.redis.password_file"), std::string::npos) << error;
    c.password_file.clear();
    c.password_env = "POSTERN_TEST_UNSET_VARIABLE";
    RedisOutput e(c);
    EXPECT_FALSE(e.start(error));
    EXPECT_NE(error.find("output.redis.password_env"), std::string::npos) << error;
}

}  // namespace
}  // namespace postern::output
