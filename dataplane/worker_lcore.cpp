#include "worker_lcore.hpp"

#include <rte_cycles.h>
#include <rte_pause.h>

#include "mbuf_segments.hpp"
#include "output/flow_record.hpp"
#include "packet_meta.hpp"
#include "rules/hash.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace postern::dataplane {

namespace {

constexpr size_t kRenderBufSize = 64 * 1024;
constexpr uint32_t kBurst = 64;
constexpr uint32_t kMaxExpiredPerCall = 1024;  // bounds the pause a timeout sweep can cause
constexpr uint64_t kNsPerSec = 1000000000ull;

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;

// Thresholds track by address: a hash of the 16 address bytes (IPv4 mapped into them).
uint64_t address_key(const net::IpAddress &a) {
    return rules::fnv1a64({reinterpret_cast<const char *>(a.bytes.data()), a.bytes.size()});
}

flow::TimeoutClass timeout_class(const FlowState &f, bool is_tcp) {
    if (!is_tcp) return flow::TimeoutClass::Udp;
    switch (f.tcp.state()) {
    case stream::TcpState::Established:
    case stream::TcpState::Closing: return flow::TimeoutClass::Established;
    case stream::TcpState::Closed: return flow::TimeoutClass::Closed;
    default: return flow::TimeoutClass::New;
    }
}

std::string_view flow_state_name(const FlowState &f, bool is_tcp) {
    if (!is_tcp) return f.pkts[1] > 0 ? "established" : "new";
    switch (f.tcp.state()) {
    case stream::TcpState::Established:
    case stream::TcpState::Closing: return "established";
    case stream::TcpState::Closed: return "closed";
    default: return "new";
    }
}

inspect::AppLimits app_limits(const config::Config &c) {
    inspect::AppLimits l;
    l.max_sessions = c.max_app_sessions_per_worker;
    return l;
}

}  // namespace

Worker::Worker(WorkerSetup setup)
    : setup_(std::move(setup)),
      flows_(setup_.config->max_flows_per_worker),
      segment_pool_(setup_.config->max_held_segments_per_worker),
      stream_ctx_{segment_pool_, mbuf_segment_ops(), {}, {}},
      render_buf_(new char[kRenderBufSize]),
      writer_(render_buf_.get() + sizeof(pipeline::RecordHeader), kRenderBufSize - sizeof(pipeline::RecordHeader)),
      events_(*this),
      thresholds_(setup_.config->rules.threshold_entries),
      matcher_(&thresholds_),
      rule_alerts_(*this, alert_counters_),
      rule_stage_(matcher_, rule_alerts_, events_),
      detector_alerts_(*this, alert_counters_, this),
      detect_stage_(setup_.config->detect, detector_alerts_, &rule_stage_),
      app_(app_limits(*setup_.config), events_, detect_stage_, &rule_stage_, &detect_stage_) {
    const auto &t = setup_.config->timeouts;
    timeout_ns_[static_cast<int>(flow::TimeoutClass::Closed)] = t.tcp_closed * kNsPerSec;
    timeout_ns_[static_cast<int>(flow::TimeoutClass::New)] = t.tcp_new * kNsPerSec;
    timeout_ns_[static_cast<int>(flow::TimeoutClass::Udp)] = t.udp * kNsPerSec;
    timeout_ns_[static_cast<int>(flow::TimeoutClass::Established)] = t.tcp_established * kNsPerSec;
    stream_ctx_.limits.max_held_per_direction = setup_.config->max_held_segments_per_flow;
    const char *stages = std::getenv("POSTERN_STAGE_CYCLES");
    stage_cycles_ = stages && stages[0] == '1';
}

Worker::~Worker() = default;

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
        if (flow_query_->pending()) serve_flow_query();  // the control plane asked for top flows
        unsigned got = 0;
        for (rte_ring *ring : setup_.rings) {
            const uint64_t d0 = rte_rdtsc();
            const unsigned n = rte_ring_dequeue_burst(ring, reinterpret_cast<void **>(burst), kBurst, nullptr);
            if (n) counters_.dequeue_cycles += rte_rdtsc() - d0;
            for (unsigned i = 0; i < n; ++i) {
                if (i + 1 < n) rte_prefetch0(rte_mbuf_to_priv(burst[i + 1]));
                const uint64_t ts = packet_meta(burst[i]).ts_ns;
                if (ts > now) now = ts;
                process(burst[i], now);
            }
            got += n;
        }
        if (got == 0) {
            // Nothing queued: everything RX saw is processed, so its clock is ours.
            const uint64_t clock = setup_.shared->clock_ns.load(std::memory_order_relaxed);
            if (clock > now) now = clock;
        }
        if (now >= next_expiry_ns_) {
            const uint64_t e0 = rte_rdtsc();
            expire(now);
            next_expiry_ns_ = now + kNsPerSec;
            counters_.expiry_cycles += rte_rdtsc() - e0;
        }
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
    follow_rule_set();
    finish_all();
    publish_rule_stats();
    if (rules) rules->worker_offline(setup_.id);
    while (!setup_.channel->push(pipeline::RecordKind::Done, 0, {})) rte_pause();
    return 0;
}

void Worker::process(rte_mbuf *m, uint64_t now) {
    const PacketMeta &meta = packet_meta(m);
    const net::PacketView &v = meta.view;
    bool from_a = false;
    const uint64_t l0 = stage_cycles_ ? rte_rdtsc() : 0;
    const net::FlowKey key = net::canonical_key(v.tuple, from_a);
    const uint32_t id = find_or_create(meta, key, from_a);
    if (stage_cycles_) counters_.lookup_cycles += rte_rdtsc() - l0;
    FlowState &f = flows_.data(id);
    current_ = &f;
    enter_flow(id, meta.ts_ns);
    const bool is_tcp = v.tuple.proto == net::kProtoTcp;
    int dir;
    if (is_tcp) {
        stream::TcpPacket p;
        p.from_a = from_a;
        p.src_port = v.tuple.src_port;
        p.dst_port = v.tuple.dst_port;
        p.seq = v.seq;
        p.ack = v.ack;
        p.flags = v.tcp_flags;
        // Payload pieces: the rest of the first segment, then any chained segments.
        uint32_t left = v.payload_len;
        uint32_t first = std::min<uint32_t>(left, m->data_len > v.payload_offset ? m->data_len - v.payload_offset : 0);
        if (first) p.pieces[p.piece_count++] = {m, rte_pktmbuf_mtod_offset(m, const uint8_t *, v.payload_offset), first};
        left -= first;
        for (rte_mbuf *seg = m->next; seg && left && p.piece_count < stream::TcpPacket::kMaxPieces; seg = seg->next) {
            const uint32_t n = std::min<uint32_t>(left, seg->data_len);
            p.pieces[p.piece_count++] = {m, rte_pktmbuf_mtod(seg, const uint8_t *), n};
            left -= n;
        }
        const uint64_t s0 = stage_cycles_ ? rte_rdtsc() : 0;
        dir = stream::index(f.tcp.on_packet(stream_ctx_, *this, p));
        if (stage_cycles_) counters_.tcp_cycles += rte_rdtsc() - s0;
        f.client_is_a = f.tcp.client_is_a();
        f.tcp_flags[dir] |= v.tcp_flags;
        ++counters_.tcp_packets;
    } else {
        dir = from_a == f.client_is_a ? 0 : 1;
        f.app_bytes[dir] += v.payload_len;
        ++counters_.udp_packets;
    }
    f.alerted = f.alerted || flow_ctx_.alerted;
    ++f.pkts[dir];
    f.bytes[dir] += m->pkt_len;
    f.last_ns = meta.ts_ns > f.last_ns ? meta.ts_ns : f.last_ns;
    ++counters_.packets;
    counters_.bytes += m->pkt_len;
    flows_.touch(id, now, timeout_class(f, is_tcp));
    current_ = nullptr;
    events_.set_flow(nullptr);
    rte_pktmbuf_free(m);  // held segments took their own reference
}

uint32_t Worker::find_or_create(const PacketMeta &meta, const net::FlowKey &key, bool from_a) {
    uint32_t id = flows_.lookup(key, meta.hash);
    const auto &v = meta.view;
    const bool new_syn = v.tuple.proto == net::kProtoTcp && (v.tcp_flags & net::kTcpSyn) &&
                         !(v.tcp_flags & net::kTcpAck);
    if (id != flow::kNoFlow && new_syn && flows_.data(id).tcp.state() == stream::TcpState::Closed) {
        ++counters_.flows_closed_reused;  // the ports were reused for a new connection
        finish(id, "timeout");
        id = flow::kNoFlow;
    }
    if (id != flow::kNoFlow) return id;
    if (flows_.full()) {
        ++counters_.flows_evicted;
        finish(flows_.eviction_candidate(), "forced");
    }
    id = flows_.insert(key, meta.hash, meta.ts_ns, flow::TimeoutClass::New);
    FlowState &f = flows_.data(id);
    f.flow_id = ((uint64_t{meta.hash} << 20) ^ (uint64_t{setup_.id} << 14) ^ (next_flow_seq_++ & 0x3FFF)) &
                ((1ull << 52) - 1);
    f.start_ns = f.last_ns = meta.ts_ns;
    f.port = meta.port;
    f.client_is_a = from_a;  // UDP: the first sender is the client
    f.digest[0] = f.digest[1] = kFnvOffset;
    ++counters_.flows_created;
    counters_.flows_active.set(flows_.size());
    return id;
}

void Worker::expire(uint64_t now) {
    uint32_t budget = kMaxExpiredPerCall;
    for (int c = 0; c < flow::kTimeoutClasses; ++c) {
        const auto cls = static_cast<flow::TimeoutClass>(c);
        for (uint32_t id = flows_.oldest(cls); id != flow::kNoFlow && budget; id = flows_.oldest(cls), --budget) {
            if (flows_.last_seen(id) + timeout_ns_[c] > now) break;
            ++counters_.flows_timed_out[c];
            finish(id, "timeout");
        }
    }
}

void Worker::finish(uint32_t id, std::string_view reason) {
    FlowState &f = flows_.data(id);
    const bool is_tcp = flows_.key(id).proto == net::kProtoTcp;
    current_ = &f;
    enter_flow(id, f.last_ns);
    if (is_tcp) f.tcp.flush(stream_ctx_, *this);  // parsers get their last bytes and ends
    detect::SessionEnd end;
    end.flow_id = f.flow_id;
    end.start_ns = f.start_ns;
    end.end_ns = f.last_ns;
    end.bytes_toserver = f.app_bytes[0];
    end.bytes_toclient = f.app_bytes[1];
    end.endpoints = flow_ctx_.endpoints;
    end.in_iface = flow_ctx_.in_iface;
    end.protocol = f.app.protocol;
    end.handshake = is_tcp && !f.tcp.midstream();
    app_.release(f.app, &end);
    f.alerted = f.alerted || flow_ctx_.alerted;
    current_ = nullptr;
    events_.set_flow(nullptr);
    const net::FlowKey &k = flows_.key(id);
    output::FlowRecord r;
    auto &ep = r.endpoints;
    ep.family = k.family;
    ep.proto = k.proto;
    if (f.client_is_a) {
        ep.src_ip = k.a, ep.src_port = k.a_port, ep.dest_ip = k.b, ep.dest_port = k.b_port;
    } else {
        ep.src_ip = k.b, ep.src_port = k.b_port, ep.dest_ip = k.a, ep.dest_port = k.a_port;
    }
    r.flow_id = f.flow_id;
    r.start_ns = f.start_ns;
    r.end_ns = f.last_ns;
    for (int d = 0; d < 2; ++d) {
        r.pkts[d] = f.pkts[d], r.bytes[d] = f.bytes[d], r.tcp_flags[d] = f.tcp_flags[d];
        r.gap[d] = f.gap_bytes[d] > 0;
    }
    r.alerted = f.alerted;
    r.state = flow_state_name(f, is_tcp);
    if (is_tcp) r.tcp_state = stream::tcp_state_name(f.tcp.state());
    r.reason = reason;
    r.in_iface = f.port < setup_.port_names.size() ? std::string_view(setup_.port_names[f.port]) : "";
    r.app_proto = app_proto_name(f);

    output::JsonWriter &w = begin_record();
    output::write_flow_record_open(w, r);
    // Stream reassembly results: our addition, beside Suricata's flow fields.
    w.key("reassembly");
    w.begin_object();
    w.field("app_bytes_toserver", f.app_bytes[0]);
    w.field("app_bytes_toclient", f.app_bytes[1]);
    w.field("gap_bytes_toserver", f.gap_bytes[0]);
    w.field("gap_bytes_toclient", f.gap_bytes[1]);
    if (setup_.config->stream_digest) {
        char hex[17];
        for (int d = 0; d < 2; ++d) {
            std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(f.digest[d]));
            w.field(d == 0 ? "digest_toserver" : "digest_toclient", std::string_view(hex, 16));
        }
    }
    w.end_object();
    w.end_object();
    commit_record(output::EveType::Flow);

    if (is_tcp) f.tcp.release(stream_ctx_);
    flows_.remove(id);
    counters_.flows_active.set(flows_.size());
}

void Worker::emit(output::EveType type, size_t len) {
    if (len == 0) {
        ++counters_.event_truncated;
        return;
    }
    ++counters_.events;
    const auto body = static_cast<uint32_t>(len);
    const auto tag = static_cast<uint8_t>(type);
    if (setup_.channel->push_prepared(render_buf_.get(), body, pipeline::RecordKind::Eve, tag)) return;
    if (setup_.config->on_event_queue_full == config::FullPolicy::Drop) {
        ++counters_.event_drops;
        return;
    }
    while (!setup_.channel->push_prepared(render_buf_.get(), body, pipeline::RecordKind::Eve, tag)) rte_pause();
}

void Worker::finish_all() {
    for (uint32_t id = flows_.eviction_candidate(); id != flow::kNoFlow; id = flows_.eviction_candidate())
        finish(id, "shutdown");
}

void Worker::on_data(stream::Direction dir, const uint8_t *data, size_t len) {
    const int d = stream::index(dir);
    current_->app_bytes[d] += len;
    (d == 0 ? counters_.app_bytes_toserver : counters_.app_bytes_toclient) += len;
    if (!ctx_roles_known_) enter_flow(current_id_, flow_ctx_.ts_ns);  // learnt by this packet
    const uint64_t a0 = stage_cycles_ ? rte_rdtsc() : 0;
    app_.on_data(current_->app, dir, data, len);
    if (stage_cycles_) counters_.app_cycles += rte_rdtsc() - a0;
    if (setup_.config->stream_digest) {
        current_->digest[d] = rules::fnv1a64({reinterpret_cast<const char *>(data), len}, current_->digest[d]);
    }
}

void Worker::on_gap(stream::Direction dir, uint32_t len) {
    current_->gap_bytes[stream::index(dir)] += len;
    if (!ctx_roles_known_) enter_flow(current_id_, flow_ctx_.ts_ns);
    app_.on_gap(current_->app, dir, len);
}

void Worker::on_end(stream::Direction dir) { app_.on_end(current_->app, dir); }

void Worker::enter_flow(uint32_t id, uint64_t ts_ns) {
    const FlowState &f = flows_.data(id);
    const net::FlowKey &k = flows_.key(id);
    inspect::FlowContext &c = flow_ctx_;
    c.flow_id = f.flow_id;
    c.ts_ns = ts_ns;
    c.in_iface = f.port < setup_.port_names.size() ? std::string_view(setup_.port_names[f.port]) : "";
    c.protocol = f.app.protocol;
    c.alerted = f.alerted;
    auto &ep = c.endpoints;
    ep.family = k.family;
    ep.proto = k.proto;
    // Roles may change with the first packet (the session learns them): the callbacks re-read.
    const bool client_is_a = k.proto == net::kProtoTcp && f.tcp.roles_known() ? f.tcp.client_is_a() : f.client_is_a;
    if (client_is_a) {
        ep.src_ip = k.a, ep.src_port = k.a_port, ep.dest_ip = k.b, ep.dest_port = k.b_port;
    } else {
        ep.src_ip = k.b, ep.src_port = k.b_port, ep.dest_ip = k.a, ep.dest_port = k.a_port;
    }
    current_id_ = id;
    ctx_roles_known_ = k.proto != net::kProtoTcp || f.tcp.roles_known();
    events_.set_flow(&flow_ctx_);
    rule_alerts_.set_flow(&flow_ctx_);
    detector_alerts_.set_flow(&flow_ctx_);
    c.midstream = k.proto == net::kProtoTcp && f.tcp.midstream();
    rules::MatchContext mc;
    mc.ts_ns = ts_ns;
    mc.src_key = address_key(ep.src_ip);
    mc.dst_key = address_key(ep.dest_ip);
    rule_stage_.set_context(mc);
}

void Worker::follow_rule_set() {
    if (!setup_.rules) return;
    const rules::RuleSet *set = setup_.rules->current();
    if (set == matcher_.set()) return;
    matcher_.bind(set, set ? set->worker_scratch(setup_.id) : nullptr);
    counters_.rule_set_version.set(set ? set->version() : 0);
    ++counters_.rule_set_switches;
}

void Worker::publish_rule_stats() {
    const rules::MatcherStats &m = matcher_.stats();
    const rules::ThresholdStats &t = thresholds_.stats();
    counters_.rule_scans.set(m.scans);
    counters_.rule_scan_errors.set(m.scan_errors);
    counters_.rule_matches.set(m.matches);
    counters_.rule_threshold_suppressed.set(m.threshold_suppressed);
    counters_.rule_threshold_evictions.set(t.evictions);
    counters_.rule_state_overflows.set(m.pending_full + m.fired_full + m.evidence_dropped + m.deferred_full);
}

std::string_view Worker::app_proto_name(const FlowState &f) const {
    switch (f.app.status) {
    case inspect::AppStatus::None: return "";
    case inspect::AppStatus::Failed:
    case inspect::AppStatus::NotInspected: return "failed";
    default: return proto::protocol_name(f.app.protocol);
    }
}

output::JsonWriter &Worker::begin_record() {
    writer_.reset();
    return writer_;
}

void Worker::push_summary(const detect::SessionSummary &s) {
    if (setup_.channel->push(pipeline::RecordKind::Summary, 0, detect::as_bytes(s))) return;
    if (setup_.config->on_event_queue_full == config::FullPolicy::Drop) {
        ++counters_.event_drops;
        return;
    }
    while (!setup_.channel->push(pipeline::RecordKind::Summary, 0, detect::as_bytes(s))) rte_pause();
}

void Worker::commit_record(output::EveType type) { emit(type, writer_.overflowed() ? 0 : writer_.size()); }

}  // namespace postern::dataplane
