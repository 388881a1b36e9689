// Per-lcore counters: each struct is written by its lcore only and read by the control plane.
// Cache-line aligned so two lcores never share a line.
#pragma once

#include <array>
#include <cstdint>

#include <rte_common.h>

#include "net/packet.hpp"
#include "util/counter.hpp"

namespace postern::dataplane {

using util::Counter;

struct alignas(RTE_CACHE_LINE_SIZE) RxCounters {
    Counter packets;
    Counter bytes;
    std::array<Counter, static_cast<size_t>(net::DecodeResult::Count)> decode;  // by result
    Counter multi_segment;   // chained mbufs: headers decoded from the first segment only
    Counter ring_drops;      // a worker's ring was full (policy drop)
    Counter ring_full_waits; // a worker's ring was full (policy wait)
    Counter busy_polls;
    Counter idle_polls;
    Counter busy_cycles;
    Counter idle_cycles;
};

struct alignas(RTE_CACHE_LINE_SIZE) WorkerCounters {
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
    Counter events;
    Counter event_drops;         // channel full (policy drop)
    Counter event_truncated;     // a record did not fit the render buffer
    Counter busy_polls;
    Counter idle_polls;
    Counter busy_cycles;
    Counter idle_cycles;
};

}  // namespace postern::dataplane
