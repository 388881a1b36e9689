// What a worker keeps per flow: counters for the EVE flow record, the TCP session and the
// application layer's state.
#pragma once

#include <cstdint>
#include <string_view>

#include "inspect/app_layer.hpp"
#include "stream/tcp_session.hpp"
#include "util/named_enum.hpp"

namespace postern::engine {

// Why a flow is no longer inspected: it can yield nothing more (docs/deployment.md, bypass).
#define POSTERN_BYPASS_REASONS(X) \
    X(None, "") X(Tls, "tls") X(FailedDetection, "failed_detection") X(Depth, "depth") X(RulePass, "pass")
POSTERN_NAMED_ENUM_COUNTED(BypassReason, POSTERN_BYPASS_REASONS);
constexpr std::string_view bypass_reason_name(BypassReason r) { return util::enum_name(kBypassReasonNames, r, ""); }

struct Flow {
    uint64_t flow_id = 0;
    uint64_t start_ns = 0;
    uint64_t last_ns = 0;
    uint64_t pkts[2] = {0, 0};   // [to server, to client]
    uint64_t bytes[2] = {0, 0};
    uint64_t app_bytes[2] = {0, 0};  // reassembled payload delivered to the app layer
    uint64_t gap_bytes[2] = {0, 0};
    uint64_t digest[2] = {0, 0};     // FNV-1a of the delivered payload (when enabled)
    uint8_t tcp_flags[2] = {0, 0};
    uint8_t events_reported = 0;     // bit per stream::StreamEvent already written for this flow
    bool checksum_good[2] = {false, false};  // by sender (a, b): a right checksum was seen
    uint16_t port = 0;
    uint8_t vlan_count = 0;  // the first packet's VLAN tags (EVE "vlan"); flows are not keyed by them
    uint16_t vlan[2] = {0, 0};
    bool client_is_a = true;  // UDP: the first sender; TCP: from the session
    bool alerted = false;
    bool app_done = false;  // the session ended (both directions, or the flow): its parser slot is free
    bool blocked = false;   // inline: dropped from here on (a rule, a detector or an exception policy)
    bool exception = false; // blocked by inline.on_exception (its state was lost)
    BypassReason bypass = BypassReason::None;
    uint64_t bypassed_pkts[2] = {0, 0};   // after the bypass
    uint64_t bypassed_bytes[2] = {0, 0};
    uint64_t dropped_pkts = 0;            // inline, after the flow was blocked
    uint64_t dropped_bytes = 0;
    stream::TcpSession tcp;
    inspect::AppFlowState app;

    // Which canonical endpoint is the client: the TCP session's view once it knows the roles
    // (it may learn them from this very packet), else the first sender's.
    bool client_is_a_now(bool is_tcp) const { return is_tcp && tcp.roles_known() ? tcp.client_is_a() : client_is_a; }
};

}  // namespace postern::engine
