// The Redis side of the EVE log: the control plane offers every line (EveFile mirrors what it
// writes) and never waits. Lines go into a bounded buffer; a thread of this object sends them in
// pipelined batches with hiredis and reads the replies. A full buffer drops the line, a lost
// connection loses the batch in flight; both are counted, and the thread reconnects with
// backoff (0.1 s doubling to 5 s). At the end of the run what is buffered is sent while Redis
// answers (bounded wait). See docs/deployment.md, "EVE to Redis".
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "output/redis_config.hpp"
#include "pipeline/event_channel.hpp"

struct redisContext;

namespace postern::output {

struct RedisCounters {
    std::atomic<uint64_t> sent{0};  // lines Redis accepted
    std::atomic<uint64_t> dropped{0};  // the buffer was full
    std::atomic<uint64_t> lost{0};  // in a batch whose connection broke, or left at the end
    std::atomic<uint64_t> errors{0};  // lines Redis refused (WRONGTYPE, OOM, ...)
    std::atomic<uint64_t> connects{0};  // successful connections (the first included)
    std::atomic<uint64_t> connect_failures{0};  // refused, unreachable, or AUTH failed
    std::atomic<bool> connected{false};
};

class RedisOutput {
public:
    // Appends the command for one buffered record (its tag and body) to the pipeline and names
    // it for messages ("LPUSH suricata"; a string that outlives the call). The default sends EVE
    // lines as config.mode says; the history publisher sends XADDs to its shards.
    using CommandFormatter = std::function<std::string_view(redisContext *ctx, uint8_t tag, std::string_view body)>;

    // `name` is the config section, for messages ("output.redis", "history.share").
    explicit RedisOutput(RedisConfig config, std::string name = "output.redis", CommandFormatter format = {});
    ~RedisOutput();
    RedisOutput(const RedisOutput &) = delete;
    RedisOutput &operator=(const RedisOutput &) = delete;

    // Reads the password and starts the sending thread. An unreachable server is not an error
    // (it is retried and reported); a password that cannot be read is.
    bool start(std::string &error);
    // A whole EVE line (no newline), or a record for the formatter. One thread only; never blocks.
    void offer(std::string_view line, uint8_t tag = 0);
    // Sends what is buffered while Redis answers, for at most `drain`, then stops the thread.
    void stop(std::chrono::milliseconds drain = std::chrono::seconds(10));

    const RedisCounters &counters() const { return counters_; }
    const RedisConfig &config() const { return config_; }
    std::string target() const;  // "127.0.0.1:6379" or the socket path, for messages

private:
    void run();
    bool connect();
    void disconnect();
    size_t send_batch();  // lines sent or lost in one round trip; 0: nothing buffered
    void report(const std::string &what);  // once per kind of trouble, to stderr

    RedisConfig config_;
    std::string name_;
    CommandFormatter format_;
    std::string eve_command_;  // "LPUSH suricata", for the default formatter's messages
    std::vector<std::string_view> batch_commands_;  // what each command in flight is
    std::string password_;
    pipeline::EventChannel buffer_;
    std::string scratch_;  // offer(): header room, then the line
    redisContext *ctx_ = nullptr;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::chrono::steady_clock::time_point drain_deadline_;
    std::string last_report_;
    RedisCounters counters_;
};

}  // namespace postern::output
