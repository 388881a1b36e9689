// The base64 alphabet (RFC 4648 §4) as a table: the sextet value of each byte, -1 outside it.
#pragma once

#include <array>
#include <cstdint>

namespace postern::proto {

inline constexpr std::array<int8_t, 256> kBase64Sextets = [] {
    std::array<int8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+') v = 62;
        else if (c == '/') v = 63;
        t[static_cast<size_t>(c)] = static_cast<int8_t>(v);
    }
    return t;
}();

}  // namespace postern::proto
