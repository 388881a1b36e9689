// GET /api/v1/flows without locks: workers own their flow tables, so the control plane asks and
// each worker answers at a burst boundary. The control plane writes the question and publishes a
// sequence number (release); the worker, when it sees a new number (acquire), writes its top-N
// flows into this preallocated slot and publishes the same number back. One question at a time;
// a worker that has ended never answers, and the control plane stops waiting for it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include <rte_common.h>

#include "output/eve.hpp"

namespace postern::dataplane {

struct FlowBrief {
    output::EveEndpoints endpoints;  // src = client
    uint64_t flow_id = 0;
    uint64_t start_ns = 0;
    uint64_t last_ns = 0;
    uint64_t pkts[2] = {0, 0};   // [to server, to client]
    uint64_t bytes[2] = {0, 0};
    std::string_view app_proto;  // static strings only: read by another thread
    std::string_view state;      // as the EVE flow record's "state" (new, established, closed)
    std::string_view tcp_state;  // as its "tcp.state"; empty for UDP
    uint16_t port = 0;
};

struct alignas(RTE_CACHE_LINE_SIZE) FlowQuerySlot {
    static constexpr uint32_t kMaxTop = 100;

    // Written by the control plane.
    std::atomic<uint64_t> asked{0};
    std::atomic<uint32_t> top{0};
    std::atomic<bool> by_packets{false};
    // Written by the worker, then `answered` = asked (release).
    alignas(RTE_CACHE_LINE_SIZE) std::atomic<uint64_t> answered{0};
    uint32_t count = 0;
    uint32_t active = 0;  // flows in the table when answering
    std::array<FlowBrief, kMaxTop> flows;  // largest first

    // The worker's check, once per loop: one acquire load when nobody asks.
    bool pending() const { return asked.load(std::memory_order_acquire) != answered.load(std::memory_order_relaxed); }
};

}  // namespace postern::dataplane
