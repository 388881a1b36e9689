// One worker's counters: written by that worker only (its loop and its inspector), read by the
// control plane. Cache-line aligned so two workers never share a line.
#pragma once

#include <array>
#include <cstdint>

#include "util/counter.hpp"
#include "util/histogram.hpp"

namespace postern::engine {

using util::Counter;

struct alignas(64) WorkerCounters {
    Counter packets;
    Counter bytes;
    Counter tcp_packets;
    Counter udp_packets;
    Counter flows_created;
    Counter flows_active;  // gauge
    Counter flows_evicted;
    std::array<Counter, 4> flows_timed_out;  // by flow::TimeoutClass
    Counter flows_closed_reused;  // a new SYN ended a closed flow
    Counter app_bytes_toserver;
    Counter app_bytes_toclient;
    // Checksums (stream.checksum_validation): segments the receiver would drop are not inspected.
    Counter checksum_bad_ipv4;
    Counter checksum_bad_l4;
    Counter checksum_offloaded;  // bad sums let through (auto): the sender never had a right one
    // Verdicts (inline mode: what became of each inspected packet) and flow bypass (both modes).
    Counter verdict_accepted;
    Counter verdict_blocked;     // dropped: its flow is blocked (a rule, a detector, an exception policy)
    Counter verdict_rejected;    // dropped with TCP RSTs both ways
    Counter flows_blocked;
    Counter flows_blocked_exception;  // of those, by inline.on_exception: drop-flow
    Counter bypassed_packets;    // packets of bypassed flows: counted, not reassembled or parsed
    std::array<Counter, 5> bypassed_flows;  // by engine::BypassReason
    // Inline transmission: frames the peer port would not take after inline.tx_retries, by port.
    std::array<Counter, 32> tx_drops;
    Counter tx_packets;
    Counter reject_rsts;         // RSTs sent for reject verdicts
    util::Log2Histogram inline_latency_cycles;  // RX burst to TX, TSC cycles
    Counter events;
    Counter event_drops;         // channel full (policy drop)
    Counter event_truncated;     // a record did not fit the render buffer
    Counter busy_polls;
    Counter idle_polls;
    Counter busy_cycles;
    Counter idle_cycles;
    // Rules: copied from the worker's matcher and threshold table after each busy pass.
    Counter rule_set_version;  // gauge: the set this worker matches with (0: none)
    Counter rule_set_switches;
    Counter rule_scans;
    Counter rule_scan_errors;
    Counter rule_matches;
    Counter rule_threshold_suppressed;
    Counter rule_threshold_evictions;
    Counter rule_state_overflows;  // partial matches or evidence lost to MatchState bounds
    // Stage costs. dequeue_cycles is read per burst (always on); the per-packet stages only when
    // POSTERN_STAGE_CYCLES=1 is in the environment (a benchmark knob: rte_rdtsc per stage costs).
    Counter dequeue_cycles;
    Counter lookup_cycles;  // flow lookup or creation (incl. eviction)
    Counter tcp_cycles;     // TCP tracking and stream ordering, including app_cycles
    Counter app_cycles;     // protocol detection, parsers, MIME, rule matching, event rendering
    Counter expiry_cycles;  // timeout sweeps (flow records rendered there)
};

}  // namespace postern::engine
