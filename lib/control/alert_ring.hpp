// The most recent EVE alert records, for GET /api/v1/alerts. Filled by the control plane as it
// writes alerts to the EVE log; bounded, the oldest is overwritten. Control thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace postern::control {

class AlertRing {
public:
    explicit AlertRing(size_t capacity = 1024) : slots_(capacity) {}

    // `record` is one EVE alert line; its "timestamp" orders and filters it.
    void push(std::string_view record);

    // Alerts with timestamp >= since_ns, oldest first, at most `limit` (the newest ones).
    nlohmann::json query(uint64_t since_ns, size_t limit) const;

    size_t size() const { return size_; }
    uint64_t total() const { return total_; }  // pushed since start, including overwritten

private:
    struct Slot {
        uint64_t ts_ns = 0;
        std::string record;
    };
    std::vector<Slot> slots_;
    size_t next_ = 0;
    size_t size_ = 0;
    uint64_t total_ = 0;
};

// The "timestamp" of an EVE line in nanoseconds, or 0 when it has none.
uint64_t eve_timestamp_ns(std::string_view record);

}  // namespace postern::control
