// The flow being processed, as every stage of the event chain sees it: what its EVE records and
// alerts need, what the rules' thresholds key on, and what the alerts ask of its packets. One per
// worker, owned by the inspector, which fills it in before it hands a flow's payload (or a stream
// event, or the flow's end) to the application layer; the stages are built with a reference to
// it, so nothing is pushed into them per packet.
#pragma once

#include <cstdint>
#include <string_view>

#include "output/eve.hpp"
#include "proto/protocol.hpp"
#include "rules/match_context.hpp"

namespace postern::inspect {

// What the alerts of the packet being processed ask for its flow (rule and detector actions);
// the stronger wins: Reject > Drop > Pass > None.
enum class FlowVerdict : uint8_t { None, Pass, Drop, Reject };

struct FlowContext {
    uint64_t flow_id = 0;
    uint64_t ts_ns = 0;  // time of the packet being processed (or of the flow's end)
    output::EveEndpoints endpoints;  // src = client
    std::string_view in_iface;
    proto::Protocol protocol = proto::Protocol::Unknown;
    rules::MatchContext match;  // time and address keys for rule thresholds
    bool alerted = false;  // an alert was written for the flow while processing this packet
    bool midstream = false;  // the session's start is not in view
    bool inline_mode = false;  // alerts whose action blocks say "blocked"
    FlowVerdict verdict = FlowVerdict::None;
    void ask(FlowVerdict v) {
        if (v > verdict) verdict = v;
    }
};

}  // namespace postern::inspect
