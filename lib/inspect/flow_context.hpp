// What an EVE record about a flow needs to know about it; the worker fills one in before it hands
// the flow's payload to the application layer.
#pragma once

#include <cstdint>
#include <string_view>

#include "output/eve.hpp"
#include "proto/protocol.hpp"

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
    bool alerted = false;  // set when an alert was written for the flow
    bool midstream = false;  // the session's start is not in view
    bool inline_mode = false;  // alerts whose action blocks say "blocked"
    FlowVerdict verdict = FlowVerdict::None;
    void ask(FlowVerdict v) {
        if (v > verdict) verdict = v;
    }
};

}  // namespace postern::inspect
