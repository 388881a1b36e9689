// Redis in /metrics and in the stats record, for EVE to Redis (output.redis) and the shared
// history (detect.history.share): what Redis took, what was dropped or lost, whether the
// connection is up.
#include "control_plane.hpp"
#include "output/prometheus.hpp"

namespace postern::dataplane {

using output::PromType;

namespace {

void append_link(output::PromWriter &w, const std::string &prefix, const char *what, const output::RedisCounters &c) {
    w.family(prefix + "_total", PromType::Counter,
             std::string(what) + ", by result: sent, dropped (buffer full), lost (connection broke or run ended), "
             "error (Redis refused the command).");
    w.sample({{"result", "sent"}}, static_cast<double>(c.sent.load()));
    w.sample({{"result", "dropped"}}, static_cast<double>(c.dropped.load()));
    w.sample({{"result", "lost"}}, static_cast<double>(c.lost.load()));
    w.sample({{"result", "error"}}, static_cast<double>(c.errors.load()));
    const std::string base = prefix.substr(0, prefix.rfind('_'));
    w.family(base + "_connected", PromType::Gauge, "1 while connected to Redis.");
    w.sample(c.connected.load() ? 1 : 0);
    w.family(base + "_connects_total", PromType::Counter, "Connections made to Redis, the first included.");
    w.sample(static_cast<double>(c.connects.load()));
    w.family(base + "_connect_failures_total", PromType::Counter,
             "Connection attempts that failed (refused, unreachable, AUTH refused).");
    w.sample(static_cast<double>(c.connect_failures.load()));
}

nlohmann::ordered_json link_json(const std::string &target, const output::RedisCounters &c) {
    return {{"target", target},              {"connected", c.connected.load()}, {"sent", c.sent.load()},
            {"dropped", c.dropped.load()},   {"lost", c.lost.load()},           {"errors", c.errors.load()},
            {"connects", c.connects.load()}, {"connect_failures", c.connect_failures.load()}};
}

}  // namespace

void ControlPlane::append_redis_metrics(output::PromWriter &w) const {
    if (redis_) append_link(w, "postern_redis_events", "EVE records for Redis (output.redis)", redis_->counters());
    if (!publisher_) return;
    w.family("postern_history_share_summaries_total", PromType::Counter,
             "Session summaries published for the shared history (detect.history.share).");
    w.sample(static_cast<double>(publisher_->summaries()));
    append_link(w, "postern_history_share_messages", "Stream entries for the shared history (summaries, clocks, ends)",
                publisher_->counters());
}

nlohmann::ordered_json ControlPlane::redis_json() const { return link_json(redis_->target(), redis_->counters()); }

nlohmann::ordered_json ControlPlane::history_share_json() const {
    auto j = link_json(publisher_->target(), publisher_->counters());
    j["summaries"] = publisher_->summaries();
    j["producer"] = publisher_->config().producer;
    return j;
}

}  // namespace postern::dataplane
