// The CPU's time-stamp counter, for stage costs in lib/ code (dataplane code uses rte_rdtsc).
#pragma once

#include <cstdint>

#include <x86intrin.h>

namespace postern::util {

inline uint64_t cycles() { return __rdtsc(); }

}  // namespace postern::util
