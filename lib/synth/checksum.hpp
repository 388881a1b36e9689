// Internet checksum (RFC 1071) and FNV-1a, the two hashes the synthesizer needs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace postern::synth {

// Ones'-complement sum of `len` bytes, continuing `acc`. Every piece but the last must have an
// even length so 16-bit words stay aligned across pieces. Sums host-order words: the folded result
// is byte-order independent (RFC 1071 §2(B)) as long as it is stored back with store_checksum.
uint64_t checksum_add(const uint8_t *data, size_t len, uint64_t acc);

// Folds, complements and stores the checksum at `where` (2 bytes, in the frame's memory order).
void store_checksum(uint64_t acc, uint8_t *where);

// True when the bytes (with their checksum field filled in) sum to 0xFFFF.
bool checksum_ok(uint64_t acc);

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
