// What becomes of a packet and its flow once inspected: in inline mode a rule or detector whose
// action is drop or reject blocks the flow (this packet and every later one, both ways), an
// exception policy may block a flow whose state was lost; in both modes a flow that can yield
// nothing more is bypassed (TLS, failed identification, inspection depth, a pass rule).
#include "engine/inspector.hpp"

namespace postern::engine {

Verdict Inspector::decide(const Packet &p, Flow &f, int dir, bool inspected, uint64_t held_limit_before) {
    const bool inline_mode = config_.verdicts_enforced();
    if (!inspected) {  // blocked or bypassed before this packet
        if (f.blocked) {
            ++f.dropped_pkts, f.dropped_bytes += p.wire_len;
            ++counters_.verdict_blocked;
            return Verdict::Drop;
        }
        ++f.bypassed_pkts[dir], f.bypassed_bytes[dir] += p.wire_len;
        ++counters_.bypassed_packets;
        if (inline_mode) ++counters_.verdict_accepted;
        return Verdict::Forward;
    }
    const inspect::FlowVerdict asked = flow_ctx_.verdict;
    if (inline_mode && asked >= inspect::FlowVerdict::Drop) {
        block(p, f, "rules");
        ++(asked == inspect::FlowVerdict::Reject ? counters_.verdict_rejected : counters_.verdict_blocked);
        return asked == inspect::FlowVerdict::Reject ? Verdict::Reject : Verdict::Drop;
    }
    // inline.on_exception: drop-flow when the flow's state was lost (no parser slot for it, or
    // the worker's held-segment pool ran dry under it), as Suricata's exception policies do.
    if (inline_mode && config_.inline_mode.on_exception == config::ExceptionPolicy::DropFlow &&
        (f.app.status == inspect::AppStatus::NotInspected || stream_ctx_.stats.held_limit_worker != held_limit_before)) {
        f.exception = true;
        block(p, f, "exception");
        ++counters_.verdict_blocked;
        return Verdict::Drop;
    }
    if (asked == inspect::FlowVerdict::Pass) {
        bypass(f, BypassReason::RulePass);
    } else if (config_.bypass.failed_detection && f.app.status == inspect::AppStatus::Failed) {
        bypass(f, BypassReason::FailedDetection);
    } else if (config_.bypass.tls && (f.app.status == inspect::AppStatus::Opaque || app_.tls_established(f.app))) {
        bypass(f, BypassReason::Tls);
    } else if (const uint64_t depth = config_.bypass.inspection_depth;
               depth && f.app_bytes[0] >= depth && f.app_bytes[1] >= depth) {
        bypass(f, BypassReason::Depth);
    }
    if (inline_mode) ++counters_.verdict_accepted;
    return Verdict::Forward;
}

void Inspector::block(const Packet &p, Flow &f, std::string_view reason) {
    f.blocked = true;
    ++f.dropped_pkts, f.dropped_bytes += p.wire_len;
    ++counters_.flows_blocked;
    if (f.exception) ++counters_.flows_blocked_exception;
    write_drop_record(p, reason);
    end_session(f);  // nothing more of it reaches a parser
    if (flows_.key(current_id_).proto == net::kProtoTcp) f.tcp.release(stream_ctx_);
}

void Inspector::bypass(Flow &f, BypassReason why) {
    f.bypass = why;
    ++counters_.bypassed_flows[static_cast<size_t>(why)];
    end_session(f);
    if (flows_.key(current_id_).proto == net::kProtoTcp) f.tcp.release(stream_ctx_);
}

// Suricata's `drop` event: once per blocked flow, about the packet that blocked it.
void Inspector::write_drop_record(const Packet &p, std::string_view reason) {
    load_context();
    const net::PacketView &v = p.view;
    output::JsonWriter &w = setup_.records->begin_record();
    output::begin_eve_record(w, flow_ctx_.ts_ns, output::EveType::Drop, flow_ctx_.flow_id, flow_ctx_.in_iface,
                             flow_ctx_.endpoints,
                             flow_ctx_.protocol == proto::Protocol::Unknown ? std::string_view()
                                                                            : proto::protocol_name(flow_ctx_.protocol));
    w.key("drop");
    w.begin_object();
    w.field("len", uint64_t{p.wire_len > v.l3_offset ? p.wire_len - v.l3_offset : 0});
    w.field("ttl", uint64_t{v.ip_ttl});
    if (v.tuple.proto == net::kProtoTcp) {
        w.field("tcpseq", uint64_t{v.seq});
        w.field("tcpack", uint64_t{v.ack});
        w.field("tcpwin", uint64_t{v.window});
        w.field("syn", (v.tcp_flags & net::kTcpSyn) != 0);
        w.field("ack", (v.tcp_flags & net::kTcpAck) != 0);
        w.field("psh", (v.tcp_flags & net::kTcpPsh) != 0);
        w.field("rst", (v.tcp_flags & net::kTcpRst) != 0);
        w.field("fin", (v.tcp_flags & net::kTcpFin) != 0);
    }
    w.field("reason", reason);
    w.end_object();
    w.end_object();
    setup_.records->commit_record(output::EveType::Drop);
}

}  // namespace postern::engine
