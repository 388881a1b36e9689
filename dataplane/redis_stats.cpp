// EVE to Redis in /metrics and in the stats record: what Redis took, what was dropped or lost,
// and whether the connection is up.
#include "control_plane.hpp"
#include "output/prometheus.hpp"

namespace postern::dataplane {

using output::PromType;

void ControlPlane::append_redis_metrics(output::PromWriter &w) const {
    if (!redis_) return;
    const output::RedisCounters &c = redis_->counters();
    w.family("postern_redis_events_total", PromType::Counter,
             "EVE records for Redis (output.redis), by result: sent, dropped (buffer full), lost (connection broke or "
             "run ended), error (Redis refused the command).");
    w.sample({{"result", "sent"}}, static_cast<double>(c.sent.load()));
    w.sample({{"result", "dropped"}}, static_cast<double>(c.dropped.load()));
    w.sample({{"result", "lost"}}, static_cast<double>(c.lost.load()));
    w.sample({{"result", "error"}}, static_cast<double>(c.errors.load()));
    w.family("postern_redis_connected", PromType::Gauge, "1 while connected to Redis.");
    w.sample(c.connected.load() ? 1 : 0);
    w.family("postern_redis_connects_total", PromType::Counter, "Connections made to Redis, the first included.");
    w.sample(static_cast<double>(c.connects.load()));
    w.family("postern_redis_connect_failures_total", PromType::Counter,
             "Connection attempts that failed (refused, unreachable, AUTH refused).");
    w.sample(static_cast<double>(c.connect_failures.load()));
}

nlohmann::ordered_json ControlPlane::redis_json() const {
    const output::RedisCounters &c = redis_->counters();
    return {{"target", redis_->target()},      {"connected", c.connected.load()}, {"sent", c.sent.load()},
            {"dropped", c.dropped.load()},     {"lost", c.lost.load()},           {"errors", c.errors.load()},
            {"connects", c.connects.load()},   {"connect_failures", c.connect_failures.load()}};
}

}  // namespace postern::dataplane
