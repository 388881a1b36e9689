// `postern history`: the consumer side of the shared history. It reads the summary streams of
// the shards it owns with a consumer group (one consumer per shard: a shard's sessions must all
// reach the same history tables), puts the summaries of every producer back in time order with
// the same merger the control plane uses over its workers, and runs the same HistoryDetectors.
// A producer's Clock messages let its summaries go before it ends; one silent for
// producer_timeout_s holds the others back no longer (counted). Single-threaded; hiredis sync.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "detect/detect_config.hpp"
#include "detect/history_detectors.hpp"
#include "detect/summary_merger.hpp"
#include "share/share_config.hpp"

struct redisContext;
struct redisReply;

namespace postern::share {

struct ConsumerOptions {
    std::vector<uint32_t> shards;  // the shards this consumer owns; empty: all
    std::string consumer;  // its name in the group; default "<host>-<pid>"
    uint32_t producers = 0;  // >0 (batch runs): hold everything until this many producers have
                             // spoken, and finish when all of them have ended
};

struct ConsumerStats {
    uint64_t messages = 0;  // stream entries read
    uint64_t summaries = 0;  // handed to the history detectors
    uint64_t malformed = 0;  // entries that were no message of ours (counted, skipped)
    uint64_t late = 0;  // a summary decided before one already handed on (a producer came late)
    uint64_t overflows = 0;  // released early: the merger's bound was reached
    uint64_t producers = 0;  // producers seen
    uint64_t producer_timeouts = 0;  // producers that went silent while unfinished
    uint64_t alerts = 0;
};

class HistoryConsumer {
public:
    HistoryConsumer(const ShareConfig &share, const detect::DetectConfig &detect, ConsumerOptions options);
    ~HistoryConsumer();
    HistoryConsumer(const HistoryConsumer &) = delete;
    HistoryConsumer &operator=(const HistoryConsumer &) = delete;

    // Reads the password, connects and creates the group on each owned stream (from its start,
    // so summaries published before the consumer started count). Retry: Redis is unreachable or
    // refused AUTH; Fatal: the password cannot be read, or a key holds another type.
    enum class Connect { Ok, Retry, Fatal };
    Connect connect(std::string &error);
    bool connected() const { return ctx_ != nullptr; }
    // Reads what arrived (waits up to `block`), runs the detectors on what can be released,
    // writes alerts to `out`. False with the reason when the connection broke (connect again).
    bool poll(const detect::LineOut &out, std::string &error,
              std::chrono::milliseconds block = std::chrono::milliseconds(200));
    // Every producer asked for has ended (ConsumerOptions::producers > 0).
    bool done() const;
    // The end: everything held goes to the detectors.
    void finish(const detect::LineOut &out);

    ConsumerStats stats() const;
    size_t held() const { return merger_.pending(); }  // summaries waiting for time order
    const detect::HistoryStats history_stats() const { return history_.stats(); }
    const std::vector<std::string> &streams() const { return streams_; }
    const std::string &consumer_name() const { return options_.consumer; }

private:
    struct Source {  // one producer on one shard
        std::chrono::steady_clock::time_point last_seen;
        bool ended = false;
        bool timed_out = false;
    };
    void on_entry(size_t stream, const redisReply &fields);
    size_t source_of(const std::string &producer, size_t stream);
    void expire_silent_sources();
    void release(const detect::LineOut &out, bool all);
    void run(const detect::SessionSummary &s, uint8_t roles, const detect::LineOut &out);
    void drop(std::string &error, std::string why);  // closes the connection, says why
    std::string lost() const;  // "lost the connection to ...: <hiredis error>"

    ShareConfig share_;
    ConsumerOptions options_;
    std::string password_;
    bool password_read_ = false;
    std::vector<std::string> streams_;  // owned
    redisContext *ctx_ = nullptr;
    detect::HistoryDetectors history_;
    detect::SummaryMerger merger_;
    std::map<std::pair<std::string, size_t>, size_t> source_index_;  // (producer, stream) -> source
    std::vector<Source> sources_;
    std::set<std::string> producers_;
    uint64_t last_released_ = 0;
    ConsumerStats stats_;
};

}  // namespace postern::share
