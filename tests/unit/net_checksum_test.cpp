// The Internet checksum as hosts verify it: over a frame in pieces of any length (a segment in
// chained buffers), for IPv4 headers and TCP/UDP with their pseudo-header.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "net/checksum.hpp"
#include "net/packet.hpp"
#include "synth/packet_builder.hpp"

namespace {

using namespace postern::net;

TEST(Checksum, AnySplitSumsLikeTheWhole) {
    std::mt19937 rng(5);
    for (int round = 0; round < 300; ++round) {
        std::vector<uint8_t> data(1 + rng() % 300);
        for (auto &b : data) b = static_cast<uint8_t>(rng());
        ChecksumSum whole;
        whole.add(data.data(), data.size());
        // Store the whole's checksum in the first two bytes' place and check both agree on ok().
        ChecksumSum parts;
        size_t at = 0;
        while (at < data.size()) {
            const size_t n = std::min<size_t>(data.size() - at, 1 + rng() % 7);
            parts.add(data.data() + at, n);
            at += n;
        }
        EXPECT_EQ(parts.ok(), whole.ok());
        // Make the sum come out right, then check again with a fresh split.
        if (data.size() < 2) continue;
        const uint64_t acc = checksum_add(data.data() + 2, data.size() - 2, 0);
        store_checksum(acc, data.data());
        ChecksumSum fixed;
        for (size_t i = 0; i < data.size(); i += 3) fixed.add(data.data() + i, std::min<size_t>(3, data.size() - i));
        EXPECT_TRUE(fixed.ok()) << round;
        data[data.size() / 2] ^= 0x40;
        ChecksumSum broken;
        broken.add(data.data(), data.size());
        EXPECT_FALSE(broken.ok()) << round;
    }
}

// The sum in wide words folds to the RFC 1071 sum of 16-bit words, whatever the length, the
// alignment and the running total it continues (a carry out of 64 bits included).
TEST(Checksum, WideWordsFoldToTheSixteenBitSum) {
    auto fold16 = [](uint64_t acc) {
        while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
        return acc;
    };
    std::mt19937_64 rng(11);
    std::vector<uint8_t> data(3000);
    for (auto &b : data) b = static_cast<uint8_t>(rng());
    for (int round = 0; round < 2000; ++round) {
        const size_t at = rng() % 8, len = rng() % 1600;
        const uint64_t start = round % 3 == 0 ? ~uint64_t{0} - rng() % 4096 : rng() % 65536;
        uint64_t want = fold16(start);
        for (size_t i = 0; i < len; i += 2) {
            uint16_t w = data[at + i];
            if (i + 1 < len) w = static_cast<uint16_t>(w | data[at + i + 1] << 8);
            want = fold16(want + w);
        }
        // Both sides as checksum_ok sees them: add the complement of the expected sum.
        const uint64_t got = checksum_add(data.data() + at, len, start);
        const uint16_t complement = static_cast<uint16_t>(~want);
        EXPECT_TRUE(checksum_ok(checksum_add(reinterpret_cast<const uint8_t *>(&complement), 2, got)))
            << "len " << len << " at " << at;
        const uint16_t off_by_one = static_cast<uint16_t>(~want - 1);
        if (want != 0xFFFF && want != 0) {
            EXPECT_FALSE(checksum_ok(checksum_add(reinterpret_cast<const uint8_t *>(&off_by_one), 2, got))) << len;
        }
    }
}

// Frames the synthesizer builds carry right checksums; one flipped payload bit breaks the TCP one.
TEST(Checksum, TcpAndIpv4OfBuiltFrames) {
    for (bool v6 : {false, true}) {
        postern::synth::FlowAddressing flow;
        flow.family = v6 ? IpFamily::V6 : IpFamily::V4;
        flow.client_ip.bytes[0] = 10, flow.server_ip.bytes[0] = 10, flow.server_ip.bytes[3] = 2;
        flow.client_port = 40000, flow.server_port = 25;
        postern::synth::SegmentFields seg;
        seg.seq = 1, seg.ack = 2, seg.flags = kTcpAck, seg.window = 500;
        const std::string payload = "MAIL FROM:<a@b>\r\n";
        seg.payload = reinterpret_cast<const uint8_t *>(payload.data());
        seg.payload_len = static_cast<uint32_t>(payload.size());
        std::vector<uint8_t> frame(postern::synth::tcp_frame_len(flow, false, seg.payload_len));
        const size_t n = postern::synth::build_tcp_frame(flow, seg, frame.data());
        PacketView v;
        ASSERT_EQ(decode_packet(frame.data(), n, v), DecodeResult::Ok);
        if (!v6) {
            EXPECT_TRUE(ipv4_header_checksum_ok(frame.data(), v));
        }
        ChecksumSum sum = l4_checksum_start(frame.data(), v);
        sum.add(frame.data() + v.payload_offset, v.payload_len);
        EXPECT_TRUE(sum.ok()) << v6;
        frame[v.payload_offset + 3] ^= 1;
        ChecksumSum bad = l4_checksum_start(frame.data(), v);
        bad.add(frame.data() + v.payload_offset, v.payload_len);
        EXPECT_FALSE(bad.ok()) << v6;
    }
}

}  // namespace
