// A worker lcore: dequeues bursts from its RX rings and hands each packet to its inspector
// (lib/engine: flow table, TCP, application layer, EVE records); the records and session
// summaries it produces go to the control plane over the worker's event channel.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "config/config.hpp"
#include "counters.hpp"
#include "engine/inspector.hpp"
#include "filestore/file_feed.hpp"
#include "net/tcp_reset.hpp"
#include "flow_query.hpp"
#include "pipeline/event_channel.hpp"
#include "rule_publication.hpp"
#include "shared_state.hpp"
#include "tx_stage.hpp"
#include "worker_output.hpp"

namespace postern::dataplane {

struct WorkerSetup {
    unsigned id = 0;
    std::vector<rte_ring *> rings;            // one per RX lcore
    std::vector<std::string> port_names;      // in_iface by port id
    const config::Config *config = nullptr;
    SharedState *shared = nullptr;
    pipeline::EventChannel *channel = nullptr;
    // Extraction (output.files.store): the channel to the file writer and its directory's size.
    pipeline::EventChannel *file_channel = nullptr;
    const std::atomic<uint64_t> *stored_bytes = nullptr;
    RulePublication *rules = nullptr;  // null: no rules
    // Inline mode: each port's peer by port id (frames leave there on this worker's TX queue,
    // numbered as the worker), and the pool the reject verdict's RSTs come from.
    bool inline_mode = false;
    std::vector<uint16_t> peer_of;
    rte_mempool *pool = nullptr;
};

class Worker final {
public:
    explicit Worker(WorkerSetup setup);
    ~Worker();
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;

    // The lcore entry: runs until every RX lcore is done and the rings are empty, then flushes.
    int run();

    const WorkerCounters &counters() const { return counters_; }
    const engine::Inspector &inspector() const { return inspector_; }
    const stream::StreamStats &stream_stats() const { return inspector_.stream_stats(); }
    const inspect::AppCounters &app_counters() const { return inspector_.app_counters(); }
    const inspect::AlertCounters &alert_counters() const { return inspector_.alert_counters(); }
    const util::Log2Histogram &rule_scan_cycles() const { return inspector_.rule_scan_cycles(); }
    unsigned id() const { return setup_.id; }
    const filestore::FileFeed *file_feed() const { return files_.get(); }  // null: no extraction
    FlowQuerySlot &flow_query() { return *flow_query_; }  // the control plane's side
    // Every session summary still to come from this worker was decided at or after this time.
    // Stored (release) after the summaries before it were pushed: read it, then drain the channel.
    uint64_t summary_clock() const { return summary_clock_.load(std::memory_order_acquire); }

private:
    void inspect(rte_mbuf *m, uint64_t now);  // mbuf → engine::Packet → inspector → verdict
    // Inline: the verdict's effect: send the frame on to the peer port, drop it, or reject it.
    void act(rte_mbuf *m, const engine::Packet &p, engine::Verdict v);
    void send_reset(const engine::Packet &p, uint16_t out_port, net::ResetToward toward);
    void follow_rule_set();  // at a burst boundary: match with the latest published set
    void publish_rule_stats();
    void serve_flow_query();  // worker_flow_query.cpp

    WorkerSetup setup_;
    WorkerCounters counters_;
    WorkerOutput out_;  // before the inspector, which writes to it
    std::vector<stream::SegmentRef> pieces_;  // one packet's payload pieces (allocated once)
    TxStage tx_;
    std::unique_ptr<filestore::FileFeed> files_;  // before the inspector, which uses it
    engine::Inspector inspector_;
    std::unique_ptr<FlowQuerySlot> flow_query_ = std::make_unique<FlowQuerySlot>();
    std::atomic<uint64_t> summary_clock_{0};
};

}  // namespace postern::dataplane
