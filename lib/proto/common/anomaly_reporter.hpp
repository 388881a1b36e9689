// Counts every anomaly of a parser and reports each one to the sink at most once per transaction,
// so a hostile stream (a million bare LFs) cannot flood the event queue; the parser's stats still
// count every occurrence.
#pragma once

#include <cstddef>
#include <cstdint>

#include "proto/events.hpp"

namespace postern::proto {

// Anomaly: an enum declared with AnomalyTable (common/anomaly_table.hpp), with its anomaly_event().
template <class Anomaly>
class AnomalyReporter {
public:
    static constexpr size_t kCount = static_cast<size_t>(Anomaly::Count);
    static_assert(kCount <= 64, "one bit per anomaly in reported_");

    // `counts` (one per anomaly, in the parser's stats) must outlive the reporter.
    AnomalyReporter(EventSink &sink, uint64_t (&counts)[kCount]) : sink_(sink), counts_(counts) {}

    void report(Anomaly a) {
        const auto i = static_cast<size_t>(a);
        ++counts_[i];
        const uint64_t bit = uint64_t{1} << i;
        if (reported_ & bit) return;
        reported_ |= bit;
        sink_.on_anomaly(anomaly_event(a));
    }
    // A new transaction (or message): each anomaly is reported again the next time it occurs.
    void reset() { reported_ = 0; }

private:
    EventSink &sink_;
    uint64_t (&counts_)[kCount];
    uint64_t reported_ = 0;
};

}  // namespace postern::proto
