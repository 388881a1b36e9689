// A worker lcore: dequeues bursts from its RX rings, owns a flow table, tracks TCP sessions,
// hands ordered payload to the application layer and reports flow records to the control plane.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "config/config.hpp"
#include "counters.hpp"
#include "flow/flow_table.hpp"
#include "inspect/alert_counters.hpp"
#include "inspect/app_layer.hpp"
#include "inspect/detector_alerts.hpp"
#include "inspect/rule_alerts.hpp"
#include "inspect/rule_stage.hpp"
#include "inspect/eve_event_sink.hpp"
#include "inspect/record_output.hpp"
#include "flow_query.hpp"
#include "flow_state.hpp"
#include "packet_meta.hpp"
#include "output/eve.hpp"
#include "pipeline/event_channel.hpp"
#include "rule_publication.hpp"
#include "rules/matcher.hpp"
#include "rules/threshold_table.hpp"
#include "shared_state.hpp"
#include "stream/stream_context.hpp"
#include "stream/stream_sink.hpp"

namespace postern::dataplane {

struct WorkerSetup {
    unsigned id = 0;
    std::vector<rte_ring *> rings;            // one per RX lcore
    std::vector<std::string> port_names;      // in_iface by port id
    const config::Config *config = nullptr;
    SharedState *shared = nullptr;
    pipeline::EventChannel *channel = nullptr;
    RulePublication *rules = nullptr;  // null: no rules
};

class Worker final : private stream::StreamSink, private inspect::RecordOutput, private inspect::SummaryOutput {
public:
    explicit Worker(WorkerSetup setup);
    ~Worker();
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;

    // The lcore entry: runs until every RX lcore is done and the rings are empty, then flushes.
    int run();

    const WorkerCounters &counters() const { return counters_; }
    const stream::StreamStats &stream_stats() const { return stream_ctx_.stats; }
    const inspect::AppCounters &app_counters() const { return events_.counters(); }
    const inspect::AlertCounters &alert_counters() const { return alert_counters_; }
    const util::Log2Histogram &rule_scan_cycles() const { return matcher_.scan_cycles(); }  // relaxed atomics
    unsigned id() const { return setup_.id; }
    FlowQuerySlot &flow_query() { return *flow_query_; }  // the control plane's side

private:
    void process(rte_mbuf *m, uint64_t now);
    uint32_t find_or_create(const PacketMeta &meta, const net::FlowKey &key, bool from_a);
    void expire(uint64_t now);
    void finish(uint32_t id, std::string_view reason);
    void emit(output::EveType type, size_t len);
    void finish_all();
    void enter_flow(uint32_t id, uint64_t ts_ns);  // points the app layer's context at a flow
    void follow_rule_set();  // at a burst boundary: match with the latest published set
    void publish_rule_stats();
    std::string_view app_proto_name(const FlowState &f) const;
    void serve_flow_query();  // worker_flow_query.cpp

    // inspect::RecordOutput: EVE records are rendered in render_buf_, then queued.
    output::JsonWriter &begin_record() override;
    void commit_record(output::EveType type) override;
    // inspect::SummaryOutput: a finished session's summary for the control plane's detectors.
    void push_summary(const detect::SessionSummary &s) override;

    // stream::StreamSink: ordered payload of the flow being processed.
    void on_data(stream::Direction dir, const uint8_t *data, size_t len) override;
    void on_gap(stream::Direction dir, uint32_t len) override;
    void on_end(stream::Direction dir) override;

    WorkerSetup setup_;
    uint64_t timeout_ns_[flow::kTimeoutClasses];
    flow::FlowTable<FlowState> flows_;
    stream::SegmentPool segment_pool_;
    stream::StreamContext stream_ctx_;
    FlowState *current_ = nullptr;  // the flow whose packet is being processed
    uint32_t current_id_ = flow::kNoFlow;
    bool ctx_roles_known_ = false;  // flow_ctx_ endpoints reflect the session's roles
    bool stage_cycles_ = false;     // POSTERN_STAGE_CYCLES=1: per-packet stage counters
    uint64_t next_flow_seq_ = 0;
    uint64_t next_expiry_ns_ = 0;
    std::unique_ptr<char[]> render_buf_;  // EVE records are rendered here, then queued
    output::JsonWriter writer_;
    inspect::FlowContext flow_ctx_;
    inspect::EveEventSink events_;
    rules::ThresholdTable thresholds_;
    rules::Matcher matcher_;
    inspect::AlertCounters alert_counters_;
    inspect::RuleAlerts rule_alerts_;
    inspect::RuleStage rule_stage_;
    inspect::DetectorAlerts detector_alerts_;
    detect::DetectingSink detect_stage_;  // parsers → detect_stage_ → rule_stage_ → events_
    inspect::AppLayer app_;
    WorkerCounters counters_;
    std::unique_ptr<FlowQuerySlot> flow_query_ = std::make_unique<FlowQuerySlot>();
};

}  // namespace postern::dataplane
