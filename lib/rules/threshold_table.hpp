// Bounded state for rule thresholds ("N hits within T seconds per source, destination or user").
// A fixed, 4-way set-associative table keyed by (rule id, tracking key); when a set is full the
// entry whose window started first is evicted (counted). Owned by one thread (a worker), no heap
// after construction. Keyed by rule id, so it survives rule-set reloads.
#pragma once

#include <cstdint>
#include <vector>

#include "rules/rule.hpp"

namespace postern::rules {

struct ThresholdStats {
    uint64_t hits = 0;  // rule matches counted
    uint64_t fired = 0;  // hits that completed a threshold (alerts)
    uint64_t suppressed = 0;  // hits that did not (yet)
    uint64_t evictions = 0;  // live entries pushed out by others
};

class ThresholdTable {
public:
    static constexpr size_t kWays = 4;

    // Capacity in entries, rounded up to a power of two (at least kWays).
    explicit ThresholdTable(size_t capacity = 4096);

    // Counts one hit of `rule_id` for `key` at `ts_ns`. True when it is the t.count-th hit
    // within t.seconds of the first: the alert goes out and counting starts over. A hit after the
    // window has passed starts a new window.
    bool hit(uint32_t rule_id, TrackBy track, uint64_t key, const Threshold &t, uint64_t ts_ns);

    size_t capacity() const { return entries_.size(); }
    size_t in_use() const;
    const ThresholdStats &stats() const { return stats_; }

private:
    struct Entry {
        uint64_t key = 0;
        uint64_t window_start_ns = 0;
        uint64_t window_end_ns = 0;  // 0: free
        uint32_t rule_id = 0;
        uint32_t count = 0;
        TrackBy track = TrackBy::Source;
    };

    std::vector<Entry> entries_;
    size_t set_mask_ = 0;  // sets - 1
    ThresholdStats stats_;
};

}  // namespace postern::rules
