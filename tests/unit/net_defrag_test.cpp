// IP reassembly as a Linux receiver does it: fragments in any order give the datagram, an exact
// repeat is ignored, an overlap drops the datagram, bounds and timeouts hold, references balance.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "net/defrag.hpp"
#include "net/packet.hpp"

namespace {

using namespace postern::net;

// Handles are indexes into a reference table: the test checks every retain has its release.
struct Refs {
    std::map<void *, int> count;
    FragmentOps ops() {
        FragmentOps o;
        o.ctx = this;
        o.retain = [](void *c, void *h) { ++static_cast<Refs *>(c)->count[h]; };
        o.release = [](void *c, void *h) { --static_cast<Refs *>(c)->count[h]; };
        return o;
    }
    bool balanced() const {
        return std::all_of(count.begin(), count.end(), [](const auto &kv) { return kv.second == 0; });
    }
};

struct Datagram {
    Datagram(std::string d, uint32_t i) : data(std::move(d)), id(i) {}
    std::string data;
    uint32_t id;
    std::deque<std::string> storage;  // keeps fragment bytes alive (a deque: they never move)
};

Fragment fragment(Datagram &d, uint32_t offset, uint32_t len, bool v6 = false, const char *bytes = nullptr) {
    Fragment f;
    f.family = v6 ? IpFamily::V6 : IpFamily::V4;
    f.src.bytes[0] = 10, f.src.bytes[3] = 1;
    f.dst.bytes[0] = 10, f.dst.bytes[3] = 2;
    f.id = d.id;
    f.proto = kProtoTcp;
    f.offset = offset;
    f.len = len;
    f.more = offset + len < d.data.size();
    d.storage.push_back(bytes ? std::string(bytes, len) : d.data.substr(offset, len));
    f.data = reinterpret_cast<const uint8_t *>(d.storage.back().data());
    f.handle = reinterpret_cast<void *>(static_cast<uintptr_t>(0x1000 + d.storage.size()));
    return f;
}

std::string joined(const Reassembled &r) {
    std::string out;
    for (const auto &p : r.pieces) out.append(reinterpret_cast<const char *>(p.data), p.len);
    return out;
}

void release_pieces(Refs &refs, const Reassembled &r) {
    for (const auto &p : r.pieces) refs.ops().release(&refs, p.handle);
}

TEST(Defrag, AnyOrderGivesTheDatagram) {
    std::mt19937 rng(3);
    for (int round = 0; round < 200; ++round) {
        Refs refs;
        Defragmenter d({}, refs.ops());
        Datagram g(std::string(8 * (1 + rng() % 60) + rng() % 8, 'a'), static_cast<uint32_t>(round));
        for (auto &c : g.data) c = static_cast<char>('a' + rng() % 26);
        const auto size = static_cast<uint32_t>(8 * (1 + rng() % 4));
        std::vector<Fragment> frags;
        for (uint32_t off = 0; off < g.data.size(); off += size)
            frags.push_back(fragment(g, off, std::min<uint32_t>(size, static_cast<uint32_t>(g.data.size()) - off), round % 2));
        std::shuffle(frags.begin(), frags.end(), rng);
        Reassembled r;
        for (size_t i = 0; i < frags.size(); ++i) {
            const DefragResult res = d.add(frags[i], 1000, r);
            ASSERT_EQ(res, i + 1 == frags.size() ? DefragResult::Complete : DefragResult::Held) << round << " " << i;
        }
        EXPECT_EQ(joined(r), g.data);
        EXPECT_EQ(r.total_len, g.data.size());
        EXPECT_EQ(r.first.offset, 0u);
        release_pieces(refs, r);
        EXPECT_TRUE(refs.balanced());
        EXPECT_EQ(d.datagrams(), 0u);
    }
}

TEST(Defrag, AnExactRepeatIsIgnored) {
    Refs refs;
    Defragmenter d({}, refs.ops());
    Datagram g("0123456789abcdefXYZ", 7);
    Reassembled r;
    EXPECT_EQ(d.add(fragment(g, 8, 8), 1, r), DefragResult::Held);
    EXPECT_EQ(d.add(fragment(g, 8, 8), 1, r), DefragResult::Duplicate);
    EXPECT_EQ(d.add(fragment(g, 0, 8), 1, r), DefragResult::Held);
    EXPECT_EQ(d.add(fragment(g, 16, 3), 1, r), DefragResult::Complete);
    EXPECT_EQ(joined(r), g.data);
    EXPECT_EQ(d.stats().duplicates, 1u);
    release_pieces(refs, r);
    EXPECT_TRUE(refs.balanced());
}

// Overlapping fragments are how an IDS is shown one text and the host another: Linux drops the
// whole datagram, and so do we (and say so).
TEST(Defrag, OverlapDropsTheDatagram) {
    Refs refs;
    Defragmenter d({}, refs.ops());
    Datagram g("0123456789abcdefXYZ", 9);
    Reassembled r;
    EXPECT_EQ(d.add(fragment(g, 0, 16), 1, r), DefragResult::Held);
    EXPECT_EQ(d.add(fragment(g, 8, 8, false, "innocent"), 1, r), DefragResult::Overlap);
    EXPECT_EQ(d.stats().overlaps, 1u);
    EXPECT_EQ(d.datagrams(), 0u);
    EXPECT_TRUE(refs.balanced());
    // The id starts afresh: a later, clean copy of the datagram is taken.
    EXPECT_EQ(d.add(fragment(g, 0, 16), 2, r), DefragResult::Held);
    EXPECT_EQ(d.add(fragment(g, 16, 3), 2, r), DefragResult::Complete);
    EXPECT_EQ(joined(r), g.data);
    release_pieces(refs, r);
    EXPECT_TRUE(refs.balanced());
}

TEST(Defrag, ATimedOutDatagramIsDropped) {
    Refs refs;
    DefragLimits l;
    l.timeout_ns = 100;
    Defragmenter d(l, refs.ops());
    Datagram g("0123456789abcdefXYZ", 1);
    Reassembled r;
    d.add(fragment(g, 0, 8), 1000, r);
    d.expire(1050);
    EXPECT_EQ(d.datagrams(), 1u);
    d.expire(1100);
    EXPECT_EQ(d.datagrams(), 0u);
    EXPECT_EQ(d.stats().timeouts, 1u);
    EXPECT_TRUE(refs.balanced());
    // A late fragment of it starts a new datagram that never completes.
    EXPECT_EQ(d.add(fragment(g, 8, 11), 1200, r), DefragResult::Held);
    d.clear();
    EXPECT_TRUE(refs.balanced());
}

TEST(Defrag, BoundsAreCounted) {
    Refs refs;
    DefragLimits l;
    l.max_datagrams = 4;
    l.max_fragments = 6;
    l.max_fragments_per_datagram = 3;
    Defragmenter d(l, refs.ops());
    std::vector<Datagram> gs;
    for (uint32_t i = 0; i < 6; ++i) gs.emplace_back(std::string(64, 'x'), i);
    Reassembled r;
    for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(d.add(fragment(gs[i], 0, 8), 1, r), DefragResult::Held);
    EXPECT_EQ(d.add(fragment(gs[4], 0, 8), 1, r), DefragResult::Dropped);  // a fifth datagram
    EXPECT_EQ(d.stats().table_full, 1u);
    EXPECT_EQ(d.add(fragment(gs[0], 8, 8), 1, r), DefragResult::Held);
    EXPECT_EQ(d.add(fragment(gs[0], 16, 8), 1, r), DefragResult::Held);
    EXPECT_EQ(d.add(fragment(gs[0], 24, 8), 1, r), DefragResult::Dropped);  // a fourth fragment of one
    EXPECT_EQ(d.stats().too_many, 1u);
    EXPECT_EQ(d.datagrams(), 3u);
    d.clear();
    EXPECT_TRUE(refs.balanced());
}

TEST(Defrag, InconsistentLastFragmentsAreInvalid) {
    Refs refs;
    Defragmenter d({}, refs.ops());
    Datagram g(std::string(40, 'y'), 5);
    Reassembled r;
    Fragment last = fragment(g, 32, 8);
    EXPECT_EQ(d.add(last, 1, r), DefragResult::Held);
    Fragment other_last = fragment(g, 24, 8);
    other_last.more = false;  // says the datagram ends at 32, the first said 40
    EXPECT_EQ(d.add(other_last, 1, r), DefragResult::Dropped);
    EXPECT_EQ(d.stats().invalid, 1u);
    EXPECT_TRUE(refs.balanced());
}

// parse_fragment reads what decode_packet left to it, for both families.
TEST(Defrag, ParsesIpv4AndIpv6Fragments) {
    // IPv4: offset 24 bytes (3 units), MF set, 16 data bytes.
    std::vector<uint8_t> f4(14 + 20 + 16, 0);
    f4[12] = 0x08, f4[13] = 0x00;
    uint8_t *ip = f4.data() + 14;
    ip[0] = 0x45, ip[3] = 36, ip[4] = 0x12, ip[5] = 0x34, ip[6] = 0x20, ip[7] = 3, ip[8] = 64, ip[9] = 6;
    PacketView v;
    ASSERT_EQ(decode_packet(f4.data(), f4.size(), v), DecodeResult::Ipv4Fragment);
    Fragment f;
    ASSERT_EQ(parse_fragment(f4.data(), f4.size(), f4.size(), v, f), FragmentParse::Ok);
    EXPECT_EQ(f.id, 0x1234u);
    EXPECT_EQ(f.offset, 24u);
    EXPECT_EQ(f.len, 16u);
    EXPECT_TRUE(f.more);
    EXPECT_EQ(f.header_len, 34u);
    EXPECT_EQ(f.proto, kProtoTcp);
    // IPv6 with a fragment header: offset 8, last, 10 bytes.
    std::vector<uint8_t> f6(14 + 40 + 8 + 10, 0);
    f6[12] = 0x86, f6[13] = 0xDD;
    uint8_t *ip6 = f6.data() + 14;
    ip6[0] = 0x60, ip6[5] = 18, ip6[6] = 44, ip6[7] = 64;
    uint8_t *fh = ip6 + 40;
    fh[0] = 6, fh[2] = 0, fh[3] = 8, fh[4] = 0, fh[5] = 0, fh[6] = 0xAB, fh[7] = 0xCD;
    ASSERT_EQ(decode_packet(f6.data(), f6.size(), v), DecodeResult::Ipv6Fragment);
    ASSERT_EQ(parse_fragment(f6.data(), f6.size(), f6.size(), v, f), FragmentParse::Ok);
    EXPECT_EQ(f.id, 0xABCDu);
    EXPECT_EQ(f.offset, 8u);
    EXPECT_EQ(f.len, 10u);
    EXPECT_FALSE(f.more);
    EXPECT_EQ(f.header_len, 54u);        // the fragment header is not kept
    EXPECT_EQ(f.next_header_at, 14u + 6); // the IPv6 header's next-header byte names it
    EXPECT_EQ(f.proto, kProtoTcp);
    // A non-last fragment whose length is not a multiple of 8 is invalid.
    ip[3] = 35;
    f4.pop_back();
    ASSERT_EQ(decode_packet(f4.data(), f4.size(), v), DecodeResult::Ipv4Fragment);
    EXPECT_EQ(parse_fragment(f4.data(), f4.size(), f4.size(), v, f), FragmentParse::Invalid);
}

}  // namespace
