// Metrics of the control plane itself: the rule set and its reloads, the HTTP API.
#include <map>

#include <rte_cycles.h>

#include "control_plane_loop.hpp"
#include "detect/history_metrics.hpp"
#include "rules/rule_names.hpp"
#include "output/prometheus.hpp"

namespace postern::dataplane {

// Power-of-two TSC buckets exported in seconds: 64 cycles (tens of ns) .. 2^30 (about 0.3 s).
void write_tsc_histogram(output::PromWriter &w, std::string_view name, std::string_view help,
                         const util::Log2Histogram::Snapshot &h) {
    const double hz = static_cast<double>(rte_get_tsc_hz());
    constexpr size_t kFirst = 6, kLast = 30;
    std::vector<double> bounds;
    std::vector<uint64_t> counts;
    uint64_t below = 0;
    for (size_t i = 0; i < util::Log2Histogram::kBuckets; ++i) {
        if (i <= kFirst) below += h.counts[i];
        if (i == kFirst) counts.push_back(below);
        else if (i > kFirst && i <= kLast) counts.push_back(h.counts[i]);
        if (i >= kFirst && i <= kLast) bounds.push_back(static_cast<double>(util::Log2Histogram::upper_bound(i)) / hz);
    }
    uint64_t above = 0;
    for (size_t i = kLast + 1; i < util::Log2Histogram::kBuckets; ++i) above += h.counts[i];
    counts.push_back(above);
    w.family(name, output::PromType::Histogram, help);
    w.histogram({}, bounds, counts, static_cast<double>(h.sum) / hz);
}

using output::PromType;

void ControlPlane::append_control_metrics(output::PromWriter &w) const {
    w.family("postern_api_connections", PromType::Gauge, "Open HTTP API connections.");
    w.sample(static_cast<double>(loop_->server.connections()));
    w.family("postern_api_rejected_connections_total", PromType::Counter,
             "HTTP connections refused over api.max_connections.");
    w.sample(static_cast<double>(loop_->server.rejected()));
    w.family("postern_alerts_buffered", PromType::Gauge, "Alerts kept for GET /api/v1/alerts.");
    w.sample(static_cast<double>(alerts_.size()));
    append_rule_metrics(w);
    append_history_metrics(w);
}

// The cross-session detectors on this thread, and the merge that feeds them in time order.
void ControlPlane::append_history_metrics(output::PromWriter &w) const {
    detect::append_history_metrics(w, history_.stats(), summaries_.pending(), summaries_.overflows());
}

nlohmann::ordered_json ControlPlane::history_json() const {
    const detect::HistoryStats h = history_.stats();
    return {{"summaries", h.summaries}, {"malformed", h.malformed}, {"evictions", h.evictions},
            {"held", summaries_.pending()}, {"reorder_overflows", summaries_.overflows()}};
}

// The rule set, its reloads, alerts by rule, and what the matchers did (per worker).
void ControlPlane::append_rule_metrics(output::PromWriter &w) const {
    const auto &set = rules_.current();
    const std::string version = std::to_string(rules_.version());
    w.family("postern_rules_info", PromType::Gauge, "The running rule set; the value is always 1.");
    w.sample({{"version", version}, {"content_hash", set ? set->content_hash_hex() : ""}}, 1);
    w.family("postern_rules_loaded", PromType::Gauge, "Rules in the running set.");
    w.sample(static_cast<double>(rules_.rules_loaded()));
    const ReloadStats rs = rules_.stats();
    w.family("postern_rule_reloads_total", PromType::Counter, "Rule reloads (SIGUSR2 or the API), by result.");
    w.sample({{"result", "ok"}}, static_cast<double>(rs.ok));
    w.sample({{"result", "failed"}}, static_cast<double>(rs.failed));
    w.family("postern_rule_last_reload_timestamp_seconds", PromType::Gauge,
             "Unix time of the last successful reload; 0 before any.");
    w.sample(rs.last_reload_unix_seconds);
    w.family("postern_rule_reload_in_progress", PromType::Gauge, "1 while a reload compiles.");
    w.sample(rules_.busy() ? 1 : 0);
    w.family("postern_rule_sets_waiting", PromType::Gauge, "Replaced rule sets not yet freed (workers still on them).");
    w.sample(static_cast<double>(rules_.sets_waiting()));

    // Alerts by signature id: every rule of the running set (at zero until it fires), and ids of
    // earlier sets that fired. A rule's severity follows from its level.
    std::map<uint32_t, std::pair<int, uint64_t>> by_rule;  // id -> (severity, alerts); 0: unknown
    if (set)
        for (const auto &r : set->rules()) by_rule[r.id] = {rules::eve_severity(r.level), 0};
    uint64_t other = 0;
    for (const auto &k : workers_) {
        const auto &a = k->alert_counters();
        for (size_t i = 0, n = a.used.load(std::memory_order_acquire); i < n; ++i) by_rule[a.ids[i]].second += a.by_rule[i];
        other += a.other_rules;
    }
    const detect::HistoryStats hs = history_.stats();  // the cross-session detectors' alerts
    for (size_t i = 0; i < hs.alerts.size(); ++i) {
        if (!hs.alerts[i]) continue;
        const auto &info = detect::detector_info(static_cast<detect::DetectorId>(i));
        auto &entry = by_rule[info.signature_id];
        entry.first = info.severity, entry.second += hs.alerts[i];
    }
    w.family("postern_alerts_total", PromType::Counter, "Alerts, by rule (signature id) and severity (1 high .. 3 low).");
    for (const auto &[id, v] : by_rule)
        w.sample({{"rule", std::to_string(id)}, {"severity", v.first ? std::to_string(v.first) : "unknown"}},
                 static_cast<double>(v.second));
    w.family("postern_alerts_other_rules_total", PromType::Counter,
             "Alerts of rules beyond the per-worker table of signature ids (counted, not labelled).");
    w.sample(static_cast<double>(other));

    // Hyperscan scan time: power-of-two TSC buckets, summed over workers, exported in seconds.
    util::Log2Histogram::Snapshot h;
    for (const auto &k : workers_) h.add(k->rule_scan_cycles().snapshot());
    write_tsc_histogram(w, "postern_rule_scan_duration_seconds", "Time of one Hyperscan scan (TSC).", h);
}

}  // namespace postern::dataplane
