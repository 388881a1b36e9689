// Puts the session summaries of several workers back in time order before the history detectors
// see them. Each worker sends its summaries in the order of its own clock (decided_ns), but the
// workers run at their own pace: offline, one can be minutes of capture time ahead of another,
// and a beacon seen every other session looks like one of twice the period. The merger holds a
// summary until no worker can still send an earlier one (every worker's published clock is past
// it, or the worker has finished), then releases in (decided_ns, start_ns, flow_id) order, so an
// offline run gives the same history alerts whatever the number of workers and their speed.
// Bounded: past `max_pending` held summaries the earliest is released at once and counted.
// `postern history` uses the same merger over producers (appliances) instead of workers; each
// summary then carries the history roles its shard plays for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "detect/history_detectors.hpp"
#include "detect/session_summary.hpp"

namespace postern::detect {

class SummaryMerger {
public:
    using Out = std::function<void(const SessionSummary &, uint8_t roles)>;

    SummaryMerger(size_t workers, size_t max_pending);

    size_t add_source();  // one more worker (or producer); returns its index
    // A worker's summary, in the order the worker sent it.
    void add(size_t worker, const SessionSummary &s, uint8_t roles = kBothRoles);
    // The worker will send nothing decided before `clock_ns` (read before draining its channel,
    // and only when the drain emptied it).
    void advance(size_t worker, uint64_t clock_ns);
    // The worker has sent everything (or, for a producer, has gone silent: resume() undoes it).
    void finish(size_t worker);
    void resume(size_t worker);
    // Hands out, in time order, every summary no worker can still precede.
    void release(const Out &out);
    // Everything, in time order (the end of the run).
    void release_all(const Out &out);
    // Nothing released from now on is decided before this (~0: every worker has finished).
    uint64_t horizon() const;

    size_t pending() const { return pending_; }
    uint64_t overflows() const { return overflows_; }  // released early: max_pending was reached

private:
    struct Held {
        SessionSummary summary;
        uint8_t roles;
    };
    struct Source {
        std::deque<Held> queue;
        uint64_t clock_ns = 0;
        bool finished = false;
    };
    // The source whose head comes first (none: sources_.size()).
    size_t earliest() const;
    bool safe(const SessionSummary &s) const;  // no worker can still send one before it
    void pop(size_t source, const Out &out);

    std::vector<Source> sources_;
    size_t max_pending_;
    size_t pending_ = 0;
    uint64_t overflows_ = 0;
};

}  // namespace postern::detect
