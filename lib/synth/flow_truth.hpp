// Ground truth for one synthesized flow: what the capture holds, computed from the plan (not by
// parsing the pcap), so tests and golden runs can compare an inspector's flow records with it.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "synth/tcp_session.hpp"

namespace postern::synth {

struct DirectionTruth {
    uint64_t pkts = 0;
    uint64_t bytes = 0;      // Ethernet frame bytes, every written frame counted
    uint64_t app_bytes = 0;  // length of the stream the side sent
    uint64_t app_hash = 0;   // FNV-1a 64 of that stream (0 when not computed)
    uint64_t gap_bytes = 0;  // stream bytes no captured segment carries (drops)
};

struct FlowTruth {
    uint64_t id = 0;
    FlowAddressing addr;
    std::string payload;  // generator name
    DirectionTruth toserver;
    DirectionTruth toclient;
    uint64_t first_ts_us = 0;
    uint64_t last_ts_us = 0;
    bool handshake = true;
    Teardown teardown = Teardown::FinClient;
    bool seq_wraps = false;  // some sequence number range crosses 2^32
    uint32_t isn_client = 0;
    uint32_t isn_server = 0;
    ImpairmentCounts impairments;
    nlohmann::ordered_json extra;  // the generator's Conversation::truth, appended to the JSON
};

FlowTruth summarize(const SessionPlan &plan, uint64_t id, bool with_hash);

// The names are string literals: data() ends in a NUL.
constexpr const char *teardown_name(Teardown t) { return util::enum_name(kTeardownNames, t, "none").data(); }

// "2023-11-14T22:13:20.000000+0000", the form EVE's flow start/end use (UTC, no time zone lookup).
std::string format_timestamp(uint64_t ts_us);

}  // namespace postern::synth
