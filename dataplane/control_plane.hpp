// The control-plane lcore (the EAL main lcore): one thread running an Asio event loop. A timer
// drains the workers' event channels into the EVE log (every millisecond, back to back while
// there is data), writes periodic stats and polls signals; the HTTP API (/metrics, /api/v1) is
// served on the same loop, so handlers read control-plane state without locks. The run ends when
// every worker has reported Done and its channel is empty.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "detect/history_detectors.hpp"
#include "detect/summary_merger.hpp"
#include "filestore/file_writer.hpp"
#include "control/alert_ring.hpp"
#include "control/alert_tally.hpp"
#include "output/eve.hpp"
#include "output/eve_file.hpp"
#include "output/redis_output.hpp"
#include "share/summary_publisher.hpp"
#include "pipeline/event_channel.hpp"
#include "ports.hpp"
#include "rule_reload.hpp"
#include "rx_lcore.hpp"
#include "shared_state.hpp"
#include "worker_lcore.hpp"

namespace postern::output {
class PromWriter;
}

namespace postern::dataplane {

// What the run produced, for the closing summary.
struct RunSummary {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t not_inspected = 0;  // malformed, fragments, non-IP, other L4
    uint64_t flows = 0;
    std::array<uint64_t, output::kEveTypes> events_by_type{};
    std::vector<control::AlertTally::Row> alerts_by_signature;
    uint64_t event_drops = 0;
    uint64_t ring_drops = 0;
    double seconds = 0;
    bool file_store = false;  // output.files.store was on
    uint64_t files_stored = 0, files_duplicate = 0, files_not_stored = 0;
    std::string redis_target;  // output.redis was on
    uint64_t redis_sent = 0, redis_not_sent = 0;  // not sent: dropped, lost or refused
    std::string share_target;  // detect.history.share was on
    uint64_t share_summaries = 0, share_not_sent = 0;  // not sent: stream entries dropped, lost or refused
};

// File extraction, the workers' feeds and the writer summed (filestore_stats.cpp). Files not
// stored are counted by the first reason that stopped them.
struct FileStoreTotals {
    uint64_t stored = 0, duplicate = 0;  // new in the directory; kept but already there
    uint64_t not_selected = 0, incomplete = 0, too_large = 0, total_limit = 0, queue_full = 0, evicted = 0;
    uint64_t write_error = 0, abandoned = 0;
    uint64_t bytes_written = 0, bytes_in_store = 0;
    uint64_t not_stored() const {
        return incomplete + too_large + total_limit + queue_full + evicted + write_error + abandoned;
    }
};

// Verdicts, bypass and inline transmission, summed over lcores (inline_metrics.cpp).
struct InlineTotals {
    uint64_t accepted = 0, blocked = 0, rejected = 0, flows_blocked = 0, flows_blocked_exception = 0;
    uint64_t bypassed_packets = 0, reject_rsts = 0;
    std::array<uint64_t, 5> bypassed_flows{};  // by engine::BypassReason
    uint64_t uninspected_forwarded = 0, uninspected_dropped = 0, fragments_forwarded = 0;
    uint64_t overload_forwarded = 0, overload_dropped = 0;
    std::array<uint64_t, 32> tx_drops{};  // by port id
};

// The RX lcores' counters, summed (stats_json.cpp).
struct RxTotals {
    uint64_t packets = 0, bytes = 0, ring_drops = 0, ring_full_waits = 0, multi_segment = 0;
    uint64_t reassembled = 0, defrag_mbuf_exhausted = 0, clock_advances = 0;
    std::array<uint64_t, static_cast<size_t>(net::DecodeResult::Count)> decode{};
};

class ControlPlane {
public:
    ControlPlane(const config::Config &config, SharedState &shared, output::EveFile &eve,
                 std::vector<StartedPort> ports, std::vector<std::unique_ptr<RxLcore>> &rx,
                 std::vector<std::unique_ptr<Worker>> &workers,
                 std::vector<std::unique_ptr<pipeline::EventChannel>> &channels, RuleReloader &rules);
    ~ControlPlane();

    // Starts the HTTP API when config.api.listen names an address, and prints
    // "control plane listening on http://ADDR:PORT". A port that cannot be bound is reported and
    // the run goes on without the API: inspection matters more than its observers.
    void start_api();
    // Runs until every worker has reported Done and its channel is empty.
    void run();
    RunSummary summary() const;

    // Read by the API (api_backend.cpp) and the stats records.
    nlohmann::ordered_json stats_json() const;
    nlohmann::ordered_json status_json() const;
    std::string metrics_text() const;  // metrics_export.cpp
    std::string not_ready_reason() const;
    const control::AlertRing &alerts() const { return alerts_; }
    double uptime_seconds() const;
    uint64_t ring_drops_to(unsigned worker) const;  // RX ring drops towards one worker
    RxTotals rx_totals() const;
    InlineTotals inline_totals() const;
    // Extraction (output.files.store): the writer whose counters are reported, or null.
    void set_file_writer(const filestore::FileWriter *writer) { file_writer_ = writer; }
    // EVE to Redis (output.redis): the output whose counters are reported, or null.
    void set_redis(const output::RedisOutput *redis) { redis_ = redis; }
    // The shared history (detect.history.share): summaries go there (and, with `local`, to the
    // detectors here too), or nowhere else (null).
    void set_publisher(share::SummaryPublisher *publisher) { publisher_ = publisher; }
    FileStoreTotals file_store_totals() const;
    nlohmann::ordered_json inline_json() const;  // the stats record's "ips" object

private:
    struct Loop;  // the io_context, timers and the HTTP server (control_plane.cpp)
    friend struct Loop;
    friend class DataplaneApi;

    void append_control_metrics(output::PromWriter &w) const;  // control_metrics.cpp: rules, API, history
    void append_history_metrics(output::PromWriter &w) const;
    nlohmann::ordered_json history_json() const;
    void append_rule_metrics(output::PromWriter &w) const;
    void append_inline_metrics(output::PromWriter &w) const;  // inline_metrics.cpp
    void append_file_store_metrics(output::PromWriter &w) const;  // filestore_stats.cpp
    nlohmann::ordered_json file_store_json() const;
    void append_redis_metrics(output::PromWriter &w) const;  // redis_stats.cpp
    nlohmann::ordered_json redis_json() const;
    nlohmann::ordered_json history_share_json() const;
    size_t drain_all();
    void run_history(const detect::SessionSummary &s);
    void write_stats();
    void tick();
    void finish();

    const config::Config &config_;
    SharedState &shared_;
    output::EveFile &eve_;
    std::vector<StartedPort> ports_;
    std::vector<std::unique_ptr<RxLcore>> &rx_;
    std::vector<std::unique_ptr<Worker>> &workers_;
    std::vector<std::unique_ptr<pipeline::EventChannel>> &channels_;
    RuleReloader &rules_;
    const filestore::FileWriter *file_writer_ = nullptr;
    const output::RedisOutput *redis_ = nullptr;
    share::SummaryPublisher *publisher_ = nullptr;
    std::vector<bool> worker_done_;
    std::array<uint64_t, output::kEveTypes> events_by_type_{};
    detect::HistoryDetectors history_{config_.detect};  // cross-session detectors over worker summaries
    detect::SummaryMerger summaries_;  // the workers' summaries back in time order, for history_
    control::AlertRing alerts_;
    control::AlertTally alert_tally_;
    uint64_t start_tsc_ = 0;
    uint64_t end_tsc_ = 0;
    double start_unix_ = 0;
    bool finished_ = false;
    std::optional<std::chrono::steady_clock::time_point> reopen_due_;  // SIGHUP: reopen the EVE log
    std::unique_ptr<Loop> loop_;
};

}  // namespace postern::dataplane
