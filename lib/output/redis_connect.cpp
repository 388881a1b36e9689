#include "output/redis_connect.hpp"

#include <hiredis/hiredis.h>

#include <cstdlib>
#include <fstream>

namespace postern::output {

bool read_redis_password(const RedisConfig &c, const std::string &section, std::string &password, std::string &error) {
    password.clear();
    if (!c.password_file.empty()) {
        std::ifstream in(c.password_file);
        if (!in) return error = section + ".password_file: cannot read " + c.password_file, false;
        std::getline(in, password);
    } else if (!c.password_env.empty()) {
        const char *v = std::getenv(c.password_env.c_str());
        if (v == nullptr) return error = section + ".password_env: " + c.password_env + " is not set", false;
        password = v;
    }
    return true;
}

std::string redis_target(const RedisConfig &c) {
    return c.unix_socket.empty() ? c.server + ":" + std::to_string(c.port) : c.unix_socket;
}

redisContext *redis_connect(const RedisConfig &c, const std::string &password, std::string &error) {
    const timeval connect_timeout{1, 0}, command_timeout{5, 0};
    redisContext *ctx = c.unix_socket.empty() ? redisConnectWithTimeout(c.server.c_str(), c.port, connect_timeout)
                                              : redisConnectUnixWithTimeout(c.unix_socket.c_str(), connect_timeout);
    if (ctx == nullptr || ctx->err) {
        error = "cannot connect to " + redis_target(c) + ": " + (ctx ? ctx->errstr : "out of memory");
        if (ctx) redisFree(ctx);
        return nullptr;
    }
    redisSetTimeout(ctx, command_timeout);
    if (password.empty()) return ctx;
    auto *r = static_cast<redisReply *>(c.username.empty()
                                            ? redisCommand(ctx, "AUTH %s", password.c_str())
                                            : redisCommand(ctx, "AUTH %s %s", c.username.c_str(), password.c_str()));
    const bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    if (!ok) error = "AUTH refused by " + redis_target(c) + ": " + (r ? std::string(r->str, r->len) : std::string(ctx->errstr));
    if (r) freeReplyObject(r);
    if (ok) return ctx;
    redisFree(ctx);
    return nullptr;
}

}  // namespace postern::output
