// FNV-1a: a stable 64-bit fingerprint of rule text, to tell rule sets apart (not a security hash).
#pragma once

#include <cstdint>
#include <string_view>

namespace postern::rules {

inline uint64_t fnv1a64(std::string_view s, uint64_t h = 14695981039346656037ull) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

}  // namespace postern::rules
