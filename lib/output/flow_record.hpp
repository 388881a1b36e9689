// The EVE `flow` record written when a flow ends (timeout, eviction, close, shutdown).
#pragma once

#include <cstdint>
#include <string_view>

#include "output/eve.hpp"
#include "output/json_writer.hpp"

namespace postern::output {

struct FlowRecord {
    EveEndpoints endpoints;  // src = client
    uint64_t flow_id = 0;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    uint64_t pkts[2] = {0, 0};   // [to server, to client]
    uint64_t bytes[2] = {0, 0};  // frame bytes, as Suricata counts them
    uint8_t tcp_flags[2] = {0, 0};
    bool gap[2] = {false, false};
    bool alerted = false;
    std::string_view state;      // new, established, closed
    std::string_view tcp_state;  // the TCP state machine's view (tcp only)
    std::string_view reason;     // timeout, forced (evicted), shutdown
    std::string_view app_proto;
    std::string_view in_iface;
    // Inline: the flow was blocked (Suricata's flow.action "drop"), with what was dropped, and
    // whether an exception policy did it.
    bool dropped = false;
    bool exception_policy = false;
    uint64_t dropped_pkts = 0;
    uint64_t dropped_bytes = 0;
    // Bypassed (both modes): Suricata's flow.bypass ("local") and flow.bypassed counts, and why.
    std::string_view bypass_reason;
    uint64_t bypassed_pkts[2] = {0, 0};
    uint64_t bypassed_bytes[2] = {0, 0};
};

void write_flow_record(JsonWriter &w, const FlowRecord &r);
// Same, but leaves the record object open so the caller can add its own objects.
void write_flow_record_open(JsonWriter &w, const FlowRecord &r);

// "<name>_toserver" and "<name>_toclient", as Suricata names a count kept per direction.
void write_per_direction(JsonWriter &w, std::string_view name, const uint64_t (&counts)[2]);

}  // namespace postern::output
