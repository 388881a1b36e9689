#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "synth/pcap_reader.hpp"
#include "synth/pcap_writer.hpp"
#include "synth_test_util.hpp"

namespace postern::synth {
namespace {

std::vector<uint8_t> slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

uint32_t le32(const std::vector<uint8_t> &b, size_t at) {
    return uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 | uint32_t{b[at + 2]} << 16 | uint32_t{b[at + 3]} << 24;
}

TEST(SynthPcap, FileHeaderAndRecordLayout) {
    const std::string path = testing::temp_path("layout.pcap");
    {
        PcapWriter w(path);
        const uint8_t frame[5] = {1, 2, 3, 4, 5};
        w.write(1700000000123456ULL, frame, sizeof frame);
        w.close();
        EXPECT_EQ(w.packets(), 1u);
        EXPECT_EQ(w.file_bytes(), 24u + 16u + 5u);
        EXPECT_EQ(w.frame_bytes(), 5u);
    }
    const auto b = slurp(path);
    ASSERT_EQ(b.size(), 24u + 16u + 5u);
    // Little-endian classic pcap: magic, version 2.4, thiszone 0, sigfigs 0, snaplen, Ethernet.
    const std::vector<uint8_t> header = {0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         0xFF, 0xFF, 0, 0, 1, 0, 0, 0};
    EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.begin() + 24), header);
    EXPECT_EQ(le32(b, 24), 1700000000u);  // seconds
    EXPECT_EQ(le32(b, 28), 123456u);      // microseconds
    EXPECT_EQ(le32(b, 32), 5u);           // caplen
    EXPECT_EQ(le32(b, 36), 5u);           // orig len
    EXPECT_EQ(std::vector<uint8_t>(b.begin() + 40, b.end()), (std::vector<uint8_t>{1, 2, 3, 4, 5}));
}

TEST(SynthPcap, RoundTripAcrossBufferBoundaries) {
    const std::string path = testing::temp_path("roundtrip.pcap");
    std::vector<std::vector<uint8_t>> frames;
    {
        PcapWriter w(path, 65535, 1);  // smallest buffer: many drains
        for (uint32_t i = 0; i < 3000; ++i) {
            std::vector<uint8_t> f(60 + (i * 37) % 1500, static_cast<uint8_t>(i));
            f[0] = static_cast<uint8_t>(i >> 8);
            uint8_t *dst = w.reserve(static_cast<uint32_t>(f.size()));
            std::copy(f.begin(), f.end(), dst);
            w.commit(1000000ULL * i + i, static_cast<uint32_t>(f.size()));
            frames.push_back(std::move(f));
        }
        w.close();
    }
    PcapReader r(path);
    EXPECT_EQ(r.linktype(), kLinktypeEthernet);
    EXPECT_EQ(r.version_major(), 2);
    EXPECT_EQ(r.version_minor(), 4);
    EXPECT_FALSE(r.nanosecond());
    PcapRecord rec;
    size_t n = 0;
    while (r.next(rec)) {
        ASSERT_LT(n, frames.size());
        EXPECT_EQ(rec.ts_us, 1000000ULL * n + n);
        EXPECT_EQ(rec.orig_len, frames[n].size());
        ASSERT_EQ(rec.data, frames[n]) << "frame " << n;
        ++n;
    }
    EXPECT_EQ(n, frames.size());
}

TEST(SynthPcap, SnaplenTruncatesCapturedBytes) {
    const std::string path = testing::temp_path("snap.pcap");
    {
        PcapWriter w(path, 64);
        std::vector<uint8_t> big(200, 0xAB);
        w.write(5, big.data(), static_cast<uint32_t>(big.size()));
        const uint8_t small[3] = {1, 2, 3};
        w.write(6, small, 3);
    }
    PcapReader r(path);
    PcapRecord rec;
    ASSERT_TRUE(r.next(rec));
    EXPECT_EQ(rec.orig_len, 200u);
    EXPECT_EQ(rec.data.size(), 64u);
    ASSERT_TRUE(r.next(rec));
    EXPECT_EQ(rec.data, (std::vector<uint8_t>{1, 2, 3}));
    EXPECT_FALSE(r.next(rec));
}

TEST(SynthPcap, UnwritablePathThrows) {
    EXPECT_THROW(PcapWriter("/nonexistent-dir/x.pcap"), std::runtime_error);
}

}  // namespace
}  // namespace postern::synth
