// What a rule match needs to know of the packet being processed: its time (threshold windows)
// and its endpoints (thresholds tracked by source or destination address).
#pragma once

#include <cstdint>

namespace postern::rules {

struct MatchContext {
    uint64_t ts_ns = 0;  // packet time (capture time in offline runs)
    // Any stable hash of the client's and the server's address: they only key thresholds.
    uint64_t src_key = 0;
    uint64_t dst_key = 0;
};

}  // namespace postern::rules
