// Reject verdicts: the RSTs each host accepts, with right checksums, for both families.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/checksum.hpp"
#include "net/packet.hpp"
#include "net/tcp_reset.hpp"
#include "synth/packet_builder.hpp"

namespace {

using namespace postern::net;

TEST(TcpReset, BothWaysWithTheSequenceNumbersTheHostsExpect) {
    for (bool v6 : {false, true}) {
        postern::synth::FlowAddressing flow;
        flow.family = v6 ? IpFamily::V6 : IpFamily::V4;
        flow.client_ip.bytes[0] = 10, flow.client_ip.bytes[3] = 7;
        flow.server_ip.bytes[0] = 10, flow.server_ip.bytes[3] = 2;
        flow.client_port = 40000, flow.server_port = 25;
        flow.client_mac = {2, 0, 0, 0, 0, 1};
        flow.server_mac = {2, 0, 0, 0, 0, 2};
        postern::synth::SegmentFields seg;
        seg.seq = 1000, seg.ack = 5000, seg.flags = kTcpAck | kTcpPsh, seg.window = 500;
        const std::string payload = "MAIL FROM:<a@b>\r\n";
        seg.payload = reinterpret_cast<const uint8_t *>(payload.data());
        seg.payload_len = static_cast<uint32_t>(payload.size());
        std::vector<uint8_t> frame(postern::synth::tcp_frame_len(flow, false, seg.payload_len));
        postern::synth::build_tcp_frame(flow, seg, frame.data());
        PacketView v;
        ASSERT_EQ(decode_packet(frame.data(), frame.size(), v), DecodeResult::Ok);
        for (ResetToward toward : {ResetToward::Receiver, ResetToward::Sender}) {
            uint8_t out[128];
            const size_t n = build_tcp_reset(frame.data(), v, toward, out, sizeof out);
            ASSERT_GT(n, 0u);
            PacketView r;
            ASSERT_EQ(decode_packet(out, n, r), DecodeResult::Ok);
            EXPECT_EQ(r.tcp_flags, kTcpRst | kTcpAck);
            if (!v6) {
                EXPECT_TRUE(ipv4_header_checksum_ok(out, r));
            }
            EXPECT_TRUE(l4_checksum_start(out, r).ok());
            const bool back = toward == ResetToward::Sender;
            EXPECT_EQ(r.tuple.src, back ? v.tuple.dst : v.tuple.src);
            EXPECT_EQ(r.tuple.src_port, back ? 25 : 40000);
            EXPECT_EQ(r.seq, back ? 5000u : 1000u + payload.size());  // where each side's stream is
            EXPECT_EQ(r.ack, back ? 1000u + payload.size() : 5000u);
            EXPECT_EQ(out[0], back ? 2 : frame[0]);  // MACs swapped on the way back
            EXPECT_EQ(out[5], back ? 1 : frame[5]);
        }
        uint8_t tiny[20];
        EXPECT_EQ(build_tcp_reset(frame.data(), v, ResetToward::Sender, tiny, sizeof tiny), 0u);
    }
}

}  // namespace
