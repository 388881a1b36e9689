#include "share/history_consumer.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>

#include "output/redis_connect.hpp"
#include "share/share_wire.hpp"

namespace postern::share {

namespace {

constexpr size_t kMaxHeld = 1u << 18;  // summaries held for time order (as the control plane)
constexpr int kReadCount = 1000;  // entries per stream per read

std::string_view str(const redisReply &r) { return {r.str, r.len}; }

}  // namespace

HistoryConsumer::HistoryConsumer(const ShareConfig &share, const detect::DetectConfig &detect, ConsumerOptions options)
    : share_(share), options_(std::move(options)), history_(detect), merger_(0, kMaxHeld) {
    if (options_.consumer.empty()) options_.consumer = host_and_pid();
    if (options_.shards.empty())
        for (uint32_t i = 0; i < share_.shards; ++i) options_.shards.push_back(i);
    for (uint32_t s : options_.shards) streams_.push_back(shard_stream(share_.redis.key, s));
}

HistoryConsumer::~HistoryConsumer() {
    if (ctx_) redisFree(ctx_);
}

void HistoryConsumer::drop(std::string &error, std::string why) {
    error = std::move(why);
    if (ctx_) redisFree(ctx_), ctx_ = nullptr;
}

std::string HistoryConsumer::lost() const {
    return "lost the connection to " + output::redis_target(share_.redis) + ": " + ctx_->errstr;
}

HistoryConsumer::Connect HistoryConsumer::connect(std::string &error) {
    if (ctx_) redisFree(ctx_), ctx_ = nullptr;
    if (!password_read_ && !output::read_redis_password(share_.redis, "detect.history.share", password_, error))
        return Connect::Fatal;
    password_read_ = true;
    ctx_ = output::redis_connect(share_.redis, password_, error);
    if (ctx_ == nullptr) return Connect::Retry;
    for (const std::string &stream : streams_) {
        auto *r = static_cast<redisReply *>(redisCommand(ctx_, "XGROUP CREATE %b %b 0 MKSTREAM", stream.data(),
                                                         stream.size(), share_.group.data(), share_.group.size()));
        if (r == nullptr) return drop(error, lost()), Connect::Retry;
        // BUSYGROUP: the group exists, go on from where it is. Anything else (WRONGTYPE: the key
        // holds another type) retrying cannot mend.
        const bool ok = r->type != REDIS_REPLY_ERROR || str(*r).starts_with("BUSYGROUP");
        const std::string refusal = ok ? "" : "XGROUP CREATE " + stream + " " + share_.group + " refused: " + std::string(str(*r));
        freeReplyObject(r);
        if (!ok) return drop(error, refusal), Connect::Fatal;
    }
    return Connect::Ok;
}

size_t HistoryConsumer::source_of(const std::string &producer, size_t stream) {
    auto [it, added] = source_index_.try_emplace({producer, stream}, sources_.size());
    if (added) {
        merger_.add_source();
        sources_.push_back({.last_seen = std::chrono::steady_clock::now()});
        producers_.insert(producer);
    }
    return it->second;
}

// Fields: p <producer> m <message>.
void HistoryConsumer::on_entry(size_t stream, const redisReply &fields) {
    ++stats_.messages;
    std::string_view producer, body;
    for (size_t i = 0; i + 1 < fields.elements; i += 2) {
        const redisReply &k = *fields.element[i], &v = *fields.element[i + 1];
        if (k.type != REDIS_REPLY_STRING || v.type != REDIS_REPLY_STRING) continue;
        if (str(k) == "p") producer = str(v);
        if (str(k) == "m") body = str(v);
    }
    const auto m = producer.empty() ? std::nullopt : decode(body);
    if (!m) return ++stats_.malformed, void();
    const size_t i = source_of(std::string(producer), stream);
    Source &src = sources_[i];
    src.last_seen = std::chrono::steady_clock::now();
    if (src.timed_out || src.ended) src.timed_out = src.ended = false, merger_.resume(i);  // it speaks again
    switch (m->kind) {
    case MessageKind::Summary: merger_.add(i, m->summary, m->roles); break;
    case MessageKind::Clock: merger_.advance(i, m->clock_ns); break;
    case MessageKind::End: src.ended = true, merger_.finish(i); break;
    }
}

void HistoryConsumer::expire_silent_sources() {
    const auto now = std::chrono::steady_clock::now();
    const auto limit = std::chrono::seconds(share_.producer_timeout_s);
    for (size_t i = 0; i < sources_.size(); ++i) {
        Source &src = sources_[i];
        if (src.ended || src.timed_out || now - src.last_seen < limit) continue;
        src.timed_out = true;
        ++stats_.producer_timeouts;
        merger_.finish(i);
    }
}

bool HistoryConsumer::poll(const detect::LineOut &out, std::string &error, std::chrono::milliseconds block) {
    std::vector<std::string> argv = {"XREADGROUP", "GROUP", share_.group, options_.consumer, "COUNT",
                                     std::to_string(kReadCount), "BLOCK", std::to_string(block.count()), "NOACK",
                                     "STREAMS"};
    argv.insert(argv.end(), streams_.begin(), streams_.end());
    argv.insert(argv.end(), streams_.size(), ">");
    std::vector<const char *> ptrs;
    std::vector<size_t> lens;
    for (const auto &a : argv) ptrs.push_back(a.data()), lens.push_back(a.size());
    auto *r = static_cast<redisReply *>(redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
    if (r == nullptr) return drop(error, lost()), false;
    if (r->type == REDIS_REPLY_ERROR) {  // e.g. the group was destroyed: connect() makes it again
        const std::string why = "XREADGROUP refused: " + std::string(str(*r));
        freeReplyObject(r);
        return drop(error, why), false;
    }
    // [[stream, [[id, [field, value, ...]], ...]], ...]; nil when the wait ran out.
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
        const redisReply &per_stream = *r->element[i];
        if (per_stream.type != REDIS_REPLY_ARRAY || per_stream.elements != 2) continue;
        const auto at = std::find(streams_.begin(), streams_.end(), str(*per_stream.element[0]));
        const size_t stream = static_cast<size_t>(at - streams_.begin());
        const redisReply &entries = *per_stream.element[1];
        for (size_t e = 0; entries.type == REDIS_REPLY_ARRAY && e < entries.elements; ++e) {
            const redisReply &entry = *entries.element[e];
            if (entry.type != REDIS_REPLY_ARRAY || entry.elements != 2 || entry.element[1]->type != REDIS_REPLY_ARRAY)
                continue;
            if (stream < streams_.size()) on_entry(stream, *entry.element[1]);
        }
    }
    freeReplyObject(r);
    expire_silent_sources();
    release(out, false);
    return true;
}

bool HistoryConsumer::done() const {
    if (options_.producers == 0 || producers_.size() < options_.producers) return false;
    if (sources_.size() < producers_.size() * streams_.size()) return false;  // an End still on its way
    return std::all_of(sources_.begin(), sources_.end(), [](const Source &s) { return s.ended; });
}

void HistoryConsumer::run(const detect::SessionSummary &s, uint8_t roles, const detect::LineOut &out) {
    if (s.decided_ns < last_released_) ++stats_.late;
    last_released_ = std::max(last_released_, s.decided_ns);
    ++stats_.summaries;
    history_.on_summary(s, [&](std::string_view alert) { ++stats_.alerts, out(alert); }, roles);
}

// Batch runs wait for every producer asked for: one not yet heard from could hold the earliest.
void HistoryConsumer::release(const detect::LineOut &out, bool all) {
    const auto run_one = [&](const detect::SessionSummary &s, uint8_t roles) { run(s, roles, out); };
    if (all) merger_.release_all(run_one);
    else if (options_.producers == 0 || producers_.size() >= options_.producers) merger_.release(run_one);
}

void HistoryConsumer::finish(const detect::LineOut &out) { release(out, true); }

ConsumerStats HistoryConsumer::stats() const {
    ConsumerStats s = stats_;
    s.producers = producers_.size();
    s.overflows = merger_.overflows();
    return s;
}

}  // namespace postern::share
