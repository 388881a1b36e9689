#include "output/flow_record.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace postern::output {

namespace {

void write_flags(JsonWriter &w, std::string_view key, uint8_t flags) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02x", flags);
    w.field(key, std::string_view(hex, 2));
}

}  // namespace

void write_per_direction(JsonWriter &w, std::string_view name, const uint64_t (&counts)[2]) {
    char key[64];
    static constexpr std::string_view kSuffix[2] = {"_toserver", "_toclient"};
    const size_t n = std::min(name.size(), sizeof key - kSuffix[0].size());
    std::memcpy(key, name.data(), n);
    for (int d = 0; d < 2; ++d) {
        std::memcpy(key + n, kSuffix[d].data(), kSuffix[d].size());
        w.field(std::string_view(key, n + kSuffix[d].size()), counts[d]);
    }
}

void write_flow_record_open(JsonWriter &w, const FlowRecord &r) {
    begin_eve_record(w, r.end_ns, EveType::Flow, r.flow_id, r.in_iface, r.endpoints,
                     r.app_proto.empty() ? std::string_view("failed") : r.app_proto);
    char ts[32];
    w.key("flow");
    w.begin_object();
    write_per_direction(w, "pkts", r.pkts);
    write_per_direction(w, "bytes", r.bytes);
    w.field("start", std::string_view(ts, format_timestamp(r.start_ns, ts)));
    w.field("end", std::string_view(ts, format_timestamp(r.end_ns, ts)));
    w.field("age", (r.end_ns - r.start_ns) / 1000000000u);
    w.field("state", r.state);
    w.field("reason", r.reason);
    w.field("alerted", r.alerted);
    if (r.dropped) {
        w.field("action", "drop");
        w.field("dropped_pkts", r.dropped_pkts);  // our addition
        w.field("dropped_bytes", r.dropped_bytes);
        if (r.exception_policy) {
            w.key("exception_policy");
            w.begin_array();
            w.begin_object();
            w.field("policy", "drop_flow");
            w.field("target", "state_lost");
            w.end_object();
            w.end_array();
        }
    }
    if (!r.bypass_reason.empty()) {
        w.field("bypass", "local");
        w.key("bypassed");
        w.begin_object();
        write_per_direction(w, "pkts", r.bypassed_pkts);
        write_per_direction(w, "bytes", r.bypassed_bytes);
        w.end_object();
        w.field("bypass_reason", r.bypass_reason);  // our addition
    }
    w.end_object();
    if (r.endpoints.proto == net::kProtoTcp) {
        const uint8_t all = r.tcp_flags[0] | r.tcp_flags[1];
        w.key("tcp");
        w.begin_object();
        write_flags(w, "tcp_flags", all);
        write_flags(w, "tcp_flags_ts", r.tcp_flags[0]);
        write_flags(w, "tcp_flags_tc", r.tcp_flags[1]);
        if (all & 0x01) w.field("fin", true);
        if (all & 0x02) w.field("syn", true);
        if (all & 0x04) w.field("rst", true);
        if (all & 0x08) w.field("psh", true);
        if (all & 0x10) w.field("ack", true);
        if (all & 0x20) w.field("urg", true);
        if (r.gap[0]) w.field("ts_gap", true);
        if (r.gap[1]) w.field("tc_gap", true);
        if (!r.tcp_state.empty()) w.field("state", r.tcp_state);
        w.end_object();
    }
}

void write_flow_record(JsonWriter &w, const FlowRecord &r) {
    write_flow_record_open(w, r);
    w.end_object();
}

}  // namespace postern::output
