#include "worker_lcore.hpp"

#include <rte_cycles.h>
#include <rte_pause.h>

#include <algorithm>
#include <cstdlib>

#include "packet_meta.hpp"

namespace postern::dataplane {

namespace {

constexpr uint32_t kBurst = 64;
// Payload pieces of one packet: a 64 KB frame (jumbo, GRO, reassembled IP) in as many buffers as
// it may come in (8-byte IP fragments at worst).
constexpr size_t kMaxPieces = 65536 / 8 + 2;

// Held payload keeps the buffer it lies in: a reference per segment, so a tail segment outlives
// its chain when only it is held.
stream::SegmentOps mbuf_segment_ops() {
    stream::SegmentOps ops;
    ops.retain = [](void *, void *handle) { rte_mbuf_refcnt_update(static_cast<rte_mbuf *>(handle), 1); };
    ops.release = [](void *, void *handle) { rte_pktmbuf_free_seg(static_cast<rte_mbuf *>(handle)); };
    return ops;
}

// Packets come from another core's cache: as l3fwd does, a packet's buffer header and metadata
// are fetched two packets ahead and its frame one ahead (the header says where the frame is), so
// neither stalls the inspection. Every line counts: the buffer header's second line holds `next`
// (read to walk the segments and to free), the metadata spans two lines, and a frame's last line
// may hold only a few of its bytes.
void prefetch_lines(const void *start, size_t len) {
    const auto first = reinterpret_cast<uintptr_t>(start) & ~uintptr_t{RTE_CACHE_LINE_SIZE - 1};
    const auto end = reinterpret_cast<uintptr_t>(start) + len;
    for (uintptr_t line = first; line < end; line += RTE_CACHE_LINE_SIZE) rte_prefetch0(reinterpret_cast<const void *>(line));
}

void prefetch_header(rte_mbuf *m) {
    prefetch_lines(m, sizeof(rte_mbuf));
    prefetch_lines(rte_mbuf_to_priv(m), sizeof(PacketMeta));
}

void prefetch_frame(const rte_mbuf *m) { prefetch_lines(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len); }

engine::ChecksumStatus from_flags(uint64_t flags, uint64_t mask, uint64_t good, uint64_t bad) {
    const uint64_t v = flags & mask;
    if (v == good) return engine::ChecksumStatus::Good;
    if (v == bad) return engine::ChecksumStatus::Bad;
    return engine::ChecksumStatus::Unknown;  // not checked, or none (the software sum decides)
}

}  // namespace

Worker::Worker(WorkerSetup setup)
    : setup_(std::move(setup)),
      out_(*setup_.channel, setup_.config->on_event_queue_full, counters_),
      pieces_(kMaxPieces),
      tx_(static_cast<uint16_t>(setup_.id), setup_.config->inline_mode.tx_retries,
          {&counters_.tx_drops, &counters_.tx_packets, &counters_.inline_latency_cycles}),
      files_(setup_.file_channel ? std::make_unique<filestore::FileFeed>(setup_.config->file_store, *setup_.file_channel,
                                                                         *setup_.stored_bytes)
                                 : nullptr),
      inspector_([this] {
          engine::InspectorSetup s;
          s.config = setup_.config;
          s.worker_id = setup_.id;
          s.port_names = &setup_.port_names;
          s.segment_ops = mbuf_segment_ops();
          s.records = &out_;
          s.summaries = &out_;
          s.files = files_.get();
          s.counters = &counters_;
          const char *stages = std::getenv("POSTERN_STAGE_CYCLES");
          s.stage_cycles = stages && stages[0] == '1';
          return s;
      }()) {}

Worker::~Worker() = default;

// The loop, as DPDK's l3fwd has it: pick up a new rule set, answer a pending question, drain the
// rings burst by burst, end idle flows, report quiescence; sleep a little when idle (if asked).
int Worker::run() {
    rte_mbuf *burst[kBurst];
    const bool wait_when_idle = setup_.config->idle_sleep_us > 0;
    uint32_t idle_streak = 0;
    uint64_t now = 0;
    RulePublication *rules = setup_.rules;
    if (rules) rules->worker_online(setup_.id);
    for (;;) {
        const uint64_t t0 = rte_rdtsc();
        follow_rule_set();
        // Read before polling: if RX had finished before this pass, an empty pass means done.
        const bool rx_done = setup_.shared->rx_running.load(std::memory_order_acquire) == 0;
        // Read before polling too: every packet up to this time is in the rings by now.
        const uint64_t clock = setup_.shared->clock_ns.load(std::memory_order_acquire);
        if (flow_query_->pending()) serve_flow_query();  // the control plane asked for top flows
        unsigned got = 0;
        for (rte_ring *ring : setup_.rings) {
            const uint64_t d0 = rte_rdtsc();
            const unsigned n = rte_ring_dequeue_burst(ring, reinterpret_cast<void **>(burst), kBurst, nullptr);
            if (n) counters_.dequeue_cycles += rte_rdtsc() - d0;
            for (unsigned i = 0; i < n && i < 2; ++i) prefetch_header(burst[i]);
            for (unsigned i = 0; i < n; ++i) {
                if (i + 2 < n) prefetch_header(burst[i + 2]);
                if (i + 1 < n) prefetch_frame(burst[i + 1]);
                const uint64_t ts = packet_meta(burst[i]).ts_ns;
                if (ts > now) now = ts;
                inspect(burst[i], now);
            }
            got += n;
            if (setup_.inline_mode) tx_.flush();
        }
        // RX's clock moves on an idle link too (live ports): timeouts then still fire.
        if (got == 0 && clock > now) now = clock;
        const uint64_t e0 = rte_rdtsc();
        inspector_.expire(now);
        counters_.expiry_cycles += rte_rdtsc() - e0;
        summary_clock_.store(inspector_.clock(), std::memory_order_release);
        // Nothing of the rule set is held across iterations: a replaced set may be freed now.
        if (rules) rules->quiescent(setup_.id);
        const uint64_t spent = rte_rdtsc() - t0;
        if (got) {
            ++counters_.busy_polls, counters_.busy_cycles += spent;
            idle_streak = 0;
            publish_rule_stats();
            continue;
        }
        ++counters_.idle_polls, counters_.idle_cycles += spent;
        if (rx_done) break;
        if (wait_when_idle && ++idle_streak > 256) rte_delay_us_sleep(setup_.config->idle_sleep_us);
        else rte_pause();
    }
    out_.finishing();
    tx_.flush();
    follow_rule_set();
    inspector_.finish_all();
    publish_rule_stats();
    if (rules) rules->worker_offline(setup_.id);
    if (files_) files_->finish();
    out_.done();
    return 0;
}

void Worker::inspect(rte_mbuf *m, uint64_t now) {
    const PacketMeta &meta = packet_meta(m);
    engine::Packet p;
    p.view = meta.view;
    p.frame = rte_pktmbuf_mtod(m, const uint8_t *);
    p.wire_len = m->pkt_len;
    p.ts_ns = meta.ts_ns;
    p.hash = meta.hash;
    p.port = meta.port;
    p.ip_checksum = from_flags(m->ol_flags, RTE_MBUF_F_RX_IP_CKSUM_MASK, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
                               RTE_MBUF_F_RX_IP_CKSUM_BAD);
    p.l4_checksum = from_flags(m->ol_flags, RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
                               RTE_MBUF_F_RX_L4_CKSUM_BAD);
    // The payload, in every segment it lies in (jumbo frames, GRO captures, reassembled datagrams).
    uint32_t skip = meta.view.payload_offset, left = meta.view.payload_len, n = 0;
    for (rte_mbuf *seg = m; seg && left && n < kMaxPieces; seg = seg->next) {
        if (skip >= seg->data_len) {
            skip -= seg->data_len;
            continue;
        }
        const uint32_t take = std::min<uint32_t>(left, seg->data_len - skip);
        pieces_[n++] = {seg, rte_pktmbuf_mtod_offset(seg, const uint8_t *, skip), take};
        left -= take;
        skip = 0;
    }
    p.pieces = pieces_.data();
    p.piece_count = n;
    if (setup_.config->inline_mode.test_slow_worker_us) rte_delay_us_block(setup_.config->inline_mode.test_slow_worker_us);
    const engine::Verdict v = inspector_.on_packet(p, now);
    if (setup_.inline_mode) return act(m, p, v);
    rte_pktmbuf_free(m);  // held pieces took their own references, segment by segment
}

void Worker::act(rte_mbuf *m, const engine::Packet &p, engine::Verdict v) {
    PacketMeta &meta = packet_meta(m);
    const uint16_t in_port = meta.port;
    const uint16_t out_port = in_port < setup_.peer_of.size() ? setup_.peer_of[in_port] : 0xFFFF;
    if (v == engine::Verdict::Reject) {  // RSTs from the frame's headers, before it is freed
        send_reset(p, out_port, net::ResetToward::Receiver);
        send_reset(p, in_port, net::ResetToward::Sender);
    }
    // A reassembled datagram is not sent as such: its last fragment is (the others went on).
    rte_mbuf *frame = m;
    if (meta.forward) {
        frame = meta.forward;
        meta.forward = nullptr;
        rte_pktmbuf_free(m);
    }
    if (v == engine::Verdict::Forward && out_port != 0xFFFF) tx_.add(out_port, frame);
    else rte_pktmbuf_free(frame);
}

void Worker::send_reset(const engine::Packet &p, uint16_t out_port, net::ResetToward toward) {
    if (out_port == 0xFFFF || p.view.tuple.proto != net::kProtoTcp) return;
    rte_mbuf *rst = rte_pktmbuf_alloc(setup_.pool);
    if (!rst) return;
    packet_meta(rst) = PacketMeta{};
    uint8_t *out = reinterpret_cast<uint8_t *>(rte_pktmbuf_append(rst, 128));
    const size_t n = out ? net::build_tcp_reset(p.frame, p.view, toward, out, 128) : 0;
    if (n == 0) {
        rte_pktmbuf_free(rst);
        return;
    }
    rte_pktmbuf_trim(rst, static_cast<uint16_t>(128 - n));
    ++counters_.reject_rsts;
    tx_.add(out_port, rst);
}

void Worker::follow_rule_set() {
    if (!setup_.rules) return;
    const rules::RuleSet *set = setup_.rules->current();
    if (set == inspector_.rule_set()) return;
    inspector_.bind_rules(set, set ? set->worker_scratch(setup_.id) : nullptr);
    counters_.rule_set_version.set(set ? set->version() : 0);
    ++counters_.rule_set_switches;
}

void Worker::publish_rule_stats() {
    const rules::MatcherStats &m = inspector_.matcher_stats();
    const rules::ThresholdStats &t = inspector_.threshold_stats();
    counters_.rule_scans.set(m.scans);
    counters_.rule_scan_errors.set(m.scan_errors);
    counters_.rule_matches.set(m.matches);
    counters_.rule_threshold_suppressed.set(m.threshold_suppressed);
    counters_.rule_threshold_evictions.set(t.evictions);
    counters_.rule_state_overflows.set(m.pending_full + m.fired_full + m.evidence_dropped + m.deferred_full);
}

}  // namespace postern::dataplane
