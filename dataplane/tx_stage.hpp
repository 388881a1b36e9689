// Inline mode: the frames one lcore sends, staged per port and sent a burst at a time on the
// lcore's own TX queue of that port (no locks: each lcore has its own queue on every port, and a
// flow's packets all go through its worker, so their order holds). A burst the port will not take
// is retried a bounded number of times; what is still left is freed and counted, never lost
// silently. Each sent frame's latency (RX burst to TX) goes into a histogram.
#pragma once

#include <array>
#include <cstdint>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "packet_meta.hpp"
#include "util/counter.hpp"
#include "util/histogram.hpp"

namespace postern::dataplane {

class TxStage {
public:
    static constexpr unsigned kBurst = 32;
    static constexpr unsigned kMaxPorts = 32;

    struct Counters {
        std::array<util::Counter, kMaxPorts> *drops = nullptr;  // by port
        util::Counter *sent = nullptr;
        util::Log2Histogram *latency = nullptr;  // TSC cycles from RX to TX
    };

    TxStage(uint16_t queue, uint32_t retries, Counters counters) : queue_(queue), retries_(retries), c_(counters) {}

    void add(uint16_t port, rte_mbuf *m) {
        if (port >= kMaxPorts) {
            rte_pktmbuf_free(m);
            return;
        }
        Batch &b = batches_[port];
        if (!b.listed) b.listed = true, active_[nactive_++] = port;
        b.m[b.n++] = m;
        if (b.n == kBurst) send(port);
    }

    void flush() {
        for (unsigned i = 0; i < nactive_; ++i) {
            send(active_[i]);
            batches_[active_[i]].listed = false;
        }
        nactive_ = 0;
    }

private:
    struct Batch {
        rte_mbuf *m[kBurst];
        uint16_t n = 0;
        bool listed = false;  // in active_ until the next flush
    };

    void send(uint16_t port) {
        Batch &b = batches_[port];
        if (b.n == 0) return;
        uint64_t waited[kBurst];
        const uint64_t now = rte_rdtsc();
        for (uint16_t i = 0; i < b.n; ++i) {  // read before sending: a sent mbuf may be freed at once
            const uint64_t rx = packet_meta(b.m[i]).rx_tsc;
            waited[i] = rx && now > rx ? now - rx : 0;
        }
        uint16_t sent = rte_eth_tx_burst(port, queue_, b.m, b.n);
        for (uint32_t tries = 0; sent < b.n && tries < retries_; ++tries)
            sent += rte_eth_tx_burst(port, queue_, b.m + sent, b.n - sent);
        for (uint16_t i = 0; i < sent; ++i)
            if (waited[i] && c_.latency) c_.latency->observe(waited[i]);
        if (c_.sent) *c_.sent += sent;
        if (sent < b.n) {
            if (c_.drops) (*c_.drops)[port] += b.n - sent;
            rte_pktmbuf_free_bulk(b.m + sent, b.n - sent);
        }
        b.n = 0;
    }

    uint16_t queue_;
    uint32_t retries_;
    Counters c_;
    std::array<Batch, kMaxPorts> batches_{};
    std::array<uint16_t, kMaxPorts> active_{};
    unsigned nactive_ = 0;
};

}  // namespace postern::dataplane
