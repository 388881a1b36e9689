// How flows end: timeouts (expire), eviction and shutdown (finish_all). The parsers get their
// last bytes, the detectors decide the session, and the EVE flow record is written.
#include <cstdio>

#include "engine/inspector.hpp"
#include "output/flow_record.hpp"
#include "proto/session_anomaly.hpp"

namespace postern::engine {

namespace {
constexpr uint64_t kNsPerSec = 1000000000ull;
// A sweep ends at most this many flows, so one pass never stalls the loop; when it had more to
// do the next pass (the next loop iteration) goes on at once instead of a second later.
constexpr uint32_t kMaxExpiredPerCall = 1024;
}  // namespace

void Inspector::expire(uint64_t now) {
    if (now > clock_ns_) clock_ns_ = now;
    if (now < next_expiry_ns_) return;
    const bool more = expire_due(now, kMaxExpiredPerCall);
    next_expiry_ns_ = more ? now : now + kNsPerSec;
}

bool Inspector::expire_due(uint64_t now, uint32_t budget) {
    for (int c = 0; c < flow::kTimeoutClasses; ++c) {
        const auto cls = static_cast<flow::TimeoutClass>(c);
        for (uint32_t id = flows_.oldest(cls); id != flow::kNoFlow && budget; id = flows_.oldest(cls), --budget) {
            if (flows_.last_seen(id) + timeout_ns_[c] > now) break;
            ++counters_.flows_timed_out[c];
            finish(id, "timeout");
        }
    }
    return budget == 0;
}

void Inspector::finish_all() {
    // What had timed out by the last packet's time ends as a timeout, however recently the
    // periodic pass ran: a capture's flows end the same way on every run.
    expire_due(clock_ns_, UINT32_MAX);
    for (uint32_t id = flows_.eviction_candidate(); id != flow::kNoFlow; id = flows_.eviction_candidate())
        finish(id, "shutdown");
}

void Inspector::finish(uint32_t id, std::string_view reason) {
    Flow &f = flows_.data(id);
    const bool is_tcp = flows_.key(id).proto == net::kProtoTcp;
    begin_flow(id, f.last_ns);
    if (is_tcp) f.tcp.flush(stream_ctx_, *this);  // parsers get their last bytes and ends
    end_session(f);
    f.alerted = f.alerted || flow_ctx_.alerted;
    current_ = nullptr;
    write_flow_record(id, reason);
    if (is_tcp) f.tcp.release(stream_ctx_);
    flows_.remove(id);
    counters_.flows_active.set(flows_.size());
}

void Inspector::end_session(Flow &f) {
    if (f.app_done) return;
    f.app_done = true;
    load_context();
    detect::SessionEnd end;
    end.flow_id = f.flow_id;
    end.start_ns = f.start_ns;
    end.end_ns = f.last_ns;
    end.decided_ns = clock_ns_ > f.last_ns ? clock_ns_ : f.last_ns;
    end.bytes_toserver = f.app_bytes[0];
    end.bytes_toclient = f.app_bytes[1];
    end.endpoints = flow_ctx_.endpoints;
    end.in_iface = flow_ctx_.in_iface;
    end.protocol = f.app.protocol;
    end.handshake = flow_ctx_.endpoints.proto == net::kProtoTcp && !f.tcp.midstream();
    if (f.app.status == inspect::AppStatus::Reclaimed) app_.report_anomaly(f.app, anomaly_event(proto::AppLayerAnomaly::SessionReclaimed));
    app_.release(f.app, &end);
}

void Inspector::write_flow_record(uint32_t id, std::string_view reason) {
    if (!config_.eve_type_enabled(static_cast<unsigned>(output::EveType::Flow))) return;  // output.types
    const Flow &f = flows_.data(id);
    const net::FlowKey &k = flows_.key(id);
    const bool is_tcp = k.proto == net::kProtoTcp;
    output::FlowRecord r;
    r.endpoints = output::endpoints_of(k, f.client_is_a, f.vlan_count, f.vlan);
    r.flow_id = f.flow_id;
    r.start_ns = f.start_ns;
    r.end_ns = f.last_ns;
    for (int d = 0; d < 2; ++d) {
        r.pkts[d] = f.pkts[d], r.bytes[d] = f.bytes[d], r.tcp_flags[d] = f.tcp_flags[d];
        r.gap[d] = f.gap_bytes[d] > 0;
    }
    r.alerted = f.alerted;
    r.state = state_name(f, is_tcp);
    if (is_tcp) r.tcp_state = stream::tcp_state_name(f.tcp.state());
    r.reason = reason;
    r.in_iface = f.port < setup_.port_names->size() ? std::string_view((*setup_.port_names)[f.port]) : "";
    r.app_proto = app_proto_name(f);
    r.dropped = f.blocked;
    r.exception_policy = f.exception;
    r.dropped_pkts = f.dropped_pkts;
    r.dropped_bytes = f.dropped_bytes;
    r.bypass_reason = bypass_reason_name(f.bypass);
    for (int d = 0; d < 2; ++d) r.bypassed_pkts[d] = f.bypassed_pkts[d], r.bypassed_bytes[d] = f.bypassed_bytes[d];

    output::JsonWriter &w = setup_.records->begin_record();
    output::write_flow_record_open(w, r);
    // Stream reassembly results: our addition, beside Suricata's flow fields.
    w.key("reassembly");
    w.begin_object();
    output::write_per_direction(w, "app_bytes", f.app_bytes);
    output::write_per_direction(w, "gap_bytes", f.gap_bytes);
    if (config_.stream_digest) {
        char hex[17];
        for (int d = 0; d < 2; ++d) {
            std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(f.digest[d]));
            w.field(d == 0 ? "digest_toserver" : "digest_toclient", std::string_view(hex, 16));
        }
    }
    w.end_object();
    w.end_object();
    setup_.records->commit_record(output::EveType::Flow);
}

}  // namespace postern::engine
