// Opening a Redis connection as a RedisConfig says (TCP or unix socket, AUTH with an optional
// ACL user), shared by the EVE output, the history publisher and `postern history`.
#pragma once

#include <string>

#include "output/redis_config.hpp"

struct redisContext;

namespace postern::output {

// The password from password_file or password_env ("" when neither is set). False with the
// reason, named after `section`, when it cannot be read. The password itself is never logged.
bool read_redis_password(const RedisConfig &c, const std::string &section, std::string &password, std::string &error);

// A connected and authenticated context (commands time out after 5 s), or nullptr with the
// reason; Redis's own refusal names the problem, never the password.
redisContext *redis_connect(const RedisConfig &c, const std::string &password, std::string &error);

std::string redis_target(const RedisConfig &c);  // "127.0.0.1:6379" or the socket path

}  // namespace postern::output
