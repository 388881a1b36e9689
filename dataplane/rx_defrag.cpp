#include "rx_defrag.hpp"

#include <cstring>

#include "net/checksum.hpp"

namespace postern::dataplane {

namespace {

// Bytes of the datagram copied into the head: the longest TCP header, so the decoder finds the
// whole L4 header in one buffer however small the first fragments were (RFC 1858).
constexpr uint32_t kL4HeadBytes = 60;

net::FragmentOps mbuf_fragment_ops() {
    net::FragmentOps ops;
    ops.retain = [](void *, void *h) { rte_mbuf_refcnt_update(static_cast<rte_mbuf *>(h), 1); };
    ops.release = [](void *, void *h) { rte_pktmbuf_free(static_cast<rte_mbuf *>(h)); };
    return ops;
}

net::DefragLimits limits(const config::Config &c) {
    net::DefragLimits l;
    l.max_datagrams = c.defrag_max_datagrams;
    l.max_fragments = c.defrag_max_fragments;
    l.timeout_ns = uint64_t{c.defrag_timeout} * 1000000000ull;
    return l;
}

void put16(uint8_t *p, uint16_t v) { p[0] = static_cast<uint8_t>(v >> 8), p[1] = static_cast<uint8_t>(v); }

}  // namespace

RxDefrag::RxDefrag(const config::Config &c, rte_mempool *pool)
    : defrag_(limits(c), mbuf_fragment_ops()), pool_(pool) {
    done_.pieces.reserve(limits(c).max_fragments_per_datagram);
}

rte_mbuf *RxDefrag::add(rte_mbuf *m, const net::PacketView &view, uint64_t now_ns, net::DefragResult &result) {
    net::Fragment f;
    const auto parsed = net::parse_fragment(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, m->pkt_len, view, f);
    if (parsed != net::FragmentParse::Ok || m->nb_segs > 1) {
        ++unusable_;
        result = net::DefragResult::Dropped;
        rte_pktmbuf_free(m);
        return nullptr;
    }
    f.handle = m;
    result = defrag_.add(f, now_ns, done_);
    rte_pktmbuf_free(m);  // the table took its own reference when it holds the fragment
    if (result != net::DefragResult::Complete) return nullptr;
    rte_mbuf *frame = build(done_);
    release(done_);
    return frame;
}

void RxDefrag::release(const net::Reassembled &r) {
    for (const auto &p : r.pieces) rte_pktmbuf_free(static_cast<rte_mbuf *>(p.handle));
}

rte_mbuf *RxDefrag::build(const net::Reassembled &r) {
    const net::Fragment &first = r.first;
    const uint32_t l3_len = first.header_len - first.l3_offset;  // IPv4 header, or IPv6 unfragmentable part
    if (first.family == net::IpFamily::V4 && l3_len + r.total_len > 0xFFFF) {
        ++unusable_;  // past what an IPv4 datagram can hold: hosts drop it too
        return nullptr;
    }
    rte_mbuf *head = rte_pktmbuf_alloc(pool_);
    const uint32_t l4_head = r.total_len < kL4HeadBytes ? r.total_len : kL4HeadBytes;
    uint8_t *out = head ? reinterpret_cast<uint8_t *>(rte_pktmbuf_append(head, static_cast<uint16_t>(first.header_len + l4_head)))
                        : nullptr;
    if (!out) {
        if (head) rte_pktmbuf_free(head);
        ++mbuf_exhausted_;
        return nullptr;
    }
    // The first fragment's headers (IPv6: without its fragment header), made whole again.
    std::memcpy(out, first.frame, first.header_len);
    uint8_t *ip = out + first.l3_offset;
    if (first.family == net::IpFamily::V4) {
        put16(ip + 2, static_cast<uint16_t>(l3_len + r.total_len));
        put16(ip + 6, 0);  // no more fragments, offset 0
        put16(ip + 10, 0);
        net::store_checksum(net::checksum_add(ip, l3_len, 0), ip + 10);
    } else {
        put16(ip + 4, static_cast<uint16_t>(l3_len - 40 + r.total_len));
        out[first.next_header_at] = first.proto;  // the header that named the fragment header
    }
    // The first bytes of the datagram: the L4 header, however the fragments cut it.
    uint32_t copied = 0;
    for (const auto &p : r.pieces) {
        if (copied == l4_head) break;
        const uint32_t n = p.len < l4_head - copied ? p.len : l4_head - copied;
        std::memcpy(out + first.header_len + copied, p.data, n);
        copied += n;
    }
    // Indirect mbufs over the rest of the datagram, fragment by fragment.
    rte_mbuf *tail = head;
    uint32_t offset = 0;
    for (const auto &p : r.pieces) {
        const uint32_t start = offset, end = offset + p.len;
        offset = end;
        if (end <= l4_head) continue;
        const uint32_t skip = start < l4_head ? l4_head - start : 0;
        rte_mbuf *frag = static_cast<rte_mbuf *>(p.handle);
        rte_mbuf *ind = rte_pktmbuf_alloc(pool_);
        if (!ind) {
            rte_pktmbuf_free(head);
            ++mbuf_exhausted_;
            return nullptr;
        }
        rte_pktmbuf_attach(ind, frag);
        const uint8_t *base = rte_pktmbuf_mtod(frag, const uint8_t *);
        ind->data_off = static_cast<uint16_t>(frag->data_off + (p.data - base) + skip);
        ind->data_len = static_cast<uint16_t>(p.len - skip);
        ind->pkt_len = ind->data_len;
        tail->next = ind;
        tail = ind;
        ++head->nb_segs;
        head->pkt_len += ind->data_len;
    }
    return head;
}

}  // namespace postern::dataplane
