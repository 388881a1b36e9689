// A bounded map from a 64-bit key (a hash of client, server, protocol, user...) to a fixed-size
// value, for the control plane's history detectors. Set-associative, 8 ways: a full set evicts
// its least recently used entry and counts it. Allocated once; no allocation afterwards.
#pragma once

#include <cstdint>
#include <vector>

namespace postern::detect {

template <class Value>
class HistoryTable {
public:
    static constexpr uint32_t kWays = 8;

    explicit HistoryTable(uint32_t max_keys) {
        sets_ = max_keys / kWays ? max_keys / kWays : 1;
        entries_.resize(size_t{sets_} * kWays);
    }

    // The key's value (default-constructed when new), marked as used at `now`.
    Value &get(uint64_t key, uint64_t now) {
        const uint64_t k = key ? key : 1;  // 0 marks a free entry
        Entry *set = &entries_[(k % sets_) * kWays];
        Entry *victim = set;
        for (uint32_t i = 0; i < kWays; ++i) {
            Entry &e = set[i];
            if (e.key == k) {
                e.used = now > e.used ? now : e.used;
                return e.value;
            }
            if (e.key == 0) {
                if (victim->key != 0) victim = &e;
            } else if (victim->key != 0 && e.used < victim->used) {
                victim = &e;
            }
        }
        if (victim->key != 0) ++evictions_;
        else ++size_;
        victim->key = k;
        victim->used = now;
        victim->value = Value{};
        return victim->value;
    }

    uint64_t evictions() const { return evictions_; }
    uint64_t size() const { return size_; }

private:
    struct Entry {
        uint64_t key = 0;
        uint64_t used = 0;
        Value value{};
    };
    std::vector<Entry> entries_;
    uint32_t sets_ = 1;
    uint64_t evictions_ = 0;
    uint64_t size_ = 0;
};

}  // namespace postern::detect
