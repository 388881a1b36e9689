#include "net/defrag.hpp"

#include <cstring>
#include <random>

namespace postern::net {

namespace {

inline uint16_t be16(const uint8_t *p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t *p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

constexpr uint32_t kMaxDatagram = 65535;  // an IP datagram's data cannot go past this

bool is_ipv6_extension(uint8_t nh) {
    return nh == 0 || nh == 43 || nh == 60 || nh == 51 || nh == 135 || nh == 139 || nh == 140;
}

uint32_t round_up_pow2(uint32_t n) {
    uint32_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

}  // namespace

FragmentParse parse_fragment(const uint8_t *frame, size_t contiguous, size_t frame_len, const PacketView &view,
                             Fragment &out) {
    out = Fragment{};
    out.frame = frame;
    out.l3_offset = view.l3_offset;
    const size_t off = view.l3_offset;
    if (contiguous > frame_len) contiguous = frame_len;
    out.family = view.tuple.family;
    out.src = view.tuple.src;
    out.dst = view.tuple.dst;
    if (view.tuple.family == IpFamily::V4) {
        if (contiguous < off + 20) return FragmentParse::Truncated;
        const uint8_t *ip = frame + off;
        const size_t ihl = size_t{static_cast<uint8_t>(ip[0] & 0x0F)} * 4;
        const size_t total = be16(ip + 2);
        if (contiguous < off + ihl || total < ihl || frame_len < off + total) return FragmentParse::Truncated;
        const uint16_t frag = be16(ip + 6);
        out.id = be16(ip + 4);
        out.proto = ip[9];
        out.offset = uint32_t{static_cast<uint16_t>(frag & 0x1FFF)} * 8;
        out.more = frag & 0x2000;
        out.len = static_cast<uint32_t>(total - ihl);
        out.header_len = static_cast<uint16_t>(off + ihl);
        out.data = frame + off + ihl;
    } else if (view.tuple.family == IpFamily::V6) {
        if (contiguous < off + 40) return FragmentParse::Truncated;
        const uint8_t *ip = frame + off;
        const size_t end = off + 40 + be16(ip + 4);
        if (frame_len < end) return FragmentParse::Truncated;
        size_t cur = off + 40;
        size_t names_next = off + 6;  // the byte that names the header at `cur`
        uint8_t nh = ip[6];
        for (int i = 0; i < 8 && is_ipv6_extension(nh); ++i) {
            if (contiguous < cur + 8 || end < cur + 8) return FragmentParse::Truncated;
            const size_t ehlen = nh == 51 ? (size_t{frame[cur + 1]} + 2) * 4 : (size_t{frame[cur + 1]} + 1) * 8;
            names_next = cur;
            nh = frame[cur];
            cur += ehlen;
        }
        if (nh != 44) return FragmentParse::Invalid;
        if (contiguous < cur + 8 || end < cur + 8) return FragmentParse::Truncated;
        const uint8_t *fh = frame + cur;
        const uint16_t fo = be16(fh + 2);
        out.proto = fh[0];
        out.offset = uint32_t{static_cast<uint16_t>(fo >> 3)} * 8;
        out.more = fo & 1;
        out.id = be32(fh + 4);
        out.header_len = static_cast<uint16_t>(cur);  // the fragment header itself is not kept
        out.next_header_at = static_cast<uint16_t>(names_next);
        out.len = static_cast<uint32_t>(end - cur - 8);
        out.data = frame + cur + 8;
    } else {
        return FragmentParse::Invalid;
    }
    // A fragment that is not the last must carry a multiple of 8 bytes (RFC 791, RFC 8200).
    if ((out.more && (out.len % 8 != 0 || out.len == 0)) || out.offset + out.len > kMaxDatagram)
        return FragmentParse::Invalid;
    return FragmentParse::Ok;
}

Defragmenter::Defragmenter(const DefragLimits &limits, FragmentOps ops) : limits_(limits), ops_(ops) {
    entries_.resize(round_up_pow2(limits.max_datagrams * 2));  // load factor at most 1/2
    nodes_.resize(limits.max_fragments);
    for (uint32_t i = 0; i < nodes_.size(); ++i) nodes_[i].next = i + 1 < nodes_.size() ? i + 1 : kNone;
    free_node_ = nodes_.empty() ? kNone : 0;
    std::random_device rd;
    hash_key_ = (uint64_t{rd()} << 32 | rd()) | 1;
}

Defragmenter::~Defragmenter() { clear(); }

uint32_t Defragmenter::bucket(const Key &k) const {
    // Multiply-shift over the key's words with a per-table odd multiplier.
    uint64_t h = hash_key_;
    const size_t words = k.family == IpFamily::V6 ? 4 : 1;
    for (size_t i = 0; i < words; ++i) {
        uint32_t a, b;
        std::memcpy(&a, k.src.bytes.data() + 4 * i, 4);
        std::memcpy(&b, k.dst.bytes.data() + 4 * i, 4);
        h = (h ^ a) * hash_key_;
        h = (h ^ b) * hash_key_;
    }
    h = (h ^ k.id ^ (uint64_t{k.proto} << 32)) * hash_key_;
    return static_cast<uint32_t>(h >> 32) & static_cast<uint32_t>(entries_.size() - 1);
}

uint32_t Defragmenter::find(const Key &k, bool create, uint64_t now_ns) {
    const uint32_t mask = static_cast<uint32_t>(entries_.size() - 1);
    uint32_t i = bucket(k);
    for (;; i = (i + 1) & mask) {
        Entry &e = entries_[i];
        if (!e.used) break;
        if (e.key == k) return i;
    }
    if (!create) return kNone;
    if (used_ >= limits_.max_datagrams) {
        // Make room from the oldest datagram only when it is past its time.
        if (oldest_ == kNone || entries_[oldest_].first_ns + limits_.timeout_ns > now_ns) return kNone;
        ++stats_.timeouts;
        drop(oldest_);
        return find(k, true, now_ns);  // the probe chain may have moved
    }
    Entry &e = entries_[i];
    e = Entry{};
    e.used = true;
    e.key = k;
    e.first_ns = now_ns;
    e.older = newest_;
    if (newest_ != kNone) entries_[newest_].newer = i;
    newest_ = i;
    if (oldest_ == kNone) oldest_ = i;
    ++used_;
    return i;
}

void Defragmenter::unlink_age(uint32_t e) {
    Entry &x = entries_[e];
    if (x.older != kNone) entries_[x.older].newer = x.newer;
    else oldest_ = x.newer;
    if (x.newer != kNone) entries_[x.newer].older = x.older;
    else newest_ = x.older;
}

void Defragmenter::drop(uint32_t e) {
    Entry &x = entries_[e];
    for (uint32_t n = x.head; n != kNone;) {
        const uint32_t next = nodes_[n].next;
        ops_.release(ops_.ctx, nodes_[n].handle);
        nodes_[n] = Node{};
        nodes_[n].next = free_node_;
        free_node_ = n;
        stats_.held.set(--held_);
        n = next;
    }
    unlink_age(e);
    x = Entry{};
    --used_;
    // Backward-shift deletion keeps every later entry of the probe chain reachable.
    const uint32_t mask = static_cast<uint32_t>(entries_.size() - 1);
    uint32_t hole = e;
    for (uint32_t i = (e + 1) & mask; entries_[i].used; i = (i + 1) & mask) {
        const uint32_t home = bucket(entries_[i].key);
        // Move entry i into the hole when its home is not in (hole, i].
        const bool in_between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (in_between) continue;
        entries_[hole] = entries_[i];
        Entry &moved = entries_[hole];
        if (moved.older != kNone) entries_[moved.older].newer = hole;
        else oldest_ = hole;
        if (moved.newer != kNone) entries_[moved.newer].older = hole;
        else newest_ = hole;
        entries_[i] = Entry{};
        hole = i;
    }
}

DefragResult Defragmenter::add(const Fragment &f, uint64_t now_ns, Reassembled &out) {
    ++stats_.fragments;
    const Key k{f.src, f.dst, f.id, f.proto, f.family};
    const uint32_t ei = find(k, true, now_ns);
    if (ei == kNone) {
        ++stats_.table_full;
        return DefragResult::Dropped;
    }
    Entry *e = &entries_[ei];
    if (e->first_ns + limits_.timeout_ns <= now_ns) {  // a stale datagram under the same id
        ++stats_.timeouts;
        drop(ei);
        return add(f, now_ns, out);
    }
    const uint32_t start = f.offset, end = f.offset + f.len;
    if (!f.more) {
        if ((e->have_last && e->total != end) || end < e->bytes) {
            ++stats_.invalid;
            drop(ei);
            return DefragResult::Dropped;
        }
        e->have_last = true;
        e->total = end;
    } else if (e->have_last && end > e->total) {
        ++stats_.invalid;
        drop(ei);
        return DefragResult::Dropped;
    }
    // Find where it goes; any overlap that is not an exact duplicate kills the datagram.
    uint32_t prev = kNone;
    uint32_t cur = e->head;
    while (cur != kNone && nodes_[cur].offset + nodes_[cur].len <= start && nodes_[cur].len != 0) {
        prev = cur, cur = nodes_[cur].next;
    }
    if (cur != kNone && nodes_[cur].offset == start && nodes_[cur].len == f.len) {
        ++stats_.duplicates;
        return DefragResult::Duplicate;
    }
    if (cur != kNone && nodes_[cur].offset < end) {
        ++stats_.overlaps;
        drop(ei);
        return DefragResult::Overlap;
    }
    if (e->count >= limits_.max_fragments_per_datagram) {
        ++stats_.too_many;
        drop(ei);
        return DefragResult::Dropped;
    }
    if (free_node_ == kNone) {
        ++stats_.table_full;
        return DefragResult::Dropped;
    }
    const uint32_t n = free_node_;
    free_node_ = nodes_[n].next;
    nodes_[n] = Node{f.handle, f.data, f.offset, f.len, cur};
    if (prev == kNone) e->head = n;
    else nodes_[prev].next = n;
    ops_.retain(ops_.ctx, f.handle);
    ++e->count;
    e->bytes += f.len;
    stats_.held.set(++held_);
    if (start == 0) {
        e->first = f;
        e->have_first = true;
    }
    if (!e->have_last || !e->have_first || e->bytes != e->total) return DefragResult::Held;

    // Complete: hand the references over in offset order and forget the datagram.
    out.pieces.clear();
    out.first = e->first;
    out.total_len = e->total;
    for (uint32_t i = e->head; i != kNone;) {
        out.pieces.push_back({nodes_[i].handle, nodes_[i].data, nodes_[i].len});
        const uint32_t next = nodes_[i].next;
        nodes_[i] = Node{};
        nodes_[i].next = free_node_;
        free_node_ = i;
        stats_.held.set(--held_);
        i = next;
    }
    e->head = kNone;
    drop(ei);
    ++stats_.reassembled;
    return DefragResult::Complete;
}

void Defragmenter::expire(uint64_t now_ns) {
    while (oldest_ != kNone && entries_[oldest_].first_ns + limits_.timeout_ns <= now_ns) {
        ++stats_.timeouts;
        drop(oldest_);
    }
}

void Defragmenter::clear() {
    while (oldest_ != kNone) drop(oldest_);
}

}  // namespace postern::net
