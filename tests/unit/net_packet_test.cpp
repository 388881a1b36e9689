// Packet decoder: every layer it understands, every way a header can be malformed or cut short.
// Frames are copied into exactly-sized heap buffers so AddressSanitizer catches any read past the
// end of the frame.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <arpa/inet.h>

#include "net/flow_key.hpp"
#include "net/packet.hpp"

namespace postern::net {
// Readable failure messages: gtest finds this by argument-dependent lookup.
static void PrintTo(DecodeResult r, std::ostream *os) { *os << decode_result_name(r); }
}  // namespace postern::net

namespace {

using postern::net::decode_packet;
using postern::net::decode_result_name;
using postern::net::DecodeResult;
using postern::net::IpFamily;
using postern::net::PacketView;
using Bytes = std::vector<uint8_t>;

constexpr uint16_t kIpv4 = 0x0800;
constexpr uint16_t kIpv6 = 0x86DD;
constexpr uint16_t kArp = 0x0806;

void put16(Bytes &b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
void put32(Bytes &b, uint32_t v) {
    put16(b, static_cast<uint16_t>(v >> 16));
    put16(b, static_cast<uint16_t>(v));
}
void set16(Bytes &b, size_t at, uint16_t v) {
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
}
Bytes cat(Bytes a, const Bytes &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Ethernet header with optional tags: each tag is {TPID, TCI}.
Bytes eth(uint16_t ethertype, const std::vector<std::pair<uint16_t, uint16_t>> &tags = {}) {
    Bytes b = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
    for (const auto &[tpid, tci] : tags) put16(b, tpid), put16(b, tci);
    put16(b, ethertype);
    return b;
}

Bytes tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
          uint16_t window, const Bytes &payload, const Bytes &options = {}) {
    Bytes b;
    put16(b, sport), put16(b, dport), put32(b, seq), put32(b, ack);
    const size_t hlen = 20 + options.size();
    b.push_back(static_cast<uint8_t>((hlen / 4) << 4));
    b.push_back(flags);
    put16(b, window);
    put16(b, 0), put16(b, 0);  // checksum, urgent pointer
    b.insert(b.end(), options.begin(), options.end());
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

Bytes udp(uint16_t sport, uint16_t dport, const Bytes &payload, int len_override = -1) {
    Bytes b;
    put16(b, sport), put16(b, dport);
    put16(b, len_override >= 0 ? static_cast<uint16_t>(len_override)
                               : static_cast<uint16_t>(8 + payload.size()));
    put16(b, 0);
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

struct V4Opts {
    uint8_t proto = 6;
    uint32_t src = 0xC0000201;  // 192.0.2.1
    uint32_t dst = 0xC6336402;  // 198.51.100.2
    Bytes options;              // a multiple of 4 bytes
    uint16_t frag = 0x4000;     // DF
    uint8_t ttl = 64;
    int total_override = -1;
    int version_ihl_override = -1;
};

Bytes ipv4(const Bytes &l4, const V4Opts &o = {}) {
    Bytes b;
    const size_t ihl = 20 + o.options.size();
    b.push_back(o.version_ihl_override >= 0 ? static_cast<uint8_t>(o.version_ihl_override)
                                            : static_cast<uint8_t>(0x40 | (ihl / 4)));
    b.push_back(0);
    put16(b, o.total_override >= 0 ? static_cast<uint16_t>(o.total_override)
                                   : static_cast<uint16_t>(ihl + l4.size()));
    put16(b, 0x1234);
    put16(b, o.frag);
    b.push_back(o.ttl);
    b.push_back(o.proto);
    put16(b, 0);
    put32(b, o.src), put32(b, o.dst);
    b.insert(b.end(), o.options.begin(), o.options.end());
    b.insert(b.end(), l4.begin(), l4.end());
    return b;
}

Bytes ipv4u(const Bytes &l4, V4Opts o = {}) {
    o.proto = 17;
    return ipv4(l4, o);
}

std::array<uint8_t, 16> v6addr(uint8_t last) {
    std::array<uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8};
    a[15] = last;
    return a;
}

// IPv6 header; `rest` is the extension headers and the L4 header/payload.
Bytes ipv6(uint8_t next_header, const Bytes &rest, int plen_override = -1, uint8_t version = 6) {
    Bytes b;
    put32(b, uint32_t{version} << 28);
    put16(b, plen_override >= 0 ? static_cast<uint16_t>(plen_override)
                                : static_cast<uint16_t>(rest.size()));
    b.push_back(next_header);
    b.push_back(57);  // hop limit
    const auto s = v6addr(1), d = v6addr(2);
    b.insert(b.end(), s.begin(), s.end());
    b.insert(b.end(), d.begin(), d.end());
    b.insert(b.end(), rest.begin(), rest.end());
    return b;
}

// A generic extension header (hop-by-hop, routing, destination options): (len + 1) * 8 bytes.
Bytes ext(uint8_t next_header, uint8_t len_units) {
    Bytes b((size_t{len_units} + 1) * 8, 0);
    b[0] = next_header;
    b[1] = len_units;
    return b;
}
// An authentication header: (len + 2) * 4 bytes.
Bytes ah(uint8_t next_header, uint8_t len_units) {
    Bytes b((size_t{len_units} + 2) * 4, 0);
    b[0] = next_header;
    b[1] = len_units;
    return b;
}
Bytes frag6(uint8_t next_header) {
    Bytes b(8, 0);
    b[0] = next_header;
    b[3] = 1;  // more fragments
    return b;
}

Bytes payload(size_t n, uint8_t seed = 0) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
    return b;
}

// Decodes a copy of the first `len` bytes held in a heap block of exactly that size.
DecodeResult decode_exact(const Bytes &frame, size_t len, PacketView &v) {
    std::unique_ptr<uint8_t[]> copy(new uint8_t[len]);
    if (len) std::memcpy(copy.get(), frame.data(), len);
    return decode_packet(copy.get(), len, v);
}
DecodeResult decode(const Bytes &frame, PacketView &v) { return decode_exact(frame, frame.size(), v); }
DecodeResult decode(const Bytes &frame) {
    PacketView v;
    return decode(frame, v);
}

// Whatever the decoder says, a successful view must stay inside the frame.
void expect_view_in_bounds(const PacketView &v, size_t len) {
    EXPECT_LE(v.l3_offset, len);
    EXPECT_LE(v.l4_offset, len);
    EXPECT_LE(v.l3_offset, v.l4_offset);
    EXPECT_LE(v.l4_offset, v.payload_offset);
    EXPECT_LE(size_t{v.payload_offset} + v.payload_len, len);
}

uint32_t v4(const PacketView &v, bool src) {
    const auto &a = src ? v.tuple.src.bytes : v.tuple.dst.bytes;
    return uint32_t{a[0]} << 24 | uint32_t{a[1]} << 16 | uint32_t{a[2]} << 8 | a[3];
}

// ---------------------------------------------------------------- Ethernet and VLAN tags

TEST(NetPacket, Ipv4TcpAllFields) {
    const Bytes data = payload(100);
    const Bytes f = cat(eth(kIpv4), ipv4(tcp(40000, 25, 0x11223344, 0x55667788, 0x18, 29200, data)));
    PacketView v;
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.tuple.family, IpFamily::V4);
    EXPECT_EQ(v.tuple.proto, 6);
    EXPECT_EQ(v4(v, true), 0xC0000201u);
    EXPECT_EQ(v4(v, false), 0xC6336402u);
    for (size_t i = 4; i < 16; ++i) {
        EXPECT_EQ(v.tuple.src.bytes[i], 0) << i;
        EXPECT_EQ(v.tuple.dst.bytes[i], 0) << i;
    }
    EXPECT_EQ(v.tuple.src_port, 40000);
    EXPECT_EQ(v.tuple.dst_port, 25);
    EXPECT_EQ(v.seq, 0x11223344u);
    EXPECT_EQ(v.ack, 0x55667788u);
    EXPECT_EQ(v.tcp_flags, postern::net::kTcpPsh | postern::net::kTcpAck);
    EXPECT_EQ(v.window, 29200);
    EXPECT_EQ(v.ip_ttl, 64);
    EXPECT_EQ(v.vlan_count, 0);
    EXPECT_EQ(v.l3_offset, 14);
    EXPECT_EQ(v.l4_offset, 34);
    EXPECT_EQ(v.payload_offset, 54);
    EXPECT_EQ(v.payload_len, 100);
    EXPECT_EQ(0, std::memcmp(f.data() + v.payload_offset, data.data(), data.size()));
}

TEST(NetPacket, DecodeResetsThePreviousView) {
    PacketView v;
    ASSERT_EQ(decode(cat(eth(kIpv4, {{0x8100, 7}}), ipv4(tcp(1, 2, 3, 4, 0x02, 5, payload(9)))), v),
              DecodeResult::Ok);
    ASSERT_EQ(decode(cat(eth(kArp), Bytes(28, 0)), v), DecodeResult::NonIpEthertype);
    EXPECT_EQ(v.vlan_count, 0);
    EXPECT_EQ(v.vlan_ids[0], 0);
    EXPECT_EQ(v.tuple.family, IpFamily::None);
    EXPECT_EQ(v.tuple.src_port, 0);
    EXPECT_EQ(v.payload_len, 0);
    EXPECT_EQ(v.seq, 0u);
}

TEST(NetPacket, Single8021QTag) {
    const Bytes f = cat(eth(kIpv4, {{0x8100, 0xE064}}), ipv4u(udp(53, 5353, payload(12))));
    PacketView v;
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.vlan_count, 1);
    EXPECT_EQ(v.vlan_ids[0], 0x064);  // priority bits masked off
    EXPECT_EQ(v.l3_offset, 18);
    EXPECT_EQ(v.l4_offset, 38);
    EXPECT_EQ(v.payload_offset, 46);
    EXPECT_EQ(v.payload_len, 12);
    EXPECT_EQ(v.tuple.proto, 17);
}

TEST(NetPacket, QinQ88a8) {
    const Bytes f = cat(eth(kIpv4, {{0x88A8, 100}, {0x8100, 0x1FFF}}),
                        ipv4(tcp(1025, 143, 1, 0, 0x02, 1024, {})));
    PacketView v;
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.vlan_count, 2);
    EXPECT_EQ(v.vlan_ids[0], 100);
    EXPECT_EQ(v.vlan_ids[1], 0xFFF);
    EXPECT_EQ(v.l3_offset, 22);
    EXPECT_EQ(v.tuple.dst_port, 143);
}

TEST(NetPacket, QinQ9100) {
    const Bytes f = cat(eth(kIpv6, {{0x9100, 5}, {0x8100, 6}}),
                        ipv6(6, tcp(2000, 993, 7, 8, 0x10, 1, payload(3))));
    PacketView v;
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.vlan_count, 2);
    EXPECT_EQ(v.vlan_ids[0], 5);
    EXPECT_EQ(v.vlan_ids[1], 6);
    EXPECT_EQ(v.l3_offset, 22);
    EXPECT_EQ(v.l4_offset, 62);
    EXPECT_EQ(v.payload_len, 3);
}

TEST(NetPacket, TooManyVlanTags) {
    for (uint16_t third : {uint16_t{0x8100}, uint16_t{0x88A8}, uint16_t{0x9100}}) {
        const Bytes f = cat(eth(kIpv4, {{0x88A8, 1}, {0x8100, 2}, {third, 3}}),
                            ipv4u(udp(1, 2, payload(4))));
        EXPECT_EQ(decode(f), DecodeResult::TooManyVlanTags) << third;
    }
}

TEST(NetPacket, TruncatedVlanTag) {
    const Bytes full = eth(kIpv4, {{0x8100, 1}});  // 18 bytes, no IP header at all
    for (size_t len = 14; len < 18; ++len) {
        PacketView v;
        EXPECT_EQ(decode_exact(full, len, v), DecodeResult::TruncatedVlan) << len;
    }
    PacketView v;
    EXPECT_EQ(decode_exact(full, 18, v), DecodeResult::TruncatedIpv4);
}

TEST(NetPacket, NonIpEthertypes) {
    for (uint16_t type : {kArp, uint16_t{0x88CC}, uint16_t{0x8863}, uint16_t{0x0000}, uint16_t{0xFFFF}}) {
        PacketView v;
        EXPECT_EQ(decode(cat(eth(type), Bytes(46, 0)), v), DecodeResult::NonIpEthertype) << type;
        EXPECT_EQ(v.l3_offset, 14);
    }
    PacketView v;
    EXPECT_EQ(decode(cat(eth(kArp, {{0x8100, 42}}), Bytes(28, 0)), v), DecodeResult::NonIpEthertype);
    EXPECT_EQ(v.vlan_count, 1);
    EXPECT_EQ(v.vlan_ids[0], 42);
    // A bare Ethernet header is enough to know the type.
    EXPECT_EQ(decode(eth(kArp)), DecodeResult::NonIpEthertype);
}

TEST(NetPacket, TruncatedEthernet) {
    const Bytes f = cat(eth(kIpv4), ipv4u(udp(1, 2, {})));
    for (size_t len = 0; len < 14; ++len) {
        PacketView v;
        EXPECT_EQ(decode_exact(f, len, v), DecodeResult::TruncatedEthernet) << len;
    }
}

// ---------------------------------------------------------------- IPv4

TEST(NetPacket, Ipv4OptionsAreSkipped) {
    for (size_t words = 1; words <= 10; ++words) {  // IHL 6 .. 15
        V4Opts o;
        o.options = Bytes(words * 4, 0x01);  // NOPs
        const Bytes f = cat(eth(kIpv4), ipv4(tcp(110, 50000, 9, 9, 0x10, 0, payload(5)), o));
        PacketView v;
        ASSERT_EQ(decode(f, v), DecodeResult::Ok) << words;
        EXPECT_EQ(v.l4_offset, 14 + 20 + words * 4);
        EXPECT_EQ(v.payload_offset, v.l4_offset + 20);
        EXPECT_EQ(v.payload_len, 5);
        EXPECT_EQ(v.tuple.src_port, 110);
    }
}

TEST(NetPacket, Ipv4Fragments) {
    struct Case {
        uint16_t frag;
        DecodeResult want;
    } cases[] = {
        {0x0000, DecodeResult::Ok},             // no flags
        {0x4000, DecodeResult::Ok},             // DF only
        {0x2000, DecodeResult::Ipv4Fragment},   // MF, offset 0: first fragment
        {0x0001, DecodeResult::Ipv4Fragment},   // offset 8 bytes, last fragment
        {0x1FFF, DecodeResult::Ipv4Fragment},   // largest offset
        {0x2010, DecodeResult::Ipv4Fragment},   // MF and offset
        {0x6000, DecodeResult::Ipv4Fragment},   // DF and MF (nonsense, still a fragment)
        {0x8000, DecodeResult::Ok},             // reserved bit alone is not fragmentation
    };
    for (const auto &c : cases) {
        V4Opts o;
        o.frag = c.frag;
        PacketView v;
        EXPECT_EQ(decode(cat(eth(kIpv4), ipv4u(udp(1, 2, payload(20)), o)), v), c.want) << c.frag;
        if (c.want == DecodeResult::Ipv4Fragment) {
            EXPECT_EQ(v.tuple.family, IpFamily::V4);  // counted per address family
        }
    }
    // A non-first fragment's payload is not a TCP header, even if it looks too short to be one.
    V4Opts o;
    o.frag = 0x0003;
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(Bytes(3, 0xAA), o))), DecodeResult::Ipv4Fragment);
}

TEST(NetPacket, BadIpv4Version) {
    for (int version : {0, 4 - 1, 5, 6, 15}) {
        V4Opts o;
        o.version_ihl_override = version << 4 | 5;
        EXPECT_EQ(decode(cat(eth(kIpv4), ipv4u(udp(1, 2, {}), o))), DecodeResult::BadIpv4Version)
            << version;
    }
}

TEST(NetPacket, BadIpv4HeaderLength) {
    for (int ihl = 0; ihl < 5; ++ihl) {
        V4Opts o;
        o.version_ihl_override = 0x40 | ihl;
        EXPECT_EQ(decode(cat(eth(kIpv4), ipv4u(udp(1, 2, payload(40)), o))),
                  DecodeResult::BadIpv4HeaderLength)
            << ihl;
    }
    // IHL 15 (60 bytes) in a frame that holds fewer bytes.
    V4Opts o;
    o.version_ihl_override = 0x4F;
    o.total_override = 30;
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(Bytes(10, 0), o))), DecodeResult::TruncatedIpv4);
}

TEST(NetPacket, BadIpv4TotalLength) {
    const Bytes l4 = udp(1, 2, payload(10));
    for (int total : {0, 1, 19}) {
        V4Opts o;
        o.total_override = total;
        EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(l4, o))), DecodeResult::BadIpv4TotalLength) << total;
    }
    V4Opts opt;  // total length shorter than the header with options
    opt.options = Bytes(8, 1);
    opt.total_override = 24;
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(l4, opt))), DecodeResult::BadIpv4TotalLength);
    V4Opts big;  // total length beyond the captured bytes: snapped or lying
    big.total_override = 20 + static_cast<int>(l4.size()) + 1;
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(l4, big))), DecodeResult::TruncatedIpv4);
    big.total_override = 0xFFFF;
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(l4, big))), DecodeResult::TruncatedIpv4);
}

TEST(NetPacket, Ipv4HeaderOnlyWithNoL4) {
    // total == IHL: there are no L4 bytes at all.
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4({}, V4Opts{}))), DecodeResult::TruncatedTcp);
    V4Opts o;
    o.proto = 17;
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4({}, o))), DecodeResult::TruncatedUdp);
    o.proto = 1;
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4({}, o))), DecodeResult::OtherL4);
}

TEST(NetPacket, OtherL4) {
    for (uint8_t proto : {uint8_t{1}, uint8_t{2}, uint8_t{47}, uint8_t{50}, uint8_t{132}}) {
        V4Opts o;
        o.proto = proto;
        PacketView v;
        const Bytes icmp = {8, 0, 0, 0, 0, 1, 0, 1};  // echo request
        EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(icmp, o)), v), DecodeResult::OtherL4) << int{proto};
        EXPECT_EQ(v.tuple.proto, proto);
        EXPECT_EQ(v.tuple.family, IpFamily::V4);
        EXPECT_EQ(v.l4_offset, 34);
        EXPECT_EQ(v4(v, true), 0xC0000201u);
    }
    PacketView v;
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(58, {128, 0, 0, 0, 0, 0, 0, 0})), v), DecodeResult::OtherL4);
    EXPECT_EQ(v.tuple.proto, 58);
    EXPECT_EQ(v.tuple.family, IpFamily::V6);
}

// ---------------------------------------------------------------- Ethernet padding

TEST(NetPacket, EthernetPaddingIsNotPayload) {
    // Minimum frames: 14 + 20 + 20 = 54 bytes padded to 60 with non-zero junk.
    const Bytes pad(6, 0xEE);
    PacketView v;
    Bytes f = cat(cat(eth(kIpv4), ipv4(tcp(1, 25, 1, 1, 0x10, 1, {}))), pad);
    ASSERT_EQ(f.size(), 60u);
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 0);
    EXPECT_EQ(v.payload_offset, 54);

    f = cat(cat(eth(kIpv4), ipv4(tcp(1, 25, 1, 1, 0x18, 1, payload(2)))), Bytes(4, 0xEE));
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 2);

    f = cat(cat(eth(kIpv4), ipv4u(udp(1, 53, payload(1)))), Bytes(17, 0xEE));
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 1);

    // With VLAN tags and options the IP end still decides.
    V4Opts o;
    o.options = Bytes(4, 1);
    f = cat(cat(eth(kIpv4, {{0x8100, 3}}), ipv4(tcp(1, 25, 1, 1, 0x10, 1, payload(1)), o)),
            Bytes(20, 0xEE));
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 1);

    // IPv6: the payload length field decides.
    f = cat(cat(eth(kIpv6), ipv6(6, tcp(1, 25, 1, 1, 0x10, 1, payload(3)))), Bytes(9, 0xEE));
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 3);
    f = cat(cat(eth(kIpv6), ipv6(17, udp(1, 53, payload(3)))), Bytes(9, 0xEE));
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 3);
}

TEST(NetPacket, TcpHeaderMustFitInIpPacketNotInPadding) {
    // TCP header claims 24 bytes but the IP packet has only 20 L4 bytes; padding follows.
    Bytes l4 = tcp(1, 2, 3, 4, 0x10, 5, {});
    l4[12] = 6 << 4;
    const Bytes f = cat(cat(eth(kIpv4), ipv4(l4)), Bytes(20, 0));
    EXPECT_EQ(decode(f), DecodeResult::TruncatedTcp);
}

// ---------------------------------------------------------------- TCP and UDP

TEST(NetPacket, TcpHeaderLengthAndOptions) {
    for (size_t words = 0; words <= 10; ++words) {  // data offset 5 .. 15
        const Bytes opts(words * 4, 0x01);
        PacketView v;
        const Bytes f = cat(eth(kIpv4), ipv4(tcp(1, 2, 3, 4, 0x02, 5, payload(7), opts)));
        ASSERT_EQ(decode(f, v), DecodeResult::Ok);
        EXPECT_EQ(v.payload_offset, 34 + 20 + words * 4);
        EXPECT_EQ(v.payload_len, 7);
    }
    for (int doff = 0; doff < 5; ++doff) {
        Bytes l4 = tcp(1, 2, 3, 4, 0x02, 5, payload(40));
        l4[12] = static_cast<uint8_t>(doff << 4);
        EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(l4))), DecodeResult::BadTcpHeaderLength) << doff;
    }
    // Data offset larger than the segment.
    Bytes l4 = tcp(1, 2, 3, 4, 0x02, 5, payload(10));
    l4[12] = 0xF0;  // 60 bytes
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(l4))), DecodeResult::TruncatedTcp);
    // Exactly 60 bytes of header and no payload.
    l4 = tcp(1, 2, 3, 4, 0x02, 5, {}, Bytes(40, 0));
    PacketView v;
    ASSERT_EQ(decode(cat(eth(kIpv4), ipv4(l4)), v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 0);
    // Fewer than 20 L4 bytes.
    for (size_t n = 0; n < 20; ++n)
        EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(Bytes(n, 0x50)))), DecodeResult::TruncatedTcp) << n;
}

TEST(NetPacket, TcpFlagsArePassedThrough) {
    for (int flags = 0; flags < 256; flags += 17) {
        PacketView v;
        ASSERT_EQ(decode(cat(eth(kIpv4), ipv4(tcp(1, 2, 3, 4, static_cast<uint8_t>(flags), 5, {}))), v),
                  DecodeResult::Ok);
        EXPECT_EQ(v.tcp_flags, flags);
    }
}

TEST(NetPacket, UdpLength) {
    PacketView v;
    // Length exactly the datagram.
    ASSERT_EQ(decode(cat(eth(kIpv4), ipv4u(udp(5353, 53, payload(30)))), v), DecodeResult::Ok);
    EXPECT_EQ(v.tuple.src_port, 5353);
    EXPECT_EQ(v.tuple.dst_port, 53);
    EXPECT_EQ(v.payload_offset, 42);
    EXPECT_EQ(v.payload_len, 30);
    // Length shorter than the IP payload: the UDP length wins.
    ASSERT_EQ(decode(cat(eth(kIpv4), ipv4u(udp(1, 2, payload(30), 8 + 10))), v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 10);
    // Header only.
    ASSERT_EQ(decode(cat(eth(kIpv4), ipv4u(udp(1, 2, {}))), v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 0);
    // Below the header size.
    for (int len : {0, 1, 7})
        EXPECT_EQ(decode(cat(eth(kIpv4), ipv4u(udp(1, 2, payload(30), len)))), DecodeResult::BadUdpLength)
            << len;
    // Beyond the IP payload, even if the frame has padding there.
    EXPECT_EQ(decode(cat(eth(kIpv4), ipv4u(udp(1, 2, payload(30), 8 + 31)))), DecodeResult::BadUdpLength);
    EXPECT_EQ(decode(cat(cat(eth(kIpv4), ipv4u(udp(1, 2, payload(2), 8 + 4))), Bytes(10, 0))),
              DecodeResult::BadUdpLength);
    // Fewer than 8 bytes.
    V4Opts o;
    o.proto = 17;
    for (size_t n = 0; n < 8; ++n)
        EXPECT_EQ(decode(cat(eth(kIpv4), ipv4(Bytes(n, 0), o))), DecodeResult::TruncatedUdp) << n;
    // IPv6 UDP.
    ASSERT_EQ(decode(cat(eth(kIpv6), ipv6(17, udp(1, 2, payload(4)))), v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_offset, 14 + 40 + 8);
    EXPECT_EQ(v.payload_len, 4);
}

// ---------------------------------------------------------------- IPv6

TEST(NetPacket, Ipv6Tcp) {
    const Bytes f = cat(eth(kIpv6), ipv6(6, tcp(50000, 587, 100, 200, 0x02, 65535, payload(8))));
    PacketView v;
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.tuple.family, IpFamily::V6);
    EXPECT_EQ(v.tuple.src.bytes, v6addr(1));
    EXPECT_EQ(v.tuple.dst.bytes, v6addr(2));
    EXPECT_EQ(v.ip_ttl, 57);
    EXPECT_EQ(v.l3_offset, 14);
    EXPECT_EQ(v.l4_offset, 54);
    EXPECT_EQ(v.payload_offset, 74);
    EXPECT_EQ(v.payload_len, 8);
    EXPECT_EQ(v.tuple.dst_port, 587);
    EXPECT_EQ(v.seq, 100u);
}

TEST(NetPacket, Ipv6ExtensionHeaders) {
    const Bytes l4 = tcp(1, 25, 1, 2, 0x18, 3, payload(11));
    struct Case {
        const char *name;
        uint8_t first;
        Bytes chain;
    };
    const std::vector<Case> cases = {
        {"hop-by-hop", 0, ext(6, 0)},
        {"routing", 43, ext(6, 2)},
        {"destination", 60, ext(6, 1)},
        {"ah", 51, ah(6, 4)},
        {"ah-minimal", 51, ah(6, 1)},
        {"mobility", 135, ext(6, 0)},
        {"hip", 139, ext(6, 0)},
        {"shim6", 140, ext(6, 0)},
        {"hbh-dst-rt-ah-dst", 0,
         cat(cat(cat(cat(ext(60, 0), ext(43, 1)), ext(51, 0)), ah(60, 3)), ext(6, 0))},
    };
    for (const auto &c : cases) {
        PacketView v;
        const Bytes f = cat(eth(kIpv6), ipv6(c.first, cat(c.chain, l4)));
        ASSERT_EQ(decode(f, v), DecodeResult::Ok) << c.name;
        EXPECT_EQ(v.l4_offset, 14 + 40 + c.chain.size()) << c.name;
        EXPECT_EQ(v.payload_len, 11) << c.name;
        EXPECT_EQ(v.tuple.proto, 6) << c.name;
        EXPECT_EQ(v.tuple.dst_port, 25) << c.name;
    }
}

TEST(NetPacket, Ipv6ExtensionHeaderChainLimit) {
    const Bytes l4 = udp(1, 2, payload(3));
    auto chain = [&](int n) {
        Bytes b;
        for (int i = 0; i < n; ++i) b = cat(b, ext(i + 1 < n ? 60 : 17, 0));
        return cat(eth(kIpv6), ipv6(60, cat(b, l4)));
    };
    PacketView v;
    ASSERT_EQ(decode(chain(8), v), DecodeResult::Ok);
    EXPECT_EQ(v.l4_offset, 14 + 40 + 64);
    EXPECT_EQ(decode(chain(9)), DecodeResult::BadIpv6ExtensionHeader);
    EXPECT_EQ(decode(chain(30)), DecodeResult::BadIpv6ExtensionHeader);
}

TEST(NetPacket, BadIpv6ExtensionHeaderLengths) {
    const Bytes l4 = tcp(1, 2, 3, 4, 0x10, 5, payload(4));
    // Length runs past the IPv6 payload.
    Bytes hbh = ext(6, 0);
    hbh[1] = 10;
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(0, cat(hbh, l4)))), DecodeResult::BadIpv6ExtensionHeader);
    hbh[1] = 255;
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(0, cat(hbh, l4)))), DecodeResult::BadIpv6ExtensionHeader);
    Bytes a = ah(6, 1);
    a[1] = 200;
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(51, cat(a, l4)))), DecodeResult::BadIpv6ExtensionHeader);
    // Fewer than 8 bytes left for an extension header.
    for (size_t n = 0; n < 8; ++n)
        EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(43, Bytes(n, 6)))), DecodeResult::BadIpv6ExtensionHeader)
            << n;
    // The header fits in the frame (padding) but not in the payload length.
    const Bytes f = cat(cat(eth(kIpv6), ipv6(0, Bytes(4, 0))), Bytes(20, 0));
    EXPECT_EQ(decode(f), DecodeResult::BadIpv6ExtensionHeader);
    // An extension header that exactly ends the payload, with nothing after it.
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(0, ext(6, 0)))), DecodeResult::TruncatedTcp);
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(0, ext(59, 0)))), DecodeResult::OtherL4);  // no next header
}

TEST(NetPacket, Ipv6Fragment) {
    const Bytes l4 = udp(1, 2, payload(16));
    PacketView v;
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(44, cat(frag6(17), l4))), v), DecodeResult::Ipv6Fragment);
    EXPECT_EQ(v.tuple.family, IpFamily::V6);
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(0, cat(cat(ext(44, 0), frag6(17)), l4)))),
                     DecodeResult::Ipv6Fragment);
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(60, cat(cat(ext(44, 1), frag6(6)), Bytes(3, 0))))),
              DecodeResult::Ipv6Fragment);
}

TEST(NetPacket, BadIpv6VersionAndPayloadLength) {
    const Bytes l4 = tcp(1, 2, 3, 4, 0x10, 5, payload(4));
    for (uint8_t version : {uint8_t{0}, uint8_t{4}, uint8_t{7}, uint8_t{15}})
        EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(6, l4, -1, version))), DecodeResult::BadIpv6Version)
            << int{version};
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(6, l4, static_cast<int>(l4.size()) + 1))),
              DecodeResult::BadIpv6PayloadLength);
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(6, l4, 0xFFFF))), DecodeResult::BadIpv6PayloadLength);
    // A payload length of zero (no jumbograms here) leaves no room for TCP.
    EXPECT_EQ(decode(cat(eth(kIpv6), ipv6(6, l4, 0))), DecodeResult::TruncatedTcp);
    for (size_t n = 0; n < 40; ++n) {
        PacketView v;
        EXPECT_EQ(decode_exact(cat(eth(kIpv6), ipv6(6, l4)), 14 + n, v), DecodeResult::TruncatedIpv6) << n;
    }
}

// ---------------------------------------------------------------- robustness

std::vector<std::pair<std::string, Bytes>> valid_frames() {
    V4Opts opt;
    opt.options = Bytes(12, 1);
    return {
        {"v4-tcp", cat(eth(kIpv4), ipv4(tcp(1025, 25, 1, 2, 0x18, 3, payload(33))))},
        {"v4-tcp-options", cat(eth(kIpv4, {{0x8100, 9}}),
                               ipv4(tcp(1025, 25, 1, 2, 0x18, 3, payload(5), Bytes(12, 1)), opt))},
        {"v4-udp-qinq", cat(eth(kIpv4, {{0x88A8, 1}, {0x8100, 2}}), ipv4u(udp(1, 2, payload(9)), [] {
                                V4Opts o;
                                o.proto = 17;
                                return o;
                            }()))},
        {"v4-icmp", cat(eth(kIpv4), ipv4(Bytes(16, 8), [] {
                            V4Opts o;
                            o.proto = 1;
                            return o;
                        }()))},
        {"v6-tcp-ext", cat(eth(kIpv6, {{0x9100, 4}}),
                           ipv6(0, cat(cat(cat(ext(43, 1), ah(60, 2)), ext(6, 0)),
                                       tcp(1, 993, 5, 6, 0x10, 7, payload(21), Bytes(8, 1)))))},
        {"v6-udp", cat(eth(kIpv6), ipv6(17, udp(53, 5353, payload(17))))},
        {"v6-frag", cat(eth(kIpv6), ipv6(60, cat(ext(44, 0), cat(frag6(6), payload(12)))))},
    };
}

// Cutting a frame anywhere must give a truncation result and never a read out of bounds.
TEST(NetPacket, EveryPrefixOfValidFramesIsSafe) {
    for (const auto &[name, frame] : valid_frames()) {
        PacketView full;
        const DecodeResult want = decode(frame, full);
        ASSERT_TRUE(want == DecodeResult::Ok || want == DecodeResult::OtherL4 ||
                    want == DecodeResult::Ipv6Fragment)
            << name;
        for (size_t len = 0; len < frame.size(); ++len) {
            PacketView v;
            const DecodeResult r = decode_exact(frame, len, v);
            EXPECT_NE(r, want) << name << " cut at " << len;
            EXPECT_NE(r, DecodeResult::Ok) << name << " cut at " << len;
            if (len < 14) EXPECT_EQ(r, DecodeResult::TruncatedEthernet) << name << " " << len;
            else if (len < full.l3_offset) EXPECT_EQ(r, DecodeResult::TruncatedVlan) << name << " " << len;
            else if (full.tuple.family == IpFamily::V4)
                EXPECT_EQ(r, DecodeResult::TruncatedIpv4) << name << " " << len;
            else if (len < size_t{full.l3_offset} + 40u)
                EXPECT_EQ(r, DecodeResult::TruncatedIpv6) << name << " " << len;
            else
                EXPECT_EQ(r, DecodeResult::BadIpv6PayloadLength) << name << " " << len;
        }
        // And padding after the frame changes nothing.
        for (size_t pad = 1; pad < 50; pad += 7) {
            PacketView v;
            ASSERT_EQ(decode(cat(frame, Bytes(pad, 0xA5)), v), want) << name << " pad " << pad;
            EXPECT_EQ(v.payload_len, full.payload_len) << name;
            EXPECT_EQ(v.payload_offset, full.payload_offset) << name;
        }
    }
}

// Decodes every prefix of randomly corrupted frames; ASan reports any out-of-bounds read.
TEST(NetPacket, CorruptedFramesNeverReadOutOfBounds) {
    std::mt19937 rng(12345);
    const auto frames = valid_frames();
    std::set<DecodeResult> seen;
    for (int iter = 0; iter < 3000; ++iter) {
        Bytes f = frames[rng() % frames.size()].second;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) {
            const size_t at = rng() % f.size();
            // Bias toward the header bytes that steer the decoder.
            f[at] = static_cast<uint8_t>(rng() % 3 == 0 ? 0xFF : rng());
        }
        const size_t len = rng() % (f.size() + 1);
        PacketView v;
        const DecodeResult r = decode_exact(f, len, v);
        seen.insert(r);
        ASSERT_LT(static_cast<int>(r), static_cast<int>(DecodeResult::Count));
        if (r == DecodeResult::Ok) expect_view_in_bounds(v, len);
    }
    // Pure noise with IP ethertypes.
    for (int iter = 0; iter < 3000; ++iter) {
        Bytes f(rng() % 200);
        for (auto &b : f) b = static_cast<uint8_t>(rng());
        if (f.size() >= 14) set16(f, 12, iter % 2 ? kIpv4 : kIpv6);
        if (f.size() >= 15) f[14] = static_cast<uint8_t>((iter % 2 ? 0x40 : 0x60) | (f[14] & 0x0F));
        PacketView v;
        const DecodeResult r = decode(f, v);
        seen.insert(r);
        if (r == DecodeResult::Ok) expect_view_in_bounds(v, f.size());
    }
    EXPECT_GT(seen.size(), 8u);
}

TEST(NetPacket, OversizedBufferIsClampedTo16BitOffsets) {
    Bytes f = cat(eth(kIpv4), ipv4(tcp(1, 2, 3, 4, 0x10, 5, payload(1400))));
    f.resize(70000, 0);
    PacketView v;
    ASSERT_EQ(decode(f, v), DecodeResult::Ok);
    EXPECT_EQ(v.payload_len, 1400);
    EXPECT_EQ(v.payload_offset, 54);
}

TEST(NetPacket, ResultNamesAreDistinct) {
    std::set<std::string> names;
    for (int i = 0; i < static_cast<int>(DecodeResult::Count); ++i) {
        const std::string n(decode_result_name(static_cast<DecodeResult>(i)));
        EXPECT_NE(n, "unknown") << i;
        EXPECT_FALSE(n.empty());
        for (char c : n) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << n;
        names.insert(n);
    }
    EXPECT_EQ(names.size(), static_cast<size_t>(DecodeResult::Count));
    EXPECT_EQ(decode_result_name(DecodeResult::Ok), "ok");
    EXPECT_EQ(decode_result_name(DecodeResult::Count), "unknown");
}

}  // namespace

namespace {

// The dotted quad is written without inet_ntop (on every EVE record); it must read the same.
TEST(NetFormatIp, Ipv4AsInetNtopWritesIt) {
    std::mt19937 rng(9);
    for (int round = 0; round < 5000; ++round) {
        postern::net::IpAddress a{};
        for (int i = 0; i < 4; ++i) a.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(round < 256 ? round : rng());
        char want[INET_ADDRSTRLEN];
        ASSERT_NE(inet_ntop(AF_INET, a.bytes.data(), want, sizeof want), nullptr);
        EXPECT_EQ(postern::net::format_ip(a, postern::net::IpFamily::V4), want);
        char small[8];
        const size_t n = postern::net::format_ip(a, postern::net::IpFamily::V4, small, sizeof small);
        EXPECT_EQ(std::string(small, n), std::string(want).substr(0, sizeof small - 1));  // cut, terminated
    }
}

}  // namespace
