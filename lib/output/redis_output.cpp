#include "output/redis_output.hpp"

#include "output/redis_connect.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace postern::output {

using namespace std::chrono_literals;

RedisOutput::RedisOutput(RedisConfig config, std::string name, CommandFormatter format)
    : config_(std::move(config)), name_(std::move(name)), format_(std::move(format)), buffer_(config_.buffer_bytes) {
    if (format_) return;
    static constexpr const char *kCommand[] = {"LPUSH", "RPUSH", "PUBLISH", "XADD"};
    eve_command_ = std::string(kCommand[static_cast<int>(config_.mode)]) + " " + config_.key;
    format_ = [this](redisContext *ctx, uint8_t, std::string_view line) -> std::string_view {
        const char *key = config_.key.c_str();
        switch (config_.mode) {
        case RedisMode::Lpush: redisAppendCommand(ctx, "LPUSH %s %b", key, line.data(), line.size()); break;
        case RedisMode::Rpush: redisAppendCommand(ctx, "RPUSH %s %b", key, line.data(), line.size()); break;
        case RedisMode::Publish: redisAppendCommand(ctx, "PUBLISH %s %b", key, line.data(), line.size()); break;
        case RedisMode::Xadd:
            redisAppendCommand(ctx, "XADD %s MAXLEN ~ %u * event %b", key, config_.stream_maxlen, line.data(), line.size());
            break;
        }
        return eve_command_;
    };
}

RedisOutput::~RedisOutput() { stop(0ms); }

std::string RedisOutput::target() const { return redis_target(config_); }

bool RedisOutput::start(std::string &error) {
    if (!read_redis_password(config_, name_, password_, error)) return false;
    thread_ = std::thread([this] { run(); });
    return true;
}

void RedisOutput::offer(std::string_view line, uint8_t tag) {
    scratch_.resize(sizeof(pipeline::RecordHeader) + line.size());
    std::memcpy(scratch_.data() + sizeof(pipeline::RecordHeader), line.data(), line.size());
    if (!buffer_.push_prepared(scratch_.data(), static_cast<uint32_t>(line.size()), pipeline::RecordKind::Eve, tag))
        counters_.dropped.fetch_add(1, std::memory_order_relaxed);
}

void RedisOutput::stop(std::chrono::milliseconds drain) {
    if (!thread_.joinable()) return;
    drain_deadline_ = std::chrono::steady_clock::now() + drain;
    stopping_.store(true, std::memory_order_release);
    thread_.join();
}

void RedisOutput::report(const std::string &what) {
    if (what == last_report_) return;
    last_report_ = what;
    std::fprintf(stderr, "postern: %s: %s\n", name_.c_str(), what.c_str());
}

bool RedisOutput::connect() {
    std::string error;
    ctx_ = redis_connect(config_, password_, error);
    if (ctx_ == nullptr) {
        ++counters_.connect_failures;
        report(error + "; records wait in the buffer (" + name_ + ".buffer_bytes), retrying");
        return false;
    }
    ++counters_.connects;
    counters_.connected.store(true, std::memory_order_relaxed);
    if (!last_report_.empty()) report("connected to " + target());
    return true;
}

void RedisOutput::disconnect() {
    if (ctx_) redisFree(ctx_);
    ctx_ = nullptr;
    counters_.connected.store(false, std::memory_order_relaxed);
}

size_t RedisOutput::send_batch() {
    batch_commands_.clear();
    const size_t n = buffer_.drain(
        [&](pipeline::RecordKind, uint8_t tag, std::string_view body) { batch_commands_.push_back(format_(ctx_, tag, body)); },
        std::max<uint32_t>(config_.batch, 1));
    for (size_t i = 0; i < n; ++i) {
        void *reply = nullptr;
        if (redisGetReply(ctx_, &reply) != REDIS_OK) {
            counters_.lost.fetch_add(n - i, std::memory_order_relaxed);
            report("connection to " + target() + " lost: " + ctx_->errstr + "; reconnecting");
            disconnect();
            return n;
        }
        auto *r = static_cast<redisReply *>(reply);
        if (r->type == REDIS_REPLY_ERROR) {
            ++counters_.errors;
            report(std::string(batch_commands_[i]) + " refused: " + std::string(r->str, r->len));
        } else {
            counters_.sent.fetch_add(1, std::memory_order_relaxed);
        }
        freeReplyObject(r);
    }
    return n;
}

void RedisOutput::run() {
    auto backoff = 100ms;
    for (;;) {
        const bool stopping = stopping_.load(std::memory_order_acquire);
        if (stopping && std::chrono::steady_clock::now() >= drain_deadline_) break;
        if (ctx_ == nullptr) {
            if (connect()) {
                backoff = 100ms;
                continue;
            }
            if (stopping) break;  // a last try failed: what is buffered cannot go out
            for (auto waited = 0ms; waited < backoff && !stopping_.load(std::memory_order_relaxed); waited += 10ms)
                std::this_thread::sleep_for(10ms);
            backoff = std::min<std::chrono::milliseconds>(backoff * 2, 5s);
            continue;
        }
        if (send_batch() == 0) {
            if (stopping) break;  // everything went out
            std::this_thread::sleep_for(1ms);
        }
    }
    const size_t left = buffer_.drain([](pipeline::RecordKind, uint8_t, std::string_view) {});
    counters_.lost.fetch_add(left, std::memory_order_relaxed);
    if (left) report(std::to_string(left) + " records not sent at the end of the run");
    disconnect();
}

}  // namespace postern::output
