#include "share/summary_publisher.hpp"

#include <hiredis/hiredis.h>

#include "share/share_wire.hpp"

namespace postern::share {

SummaryPublisher::SummaryPublisher(ShareConfig config) : config_(std::move(config)) {
    if (config_.producer.empty()) config_.producer = host_and_pid();
    for (uint32_t i = 0; i < config_.shards; ++i) {
        streams_.push_back(shard_stream(config_.redis.key, i));
        commands_.push_back("XADD " + streams_.back());
    }
    // A record is [shard][message]; the tag carries the shard (at most 256, as the config allows).
    redis_ = std::make_unique<output::RedisOutput>(
        config_.redis, "detect.history.share",
        [this](redisContext *ctx, uint8_t shard, std::string_view m) -> std::string_view {
            const std::string &stream = streams_[shard];
            redisAppendCommand(ctx, "XADD %b MAXLEN ~ %u * p %b m %b", stream.data(), stream.size(),
                               config_.redis.stream_maxlen, config_.producer.data(), config_.producer.size(), m.data(),
                               m.size());
            return commands_[shard];
        });
}

bool SummaryPublisher::start(std::string &error) { return redis_->start(error); }

void SummaryPublisher::send(uint32_t shard, const Message &m) {
    char buf[kMaxMessageBytes];
    redis_->offer({buf, encode(m, buf)}, static_cast<uint8_t>(shard));
}

void SummaryPublisher::to_every_shard(const Message &m) {
    for (uint32_t i = 0; i < config_.shards; ++i) send(i, m);
}

void SummaryPublisher::publish(const detect::SessionSummary &s) {
    ++summaries_;
    Message m;
    m.summary = s;
    const Routes routes = shard_routes(s, config_.shards);
    for (size_t i = 0; i < routes.count; ++i) m.roles = routes.route[i].roles, send(routes.route[i].shard, m);
}

void SummaryPublisher::clock(uint64_t horizon_ns) {
    const auto now = std::chrono::steady_clock::now();
    if (horizon_ns <= last_clock_ || now < next_clock_) return;
    last_clock_ = horizon_ns;
    next_clock_ = now + std::chrono::milliseconds(config_.clock_interval_ms);
    Message m;
    m.kind = MessageKind::Clock, m.clock_ns = horizon_ns;
    to_every_shard(m);
}

void SummaryPublisher::end(uint64_t horizon_ns) {
    Message m;
    m.kind = MessageKind::End, m.clock_ns = horizon_ns;
    to_every_shard(m);
}

}  // namespace postern::share
