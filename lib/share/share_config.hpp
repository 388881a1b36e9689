// detect.history.share: the history detectors' input (session summaries) published to Redis
// Streams, so that several appliances behind one packet broker feed one set of history
// consumers (`postern history`). Off by default: alone on one box history stays in-process.
#pragma once

#include <cstdint>
#include <string>

#include "output/redis_config.hpp"

namespace postern::share {

struct ShareConfig {
    bool enabled = false;
    // Connection, AUTH, batch and buffer as output.redis; `key` is the streams' prefix (shard i
    // is "<key>:{i}", a Redis Cluster hash tag per shard) and stream_maxlen bounds each stream.
    output::RedisConfig redis = default_redis();
    uint32_t shards = 1;  // every appliance and consumer of one deployment must agree
    std::string producer;  // this appliance's name in the streams; default "<host>-<pid>"
    bool local = false;  // also run the history detectors here (their alerts then come twice)
    std::string group = "postern-history";  // the consumers' group
    uint32_t clock_interval_ms = 200;  // how often an idle producer says how far its clock is
    uint32_t producer_timeout_s = 30;  // a consumer stops waiting for a producer silent this long

    static output::RedisConfig default_redis() {
        output::RedisConfig r;
        r.key = "postern:summaries";
        r.stream_maxlen = 1000000;
        return r;
    }
};

}  // namespace postern::share
