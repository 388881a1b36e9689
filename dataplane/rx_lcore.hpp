// An RX lcore: polls its port queues in bursts, decodes L2-L4 into the mbuf's private area,
// hashes each flow symmetrically and enqueues to the owning worker's ring.
#pragma once

#include <cstdint>
#include <vector>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "config/config.hpp"
#include "counters.hpp"
#include "shared_state.hpp"

namespace postern::dataplane {

struct RxQueue {
    uint16_t port = 0;
    uint16_t queue = 0;
    uint64_t expected_packets = 0;  // a capture file's packet count; 0 for live ports
    bool is_capture = false;        // ends when the file has been read
    bool capture_timestamps = false; // mbufs carry the pcap timestamp (ns) in a dynfield
};

struct RxSetup {
    unsigned id = 0;
    std::vector<RxQueue> queues;
    std::vector<rte_ring *> rings;  // one per worker, indexed by worker
    const config::Config *config = nullptr;
    SharedState *shared = nullptr;
    int timestamp_offset = -1;      // the rx timestamp dynfield, when registered
    uint64_t timestamp_flag = 0;
};

class RxLcore {
public:
    explicit RxLcore(RxSetup setup)
        : setup_(std::move(setup)), staged_(setup_.rings.size() * setup_.config->burst) {}
    static constexpr unsigned kMaxWorkers = 64;
    int run();
    const RxCounters &counters() const { return counters_; }

private:
    uint16_t poll(RxQueue &q);
    bool capture_finished(const RxQueue &q);
    void enqueue(unsigned worker, rte_mbuf **pkts, unsigned n);
    uint64_t wall_ns();

    RxSetup setup_;
    std::vector<rte_mbuf *> staged_;  // per-worker staging of one burst, allocated once
    RxCounters counters_;
    uint64_t tsc_hz_ = 0;
    uint64_t tsc_base_ = 0;
    uint64_t wall_base_ns_ = 0;
};

}  // namespace postern::dataplane
