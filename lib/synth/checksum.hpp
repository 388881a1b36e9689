// The synthesizer's hashes: the Internet checksum (net/checksum.hpp, shared with the decoder's
// verification) and FNV-1a.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/checksum.hpp"

namespace postern::synth {

using net::checksum_add;
using net::checksum_ok;
using net::store_checksum;

inline constexpr uint64_t kFnvOffset = 0xCBF29CE484222325ULL;
inline constexpr uint64_t kFnvPrime = 0x100000001B3ULL;

inline uint64_t fnv1a64(const uint8_t *data, size_t len, uint64_t h = kFnvOffset) {
    for (size_t i = 0; i < len; ++i) {
        h ^= data[i];
        h *= kFnvPrime;
    }
    return h;
}

}  // namespace postern::synth
