// The inspector's per-packet path: flow lookup, checksums, TCP session and stream ordering, then
// the ordered bytes to the application layer. Flow ends and records are in flow_end.cpp.
#include "engine/inspector.hpp"

#include <algorithm>

#include "net/checksum.hpp"
#include "proto/session_anomaly.hpp"
#include "rules/hash.hpp"
#include "util/cycles.hpp"

namespace postern::engine {

namespace {

constexpr uint64_t kNsPerSec = 1000000000ull;
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
// Thresholds track by address: a hash of the 16 address bytes (IPv4 mapped into them).
uint64_t address_key(const net::IpAddress &a) {
    return rules::fnv1a64({reinterpret_cast<const char *>(a.bytes.data()), a.bytes.size()});
}

flow::TimeoutClass timeout_class(const Flow &f, bool is_tcp) {
    if (!is_tcp) return flow::TimeoutClass::Udp;
    switch (f.tcp.state()) {
    case stream::TcpState::Established:
    case stream::TcpState::Closing: return flow::TimeoutClass::Established;
    case stream::TcpState::Closed: return flow::TimeoutClass::Closed;
    default: return flow::TimeoutClass::New;
    }
}

inspect::AppLimits app_limits(const config::Config &c) {
    inspect::AppLimits l;
    l.max_sessions = c.max_app_sessions_per_worker;
    l.idle_timeout_ns = c.app_idle_timeout * kNsPerSec;
    l.one_sided_timeout_ns = c.app_one_sided_timeout * kNsPerSec;
    l.smtp.mime.file_hashes = l.pop3.mime.file_hashes = l.imap.mime.file_hashes = c.file_hashes;
    l.smtp.mime.hash_messages = l.pop3.mime.hash_messages = l.imap.mime.hash_messages = c.hash_messages;
    const uint8_t store = c.file_store.enabled ? c.file_store.kinds : 0;
    l.smtp.mime.file_store = l.pop3.mime.file_store = l.imap.mime.file_store = store;
    return l;
}

}  // namespace

Inspector::Inspector(const InspectorSetup &setup)
    : setup_(setup),
      config_(*setup.config),
      counters_(*setup.counters),
      flows_(config_.max_flows_per_worker),
      segment_pool_(config_.max_held_segments_per_worker),
      stream_ctx_{segment_pool_, setup.segment_ops, {}, {}},
      events_(*setup.records, flow_ctx_),
      thresholds_(config_.rules.threshold_entries),
      matcher_(&thresholds_),
      rule_alerts_(*setup.records, alert_counters_, flow_ctx_),
      detector_alerts_(*setup.records, alert_counters_, flow_ctx_, setup.summaries, &config_.detect),
      rule_stage_(matcher_, rule_alerts_, &events_, &flow_ctx_.match),
      detect_stage_(config_.detect, detector_alerts_, &rule_stage_),
      app_(app_limits(config_), events_, detect_stage_, &rule_stage_, &detect_stage_) {
    events_.set_file_feed(setup.files);
    events_.set_eve_types(config_.eve_types);
    const auto &t = config_.timeouts;
    timeout_ns_[static_cast<int>(flow::TimeoutClass::Closed)] = t.tcp_closed * kNsPerSec;
    timeout_ns_[static_cast<int>(flow::TimeoutClass::New)] = t.tcp_new * kNsPerSec;
    timeout_ns_[static_cast<int>(flow::TimeoutClass::Udp)] = t.udp * kNsPerSec;
    timeout_ns_[static_cast<int>(flow::TimeoutClass::Established)] = t.tcp_established * kNsPerSec;
    stream_ctx_.limits.max_held_per_direction = config_.max_held_segments_per_flow;
}

Inspector::~Inspector() = default;

// What the receiving host does with a checksum that fails: drops the segment. NIC verdicts are
// taken as they are; otherwise the sums are computed here. "auto" tells offload from attack per
// sender of each flow: a capture taken on a mail server shows that host's packets before the NIC
// fills their sums in, all of them bad from the SYN on; an attacker's inserted segment is bad
// among good ones. So a bad checksum is dropped once the same sender's packets were seen good.
bool Inspector::checksums_ok(const Packet &p, Flow &f, bool from_a) {
    if (config_.checksum_validation == config::ChecksumValidation::No) return true;
    const net::PacketView &v = p.view;
    bool ip_ok = true, l4_ok = true;
    if (v.tuple.family == net::IpFamily::V4)
        ip_ok = p.ip_checksum == ChecksumStatus::Unknown ? net::ipv4_header_checksum_ok(p.frame, v)
                                                          : p.ip_checksum == ChecksumStatus::Good;
    if (p.l4_checksum != ChecksumStatus::Unknown) {
        l4_ok = p.l4_checksum == ChecksumStatus::Good;
    } else if (v.tuple.proto == net::kProtoUdp && v.tuple.family == net::IpFamily::V4 &&
               p.frame[v.l4_offset + 6] == 0 && p.frame[v.l4_offset + 7] == 0) {
        l4_ok = true;  // UDP over IPv4 may go without a checksum
    } else {
        net::ChecksumSum sum = net::l4_checksum_start(p.frame, v);
        for (uint32_t i = 0; i < p.piece_count; ++i) sum.add(p.pieces[i].data, p.pieces[i].len);
        l4_ok = sum.ok();
    }
    const int sender = from_a ? 0 : 1;
    if (ip_ok && l4_ok) {
        f.checksum_good[sender] = true;
        return true;
    }
    if (config_.checksum_validation == config::ChecksumValidation::Auto && !f.checksum_good[sender]) {
        ++counters_.checksum_offloaded;  // every packet of this sender so far: offload, not attack
        return true;
    }
    if (!ip_ok) ++counters_.checksum_bad_ipv4;
    if (!l4_ok) ++counters_.checksum_bad_l4;
    return false;
}

Verdict Inspector::on_packet(const Packet &p, uint64_t now) {
    if (now > clock_ns_) clock_ns_ = now;
    const net::PacketView &v = p.view;
    bool from_a = false;
    const uint64_t l0 = setup_.stage_cycles ? util::cycles() : 0;
    const net::FlowKey key = net::canonical_key(v.tuple, from_a);
    const uint32_t id = find_or_create(p, key, from_a);
    if (setup_.stage_cycles) counters_.lookup_cycles += util::cycles() - l0;
    Flow &f = flows_.data(id);
    begin_flow(id, p.ts_ns);
    const bool is_tcp = v.tuple.proto == net::kProtoTcp;
    f.last_ns = p.ts_ns > f.last_ns ? p.ts_ns : f.last_ns;  // before the session may end with it
    const uint64_t held_limit_before = stream_ctx_.stats.held_limit_worker;
    // A blocked or bypassed flow skips reassembly and the app layer; TCP still sees its flags so
    // the flow ends when it ends.
    const bool inspect_payload = !f.blocked && f.bypass == BypassReason::None;
    const bool intact = checksums_ok(p, f, from_a);
    int dir;
    if (is_tcp) {
        if (intact) {
            stream::TcpPacket t;
            t.from_a = from_a;
            t.src_port = v.tuple.src_port;
            t.dst_port = v.tuple.dst_port;
            t.seq = v.seq;
            t.ack = v.ack;
            t.window = v.window;
            t.wscale = v.tcp_wscale;
            t.flags = v.tcp_flags;
            const int sender = f.tcp.roles_known() ? (from_a == f.tcp.client_is_a() ? 0 : 1) : -1;
            const bool deep = config_.bypass.inspection_depth && sender >= 0 &&
                              f.app_bytes[sender] >= config_.bypass.inspection_depth;
            if (inspect_payload && !deep) {
                t.pieces = p.pieces;
                t.piece_count = p.piece_count;
            }
            const uint64_t s0 = setup_.stage_cycles ? util::cycles() : 0;
            dir = stream::index(f.tcp.on_packet(stream_ctx_, *this, t));
            if (setup_.stage_cycles) counters_.tcp_cycles += util::cycles() - s0;
            f.client_is_a = f.tcp.client_is_a();
            f.tcp_flags[dir] |= v.tcp_flags;
        } else {
            // The receiver drops it: counted with the flow, never reassembled.
            dir = from_a == f.client_is_a_now(true) ? 0 : 1;
            on_event(static_cast<stream::Direction>(dir), stream::StreamEvent::BadChecksum);
        }
        ++counters_.tcp_packets;
    } else {
        dir = from_a == f.client_is_a ? 0 : 1;
        if (intact && inspect_payload) f.app_bytes[dir] += v.payload_len;
        ++counters_.udp_packets;
    }
    f.alerted = f.alerted || flow_ctx_.alerted;
    ++f.pkts[dir];
    f.bytes[dir] += p.wire_len;
    ++counters_.packets;
    counters_.bytes += p.wire_len;
    const Verdict verdict = decide(p, f, dir, inspect_payload, held_limit_before);
    flows_.touch(id, now, timeout_class(f, is_tcp));
    current_ = nullptr;
    return verdict;
}

uint32_t Inspector::find_or_create(const Packet &p, const net::FlowKey &key, bool from_a) {
    uint32_t id = flows_.lookup(key, p.hash);
    const auto &v = p.view;
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
    id = flows_.insert(key, p.hash, p.ts_ns, flow::TimeoutClass::New);
    Flow &f = flows_.data(id);
    f.flow_id = ((uint64_t{p.hash} << 20) ^ (uint64_t{setup_.worker_id} << 14) ^ (next_flow_seq_++ & 0x3FFF)) &
                ((1ull << 52) - 1);
    f.start_ns = f.last_ns = p.ts_ns;
    ctx_endpoints_of_ = flow::kNoFlow;  // the slot may be the one flow_ctx_ describes
    f.port = p.port;
    f.vlan_count = p.view.vlan_count;
    f.vlan[0] = p.view.vlan_ids[0], f.vlan[1] = p.view.vlan_ids[1];
    f.client_is_a = from_a;  // UDP: the first sender is the client
    f.digest[0] = f.digest[1] = kFnvOffset;
    ++counters_.flows_created;
    counters_.flows_active.set(flows_.size());
    return id;
}

void Inspector::on_data(stream::Direction dir, const uint8_t *data, size_t len) {
    const int d = stream::index(dir);
    current_->app_bytes[d] += len;
    (d == 0 ? counters_.app_bytes_toserver : counters_.app_bytes_toclient) += len;
    load_context();
    const uint64_t a0 = setup_.stage_cycles ? util::cycles() : 0;
    app_.on_data(current_->app, dir, data, len);
    if (setup_.stage_cycles) counters_.app_cycles += util::cycles() - a0;
    if (config_.stream_digest) {
        current_->digest[d] = rules::fnv1a64({reinterpret_cast<const char *>(data), len}, current_->digest[d]);
    }
}

void Inspector::on_gap(stream::Direction dir, uint32_t len) {
    current_->gap_bytes[stream::index(dir)] += len;
    load_context();
    app_.on_gap(current_->app, dir, len);
}

void Inspector::on_end(stream::Direction dir) {
    load_context();
    app_.on_end(current_->app, dir);
    // Both directions closed: the session is over now, not when the closed flow times out, so
    // thousands of short sessions cannot hold every parser slot.
    if (current_->tcp.stream(stream::opposite(dir)).ended()) end_session(*current_);
}

// A TCP-level trick the receiver would not fall for: once per flow and kind, an EVE anomaly, and
// the detectors hear of it (an overlap with different data is an alert of its own).
void Inspector::on_event(stream::Direction dir, stream::StreamEvent e) {
    (void)dir;
    const auto bit = static_cast<uint8_t>(1u << static_cast<unsigned>(e));
    if (current_->events_reported & bit) return;
    current_->events_reported |= bit;
    load_context();
    app_.report_anomaly(current_->app, proto::anomaly_event(e));
    current_->alerted = current_->alerted || flow_ctx_.alerted;
}

void Inspector::begin_flow(uint32_t id, uint64_t ts_ns) {
    current_id_ = id;
    current_ = &flows_.data(id);
    current_ts_ = ts_ns;
    ctx_loaded_ = false;
    flow_ctx_.alerted = false;
    flow_ctx_.verdict = inspect::FlowVerdict::None;
}

void Inspector::load_context() {
    // Loaded for this packet, with the session's roles known (they may be learnt mid-packet).
    if (ctx_loaded_ && ctx_endpoints_of_ == current_id_) return;
    const Flow &f = *current_;
    inspect::FlowContext &c = flow_ctx_;
    c.ts_ns = current_ts_;
    c.match.ts_ns = current_ts_;
    c.protocol = f.app.protocol;
    ctx_loaded_ = true;
    if (ctx_endpoints_of_ == current_id_) return;  // the rest is the flow's, loaded by an earlier packet
    const net::FlowKey &k = flows_.key(current_id_);
    const bool is_tcp = k.proto == net::kProtoTcp;
    c.flow_id = f.flow_id;
    c.in_iface = f.port < setup_.port_names->size() ? std::string_view((*setup_.port_names)[f.port]) : "";
    c.endpoints = output::endpoints_of(k, f.client_is_a_now(is_tcp), f.vlan_count, f.vlan);
    c.midstream = is_tcp && f.tcp.midstream();
    c.inline_mode = config_.verdicts_enforced();
    c.match.src_key = address_key(c.endpoints.src_ip);
    c.match.dst_key = address_key(c.endpoints.dest_ip);
    ctx_endpoints_of_ = !is_tcp || f.tcp.roles_known() ? current_id_ : flow::kNoFlow;
}

std::string_view Inspector::app_proto_name(const Flow &f) {
    switch (f.app.status) {
    case inspect::AppStatus::None: return "";
    case inspect::AppStatus::Reclaimed: return proto::protocol_name(f.app.protocol);
    case inspect::AppStatus::Failed:
    case inspect::AppStatus::NotInspected: return "failed";
    default: return proto::protocol_name(f.app.protocol);
    }
}

std::string_view Inspector::state_name(const Flow &f, bool is_tcp) {
    if (!is_tcp) return f.pkts[1] > 0 ? "established" : "new";
    switch (f.tcp.state()) {
    case stream::TcpState::Established:
    case stream::TcpState::Closing: return "established";
    case stream::TcpState::Closed: return "closed";
    default: return "new";
    }
}

}  // namespace postern::engine
