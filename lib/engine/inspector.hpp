// A worker's inspection engine, free of DPDK: the flow table, TCP sessions and stream ordering,
// the application layer (protocol identification, mail parsers, detectors, rules) and the EVE
// records they produce. The dataplane worker feeds it packets taken from mbufs; tests and the
// engine fuzzer feed it packets taken from buffers.
//
// A packet's path: on_packet (inspector.cpp) → flow lookup → checksums → TCP session
// (stream/tcp_session.cpp) → ordered bytes → AppLayer (inspect/app_layer.cpp) → parsers →
// detectors → rules → EVE records (RecordOutput). Flows end in flow_end.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "detect/detecting_sink.hpp"
#include "engine/flow.hpp"
#include "engine/packet.hpp"
#include "engine/worker_counters.hpp"
#include "flow/flow_table.hpp"
#include "inspect/alert_counters.hpp"
#include "inspect/app_layer.hpp"
#include "inspect/detector_alerts.hpp"
#include "inspect/eve_event_sink.hpp"
#include "inspect/record_output.hpp"
#include "inspect/rule_alerts.hpp"
#include "rules/matcher.hpp"
#include "rules/matching_sink.hpp"
#include "rules/threshold_table.hpp"
#include "stream/stream_context.hpp"
#include "stream/stream_sink.hpp"

namespace postern::engine {

struct InspectorSetup {
    const config::Config *config = nullptr;
    unsigned worker_id = 0;
    const std::vector<std::string> *port_names = nullptr;  // in_iface by port id
    stream::SegmentOps segment_ops;        // references on held payload buffers
    inspect::RecordOutput *records = nullptr;      // where EVE records go
    inspect::SummaryOutput *summaries = nullptr;   // session summaries for the history detectors
    filestore::FileFeed *files = nullptr;          // extraction (output.files.store), or none
    WorkerCounters *counters = nullptr;
    bool stage_cycles = false;  // per-packet stage costs (a benchmark knob)
};

class Inspector final : private stream::StreamSink {
public:
    explicit Inspector(const InspectorSetup &setup);
    ~Inspector();
    Inspector(const Inspector &) = delete;
    Inspector &operator=(const Inspector &) = delete;

    // One packet of capture time `now` (the latest seen). The caller keeps its own references on
    // the packet's buffers; the inspector takes more on what it holds.
    Verdict on_packet(const Packet &p, uint64_t now);
    // Flows idle past their timeout end (flow records written). Cheap when nothing is due.
    void expire(uint64_t now);
    // Every flow ends (shutdown, end of capture): as a timeout if it had timed out by then.
    void finish_all();

    // Rules: match with `set` from the next packet on (null: no rules).
    void bind_rules(const rules::RuleSet *set, hs_scratch_t *scratch) { matcher_.bind(set, scratch); }
    const rules::RuleSet *rule_set() const { return matcher_.set(); }
    const rules::MatcherStats &matcher_stats() const { return matcher_.stats(); }
    const rules::ThresholdStats &threshold_stats() const { return thresholds_.stats(); }
    const util::Log2Histogram &rule_scan_cycles() const { return matcher_.scan_cycles(); }  // relaxed atomics

    const stream::StreamStats &stream_stats() const { return stream_ctx_.stats; }
    const inspect::AppCounters &app_counters() const { return events_.counters(); }
    const inspect::AlertCounters &alert_counters() const { return alert_counters_; }
    uint32_t app_slots_in_use() const { return app_.slots_in_use(); }

    // Walks the flows (the API's top-N question): fn(key, flow).
    template <class Fn>
    void for_each_flow(Fn &&fn) const {
        flows_.for_each([&](uint32_t id) { fn(flows_.key(id), flows_.data(id)); });
    }
    uint32_t flows_active() const { return flows_.size(); }
    // Every session summary decided from here on has decided_ns >= clock() (the control plane
    // merges the workers' summaries in time by it).
    uint64_t clock() const { return clock_ns_; }
    // "smtp", "failed", "" ...: the flow record's app_proto.
    static std::string_view app_proto_name(const Flow &f);
    static std::string_view state_name(const Flow &f, bool is_tcp);

private:
    uint32_t find_or_create(const Packet &p, const net::FlowKey &key, bool from_a);
    bool checksums_ok(const Packet &p, Flow &f, bool from_a);
    // What happens to the packet and its flow after inspection: block, bypass (verdict.cpp).
    Verdict decide(const Packet &p, Flow &f, int dir, bool inspected, uint64_t held_limit_before);
    void block(const Packet &p, Flow &f, std::string_view reason);
    void bypass(Flow &f, BypassReason why);
    void write_drop_record(const Packet &p, std::string_view reason);
    void finish(uint32_t id, std::string_view reason);  // flow_end.cpp
    // Ends up to `budget` flows whose timeout has passed at `now`; true when the budget ran out.
    bool expire_due(uint64_t now, uint32_t budget);
    // The session is over: detectors decide it and its parser slot is freed, without waiting
    // for the flow's timeout (flow_end.cpp).
    void end_session(Flow &f);
    void write_flow_record(uint32_t id, std::string_view reason);
    // The flow whose packet (or end) is being processed, at time ts_ns. Its context is filled
    // only when a stage is about to run (load_context), so a pure ACK never pays for it.
    void begin_flow(uint32_t id, uint64_t ts_ns);
    void load_context();

    // stream::StreamSink: ordered payload of the flow being processed.
    void on_data(stream::Direction dir, const uint8_t *data, size_t len) override;
    void on_gap(stream::Direction dir, uint32_t len) override;
    void on_end(stream::Direction dir) override;
    void on_event(stream::Direction dir, stream::StreamEvent e) override;

    InspectorSetup setup_;
    const config::Config &config_;
    WorkerCounters &counters_;
    uint64_t timeout_ns_[flow::kTimeoutClasses];
    flow::FlowTable<Flow> flows_;
    stream::SegmentPool segment_pool_;
    stream::StreamContext stream_ctx_;
    Flow *current_ = nullptr;  // the flow whose packet is being processed
    uint32_t current_id_ = flow::kNoFlow;
    uint64_t current_ts_ = 0;
    bool ctx_loaded_ = false;  // flow_ctx_ describes current_ and this packet
    // The flow whose endpoints and flow-long fields flow_ctx_ holds, with its roles known: they
    // are not worked out again for each of its packets. kNoFlow when none.
    uint32_t ctx_endpoints_of_ = flow::kNoFlow;
    uint64_t next_flow_seq_ = 0;
    uint64_t next_expiry_ns_ = 0;
    uint64_t clock_ns_ = 0;  // the latest `now` given: when sessions ending now are decided
    inspect::FlowContext flow_ctx_;
    inspect::EveEventSink events_;
    rules::ThresholdTable thresholds_;
    rules::Matcher matcher_;
    inspect::AlertCounters alert_counters_;
    inspect::RuleAlerts rule_alerts_;
    inspect::DetectorAlerts detector_alerts_;
    // The event chain: parsers → detect_stage_ → rule_stage_ → events_ (EVE), each stage reading
    // flow_ctx_ and passing every event on.
    rules::MatchingSink rule_stage_;
    detect::DetectingSink detect_stage_;
    inspect::AppLayer app_;
};

}  // namespace postern::engine
