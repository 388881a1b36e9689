#include <gtest/gtest.h>

#include <vector>

#include "net/packet.hpp"
#include "synth/packet_builder.hpp"
#include "synth/subnet.hpp"
#include "synth_test_util.hpp"

namespace postern::synth {
namespace {

FlowAddressing flow(bool v6, VlanMode vlan) {
    FlowAddressing f;
    f.family = v6 ? net::IpFamily::V6 : net::IpFamily::V4;
    const Subnet c = *parse_subnet(v6 ? "2001:db8:1::/64" : "192.0.2.0/24");
    const Subnet s = *parse_subnet(v6 ? "2001:db8:2::/64" : "198.51.100.0/24");
    f.client_ip = subnet_host(c, 9);
    f.server_ip = subnet_host(s, 0);
    f.client_port = 50123;
    f.server_port = 25;
    f.client_mac = {2, 0, 0, 0, 0, 10};
    f.server_mac = {2, 0, 1, 0, 0, 1};
    f.vlan = vlan;
    f.vlan_outer = 10;
    f.vlan_inner = 101;
    return f;
}

class SynthPacketBuilder : public ::testing::TestWithParam<std::tuple<bool, VlanMode, bool>> {};

TEST_P(SynthPacketBuilder, HeadersAndChecksums) {
    const auto [v6, vlan, syn] = GetParam();
    const FlowAddressing f = flow(v6, vlan);
    std::vector<uint8_t> payload(syn ? 0 : 1001);  // odd length exercises the checksum's pad byte
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
    SegmentFields s;
    s.from_client = false;
    s.seq = 0xFFFFFF00;
    s.ack = 12345;
    s.flags = syn ? (kSyn | kAck) : (kAck | kPsh);
    s.window = 64240;
    s.ip_id = 77;
    s.mss_option = syn ? 1460 : 0;
    s.payload = payload.data();
    s.payload_len = static_cast<uint32_t>(payload.size());
    std::vector<uint8_t> buf(kMaxFrameLen);
    const size_t n = build_tcp_frame(f, s, buf.data());
    EXPECT_EQ(n, tcp_frame_len(f, syn, s.payload_len));

    testing::Frame fr;
    ASSERT_TRUE(testing::decode(buf.data(), n, fr));
    EXPECT_EQ(fr.ip_version, v6 ? 6 : 4);
    EXPECT_TRUE(fr.ip_csum_ok);
    EXPECT_TRUE(fr.tcp_csum_ok);
    EXPECT_EQ(fr.sport, 25);
    EXPECT_EQ(fr.dport, 50123);
    EXPECT_EQ(fr.seq, 0xFFFFFF00u);
    EXPECT_EQ(fr.ack, 12345u);
    EXPECT_EQ(fr.flags, s.flags);
    EXPECT_EQ(fr.mss, syn ? 1460 : 0);
    EXPECT_EQ(fr.payload, payload);
    EXPECT_EQ(fr.src, std::string(reinterpret_cast<const char *>(f.server_ip.bytes.data()), v6 ? 16 : 4));
    // Server -> client: destination MAC is the client's.
    EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + 6), std::vector<uint8_t>(f.client_mac.begin(), f.client_mac.end()));
    if (vlan == VlanMode::QinQ) {
        EXPECT_EQ(fr.tpids, (std::vector<uint16_t>{0x88A8, 0x8100}));
        EXPECT_EQ(fr.vlans, (std::vector<uint16_t>{10, 101}));
    } else if (vlan == VlanMode::Dot1Q) {
        EXPECT_EQ(fr.tpids, (std::vector<uint16_t>{0x8100}));
        EXPECT_EQ(fr.vlans, (std::vector<uint16_t>{10}));
    } else {
        EXPECT_TRUE(fr.vlans.empty());
    }

    // The appliance's own decoder agrees.
    net::PacketView view;
    ASSERT_EQ(net::decode_packet(buf.data(), n, view), net::DecodeResult::Ok);
    EXPECT_EQ(view.tuple.src_port, 25);
    EXPECT_EQ(view.tuple.dst_port, 50123);
    EXPECT_EQ(view.payload_len, payload.size());
    EXPECT_EQ(view.seq, 0xFFFFFF00u);
    EXPECT_EQ(view.tcp_flags, s.flags);
    EXPECT_EQ(view.vlan_count, vlan == VlanMode::QinQ ? 2 : vlan == VlanMode::Dot1Q ? 1 : 0);
    EXPECT_EQ(view.tuple.src, f.server_ip);
}

INSTANTIATE_TEST_SUITE_P(Synth, SynthPacketBuilder,
                         ::testing::Combine(::testing::Bool(),
                                            ::testing::Values(VlanMode::None, VlanMode::Dot1Q, VlanMode::QinQ),
                                            ::testing::Bool()));

TEST(SynthSubnet, ParseAndIndex) {
    const auto s = parse_subnet("192.0.2.77/24");
    ASSERT_TRUE(s);
    EXPECT_EQ(format_subnet(*s), "192.0.2.0/24");
    EXPECT_EQ(subnet_hosts(*s), 254u);
    EXPECT_EQ(net::format_ip(subnet_host(*s, 0), s->family), "192.0.2.1");
    EXPECT_EQ(net::format_ip(subnet_host(*s, 253), s->family), "192.0.2.254");
    const auto w = parse_subnet("198.51.100.0/22");
    ASSERT_TRUE(w);
    EXPECT_EQ(net::format_ip(subnet_host(*w, 300), w->family), "198.51.101.45");
    const auto v6 = parse_subnet("2001:db8::/32");
    ASSERT_TRUE(v6);
    EXPECT_EQ(subnet_hosts(*v6), uint64_t{1} << 24);
    EXPECT_EQ(net::format_ip(subnet_host(*v6, 0xFFFF), v6->family), "2001:db8::1:0");
    EXPECT_FALSE(parse_subnet("192.0.2.0"));
    EXPECT_FALSE(parse_subnet("192.0.2.0/31"));
    EXPECT_FALSE(parse_subnet("not-an-ip/24"));
    EXPECT_FALSE(parse_subnet("192.0.2.0/2x"));
}

}  // namespace
}  // namespace postern::synth
