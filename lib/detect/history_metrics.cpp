#include "detect/history_metrics.hpp"

#include <string>

#include "detect/detector_alert.hpp"

namespace postern::detect {

using output::PromType;

void append_history_metrics(output::PromWriter &w, const HistoryStats &h, size_t held, uint64_t overflows) {
    w.family("postern_history_summaries_total", PromType::Counter,
             "Session summaries the history detectors (beaconing, dead drops, AUTH abuse, SMTP size) took.");
    w.sample(static_cast<double>(h.summaries));
    w.family("postern_history_alerts_total", PromType::Counter, "Alerts of the history detectors, by detector.");
    for (size_t i = 0; i < h.alerts.size(); ++i)
        if (h.alerts[i])
            w.sample({{"detector", std::string(detector_info(static_cast<DetectorId>(i)).name)}},
                     static_cast<double>(h.alerts[i]));
    w.family("postern_history_evictions_total", PromType::Counter,
             "Clients or users pushed out of a full history table (detect.history.max_keys).");
    w.sample(static_cast<double>(h.evictions));
    w.family("postern_history_held_summaries", PromType::Gauge,
             "Summaries held until every source's clock has passed them (time order across workers or appliances).");
    w.sample(static_cast<double>(held));
    w.family("postern_history_reorder_overflows_total", PromType::Counter,
             "Summaries handed on before the slowest source caught up, because too many were held.");
    w.sample(static_cast<double>(overflows));
}

}  // namespace postern::detect
