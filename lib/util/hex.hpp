// Lower-case hex of bytes: 2 * n characters into `out` (digests in EVE records and file names).
#pragma once

#include <cstddef>
#include <cstdint>

namespace postern::util {

inline void hex_encode(const uint8_t *bytes, size_t n, char *out) {
    constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) out[2 * i] = kHex[bytes[i] >> 4], out[2 * i + 1] = kHex[bytes[i] & 15];
}

}  // namespace postern::util
