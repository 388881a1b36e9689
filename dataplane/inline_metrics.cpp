// Verdicts, flow bypass and inline transmission in /metrics and in the stats record: what became
// of the packets (accepted, blocked, rejected, bypassed, sent uninspected) and how long a packet
// spent between RX and TX.
#include "control_plane.hpp"
#include "engine/flow.hpp"
#include "output/prometheus.hpp"

namespace postern::dataplane {

void write_tsc_histogram(output::PromWriter &w, std::string_view name, std::string_view help,
                         const util::Log2Histogram::Snapshot &h);  // control_metrics.cpp

namespace {
constexpr engine::BypassReason kBypassReasons[] = {engine::BypassReason::Tls, engine::BypassReason::FailedDetection,
                                                   engine::BypassReason::Depth, engine::BypassReason::RulePass};
}  // namespace

InlineTotals ControlPlane::inline_totals() const {
    InlineTotals t;
    for (const auto &k : workers_) {
        const auto &c = k->counters();
        t.accepted += c.verdict_accepted, t.blocked += c.verdict_blocked, t.rejected += c.verdict_rejected;
        t.flows_blocked += c.flows_blocked, t.flows_blocked_exception += c.flows_blocked_exception;
        t.bypassed_packets += c.bypassed_packets, t.reject_rsts += c.reject_rsts;
        for (size_t r = 0; r < t.bypassed_flows.size(); ++r) t.bypassed_flows[r] += c.bypassed_flows[r];
        for (size_t p = 0; p < t.tx_drops.size(); ++p) t.tx_drops[p] += c.tx_drops[p];
    }
    for (const auto &r : rx_) {
        const auto &c = r->counters();
        t.uninspected_forwarded += c.uninspected_forwarded, t.uninspected_dropped += c.uninspected_dropped;
        t.fragments_forwarded += c.fragments_forwarded;
        t.overload_forwarded += c.overload_forwarded, t.overload_dropped += c.overload_dropped;
        for (size_t p = 0; p < t.tx_drops.size(); ++p) t.tx_drops[p] += c.tx_drops[p];
    }
    return t;
}

void ControlPlane::append_inline_metrics(output::PromWriter &w) const {
    using output::PromType;
    const InlineTotals t = inline_totals();
    w.family("postern_verdicts_total", PromType::Counter,
             "Inline verdicts on inspected packets: accepted (sent on), blocked (dropped), rejected (dropped, RSTs sent).");
    w.sample({{"verdict", "accepted"}}, static_cast<double>(t.accepted));
    w.sample({{"verdict", "blocked"}}, static_cast<double>(t.blocked));
    w.sample({{"verdict", "rejected"}}, static_cast<double>(t.rejected));
    w.family("postern_flows_blocked_total", PromType::Counter,
             "Flows blocked inline, by cause: a rule or detector action, or inline.on_exception.");
    w.sample({{"cause", "alert"}}, static_cast<double>(t.flows_blocked - t.flows_blocked_exception));
    w.sample({{"cause", "exception"}}, static_cast<double>(t.flows_blocked_exception));
    w.family("postern_reject_resets_total", PromType::Counter, "TCP RSTs sent for reject verdicts.");
    w.sample(static_cast<double>(t.reject_rsts));
    w.family("postern_flows_bypassed_total", PromType::Counter,
             "Flows no longer inspected because they can yield nothing more, by reason.");
    for (engine::BypassReason r : kBypassReasons)
        w.sample({{"reason", engine::bypass_reason_name(r)}},
                 static_cast<double>(t.bypassed_flows[static_cast<size_t>(r)]));
    w.family("postern_bypassed_packets_total", PromType::Counter,
             "Packets of bypassed flows: counted, not reassembled or parsed (inline: sent on).");
    w.sample(static_cast<double>(t.bypassed_packets));
    w.family("postern_uninspected_packets_total", PromType::Counter,
             "Inline: packets RX sent on (or dropped) without inspection, by why.");
    w.sample({{"reason", "not_tcp_udp"}, {"action", "forwarded"}}, static_cast<double>(t.uninspected_forwarded));
    w.sample({{"reason", "not_tcp_udp"}, {"action", "dropped"}}, static_cast<double>(t.uninspected_dropped));
    w.sample({{"reason", "fragment"}, {"action", "forwarded"}}, static_cast<double>(t.fragments_forwarded));
    w.sample({{"reason", "overload"}, {"action", "forwarded"}}, static_cast<double>(t.overload_forwarded));
    w.sample({{"reason", "overload"}, {"action", "dropped"}}, static_cast<double>(t.overload_dropped));
    w.family("postern_port_tx_drops_total", PromType::Counter,
             "Inline: frames a port would not take after inline.tx_retries, freed and counted.");
    for (const auto &p : ports_)
        w.sample({{"port", p.name}}, static_cast<double>(p.id < t.tx_drops.size() ? t.tx_drops[p.id] : 0));
    util::Log2Histogram::Snapshot h;
    for (const auto &k : workers_) h.add(k->counters().inline_latency_cycles.snapshot());
    write_tsc_histogram(w, "postern_inline_latency_seconds",
                        "Inline: time a packet spent between its RX burst and its transmission (TSC).", h);
}

nlohmann::ordered_json ControlPlane::inline_json() const {
    const InlineTotals t = inline_totals();
    nlohmann::ordered_json bypassed = nlohmann::ordered_json::object();
    for (engine::BypassReason r : kBypassReasons)
        bypassed[std::string(engine::bypass_reason_name(r))] = t.bypassed_flows[static_cast<size_t>(r)];
    uint64_t tx_drops = 0;
    for (uint64_t d : t.tx_drops) tx_drops += d;
    util::Log2Histogram::Snapshot h;
    for (const auto &k : workers_) h.add(k->counters().inline_latency_cycles.snapshot());
    const double hz = static_cast<double>(rte_get_tsc_hz());
    auto quantile = [&](double q) {  // the upper bound of the bucket the quantile falls in, µs
        uint64_t seen = 0;
        for (size_t i = 0; i < util::Log2Histogram::kBuckets; ++i) {
            seen += h.counts[i];
            if (h.count && static_cast<double>(seen) >= q * static_cast<double>(h.count))
                return static_cast<double>(util::Log2Histogram::upper_bound(i)) / hz * 1e6;
        }
        return 0.0;
    };
    return {
        // Suricata's stats.ips names, then ours.
        {"accepted", t.accepted},
        {"blocked", t.blocked},
        {"rejected", t.rejected},
        {"flows_blocked", t.flows_blocked},
        {"flows_blocked_exception", t.flows_blocked_exception},
        {"bypassed_flows", bypassed},
        {"bypassed_packets", t.bypassed_packets},
        {"uninspected_forwarded", t.uninspected_forwarded},
        {"uninspected_dropped", t.uninspected_dropped},
        {"fragments_forwarded", t.fragments_forwarded},
        {"bypassed_overload", t.overload_forwarded},
        {"dropped_overload", t.overload_dropped},
        {"tx_drops", tx_drops},
        {"latency_us", {{"count", h.count},
                        {"mean", h.count ? static_cast<double>(h.sum) / hz * 1e6 / static_cast<double>(h.count) : 0.0},
                        {"p50_bucket", quantile(0.5)},
                        {"p99_bucket", quantile(0.99)}}},
    };
}

}  // namespace postern::dataplane
