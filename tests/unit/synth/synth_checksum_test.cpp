#include <gtest/gtest.h>

#include <vector>

#include "synth/checksum.hpp"
#include "synth/rng.hpp"
#include "synth_test_util.hpp"

namespace postern::synth {
namespace {

using testing::be_sum;
using testing::fold16;

uint16_t stored(uint64_t acc) {
    uint8_t out[2];
    store_checksum(acc, out);
    return static_cast<uint16_t>(out[0] << 8 | out[1]);
}

TEST(SynthChecksum, Rfc1071Example) {
    // RFC 1071 §3: the sum of these words is 0xDDF2, so the checksum is 0x220D.
    const uint8_t data[] = {0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7};
    EXPECT_EQ(stored(checksum_add(data, sizeof data, 0)), 0x220D);
}

TEST(SynthChecksum, MatchesTextbookSumForAllLengthsAndSplits) {
    Rng rng(7);
    std::vector<uint8_t> buf(300);
    rng.fill(buf.data(), buf.size());
    for (size_t len = 0; len <= buf.size(); ++len) {
        const uint16_t want = static_cast<uint16_t>(~fold16(be_sum(buf.data(), len)));
        ASSERT_EQ(stored(checksum_add(buf.data(), len, 0)), want) << "len " << len;
        // Pieces of even length chain like one buffer.
        const size_t cut = (len / 3) & ~size_t{1};
        const uint64_t acc = checksum_add(buf.data() + cut, len - cut, checksum_add(buf.data(), cut, 0));
        ASSERT_EQ(stored(acc), want) << "len " << len << " cut " << cut;
    }
}

TEST(SynthChecksum, VerifiesAfterStoring) {
    Rng rng(9);
    std::vector<uint8_t> buf(64);
    rng.fill(buf.data(), buf.size());
    buf[10] = buf[11] = 0;
    store_checksum(checksum_add(buf.data(), buf.size(), 0), buf.data() + 10);
    EXPECT_TRUE(checksum_ok(checksum_add(buf.data(), buf.size(), 0)));
    buf[3] ^= 1;
    EXPECT_FALSE(checksum_ok(checksum_add(buf.data(), buf.size(), 0)));
}

TEST(SynthFnv, KnownVectors) {
    EXPECT_EQ(fnv1a64(nullptr, 0), 0xCBF29CE484222325ULL);
    const uint8_t a[] = {'a'};
    EXPECT_EQ(fnv1a64(a, 1), 0xAF63DC4C8601EC8CULL);
    const uint8_t foobar[] = {'f', 'o', 'o', 'b', 'a', 'r'};
    EXPECT_EQ(fnv1a64(foobar, 6), 0x85944171F73967E8ULL);
}

TEST(SynthRng, FixedSequenceAndBounds) {
    // xoshiro256** seeded by splitmix64, checked against an independent implementation. A change
    // here changes every capture generated from a seed.
    Rng pinned(1);
    EXPECT_EQ(pinned.next(), 0xB3F2AF6D0FC710C5ULL);
    EXPECT_EQ(pinned.next(), 0x853B559647364CEAULL);
    EXPECT_EQ(pinned.next(), 0x92F89756082A4514ULL);
    Rng a(1), b(1);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(a.next(), b.next());
    Rng c(42);
    for (int i = 0; i < 10000; ++i) {
        const uint64_t x = c.between(5, 9);
        ASSERT_GE(x, 5u);
        ASSERT_LE(x, 9u);
        const uint64_t y = c.log_between(200, 20000);
        ASSERT_GE(y, 200u);
        ASSERT_LE(y, 20000u);
        const double u = c.unit();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
    }
    EXPECT_FALSE(c.chance(0.0));
    EXPECT_TRUE(c.chance(1.0));
    EXPECT_NE(Rng::derive(1, 0).next(), Rng::derive(1, 1).next());
}

}  // namespace
}  // namespace postern::synth
