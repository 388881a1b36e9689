// Bearer tokens: missing (401), wrong (403), right (allowed), none configured (403 saying so);
// tokens from a file or an environment variable.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "control/auth.hpp"
#include "../test_temp_dir.hpp"

namespace {

using postern::control::check_bearer;
using postern::control::constant_time_equal;
using postern::control::load_token;
using postern::control::TokenLoad;

TEST(Auth, BearerChecks) {
    EXPECT_FALSE(check_bearer("s3cret", "Bearer s3cret"));
    auto r = check_bearer("s3cret", "");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401u);
    EXPECT_EQ(r->content_type, "application/problem+json");
    r = check_bearer("s3cret", "Basic czNjcmV0");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401u);
    r = check_bearer("s3cret", "Bearer s3cret2");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403u);
    r = check_bearer("", "Bearer anything");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403u);
    EXPECT_NE(r->body.find("no API token is configured"), std::string::npos);
}

TEST(Auth, ConstantTimeEqual) {
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "ab"));
    EXPECT_FALSE(constant_time_equal("", "a"));
}

TEST(Auth, TokenFromFileOrEnvironment) {
    postern::config::Api api;
    EXPECT_EQ(load_token(api).token, "");
    EXPECT_EQ(load_token(api).error, "");
    const std::string path = postern::testing::temp_file("token");
    std::ofstream(path) << "  tok-123 \n";
    api.token_file = path;
    EXPECT_EQ(load_token(api).token, "tok-123");
    std::ofstream(path) << "\n";
    EXPECT_NE(load_token(api).error.find("api.token_file:"), std::string::npos);
    std::remove(path.c_str());
    EXPECT_NE(load_token(api).error.find("cannot read"), std::string::npos);
    api.token_file.clear();
    api.token_env = "POSTERN_TEST_TOKEN_VAR";
    unsetenv("POSTERN_TEST_TOKEN_VAR");
    EXPECT_NE(load_token(api).error.find("api.token_env:"), std::string::npos);
    setenv("POSTERN_TEST_TOKEN_VAR", "envtok", 1);
    EXPECT_EQ(load_token(api).token, "envtok");
    unsetenv("POSTERN_TEST_TOKEN_VAR");
}

TEST(Auth, ATokenFileOthersCanReadIsWarnedAbout) {
    postern::config::Api api;
    api.token_file = postern::testing::temp_file("token-perms");
    std::ofstream(api.token_file) << "tok\n";
    ::chmod(api.token_file.c_str(), 0644);
    TokenLoad t = load_token(api);
    EXPECT_EQ(t.token, "tok");
    EXPECT_NE(t.warning.find("readable or writable by other users (mode 0644)"), std::string::npos) << t.warning;
    ::chmod(api.token_file.c_str(), 0600);
    EXPECT_EQ(load_token(api).warning, "");
}

}  // namespace
