// Alerts counted by signature id and by severity, for /metrics and the stats event. Written by
// one worker, read by the control plane (relaxed atomics). The table of ids is bounded; ids
// beyond it are counted in `other_rules`.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "util/counter.hpp"

namespace postern::inspect {

struct AlertCounters {
    static constexpr size_t kMaxRules = 512;
    std::array<util::Counter, 4> by_severity;  // index 1 (high) to 3 (low)
    // Slots are claimed in order by the worker; a reader that sees used == n sees ids[0..n).
    std::array<uint32_t, kMaxRules> ids{};
    std::array<util::Counter, kMaxRules> by_rule;
    std::atomic<size_t> used{0};
    util::Counter other_rules;

    void add(uint32_t signature_id, int severity) {
        if (severity >= 1 && severity <= 3) ++by_severity[static_cast<size_t>(severity)];
        const size_t n = used.load(std::memory_order_relaxed);
        for (size_t i = 0; i < n; ++i)
            if (ids[i] == signature_id) return ++by_rule[i], void();
        if (n == kMaxRules) return ++other_rules, void();
        ids[n] = signature_id;
        ++by_rule[n];
        used.store(n + 1, std::memory_order_release);
    }
};

}  // namespace postern::inspect
