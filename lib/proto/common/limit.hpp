// A parser bound has a compile-time maximum, which sizes a fixed buffer of the session object,
// and a configured value, which is clamped into 1..maximum before the parser uses it.
#pragma once

#include <cstdint>

namespace postern::proto {

inline void clamp_limit(uint32_t &value, uint32_t max) { value = value == 0 ? 1 : value > max ? max : value; }

}  // namespace postern::proto
