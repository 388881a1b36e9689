// Per-lcore counters: each struct is written by its lcore only and read by the control plane.
// Cache-line aligned so two lcores never share a line.
#pragma once

#include <array>
#include <cstdint>

#include <rte_common.h>

#include "engine/worker_counters.hpp"
#include "net/defrag.hpp"
#include "net/packet.hpp"
#include "util/counter.hpp"

namespace postern::dataplane {

using util::Counter;

struct alignas(RTE_CACHE_LINE_SIZE) RxCounters {
    Counter packets;
    Counter bytes;
    std::array<Counter, static_cast<size_t>(net::DecodeResult::Count)> decode;  // by result
    Counter multi_segment;   // frames in chained mbufs (jumbo, GRO), inspected whole
    Counter reassembled;     // IP datagrams rebuilt from fragments and inspected
    Counter defrag_mbuf_exhausted;  // a reassembled datagram found no free mbuf: dropped
    Counter clock_advances;  // the clock moved on an idle live link
    // Inline mode: frames RX sends itself (not inspected), by why.
    Counter uninspected_forwarded;  // ARP, LLDP, ICMP, undecodable frames (inline.forward_uninspected)
    Counter uninspected_dropped;    // the same with forward_uninspected off
    Counter fragments_forwarded;    // fragments sent on as they arrive (the last goes with its datagram)
    Counter overload_forwarded;     // a worker's ring was full: sent uninspected (inline.on_overload: forward)
    Counter overload_dropped;       // ... or dropped (on_overload: drop)
    Counter tx_packets;
    std::array<Counter, 32> tx_drops;  // by port: the port would not take them after inline.tx_retries
    Counter ring_drops;      // a worker's ring was full (policy drop)
    std::array<Counter, 64> ring_drops_by_worker;  // the same, by worker (RxLcore::kMaxWorkers)
    Counter ring_full_waits; // a worker's ring was full (policy wait)
    Counter busy_polls;
    Counter idle_polls;
    Counter busy_cycles;
    Counter idle_cycles;
    // Stage costs, read once per burst (cheap enough to stay on): the PMD's rx_burst, and the
    // ring enqueue; decode + hash is the rest of busy_cycles.
    Counter pmd_cycles;
    Counter enqueue_cycles;
};

using engine::WorkerCounters;  // lib/engine/worker_counters.hpp: written by the worker and its inspector

}  // namespace postern::dataplane
