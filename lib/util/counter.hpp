// A statistics counter written by exactly one thread (its owner) and read by the control plane.
// Relaxed atomics compile to plain loads and stores on x86: no locked instructions on the hot path,
// yet reading from another thread is well defined.
#pragma once

#include <atomic>
#include <cstdint>

namespace postern::util {

class Counter {
public:
    Counter() = default;
    Counter(const Counter &) = delete;
    Counter &operator=(const Counter &) = delete;

    void add(uint64_t n) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    Counter &operator++() {
        add(1);
        return *this;
    }
    Counter &operator+=(uint64_t n) {
        add(n);
        return *this;
    }
    void set(uint64_t n) { v_.store(n, std::memory_order_relaxed); }  // gauges
    uint64_t get() const { return v_.load(std::memory_order_relaxed); }
    operator uint64_t() const { return get(); }

private:
    std::atomic<uint64_t> v_{0};
};

}  // namespace postern::util
