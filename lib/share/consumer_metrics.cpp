#include "share/consumer_metrics.hpp"

#include "detect/history_metrics.hpp"
#include "output/prometheus.hpp"

namespace postern::share {

using output::PromType;

std::string consumer_metrics(const HistoryConsumer &c) {
    std::string out;
    output::PromWriter w(out);
    const ConsumerStats s = c.stats();
    detect::append_history_metrics(w, c.history_stats(), c.held(), s.overflows);
    w.family("postern_history_share_entries_total", PromType::Counter,
             "Stream entries read, by result: ok, malformed (no message of ours; skipped).");
    w.sample({{"result", "ok"}}, static_cast<double>(s.messages - s.malformed));
    w.sample({{"result", "malformed"}}, static_cast<double>(s.malformed));
    w.family("postern_history_share_late_total", PromType::Counter,
             "Summaries decided before one already handed on (a producer that came late or timed out).");
    w.sample(static_cast<double>(s.late));
    w.family("postern_history_share_producers", PromType::Gauge, "Producers (appliances) seen in the owned streams.");
    w.sample(static_cast<double>(s.producers));
    w.family("postern_history_share_producer_timeouts_total", PromType::Counter,
             "Producers that went silent for producer_timeout_s before their end and stopped holding the others back.");
    w.sample(static_cast<double>(s.producer_timeouts));
    w.family("postern_history_share_connected", PromType::Gauge, "1 while connected to Redis.");
    w.sample(c.connected() ? 1 : 0);
    return out;
}

}  // namespace postern::share
