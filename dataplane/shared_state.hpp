// State the lcores share: stop flags and the capture clock. Everything else is owned by one lcore.
#pragma once

#include <atomic>
#include <cstdint>

#include <rte_common.h>

namespace postern::dataplane {

struct alignas(RTE_CACHE_LINE_SIZE) SharedState {
    std::atomic<bool> stop{false};          // SIGINT/SIGTERM: RX stops receiving
    std::atomic<unsigned> rx_running{0};    // RX lcores still receiving; workers end at 0
    std::atomic<uint64_t> clock_ns{0};      // latest packet time seen by RX (capture time)
    std::atomic<bool> capture_ended{false}; // every port was a file and all were read
};

// Advances the shared clock; called once per burst, not per packet, after the burst is enqueued
// (release: a worker that reads the time with acquire then finds those packets in its ring).
inline void advance_clock(SharedState &s, uint64_t ts_ns) {
    if (ts_ns > s.clock_ns.load(std::memory_order_relaxed)) s.clock_ns.store(ts_ns, std::memory_order_release);
}

}  // namespace postern::dataplane
