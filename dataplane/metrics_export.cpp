// GET /metrics: every counter of the run in Prometheus text format (docs/metrics.md). Reads the
// same per-lcore counters as the EVE stats record (stats_json.cpp), summed or labelled by
// worker, port, queue and protocol. Labelled series exist from the first scrape, at zero.
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "control_plane.hpp"
#include "inspect/anomaly_names.hpp"
#include "inspect/command_counters.hpp"
#include "output/prometheus.hpp"

namespace postern::dataplane {

namespace {

using output::PromType;
using output::PromWriter;

constexpr proto::Protocol kAppProtocols[] = {proto::Protocol::Smtp, proto::Protocol::Pop3, proto::Protocol::Imap,
                                             proto::Protocol::Tls};
constexpr proto::Protocol kCommandProtocols[] = {proto::Protocol::Smtp, proto::Protocol::Pop3, proto::Protocol::Imap};
constexpr std::string_view kTimeoutReasons[] = {"closed", "new", "udp", "established"};  // flow::TimeoutClass

struct WorkerMetric {
    std::string_view name;
    PromType type;
    std::string_view help;
    util::Counter WorkerCounters::*field;
};
constexpr PromType kCounter = PromType::Counter;
const WorkerMetric kWorkerMetrics[] = {
    {"postern_worker_packets_total", kCounter, "Packets inspected by the worker.", &WorkerCounters::packets},
    {"postern_worker_bytes_total", kCounter, "Bytes inspected by the worker.", &WorkerCounters::bytes},
    {"postern_worker_tcp_packets_total", kCounter, "TCP packets inspected by the worker.", &WorkerCounters::tcp_packets},
    {"postern_worker_udp_packets_total", kCounter, "UDP packets inspected by the worker.", &WorkerCounters::udp_packets},
    {"postern_worker_app_bytes_toserver_total", kCounter,
     "Reassembled payload bytes client to server handed to the app layer.", &WorkerCounters::app_bytes_toserver},
    {"postern_worker_app_bytes_toclient_total", kCounter,
     "Reassembled payload bytes server to client handed to the app layer.", &WorkerCounters::app_bytes_toclient},
    {"postern_worker_busy_polls_total", kCounter, "Worker loop passes that found packets.", &WorkerCounters::busy_polls},
    {"postern_worker_idle_polls_total", kCounter, "Worker loop passes that found none.", &WorkerCounters::idle_polls},
    {"postern_flows_active", PromType::Gauge, "Flows in the worker's table.", &WorkerCounters::flows_active},
    {"postern_flows_created_total", kCounter, "Flows created.", &WorkerCounters::flows_created},
    {"postern_flows_evicted_total", kCounter, "Flows ended early because the table was full (flow.max_flows_per_worker).",
     &WorkerCounters::flows_evicted},
    {"postern_flows_reused_total", kCounter, "Closed flows ended by a new SYN on their ports.",
     &WorkerCounters::flows_closed_reused},
    {"postern_events_total", kCounter, "EVE records the worker rendered.", &WorkerCounters::events},
    {"postern_event_drops_total", kCounter, "EVE records dropped because the worker's control queue was full.",
     &WorkerCounters::event_drops},
    {"postern_event_truncated_total", kCounter, "EVE records larger than 64 KiB, not written.",
     &WorkerCounters::event_truncated},
    {"postern_checksum_bad_ipv4_total", kCounter, "IPv4 headers whose checksum failed: not inspected.",
     &WorkerCounters::checksum_bad_ipv4},
    {"postern_checksum_bad_l4_total", kCounter, "TCP/UDP checksums that failed: the segment is not reassembled.",
     &WorkerCounters::checksum_bad_l4},
    {"postern_checksum_offloaded_total", kCounter,
     "Bad checksums let through (stream.checksum_validation auto): their sender never sent a right one (offload).",
     &WorkerCounters::checksum_offloaded},
    {"postern_worker_rule_set_version", PromType::Gauge, "The rule set version the worker matches with.",
     &WorkerCounters::rule_set_version},
    {"postern_rule_scans_total", kCounter, "Hyperscan scans.", &WorkerCounters::rule_scans},
    {"postern_rule_scan_errors_total", kCounter, "Hyperscan scans that failed.", &WorkerCounters::rule_scan_errors},
    {"postern_rule_matches_total", kCounter, "Rule matches (before thresholds).", &WorkerCounters::rule_matches},
    {"postern_rule_threshold_suppressed_total", kCounter, "Matches held back by a rule's threshold.",
     &WorkerCounters::rule_threshold_suppressed},
    {"postern_rule_state_overflows_total", kCounter,
     "Partial matches or evidence lost to the per-session match state's bounds.", &WorkerCounters::rule_state_overflows},
};

struct StreamMetric {
    std::string_view name;
    std::string_view help;
    util::Counter stream::StreamStats::*field;
};
const StreamMetric kStreamMetrics[] = {
    {"postern_tcp_segments_held_total", "Out-of-order segments held for reordering.", &stream::StreamStats::segments_held},
    {"postern_tcp_segments_retransmitted_total", "Segments with only old data.", &stream::StreamStats::segments_retransmitted},
    {"postern_tcp_overlap_bytes_total", "Overlapping bytes dropped (first copy wins).", &stream::StreamStats::overlap_bytes},
    {"postern_tcp_gaps_total", "Holes given up in TCP streams.", &stream::StreamStats::gaps},
    {"postern_tcp_gap_bytes_total", "Bytes missing in the holes given up.", &stream::StreamStats::gap_bytes},
    {"postern_tcp_out_of_window_total", "Segments further ahead than 16 MiB.", &stream::StreamStats::out_of_window},
    {"postern_tcp_rst_out_of_window_total", "RSTs outside the receiver's window, ignored.",
     &stream::StreamStats::rst_out_of_window},
    {"postern_tcp_fin_out_of_window_total", "FINs outside the receiver's window, ignored.",
     &stream::StreamStats::fin_out_of_window},
    {"postern_tcp_syn_retransmitted_total", "SYNs repeated with the same ISN.", &stream::StreamStats::syn_retransmitted},
    {"postern_tcp_decoy_syns_total", "SYNs with a new ISN that did not move a stream (decoys).",
     &stream::StreamStats::decoy_syns},
    {"postern_tcp_overlap_different_total", "Retransmissions that disagreed with held bytes (insertion attempts).",
     &stream::StreamStats::overlap_different},
};

// One series per worker from a reader of that worker.
template <class Fn>
void per_worker(PromWriter &w, const std::vector<std::unique_ptr<Worker>> &workers, std::string_view name,
                PromType type, std::string_view help, Fn &&value) {
    w.family(name, type, help);
    for (const auto &wk : workers) {
        const std::string id = std::to_string(wk->id());
        w.sample({{"worker", id}}, static_cast<double>(value(*wk)));
    }
}

}  // namespace

std::string ControlPlane::metrics_text() const {
    std::string out;
    out.reserve(64 * 1024);
    PromWriter w(out);
    const double hz = static_cast<double>(rte_get_tsc_hz());

    w.family("postern_build_info", PromType::Gauge, "Build information; the value is always 1.");
    w.sample({{"version", POSTERN_VERSION}}, 1);
    w.family("postern_start_time_seconds", PromType::Gauge, "Start of the run, unix time.");
    w.sample(start_unix_);
    w.family("postern_uptime_seconds", PromType::Gauge, "Seconds since the run started.");
    w.sample(uptime_seconds());

    // Ports: ethdev statistics, read here only (the control thread).
    std::vector<rte_eth_stats> eth(ports_.size());
    for (size_t i = 0; i < ports_.size(); ++i) rte_eth_stats_get(ports_[i].id, &eth[i]);
    auto per_port = [&](std::string_view name, std::string_view help, auto field) {
        w.family(name, PromType::Counter, help);
        for (size_t i = 0; i < ports_.size(); ++i) w.sample({{"port", ports_[i].name}}, static_cast<double>(field(eth[i])));
    };
    per_port("postern_port_rx_packets_total", "Packets received by the port (ethdev ipackets).",
             [](const rte_eth_stats &s) { return s.ipackets; });
    per_port("postern_port_rx_bytes_total", "Bytes received by the port (ethdev ibytes).",
             [](const rte_eth_stats &s) { return s.ibytes; });
    per_port("postern_port_rx_missed_total", "Packets the NIC dropped because no RX descriptor was free (imissed).",
             [](const rte_eth_stats &s) { return s.imissed; });
    per_port("postern_port_rx_errors_total", "Erroneous packets received (ierrors).",
             [](const rte_eth_stats &s) { return s.ierrors; });
    per_port("postern_port_rx_nombuf_total", "RX mbuf allocation failures (rx_nombuf).",
             [](const rte_eth_stats &s) { return s.rx_nombuf; });
    per_port("postern_port_tx_packets_total", "Packets sent by the port (opackets).",
             [](const rte_eth_stats &s) { return s.opackets; });
    per_port("postern_port_tx_bytes_total", "Bytes sent by the port (obytes).", [](const rte_eth_stats &s) { return s.obytes; });
    per_port("postern_port_tx_errors_total", "Failed transmissions (oerrors).", [](const rte_eth_stats &s) { return s.oerrors; });
    w.family("postern_port_queue_rx_packets_total", PromType::Counter, "Packets received per RX queue (q_ipackets).");
    for (size_t i = 0; i < ports_.size(); ++i)
        for (uint16_t q = 0; q < ports_[i].rx_queues && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; ++q)
            w.sample({{"port", ports_[i].name}, {"queue", std::to_string(q)}}, static_cast<double>(eth[i].q_ipackets[q]));
    w.family("postern_port_link_up", PromType::Gauge, "1 when the port's link is up.");
    for (const auto &p : ports_) {
        rte_eth_link link{};
        const bool up = rte_eth_link_get_nowait(p.id, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
        w.sample({{"port", p.name}}, up ? 1 : 0);
    }

    // RX lcores: decoding, summed.
    const RxTotals rxt = rx_totals();
    const uint64_t rx_pkts = rxt.packets, rx_bytes = rxt.bytes, multi = rxt.multi_segment, waits = rxt.ring_full_waits;
    const auto &decode = rxt.decode;
    w.family("postern_decoded_packets_total", PromType::Counter, "Packets the RX lcores decoded.");
    w.sample(static_cast<double>(rx_pkts));
    w.family("postern_decoded_bytes_total", PromType::Counter, "Bytes of the packets the RX lcores decoded.");
    w.sample(static_cast<double>(rx_bytes));
    w.family("postern_packets_not_inspected_total", PromType::Counter,
             "Packets freed at RX without inspection, by decoder reason.");
    for (size_t i = 1; i < decode.size(); ++i)
        w.sample({{"reason", net::decode_result_name(static_cast<net::DecodeResult>(i))}}, static_cast<double>(decode[i]));
    w.family("postern_rx_multi_segment_total", PromType::Counter, "Chained mbufs (headers decoded from the first segment).");
    w.sample(static_cast<double>(multi));
    w.family("postern_rx_ring_full_waits_total", PromType::Counter, "Times RX waited for a full worker ring (policy wait).");
    w.sample(static_cast<double>(waits));
    w.family("postern_rx_clock_advances_total", PromType::Counter, "Times RX moved the clock on an idle live link.");
    w.sample(static_cast<double>(rxt.clock_advances));
    // IP reassembly on the RX lcores, summed.
    struct DefragMetric {
        std::string_view name;
        std::string_view help;
        util::Counter net::DefragStats::*field;
    };
    static const DefragMetric kDefrag[] = {
        {"postern_defrag_fragments_total", "IP fragments offered to reassembly.", &net::DefragStats::fragments},
        {"postern_defrag_reassembled_total", "IP datagrams reassembled.", &net::DefragStats::reassembled},
        {"postern_defrag_duplicates_total", "Exact repeats of a held fragment, ignored.", &net::DefragStats::duplicates},
        {"postern_defrag_overlaps_total", "Datagrams dropped for overlapping fragments (as Linux does).",
         &net::DefragStats::overlaps},
        {"postern_defrag_timeouts_total", "Datagrams never completed (defrag.timeout).", &net::DefragStats::timeouts},
        {"postern_defrag_table_full_total", "Fragments dropped: no room (defrag.max_datagrams, defrag.max_fragments).",
         &net::DefragStats::table_full},
        {"postern_defrag_too_many_total", "Datagrams of more than 8192 fragments, dropped.", &net::DefragStats::too_many},
        {"postern_defrag_invalid_total", "Fragments with impossible lengths, dropped.", &net::DefragStats::invalid},
    };
    for (const auto &m : kDefrag) {
        uint64_t n = 0;
        for (const auto &r : rx_) n += (r->defrag_stats().*m.field).get();
        w.family(m.name, PromType::Counter, m.help);
        w.sample(static_cast<double>(n));
    }
    uint64_t held = 0;
    for (const auto &r : rx_) held += r->defrag_stats().held.get();
    w.family("postern_defrag_fragments_held", PromType::Gauge, "IP fragments held waiting for the rest of their datagram.");
    w.sample(static_cast<double>(held));
    w.family("postern_defrag_mbuf_exhausted_total", PromType::Counter,
             "Reassembled datagrams dropped for want of an mbuf (mempool.mbufs).");
    w.sample(static_cast<double>(rxt.defrag_mbuf_exhausted));

    // Per-worker counters, one family each (tables above), then the labelled and derived ones.
    for (const auto &m : kWorkerMetrics)
        per_worker(w, workers_, m.name, m.type, m.help, [&m](const Worker &k) { return (k.counters().*m.field).get(); });
    for (const auto &m : kStreamMetrics)
        per_worker(w, workers_, m.name, PromType::Counter, m.help,
                   [&m](const Worker &k) { return (k.stream_stats().*m.field).get(); });
    per_worker(w, workers_, "postern_worker_ring_drops_total", PromType::Counter,
               "Packets RX dropped because the worker's ring was full.",
               [this](const Worker &k) { return ring_drops_to(k.id()); });
    per_worker(w, workers_, "postern_worker_busy_seconds_total", PromType::Counter, "Time in passes that found packets (TSC).",
               [hz](const Worker &k) { return static_cast<double>(k.counters().busy_cycles.get()) / hz; });
    per_worker(w, workers_, "postern_worker_idle_seconds_total", PromType::Counter, "Time in passes that found none (TSC).",
               [hz](const Worker &k) { return static_cast<double>(k.counters().idle_cycles.get()) / hz; });
    per_worker(w, workers_, "postern_event_queue_overflows_total", PromType::Counter,
               "Times the worker's control queue was full.",
               [this](const Worker &k) { return channels_[k.id()]->overflows(); });
    w.family("postern_flows_timed_out_total", PromType::Counter, "Flows ended by inactivity, by the state's timeout.");
    for (const auto &k : workers_)
        for (size_t c = 0; c < 4; ++c)
            w.sample({{"worker", std::to_string(k->id())}, {"reason", kTimeoutReasons[c]}},
                     static_cast<double>(k->counters().flows_timed_out[c].get()));
    w.family("postern_tcp_held_limit_total", PromType::Counter,
             "Times a bound on held segments was hit (reason: flow or worker).");
    for (const auto &k : workers_) {
        const std::string id = std::to_string(k->id());
        w.sample({{"worker", id}, {"reason", "flow"}}, static_cast<double>(k->stream_stats().held_limit_flow.get()));
        w.sample({{"worker", id}, {"reason", "worker"}}, static_cast<double>(k->stream_stats().held_limit_worker.get()));
    }
    w.family("postern_eve_write_errors_total", PromType::Counter, "EVE lines the log could not take (disk full, I/O error).");
    w.sample(static_cast<double>(eve_.write_errors()));
    w.family("postern_eve_reopen_failures_total", PromType::Counter,
             "Failed reopens of the EVE log after SIGHUP (retried each second; the old file is kept meanwhile).");
    w.sample(static_cast<double>(eve_.reopen_failures()));
    w.family("postern_eve_records_total", PromType::Counter, "EVE records written to the log, by event type.");
    for (int t = 0; t < output::kEveTypes; ++t)
        w.sample({{"type", output::eve_type_name(static_cast<output::EveType>(t))}}, static_cast<double>(events_by_type_[t]));

    // Application layer, summed over workers.
    auto per_protocol = [&](std::string_view name, std::string_view help, auto field) {
        w.family(name, PromType::Counter, help);
        for (proto::Protocol p : kAppProtocols) {
            uint64_t n = 0;
            for (const auto &k : workers_) n += field(k->app_counters())[static_cast<size_t>(p)].get();
            w.sample({{"protocol", proto::protocol_name(p)}}, static_cast<double>(n));
        }
    };
    per_protocol("postern_app_sessions_total", "Sessions identified, by protocol.",
                 [](const inspect::AppCounters &a) -> const auto & { return a.sessions; });
    per_protocol("postern_app_transactions_total", "Protocol transactions (EVE protocol records), by protocol.",
                 [](const inspect::AppCounters &a) -> const auto & { return a.transactions; });
    per_protocol("postern_app_auth_failures_total", "Failed authentications, by protocol.",
                 [](const inspect::AppCounters &a) -> const auto & { return a.auth_failures; });
    per_protocol("postern_app_starttls_total", "Sessions upgraded with STARTTLS/STLS, by protocol.",
                 [](const inspect::AppCounters &a) -> const auto & { return a.starttls; });
    uint64_t failed = 0, exhausted = 0;
    for (const auto &k : workers_) failed += k->app_counters().detection_failed, exhausted += k->app_counters().sessions_exhausted;
    w.family("postern_app_detection_failed_total", PromType::Counter, "Sessions whose payload matched no known protocol.");
    w.sample(static_cast<double>(failed));
    w.family("postern_app_sessions_exhausted_total", PromType::Counter,
             "Sessions not inspected: no free parser slot (app.max_sessions_per_worker).");
    w.sample(static_cast<double>(exhausted));
    per_worker(w, workers_, "postern_app_slots_in_use", PromType::Gauge, "Parser slots held by sessions.",
               [](const Worker &k) { return k.app_counters().slots_in_use.get(); });
    per_worker(w, workers_, "postern_app_slots_reclaimed_total", PromType::Counter,
               "Parser slots taken from idle or one-sided sessions (app.idle_timeout, app.one_sided_timeout).",
               [](const Worker &k) { return k.app_counters().slots_reclaimed.get(); });
    w.family("postern_app_commands_total", PromType::Counter, "Client commands, by protocol and verb (other: unknown verbs).");
    for (proto::Protocol p : kCommandProtocols)
        for (size_t i = 0; i < inspect::CommandCounters::verb_count(p); ++i) {
            uint64_t n = 0;
            for (const auto &k : workers_) n += k->app_counters().commands_by_verb.get(p, i);
            w.sample({{"protocol", proto::protocol_name(p)}, {"verb", inspect::CommandCounters::verb_label(p, i)}},
                     static_cast<double>(n));
        }
    std::map<std::string_view, uint64_t> anomalies;
    for (std::string_view name : inspect::known_anomaly_names()) anomalies[name] = 0;
    uint64_t other = 0;
    for (const auto &k : workers_) {
        const auto &a = k->app_counters().anomalies;
        for (size_t i = 0, n = a.used.load(std::memory_order_acquire); i < n; ++i) anomalies[a.names[i]] += a.counts[i].get();
        other += a.other.get();
    }
    w.family("postern_anomalies_total", PromType::Counter, "Protocol anomalies, by name (docs/anomalies.md).");
    for (const auto &[name, n] : anomalies) w.sample({{"anomaly", name}}, static_cast<double>(n));
    w.sample({{"anomaly", "other"}}, static_cast<double>(other));

    append_inline_metrics(w);
    append_file_store_metrics(w);
    append_redis_metrics(w);
    append_control_metrics(w);
    return out;
}

}  // namespace postern::dataplane
