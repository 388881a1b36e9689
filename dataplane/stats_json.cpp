// The EVE `stats` object (also GET /api/v1/stats): every lcore's counters, summed where Suricata
// has a field and per worker and port beside them. /metrics (metrics_export.cpp) reads the same
// counters.
#include <rte_ethdev.h>

#include "control_plane.hpp"

namespace postern::dataplane {

using json = nlohmann::ordered_json;

uint64_t ControlPlane::ring_drops_to(unsigned worker) const {
    uint64_t n = 0;
    for (const auto &r : rx_) n += r->counters().ring_drops_by_worker[worker];
    return n;
}

RxTotals ControlPlane::rx_totals() const {
    RxTotals t;
    for (const auto &r : rx_) {
        const auto &c = r->counters();
        t.packets += c.packets, t.bytes += c.bytes, t.ring_drops += c.ring_drops, t.multi_segment += c.multi_segment;
        t.ring_full_waits += c.ring_full_waits;
        t.reassembled += c.reassembled, t.defrag_mbuf_exhausted += c.defrag_mbuf_exhausted;
        t.clock_advances += c.clock_advances;
        for (size_t i = 0; i < t.decode.size(); ++i) t.decode[i] += c.decode[i];
    }
    return t;
}

json ControlPlane::stats_json() const {
    const RxTotals rxt = rx_totals();
    const uint64_t rx_pkts = rxt.packets, rx_bytes = rxt.bytes, ring_drops = rxt.ring_drops, multi_seg = rxt.multi_segment;
    const auto &decode = rxt.decode;
    json rx_lcores = json::array();
    for (const auto &r : rx_) {
        const auto &c = r->counters();
        rx_lcores.push_back({{"packets", c.packets.get()},
                             {"busy_cycles", c.busy_cycles.get()},
                             {"idle_cycles", c.idle_cycles.get()},
                             {"pmd_cycles", c.pmd_cycles.get()},
                             {"enqueue_cycles", c.enqueue_cycles.get()}});
    }
    uint64_t invalid = 0;
    json dec_reasons = json::object();
    for (size_t i = 1; i < decode.size(); ++i) {
        const auto r = static_cast<net::DecodeResult>(i);
        dec_reasons[std::string(net::decode_result_name(r))] = decode[i];
        if (r != net::DecodeResult::NonIpEthertype && r != net::DecodeResult::OtherL4 &&
            r != net::DecodeResult::Ipv4Fragment && r != net::DecodeResult::Ipv6Fragment)
            invalid += decode[i];
    }
    json workers = json::array();
    uint64_t alerts = 0, suppressed = 0;
    for (const auto &w : workers_) {
        for (const auto &n : w->alert_counters().by_severity) alerts += n;
        suppressed += w->counters().rule_threshold_suppressed;
    }
    for (const uint64_t n : history_.stats().alerts) alerts += n;  // the cross-session detectors'
    uint64_t flows_total = 0, flows_active = 0, tcp = 0, udp = 0, gaps = 0, event_drops = 0;
    for (const auto &w : workers_) {
        const auto &c = w->counters();
        const auto &s = w->stream_stats();
        flows_total += c.flows_created, flows_active += c.flows_active, tcp += c.tcp_packets, udp += c.udp_packets;
        gaps += s.gaps, event_drops += c.event_drops;
        workers.push_back({{"worker", w->id()},
                           {"packets", c.packets.get()},
                           {"bytes", c.bytes.get()},
                           {"flows_created", c.flows_created.get()},
                           {"flows_active", c.flows_active.get()},
                           {"flows_evicted", c.flows_evicted.get()},
                           {"flows_timed_out", c.flows_timed_out[0] + c.flows_timed_out[1] +
                                                   c.flows_timed_out[2] + c.flows_timed_out[3]},
                           {"app_bytes_toserver", c.app_bytes_toserver.get()},
                           {"app_bytes_toclient", c.app_bytes_toclient.get()},
                           {"segments_held", s.segments_held.get()},
                           {"segments_retransmitted", s.segments_retransmitted.get()},
                           {"overlap_bytes", s.overlap_bytes.get()},
                           {"gaps", s.gaps.get()},
                           {"gap_bytes", s.gap_bytes.get()},
                           {"held_limit_flow", s.held_limit_flow.get()},
                           {"held_limit_worker", s.held_limit_worker.get()},
                           {"rst_out_of_window", s.rst_out_of_window.get()},
                           {"fin_out_of_window", s.fin_out_of_window.get()},
                           {"decoy_syns", s.decoy_syns.get()},
                           {"overlap_different", s.overlap_different.get()},
                           {"checksum_bad_ipv4", c.checksum_bad_ipv4.get()},
                           {"checksum_bad_l4", c.checksum_bad_l4.get()},
                           {"checksum_offloaded", c.checksum_offloaded.get()},
                           {"app_slots_in_use", w->app_counters().slots_in_use.get()},
                           {"app_slots_reclaimed", w->app_counters().slots_reclaimed.get()},
                           {"events", c.events.get()},
                           {"event_drops", c.event_drops.get()},
                           {"event_queue_overflows", channels_[w->id()]->overflows()},
                           {"ring_drops", ring_drops_to(w->id())},
                           {"busy_polls", c.busy_polls.get()},
                           {"idle_polls", c.idle_polls.get()},
                           {"busy_cycles", c.busy_cycles.get()},
                           {"idle_cycles", c.idle_cycles.get()},
                           {"rule_set_version", c.rule_set_version.get()},
                           {"rule_scans", c.rule_scans.get()},
                           {"rule_matches", c.rule_matches.get()},
                           {"rule_state_overflows", c.rule_state_overflows.get()},
                           {"stage_cycles", {{"dequeue", c.dequeue_cycles.get()},
                                             {"lookup", c.lookup_cycles.get()},
                                             {"tcp", c.tcp_cycles.get()},
                                             {"app", c.app_cycles.get()},
                                             {"expiry", c.expiry_cycles.get()}}}});
    }
    // Application layer, summed over workers.
    static constexpr proto::Protocol kProtos[] = {proto::Protocol::Smtp, proto::Protocol::Pop3,
                                                  proto::Protocol::Imap, proto::Protocol::Tls};
    json app_flows = json::object(), app_tx = json::object(), anomalies = json::object();
    uint64_t detection_failed = 0, exhausted = 0;
    for (proto::Protocol p : kProtos) {
        uint64_t f = 0, t = 0;
        for (const auto &w : workers_) {
            f += w->app_counters().sessions[static_cast<size_t>(p)];
            t += w->app_counters().transactions[static_cast<size_t>(p)];
        }
        app_flows[std::string(proto::protocol_name(p))] = f;
        app_tx[std::string(proto::protocol_name(p))] = t;
    }
    for (const auto &w : workers_) {
        const auto &a = w->app_counters();
        detection_failed += a.detection_failed, exhausted += a.sessions_exhausted;
        for (size_t i = 0, n = a.anomalies.used.load(std::memory_order_acquire); i < n; ++i) {
            const std::string name(a.anomalies.names[i]);
            anomalies[name] = (anomalies.contains(name) ? anomalies[name].get<uint64_t>() : 0) + a.anomalies.counts[i].get();
        }
    }
    app_flows["failed"] = detection_failed;
    json commands = json::object();
    for (proto::Protocol p : {proto::Protocol::Smtp, proto::Protocol::Pop3, proto::Protocol::Imap}) {
        json verbs = json::object();
        for (size_t i = 0; i < inspect::CommandCounters::verb_count(p); ++i) {
            uint64_t n = 0;
            for (const auto &w : workers_) n += w->app_counters().commands_by_verb.get(p, i);
            verbs[std::string(inspect::CommandCounters::verb_label(p, i))] = n;
        }
        commands[std::string(proto::protocol_name(p))] = verbs;
    }
    json defrag = {{"reassembled", rxt.reassembled}, {"mbuf_exhausted", rxt.defrag_mbuf_exhausted}};
    {
        uint64_t fragments = 0, duplicates = 0, overlaps = 0, timeouts = 0, table_full = 0, too_many = 0, bad = 0;
        for (const auto &r : rx_) {
            const auto &d = r->defrag_stats();
            fragments += d.fragments, duplicates += d.duplicates, overlaps += d.overlaps, timeouts += d.timeouts;
            table_full += d.table_full, too_many += d.too_many, bad += d.invalid;
        }
        defrag["fragments"] = fragments, defrag["duplicates"] = duplicates, defrag["overlaps"] = overlaps;
        defrag["timeouts"] = timeouts, defrag["table_full"] = table_full, defrag["too_many"] = too_many;
        defrag["invalid"] = bad;
    }
    json ports = json::array();
    uint64_t imissed = 0;
    for (const auto &p : ports_) {
        rte_eth_stats st{};
        rte_eth_stats_get(p.id, &st);
        imissed += st.imissed;
        ports.push_back({{"port", p.name},
                         {"driver", p.driver},
                         {"rx_packets", st.ipackets},
                         {"rx_bytes", st.ibytes},
                         {"rx_missed", st.imissed},
                         {"rx_errors", st.ierrors},
                         {"rx_nombuf", st.rx_nombuf}});
    }
    json stats = {
        {"uptime", static_cast<uint64_t>(uptime_seconds())},
        {"capture", {{"kernel_packets", rx_pkts}, {"kernel_drops", imissed + ring_drops}}},
        {"decoder", {{"pkts", rx_pkts}, {"bytes", rx_bytes}, {"tcp", tcp}, {"udp", udp}, {"invalid", invalid}}},
        {"flow", {{"total", flows_total}, {"active", flows_active}}},
        {"tcp", {{"reassembly_gap", gaps}}},
        {"app_layer", {{"flow", app_flows}, {"tx", app_tx}}},
        {"ips", inline_json()},
        {"detect", {{"alert", alerts},
                    {"alerts_suppressed", suppressed},
                    {"engines", json::array({{{"id", 0}, {"rules_loaded", rules_.rules_loaded()}}})}}},
        {"postern", {{"decode", dec_reasons},
                     {"multi_segment", multi_seg},
                     {"ring_drops", ring_drops},
                     {"event_drops", event_drops},
                     {"anomalies", anomalies},
                     {"commands", commands},
                     {"app_sessions_exhausted", exhausted},
                     {"defrag", defrag},
                     {"history", history_json()},
                     {"rx", rx_lcores},
                     {"rules", {{"version", rules_.version()},
                                {"reloads_ok", rules_.stats().ok},
                                {"reloads_failed", rules_.stats().failed},
                                {"sets_waiting_to_free", rules_.sets_waiting()}}},
                     {"workers", workers},
                     {"ports", ports}}},
    };
    if (file_writer_) stats["postern"]["filestore"] = file_store_json();
    if (redis_) stats["postern"]["redis"] = redis_json();
    if (publisher_) stats["postern"]["history_share"] = history_share_json();
    return stats;
}

}  // namespace postern::dataplane
