// output.redis: EVE records to Redis as Suricata's `filetype: redis` sends them, so pipelines
// built for Suricata (Logstash's redis input, custom consumers) read Postern unchanged.
#pragma once

#include <cstdint>
#include <string>

namespace postern::output {

enum class RedisMode : uint8_t { Lpush, Rpush, Publish, Xadd };

struct RedisConfig {
    bool enabled = false;
    std::string server = "127.0.0.1";
    uint16_t port = 6379;
    std::string unix_socket;  // used instead of server and port when set
    std::string username;  // Redis 6 ACL user (AUTH user password); empty: AUTH password
    std::string password_file;  // the password is read from this file or this environment
    std::string password_env;   // variable, never from the config itself, and never logged
    RedisMode mode = RedisMode::Lpush;  // Suricata's names: list/lpush, rpush, channel/publish, stream/xadd
    std::string key = "suricata";  // the list, channel or stream
    uint32_t stream_maxlen = 100000;  // xadd: MAXLEN ~ this
    uint32_t batch = 64;  // commands pipelined per round trip
    uint32_t buffer_bytes = 16u << 20;  // records waiting for Redis; beyond it they are dropped
};

}  // namespace postern::output
