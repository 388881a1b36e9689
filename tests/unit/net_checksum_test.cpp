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
