// What a worker keeps per flow: counters for the EVE flow record and the TCP session.
#pragma once

#include <cstdint>

#include "inspect/app_layer.hpp"
#include "stream/tcp_session.hpp"

namespace postern::dataplane {

struct FlowState {
    uint64_t flow_id = 0;
    uint64_t start_ns = 0;
    uint64_t last_ns = 0;
    uint64_t pkts[2] = {0, 0};   // [to server, to client]
    uint64_t bytes[2] = {0, 0};
    uint64_t app_bytes[2] = {0, 0};  // reassembled payload delivered to the app layer
    uint64_t gap_bytes[2] = {0, 0};
    uint64_t digest[2] = {0, 0};     // FNV-1a of the delivered payload (when enabled)
    uint8_t tcp_flags[2] = {0, 0};
    uint16_t port = 0;
    bool client_is_a = true;  // UDP: the first sender; TCP: from the session
    bool alerted = false;
    stream::TcpSession tcp;
    inspect::AppFlowState app;
};

}  // namespace postern::dataplane
