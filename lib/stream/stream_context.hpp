// Per-worker state shared by all of the worker's streams: the held-segment pool, how to take and
// drop references on segments, bounds and counters. Passed into each call so flows stay small.
#pragma once

#include <cstdint>

#include "stream/segment.hpp"
#include "util/counter.hpp"
#include "stream/segment_pool.hpp"

namespace postern::stream {

struct StreamLimits {
    uint32_t max_held_per_direction = 64;  // out-of-order segments one direction may hold
    uint32_t max_window = 16u << 20;       // data further ahead than this is bogus, not held
};

struct StreamStats {
    util::Counter segments_in_order;
    util::Counter segments_held;         // pieces placed in the out-of-order queue
    util::Counter segments_retransmitted;  // entirely old data
    util::Counter overlap_bytes;         // bytes dropped because a first copy was already taken
    util::Counter gaps;
    util::Counter gap_bytes;
    util::Counter held_limit_flow;       // a direction reached max_held_per_direction
    util::Counter held_limit_worker;     // the worker's pool was empty
    util::Counter out_of_window;
    util::Counter data_after_end;
    // What the receivers would not believe (each also a stream event for the flow).
    util::Counter rst_out_of_window;
    util::Counter fin_out_of_window;
    util::Counter syn_retransmitted;
    util::Counter decoy_syns;            // a SYN with a new ISN after the stream started or lost
    util::Counter overlap_different;     // bytes held and a later copy disagreed
};

struct StreamContext {
    SegmentPool &pool;
    SegmentOps ops;
    StreamLimits limits;
    StreamStats stats;
};

}  // namespace postern::stream
