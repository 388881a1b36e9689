// IP reassembly on an RX lcore (net/defrag.hpp over mbufs). Only the first fragment of a datagram
// carries the TCP/UDP ports, so fragments are joined before the flow hash picks a worker: the
// datagram then reaches its flow's worker like any packet. A completed datagram is a new mbuf
// chain: a head holding the rebuilt Ethernet/IP header and the first bytes of the L4 header
// (which may be cut across fragments), then indirect mbufs over the fragments' data. No payload
// is copied.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "config/config.hpp"
#include "net/defrag.hpp"
#include "net/packet.hpp"

namespace postern::dataplane {

class RxDefrag {
public:
    RxDefrag(const config::Config &c, rte_mempool *pool);

    // Takes a fragment (it consumes the caller's reference). Returns the completed datagram as a
    // frame in a new chain, or nullptr; `result` says what happened to this fragment.
    rte_mbuf *add(rte_mbuf *m, const net::PacketView &view, uint64_t now_ns, net::DefragResult &result);
    void expire(uint64_t now_ns) { defrag_.expire(now_ns); }
    void clear() { defrag_.clear(); }
    const net::DefragStats &stats() const { return defrag_.stats(); }
    uint64_t mbuf_exhausted() const { return mbuf_exhausted_; }
    uint64_t unusable() const { return unusable_; }

private:
    rte_mbuf *build(const net::Reassembled &r);
    void release(const net::Reassembled &r);

    net::Defragmenter defrag_;
    net::Reassembled done_;
    rte_mempool *pool_;
    uint64_t mbuf_exhausted_ = 0;
    uint64_t unusable_ = 0;  // fragments in chained mbufs or cut short: not reassembled
};

}  // namespace postern::dataplane
