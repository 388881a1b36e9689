#include "rx_lcore.hpp"

#include <chrono>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>

#include "output/eve.hpp"
#include "packet_meta.hpp"
#include "spin_wait.hpp"

namespace postern::dataplane {

namespace {
constexpr unsigned kMaxBurst = 512;
constexpr size_t kRenderBufSize = 4096;
constexpr uint64_t kNsPerMs = 1000000;
constexpr uint16_t kNoPeer = 0xFFFF;
// With no packet for this long, a capture port whose counters never add up is taken as ended
// (a PMD that lost a packet without counting it must not hang an offline run).
constexpr uint64_t kCaptureStallSeconds = 3;
}  // namespace

RxLcore::RxLcore(RxSetup setup)
    : setup_(std::move(setup)),
      tx_(setup_.tx_queue, setup_.config->inline_mode.tx_retries, {&counters_.tx_drops, &counters_.tx_packets, nullptr}),
      defrag_(*setup_.config, setup_.pool),
      render_buf_(new char[kRenderBufSize]),
      writer_(render_buf_.get() + sizeof(pipeline::RecordHeader), kRenderBufSize - sizeof(pipeline::RecordHeader)),
      staged_(setup_.rings.size() * setup_.config->burst) {}

uint64_t RxLcore::wall_ns() {
    const uint64_t d = rte_rdtsc() - tsc_base_;  // split so the product cannot overflow
    return wall_base_ns_ + d / tsc_hz_ * 1000000000ull + d % tsc_hz_ * 1000000000ull / tsc_hz_;
}

bool RxLcore::capture_finished(const RxQueue &q) {
    rte_eth_stats st;
    if (rte_eth_stats_get(q.port, &st) != 0) return false;
    return st.ipackets + st.ierrors + st.rx_nombuf >= q.expected_packets;
}

void RxLcore::enqueue(unsigned worker, rte_mbuf **pkts, unsigned n) {
    rte_ring *ring = setup_.rings[worker];
    unsigned done = rte_ring_enqueue_burst(ring, reinterpret_cast<void **>(pkts), n, nullptr);
    if (done == n) return;
    if (setup_.config->on_ring_full == config::FullPolicy::Wait) {
        ++counters_.ring_full_waits;
        spin_until([&] {
            done += rte_ring_enqueue_burst(ring, reinterpret_cast<void **>(pkts + done), n - done, nullptr);
            return done == n;
        });
        return;
    }
    counters_.ring_drops += n - done;
    counters_.ring_drops_by_worker[worker] += n - done;
    if (setup_.inline_mode && setup_.config->inline_mode.on_overload == config::OverloadPolicy::Forward) {
        // Fail open: the link keeps working, these frames go uninspected.
        counters_.overload_forwarded += n - done;
        for (unsigned i = done; i < n; ++i) forward(pkts[i]);
        return;
    }
    if (setup_.inline_mode) counters_.overload_dropped += n - done;
    for (unsigned i = done; i < n; ++i)
        if (rte_mbuf *f = packet_meta(pkts[i]).forward) rte_pktmbuf_free(f);
    rte_pktmbuf_free_bulk(pkts + done, n - done);
}

void RxLcore::forward(rte_mbuf *m) {
    PacketMeta &meta = packet_meta(m);
    const uint16_t peer = meta.port < setup_.peer_of.size() ? setup_.peer_of[meta.port] : kNoPeer;
    if (rte_mbuf *f = meta.forward) {  // a reassembled datagram: its last fragment goes on
        meta.forward = nullptr;
        rte_pktmbuf_free(m);
        m = f;
    }
    if (peer == kNoPeer) {
        rte_pktmbuf_free(m);
        return;
    }
    tx_.add(peer, m);
}

uint16_t RxLcore::poll(RxQueue &q) {
    rte_mbuf *pkts[kMaxBurst];
    rte_mbuf *to_free[kMaxBurst];
    unsigned staged_n[kMaxWorkers] = {};
    const unsigned nworkers = static_cast<unsigned>(setup_.rings.size());
    const unsigned burst = setup_.config->burst;
    rte_mbuf **staged = staged_.data();  // [worker][burst]
    const uint64_t t0 = rte_rdtsc();
    const uint16_t n = rte_eth_rx_burst(q.port, q.queue, pkts, setup_.config->burst);
    if (n == 0) return 0;
    const uint64_t t1 = rte_rdtsc();
    counters_.pmd_cycles += t1 - t0;
    unsigned nfree = 0;
    uint64_t latest = 0;
    const uint64_t now = wall_ns();  // for packets without a capture timestamp
    for (uint16_t i = 0; i < n; ++i) {
        rte_mbuf *m = pkts[i];
        ++counters_.packets;
        counters_.bytes += m->pkt_len;
        PacketMeta &meta = packet_meta(m);
        meta.rx_tsc = t1;
        meta.forward = nullptr;
        if (m->nb_segs > 1) ++counters_.multi_segment;
        const auto r = net::decode_packet(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, m->pkt_len, meta.view);
        ++counters_.decode[static_cast<size_t>(r)];
        meta.ts_ns = now;
        if (q.capture_timestamps && (m->ol_flags & setup_.timestamp_flag))
            meta.ts_ns = *RTE_MBUF_DYNFIELD(m, setup_.timestamp_offset, uint64_t *) * 1000;  // net_pcap: µs
        if (meta.ts_ns > latest) latest = meta.ts_ns;
        meta.port = q.port;
        if (r == net::DecodeResult::Ipv4Fragment || r == net::DecodeResult::Ipv6Fragment) {
            // Inline: every fragment goes on to the receiver, which reassembles for itself; the
            // one that completes a datagram travels with it, so the datagram's verdict decides it.
            rte_mbuf *fragment = m;
            if (setup_.inline_mode) rte_mbuf_refcnt_update(fragment, 1);
            m = reassemble(m, meta);  // the fragment is taken; a completed datagram comes back
            if (setup_.inline_mode) {
                if (m) {
                    packet_meta(m).forward = fragment;
                } else {
                    ++counters_.fragments_forwarded;
                    tx_.add(setup_.peer_of[meta.port], fragment);
                }
            }
            if (!m) continue;
        } else if (r != net::DecodeResult::Ok) {
            if (setup_.inline_mode && setup_.config->inline_mode.forward_uninspected) {
                ++counters_.uninspected_forwarded;
                forward(m);  // ARP, LLDP, ICMP...: the link must keep working
            } else {
                if (setup_.inline_mode) ++counters_.uninspected_dropped;
                to_free[nfree++] = m;
            }
            continue;
        }
        PacketMeta &pm = packet_meta(m);
        pm.hash = (*setup_.hasher)(pm.view.tuple);
        const auto w = static_cast<unsigned>((uint64_t{pm.hash} * nworkers) >> 32);
        staged[w * burst + staged_n[w]++] = m;
    }
    if (nfree) rte_pktmbuf_free_bulk(to_free, nfree);
    const uint64_t t2 = rte_rdtsc();
    for (unsigned w = 0; w < nworkers; ++w)
        if (staged_n[w]) enqueue(w, staged + w * burst, staged_n[w]);
    counters_.enqueue_cycles += rte_rdtsc() - t2;
    // After the packets are in the rings: a worker that sees this time finds them there, so an
    // idle worker never times flows out ahead of packets still on their way (a capture replays
    // the same way every run).
    advance_clock(*setup_.shared, latest);
    if (setup_.inline_mode) tx_.flush();
    return n;
}

rte_mbuf *RxLcore::reassemble(rte_mbuf *m, PacketMeta &meta) {
    const PacketMeta fragment = meta;  // the fragment's mbuf may be gone after add()
    net::DefragResult result;
    rte_mbuf *d = defrag_.add(m, fragment.view, fragment.ts_ns, result);
    counters_.defrag_mbuf_exhausted.set(defrag_.mbuf_exhausted());
    if (result == net::DefragResult::Overlap)
        report_decoder_anomaly(fragment, fragment.view.tuple.family == net::IpFamily::V6 ? "ipv6.frag_overlap"
                                                                                         : "ipv4.frag_overlap");
    if (!d) return nullptr;
    PacketMeta &dm = packet_meta(d);
    dm.ts_ns = fragment.ts_ns;
    dm.port = fragment.port;
    dm.rx_tsc = fragment.rx_tsc;
    dm.forward = nullptr;
    const auto r = net::decode_packet(rte_pktmbuf_mtod(d, const uint8_t *), d->data_len, d->pkt_len, dm.view);
    if (r != net::DecodeResult::Ok) {
        ++counters_.decode[static_cast<size_t>(r)];
        rte_pktmbuf_free(d);
        return nullptr;
    }
    ++counters_.reassembled;
    return d;
}

void RxLcore::report_decoder_anomaly(const PacketMeta &meta, std::string_view event) {
    if (!setup_.channel) return;
    output::EveEndpoints ep;
    ep.src_ip = meta.view.tuple.src;
    ep.dest_ip = meta.view.tuple.dst;
    ep.family = meta.view.tuple.family;
    ep.proto = meta.view.tuple.proto;
    writer_.reset();
    const std::string_view iface =
        meta.port < setup_.port_names.size() ? std::string_view(setup_.port_names[meta.port]) : std::string_view();
    output::begin_eve_record(writer_, meta.ts_ns, output::EveType::Anomaly, 0, iface, ep, {});
    writer_.key("anomaly");
    writer_.begin_object();
    writer_.field("type", "decode");
    writer_.field("event", event);
    writer_.field("layer", "ip");
    writer_.end_object();
    writer_.end_object();
    if (writer_.overflowed()) return;
    // Never wait here: RX must keep up with the wire; a full channel loses the record (counted
    // by the channel as an overflow).
    setup_.channel->push_prepared(render_buf_.get(), static_cast<uint32_t>(writer_.size()), pipeline::RecordKind::Eve,
                                  static_cast<uint8_t>(output::EveType::Anomaly));
}

int RxLcore::run() {
    tsc_hz_ = rte_get_tsc_hz();
    tsc_base_ = rte_rdtsc();
    wall_base_ns_ = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    const bool sleep_when_idle = setup_.config->idle_sleep_us > 0;
    std::vector<bool> ended(setup_.queues.size(), false);
    size_t live = setup_.queues.size();
    uint64_t last_packet_tsc = rte_rdtsc();
    uint32_t idle_streak = 0;
    bool all_live = true;  // no port reads a capture file: the wall clock is the packets' clock
    for (const auto &q : setup_.queues) all_live = all_live && !q.is_capture && !q.capture_timestamps;
    while (live > 0 && !setup_.shared->stop.load(std::memory_order_relaxed)) {
        const uint64_t t0 = rte_rdtsc();
        unsigned got = 0;
        for (size_t i = 0; i < setup_.queues.size(); ++i) {
            if (ended[i]) continue;
            RxQueue &q = setup_.queues[i];
            const uint16_t n = poll(q);
            got += n;
            if (n == 0 && q.is_capture &&
                (capture_finished(q) || t0 - last_packet_tsc > kCaptureStallSeconds * tsc_hz_)) {
                ended[i] = true;
                --live;
            }
        }
        const uint64_t spent = rte_rdtsc() - t0;
        const uint64_t clock = setup_.shared->clock_ns.load(std::memory_order_relaxed);
        if (got) {
            ++counters_.busy_polls, counters_.busy_cycles += spent;
            last_packet_tsc = t0;
            idle_streak = 0;
            defrag_.expire(clock);
            continue;
        }
        ++counters_.idle_polls, counters_.idle_cycles += spent;
        // A quiet live link still has a clock: flows and fragments time out by it.
        if (all_live && wall_ns() > clock + kNsPerMs) {
            advance_clock(*setup_.shared, wall_ns());
            ++counters_.clock_advances;
            defrag_.expire(wall_ns());
        }
        if (sleep_when_idle && ++idle_streak > 256) rte_delay_us_sleep(setup_.config->idle_sleep_us);
        else rte_pause();
    }
    tx_.flush();
    defrag_.clear();
    if (setup_.channel) spin_until([&] { return setup_.channel->push(pipeline::RecordKind::Done, 0, {}); });
    setup_.shared->rx_running.fetch_sub(1, std::memory_order_acq_rel);
    return 0;
}

}  // namespace postern::dataplane
