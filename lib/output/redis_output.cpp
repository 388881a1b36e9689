#include "output/redis_output.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace postern::output {

namespace {

using namespace std::chrono_literals;

const char *command_name(RedisMode m) {
    switch (m) {
    case RedisMode::Lpush: return "LPUSH";
    case RedisMode::Rpush: return "RPUSH";
    case RedisMode::Publish: return "PUBLISH";
    case RedisMode::Xadd: return "XADD";
    }
    return "?";
}

}  // namespace

RedisOutput::RedisOutput(RedisConfig config) : config_(std::move(config)), buffer_(config_.buffer_bytes) {}

RedisOutput::~RedisOutput() { stop(0ms); }

std::string RedisOutput::target() const {
    return config_.unix_socket.empty() ? config_.server + ":" + std::to_string(config_.port) : config_.unix_socket;
}

bool RedisOutput::start(std::string &error) {
    if (!config_.password_file.empty()) {
        std::ifstream in(config_.password_file);
        if (!in) return error = "output.redis.password_file: cannot read " + config_.password_file, false;
        std::getline(in, password_);
    } else if (!config_.password_env.empty()) {
        const char *v = std::getenv(config_.password_env.c_str());
        if (v == nullptr) return error = "output.redis.password_env: " + config_.password_env + " is not set", false;
        password_ = v;
    }
    thread_ = std::thread([this] { run(); });
    return true;
}

void RedisOutput::offer(std::string_view line) {
    scratch_.resize(sizeof(pipeline::RecordHeader) + line.size());
    std::memcpy(scratch_.data() + sizeof(pipeline::RecordHeader), line.data(), line.size());
    if (!buffer_.push_prepared(scratch_.data(), static_cast<uint32_t>(line.size()), pipeline::RecordKind::Eve, 0))
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
    std::fprintf(stderr, "postern: output.redis: %s\n", what.c_str());
}

bool RedisOutput::connect() {
    const timeval connect_timeout{1, 0}, command_timeout{5, 0};
    ctx_ = config_.unix_socket.empty()
               ? redisConnectWithTimeout(config_.server.c_str(), config_.port, connect_timeout)
               : redisConnectUnixWithTimeout(config_.unix_socket.c_str(), connect_timeout);
    if (ctx_ == nullptr || ctx_->err) {
        ++counters_.connect_failures;
        report("cannot connect to " + target() + ": " + (ctx_ ? ctx_->errstr : "out of memory") +
               "; events wait in the buffer (output.redis.buffer_bytes), retrying");
        disconnect();
        return false;
    }
    redisSetTimeout(ctx_, command_timeout);
    if (!password_.empty()) {
        auto *r = static_cast<redisReply *>(
            config_.username.empty() ? redisCommand(ctx_, "AUTH %s", password_.c_str())
                                     : redisCommand(ctx_, "AUTH %s %s", config_.username.c_str(), password_.c_str()));
        const bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
        if (!ok) {  // Redis's answer names the problem, never the password
            ++counters_.connect_failures;
            report("AUTH refused by " + target() + ": " + (r ? std::string(r->str, r->len) : std::string(ctx_->errstr)) +
                   "; retrying");
        }
        if (r) freeReplyObject(r);
        if (!ok) {
            disconnect();
            return false;
        }
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
    const char *key = config_.key.c_str();
    const size_t n = buffer_.drain(
        [&](pipeline::RecordKind, uint8_t, std::string_view line) {
            switch (config_.mode) {
            case RedisMode::Lpush: redisAppendCommand(ctx_, "LPUSH %s %b", key, line.data(), line.size()); break;
            case RedisMode::Rpush: redisAppendCommand(ctx_, "RPUSH %s %b", key, line.data(), line.size()); break;
            case RedisMode::Publish: redisAppendCommand(ctx_, "PUBLISH %s %b", key, line.data(), line.size()); break;
            case RedisMode::Xadd:
                redisAppendCommand(ctx_, "XADD %s MAXLEN ~ %u * event %b", key, config_.stream_maxlen, line.data(),
                                   line.size());
                break;
            }
        },
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
            report(std::string(command_name(config_.mode)) + " " + config_.key + " refused: " + std::string(r->str, r->len));
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
    if (left) report(std::to_string(left) + " events not sent at the end of the run");
    disconnect();
}

}  // namespace postern::output
