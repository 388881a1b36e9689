// The appliance's side of the shared history: every session summary, in the time order the
// control plane's merger releases them, goes to the stream of its client's shard and, when the
// session has a user on another shard, to that shard's too (each copy says which detectors the
// receiving shard runs). Clock messages tell every shard how far this producer has got, so a
// consumer can put several producers' summaries back in time order; an End message closes the
// run. Sending is RedisOutput's: a bounded buffer and a thread, the control core never waits,
// what cannot be sent is counted.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "detect/session_summary.hpp"
#include "output/redis_output.hpp"
#include "share/share_config.hpp"
#include "share/share_wire.hpp"

namespace postern::share {

class SummaryPublisher {
public:
    explicit SummaryPublisher(ShareConfig config);

    bool start(std::string &error);  // as RedisOutput::start
    void publish(const detect::SessionSummary &s);
    // The producer will publish nothing decided before `horizon_ns`; sent to every shard at most
    // every clock_interval_ms (and only when it moved).
    void clock(uint64_t horizon_ns);
    void end(uint64_t horizon_ns);  // the last message of the run, to every shard
    void stop() { redis_->stop(); }

    const output::RedisCounters &counters() const { return redis_->counters(); }
    std::string target() const { return redis_->target(); }
    const ShareConfig &config() const { return config_; }
    uint64_t summaries() const { return summaries_; }

private:
    void send(uint32_t shard, const Message &m);
    void to_every_shard(const Message &m);

    ShareConfig config_;
    std::vector<std::string> streams_;  // by shard
    std::vector<std::string> commands_;  // "XADD <stream>", for messages
    std::unique_ptr<output::RedisOutput> redis_;
    uint64_t summaries_ = 0;
    uint64_t last_clock_ = 0;
    std::chrono::steady_clock::time_point next_clock_{};
};

}  // namespace postern::share
