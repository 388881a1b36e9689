// Reports each anomaly at most once per transaction, so a hostile stream (a million bare LFs)
// cannot flood the event queue; the parser's stats still count every occurrence.
#pragma once

#include <cstdint>

namespace postern::proto {

class AnomalyLimiter {
public:
    // True the first time `id` (< 64) is seen since the last reset().
    bool first(unsigned id) {
        const uint64_t bit = uint64_t{1} << (id & 63u);
        if (seen_ & bit) return false;
        seen_ |= bit;
        return true;
    }
    void reset() { seen_ = 0; }

private:
    uint64_t seen_ = 0;
};

}  // namespace postern::proto
