// A histogram with power-of-two buckets, written by one thread and read by the control plane.
// observe() is a bit scan and three relaxed stores: cheap enough around every Hyperscan call.
// Values are raw units (TSC cycles); the exporter converts bucket bounds to seconds.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>

namespace postern::util {

class Log2Histogram {
public:
    // Bucket i counts values v with bit_width(v) == i, i.e. v < 2^i; the last bucket takes the rest.
    static constexpr size_t kBuckets = 40;

    void observe(uint64_t v) {
        size_t i = static_cast<size_t>(std::bit_width(v));
        if (i >= kBuckets) i = kBuckets - 1;
        bump(counts_[i], 1);
        bump(sum_, v);
    }

    struct Snapshot {
        std::array<uint64_t, kBuckets> counts{};  // per bucket, not cumulative
        uint64_t sum = 0;
        uint64_t count = 0;
        void add(const Snapshot &o) {
            for (size_t i = 0; i < kBuckets; ++i) counts[i] += o.counts[i];
            sum += o.sum, count += o.count;
        }
    };
    // The count is the sum of the buckets read, so the exposition stays consistent (+Inf == count).
    Snapshot snapshot() const {
        Snapshot s;
        for (size_t i = 0; i < kBuckets; ++i) s.count += s.counts[i] = counts_[i].load(std::memory_order_relaxed);
        s.sum = sum_.load(std::memory_order_relaxed);
        return s;
    }
    // Upper bound (exclusive) of bucket i in raw units; the last bucket is unbounded.
    static constexpr uint64_t upper_bound(size_t i) { return uint64_t{1} << i; }

private:
    static void bump(std::atomic<uint64_t> &a, uint64_t n) {
        a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    std::array<std::atomic<uint64_t>, kBuckets> counts_{};
    std::atomic<uint64_t> sum_{0};
};

}  // namespace postern::util
