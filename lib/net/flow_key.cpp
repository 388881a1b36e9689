#include "net/flow_key.hpp"

#include <arpa/inet.h>

namespace postern::net {

namespace {

struct Crc32cTable {
    uint32_t v[256];
    constexpr Crc32cTable() : v() {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            v[i] = c;
        }
    }
};
constexpr Crc32cTable kCrcTable;

uint32_t crc32c_table(const uint8_t *p, size_t len, uint32_t c) {
    for (size_t i = 0; i < len; ++i) c = kCrcTable.v[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c;
}

// The SSE4.2 crc32 instruction computes the same CRC32-C, 8 bytes per instruction.
__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const uint8_t *p, size_t len, uint32_t c) {
    uint64_t c64 = c;
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        c64 = __builtin_ia32_crc32di(c64, v);
    }
    c = static_cast<uint32_t>(c64);
    for (; len > 0; ++p, --len) c = __builtin_ia32_crc32qi(c, *p);
    return c;
}

const bool kHaveSse42 = __builtin_cpu_supports("sse4.2");

}  // namespace

uint32_t crc32c(const void *data, size_t len, uint32_t seed) {
    const auto *p = static_cast<const uint8_t *>(data);
    return ~(kHaveSse42 ? crc32c_sse42(p, len, ~seed) : crc32c_table(p, len, ~seed));
}

uint32_t crc32c_portable(const void *data, size_t len, uint32_t seed) {
    return ~crc32c_table(static_cast<const uint8_t *>(data), len, ~seed);
}

namespace {

// Compares (address, port) endpoints without memcmp calls: two 8-byte big-endian words.
inline int compare_endpoints(const IpAddress &x, uint16_t xp, const IpAddress &y, uint16_t yp) {
    for (size_t off = 0; off < 16; off += 8) {
        uint64_t a, b;
        std::memcpy(&a, x.bytes.data() + off, 8);
        std::memcpy(&b, y.bytes.data() + off, 8);
        if (a != b) return __builtin_bswap64(a) < __builtin_bswap64(b) ? -1 : 1;
    }
    return xp < yp ? -1 : (xp > yp ? 1 : 0);
}

}  // namespace

FlowKey canonical_key(const FiveTuple &t, bool &src_is_a) {
    FlowKey k;
    k.proto = t.proto;
    k.family = t.family;
    src_is_a = compare_endpoints(t.src, t.src_port, t.dst, t.dst_port) <= 0;
    if (src_is_a) {
        k.a = t.src, k.a_port = t.src_port, k.b = t.dst, k.b_port = t.dst_port;
    } else {
        k.a = t.dst, k.a_port = t.dst_port, k.b = t.src, k.b_port = t.src_port;
    }
    return k;
}

uint32_t symmetric_hash(const FlowKey &k) {
    // Hash fields one by one: FlowKey has padding, which must not take part.
    const size_t alen = k.family == IpFamily::V6 ? 16 : 4;
    uint32_t h = crc32c(k.a.bytes.data(), alen, 0x5eed);
    h = crc32c(k.b.bytes.data(), alen, h);
    const uint8_t tail[5] = {static_cast<uint8_t>(k.a_port >> 8), static_cast<uint8_t>(k.a_port),
                             static_cast<uint8_t>(k.b_port >> 8), static_cast<uint8_t>(k.b_port),
                             k.proto};
    return crc32c(tail, sizeof tail, h);
}

size_t format_ip(const IpAddress &ip, IpFamily family, char *buf, size_t cap) {
    char tmp[INET6_ADDRSTRLEN] = {};
    const int af = family == IpFamily::V6 ? AF_INET6 : AF_INET;
    if (inet_ntop(af, ip.bytes.data(), tmp, sizeof tmp) == nullptr) tmp[0] = '\0';
    size_t n = std::strlen(tmp);
    if (n >= cap) n = cap ? cap - 1 : 0;
    if (cap) {
        std::memcpy(buf, tmp, n);
        buf[n] = '\0';
    }
    return n;
}

std::string format_ip(const IpAddress &ip, IpFamily family) {
    char buf[64];
    size_t n = format_ip(ip, family, buf, sizeof buf);
    return std::string(buf, n);
}

}  // namespace postern::net
