// Keys of the history tables: FNV-1a 64 over the parts that identify a client, a server, a
// protocol and a user. Hashes, not addresses, are kept.
#pragma once

#include <cstdint>
#include <string_view>

#include "detect/session_summary.hpp"

namespace postern::detect {

struct KeyHash {
    uint64_t h = 0xcbf29ce484222325ull;
    KeyHash &add(const void *p, size_t n) {
        const auto *b = static_cast<const uint8_t *>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
        return *this;
    }
    KeyHash &add(std::string_view s) { return add(s.data(), s.size()).add("\0", 1); }
    KeyHash &tag(uint8_t t) { return add(&t, 1); }
};

inline KeyHash &client(KeyHash &k, const SessionSummary &s) {
    return k.add(s.endpoints.src_ip.bytes.data(), s.endpoints.src_ip.bytes.size());
}
inline KeyHash &server(KeyHash &k, const SessionSummary &s) {
    return k.add(s.endpoints.dest_ip.bytes.data(), s.endpoints.dest_ip.bytes.size());
}

// (tag, client, server, protocol, user): one conversation partner pair and account.
inline uint64_t session_key(uint8_t tag, const SessionSummary &s) {
    KeyHash k;
    k.tag(tag);
    client(k, s);
    return server(k, s).tag(static_cast<uint8_t>(s.protocol)).add(s.user_name()).h;
}

}  // namespace postern::detect
