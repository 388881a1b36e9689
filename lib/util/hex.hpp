// Hex digits: lower-case hex of bytes (digests in EVE records and file names) and the value of a
// digit read back (quoted-printable, RFC 2047 Q and URL %XX escapes).
#pragma once

#include <cstddef>
#include <cstdint>

namespace postern::util {

inline void hex_encode(const uint8_t *bytes, size_t n, char *out) {
    constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) out[2 * i] = kHex[bytes[i] >> 4], out[2 * i + 1] = kHex[bytes[i] & 15];
}

// 0..15 for a hex digit of either case, -1 for any other character.
constexpr int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace postern::util
