// Flow keys and the keyed symmetric hash: both directions of a session must meet in one place,
// distinct sessions should not, and without the key nobody can aim flows at one bucket.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "net/flow_key.hpp"

namespace {

using postern::net::canonical_key;
using postern::net::FiveTuple;
using postern::net::FlowKey;
using postern::net::format_ip;
using postern::net::IpAddress;
using postern::net::IpFamily;
using postern::net::FlowHasher;

IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    IpAddress ip;
    ip.bytes[0] = a, ip.bytes[1] = b, ip.bytes[2] = c, ip.bytes[3] = d;
    return ip;
}

IpAddress v6(std::initializer_list<uint16_t> groups) {
    IpAddress ip;
    size_t i = 0;
    for (uint16_t g : groups) {
        ip.bytes[i++] = static_cast<uint8_t>(g >> 8);
        ip.bytes[i++] = static_cast<uint8_t>(g);
    }
    return ip;
}

IpAddress random_address(std::mt19937_64 &rng, IpFamily family) {
    IpAddress ip;
    const size_t n = family == IpFamily::V6 ? 16 : 4;
    for (size_t i = 0; i < n; ++i) ip.bytes[i] = static_cast<uint8_t>(rng());
    return ip;
}

FiveTuple random_tuple(std::mt19937_64 &rng, IpFamily family) {
    FiveTuple t;
    t.family = family;
    t.src = random_address(rng, family);
    t.dst = random_address(rng, family);
    t.src_port = static_cast<uint16_t>(rng());
    t.dst_port = static_cast<uint16_t>(rng());
    t.proto = rng() % 2 ? postern::net::kProtoTcp : postern::net::kProtoUdp;
    return t;
}

FiveTuple reversed(const FiveTuple &t) {
    FiveTuple r = t;
    r.src = t.dst, r.dst = t.src, r.src_port = t.dst_port, r.dst_port = t.src_port;
    return r;
}

FiveTuple tuple(IpAddress src, uint16_t sport, IpAddress dst, uint16_t dport, uint8_t proto = 6,
                IpFamily family = IpFamily::V4) {
    FiveTuple t;
    t.src = src, t.dst = dst, t.src_port = sport, t.dst_port = dport, t.proto = proto, t.family = family;
    return t;
}

// ---------------------------------------------------------------- keyed hash

const FlowHasher kHasher(42);
template <class T>
uint32_t symmetric_hash(const T &t) {
    return kHasher(t);
}

TEST(NetHash, TheKeyDecidesTheHash) {
    const FiveTuple t = tuple(v4(10, 0, 0, 1), 1000, v4(10, 0, 0, 2), 25);
    EXPECT_EQ(FlowHasher(7)(t), FlowHasher(7)(t));    // a seed gives the same key (tests, tools)
    EXPECT_NE(FlowHasher(7)(t), FlowHasher(8)(t));
    EXPECT_NE(FlowHasher()(t), FlowHasher()(t));      // no seed: a random key per hasher (per run)
}

// Flows that share a bucket under one key (what an attacker who learnt it would send) spread
// out under another key: collisions cannot be prepared without the key.
TEST(NetHash, CollisionsDoNotSurviveANewKey) {
    std::mt19937_64 rng(11);
    const FlowHasher first(1), second(2);
    std::vector<FiveTuple> same_bucket;
    for (int i = 0; i < 400000 && same_bucket.size() < 64; ++i) {
        FiveTuple t = tuple(v4(10, static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng())),
                            static_cast<uint16_t>(rng()), v4(10, 99, 0, 2), 25);
        if ((first(t) & 0x3FFF) == 0x1234) same_bucket.push_back(t);
    }
    ASSERT_GE(same_bucket.size(), 10u);
    std::unordered_set<uint32_t> buckets;
    for (const auto &t : same_bucket) buckets.insert(second(t) & 0x3FFF);
    EXPECT_GE(buckets.size(), same_bucket.size() - 2);
}

// ---------------------------------------------------------------- canonical key

TEST(NetHash, CanonicalKeyOrdersEndpoints) {
    bool src_is_a = false;
    const FiveTuple t = tuple(v4(10, 0, 0, 2), 1025, v4(10, 0, 0, 1), 25);
    FlowKey k = canonical_key(t, src_is_a);
    EXPECT_FALSE(src_is_a);
    EXPECT_EQ(k.a, v4(10, 0, 0, 1));
    EXPECT_EQ(k.a_port, 25);
    EXPECT_EQ(k.b, v4(10, 0, 0, 2));
    EXPECT_EQ(k.b_port, 1025);
    EXPECT_EQ(k.proto, 6);
    EXPECT_EQ(k.family, IpFamily::V4);

    k = canonical_key(reversed(t), src_is_a);
    EXPECT_TRUE(src_is_a);
    EXPECT_EQ(k.a, v4(10, 0, 0, 1));
    EXPECT_EQ(k.a_port, 25);

    // Addresses compare as big-endian byte strings: 9.x < 10.x < 192.x.
    k = canonical_key(tuple(v4(192, 0, 2, 1), 1, v4(9, 255, 255, 255), 2), src_is_a);
    EXPECT_FALSE(src_is_a);
    EXPECT_EQ(k.a, v4(9, 255, 255, 255));
}

TEST(NetHash, SameAddressOrdersByPort) {
    bool src_is_a = false;
    const IpAddress host = v4(127, 0, 0, 1);
    FlowKey k = canonical_key(tuple(host, 40000, host, 25), src_is_a);
    EXPECT_FALSE(src_is_a);
    EXPECT_EQ(k.a_port, 25);
    EXPECT_EQ(k.b_port, 40000);
    k = canonical_key(tuple(host, 25, host, 40000), src_is_a);
    EXPECT_TRUE(src_is_a);
    EXPECT_EQ(k.a_port, 25);
    // Identical endpoints: both directions are the same packet; src is a either way.
    k = canonical_key(tuple(host, 7, host, 7), src_is_a);
    EXPECT_TRUE(src_is_a);
    EXPECT_EQ(k.a_port, 7);
    EXPECT_EQ(k.b_port, 7);
}

void check_symmetric(IpFamily family, uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 20000; ++i) {
        FiveTuple t = random_tuple(rng, family);
        if (i % 10 == 0) t.dst = t.src;  // same host, different ports
        if (i % 100 == 0) t.dst_port = t.src_port;
        bool fwd_a = false, rev_a = false;
        const FlowKey kf = canonical_key(t, fwd_a);
        const FlowKey kr = canonical_key(reversed(t), rev_a);
        ASSERT_EQ(kf, kr) << i;
        ASSERT_EQ(symmetric_hash(kf), symmetric_hash(kr)) << i;
        ASSERT_EQ(symmetric_hash(t), symmetric_hash(reversed(t))) << i;
        ASSERT_EQ(symmetric_hash(t), symmetric_hash(kf)) << i;
        const bool same_endpoint = t.src == t.dst && t.src_port == t.dst_port;
        if (same_endpoint) {
            ASSERT_TRUE(fwd_a && rev_a);
        } else {
            ASSERT_NE(fwd_a, rev_a) << i;
        }
        // a is the lower (address, port) endpoint and is the sender exactly when src_is_a.
        const bool src_lower = t.src < t.dst || (t.src == t.dst && t.src_port <= t.dst_port);
        ASSERT_EQ(fwd_a, src_lower) << i;
        ASSERT_TRUE(kf.a < kf.b || (kf.a == kf.b && kf.a_port <= kf.b_port)) << i;
        ASSERT_EQ(fwd_a ? t.src : t.dst, kf.a);
        ASSERT_EQ(fwd_a ? t.src_port : t.dst_port, kf.a_port);
        ASSERT_EQ(fwd_a ? t.dst : t.src, kf.b);
        ASSERT_EQ(fwd_a ? t.dst_port : t.src_port, kf.b_port);
        ASSERT_EQ(kf.proto, t.proto);
        ASSERT_EQ(kf.family, family);
    }
}

TEST(NetHash, BothDirectionsMeetV4) { check_symmetric(IpFamily::V4, 1); }
TEST(NetHash, BothDirectionsMeetV6) { check_symmetric(IpFamily::V6, 2); }

void check_collisions(IpFamily family, uint64_t seed) {
    std::mt19937_64 rng(seed);
    constexpr int kFlows = 100000;
    std::unordered_set<uint32_t> hashes;
    std::vector<int> buckets(1024, 0);
    std::vector<int> high_buckets(1024, 0);
    for (int i = 0; i < kFlows; ++i) {
        const uint32_t h = symmetric_hash(random_tuple(rng, family));
        hashes.insert(h);
        ++buckets[h & 1023];
        ++high_buckets[h >> 22];
    }
    // Expected collisions for 1e5 random 32-bit values: n^2 / 2^33 ~ 1.2.
    EXPECT_GT(hashes.size(), static_cast<size_t>(kFlows - 20));
    // Workers are picked from the low bits, flow table slots too: each bucket should be near 98.
    for (const auto *b : {&buckets, &high_buckets}) {
        double chi2 = 0;
        const double expect = kFlows / 1024.0;
        for (int n : *b) chi2 += (n - expect) * (n - expect) / expect;
        EXPECT_LT(chi2, 1250.0);  // 1023 degrees of freedom; p < 1e-6 beyond this
    }
}

TEST(NetHash, FewCollisionsV4) { check_collisions(IpFamily::V4, 3); }
TEST(NetHash, FewCollisionsV6) { check_collisions(IpFamily::V6, 4); }

// Flows that differ in a single field (the common case: one client, many source ports) differ.
TEST(NetHash, NeighbouringFlowsDiffer) {
    std::unordered_set<uint32_t> by_port;
    for (uint32_t port = 1024; port < 1024 + 20000; ++port)
        by_port.insert(symmetric_hash(tuple(v4(10, 0, 0, 1), static_cast<uint16_t>(port), v4(10, 0, 0, 2), 25)));
    EXPECT_GT(by_port.size(), 19990u);

    std::unordered_set<uint32_t> by_host;
    for (uint32_t host = 0; host < 20000; ++host)
        by_host.insert(symmetric_hash(tuple(v4(10, 1, static_cast<uint8_t>(host >> 8), static_cast<uint8_t>(host)),
                                            40000, v4(10, 0, 0, 2), 25)));
    EXPECT_GT(by_host.size(), 19990u);

    const FiveTuple t = tuple(v4(10, 0, 0, 1), 1000, v4(10, 0, 0, 2), 25);
    FiveTuple u = t;
    u.proto = postern::net::kProtoUdp;
    EXPECT_NE(symmetric_hash(t), symmetric_hash(u));
    bool ignored;
    EXPECT_FALSE(canonical_key(t, ignored) == canonical_key(u, ignored));
    // Swapping only the ports (not the addresses) is a different flow.
    FiveTuple s = t;
    std::swap(s.src_port, s.dst_port);
    EXPECT_NE(symmetric_hash(t), symmetric_hash(s));
    EXPECT_FALSE(canonical_key(t, ignored) == canonical_key(s, ignored));
}

TEST(NetHash, V4HashIgnoresUnusedAddressBytesOnlyThroughTheConvention) {
    // An IPv4 key hashes 4 address bytes; the same 16 bytes as IPv6 hash differently.
    FiveTuple t = tuple(v4(192, 0, 2, 1), 1, v4(192, 0, 2, 2), 2);
    const uint32_t h4 = symmetric_hash(t);
    t.family = IpFamily::V6;
    EXPECT_NE(symmetric_hash(t), h4);
    // Deterministic across calls (no pointer or padding bytes take part).
    bool ignored;
    FlowKey a = canonical_key(tuple(v4(192, 0, 2, 1), 1, v4(192, 0, 2, 2), 2), ignored);
    FlowKey b;
    std::memset(static_cast<void *>(&b), 0xA5, sizeof b);  // garbage in the padding
    b.a = a.a, b.b = a.b, b.a_port = a.a_port, b.b_port = a.b_port, b.proto = a.proto, b.family = a.family;
    EXPECT_EQ(symmetric_hash(a), symmetric_hash(b));
}

// ---------------------------------------------------------------- format_ip

TEST(NetHash, FormatIp) {
    EXPECT_EQ(format_ip(v4(192, 0, 2, 1), IpFamily::V4), "192.0.2.1");
    EXPECT_EQ(format_ip(v4(0, 0, 0, 0), IpFamily::V4), "0.0.0.0");
    EXPECT_EQ(format_ip(v4(255, 255, 255, 255), IpFamily::V4), "255.255.255.255");
    EXPECT_EQ(format_ip(v4(10, 0, 0, 1), IpFamily::None), "10.0.0.1");
    EXPECT_EQ(format_ip(v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}), IpFamily::V6), "2001:db8::1");
    EXPECT_EQ(format_ip(v6({0, 0, 0, 0, 0, 0, 0, 0}), IpFamily::V6), "::");
    EXPECT_EQ(format_ip(v6({0, 0, 0, 0, 0, 0, 0, 1}), IpFamily::V6), "::1");
    EXPECT_EQ(format_ip(v6({0xfe80, 0, 0, 0, 0x1, 0x2, 0x3, 0x4}), IpFamily::V6), "fe80::1:2:3:4");
    EXPECT_EQ(format_ip(v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}), IpFamily::V6), "2001:db8::1:0:0:1");
    EXPECT_EQ(format_ip(v6({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201}), IpFamily::V6), "::ffff:192.0.2.1");
    EXPECT_EQ(format_ip(v6({0x2001, 0xdb8, 0x85a3, 0x1234, 0x5678, 0x9abc, 0xdef0, 0xffff}), IpFamily::V6),
              "2001:db8:85a3:1234:5678:9abc:def0:ffff");
}

TEST(NetHash, FormatIpIntoSmallBuffers) {
    const IpAddress ip = v4(192, 0, 2, 1);
    char buf[16];
    std::memset(buf, 'x', sizeof buf);
    EXPECT_EQ(format_ip(ip, IpFamily::V4, buf, sizeof buf), 9u);
    EXPECT_STREQ(buf, "192.0.2.1");
    std::memset(buf, 'x', sizeof buf);
    EXPECT_EQ(format_ip(ip, IpFamily::V4, buf, 4), 3u);  // truncated, still terminated
    EXPECT_STREQ(buf, "192");
    EXPECT_EQ(buf[4], 'x');
    EXPECT_EQ(format_ip(ip, IpFamily::V4, buf, 1), 0u);
    EXPECT_EQ(buf[0], '\0');
    buf[0] = 'x';
    EXPECT_EQ(format_ip(ip, IpFamily::V4, buf, 0), 0u);
    EXPECT_EQ(buf[0], 'x');  // nothing written
    // The longest IPv6 text fits the documented 64-byte buffer EVE uses.
    char big[64];
    const IpAddress full = v6({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff});
    EXPECT_EQ(format_ip(full, IpFamily::V6, big, sizeof big), 39u);
}

}  // namespace
