// Many sessions interleaved in time: seeded start times over a window, addresses from subnets,
// payloads from generators, all merged into one capture in timestamp order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synth/subnet.hpp"
#include "synth/tcp_session.hpp"

namespace postern::synth {

class PcapWriter;
class ExpectedWriter;

struct TrafficConfig {
    uint64_t seed = 1;
    uint64_t flows = 100;  // sessions per window of `duration_us`
    std::vector<uint16_t> ports = {25, 110, 143};  // one drawn per flow; 0 = the generator's natural port
    std::vector<std::string> payloads = {"random"};  // one is drawn per flow
    uint64_t bytes_min = 200;                        // application bytes per flow, both directions
    uint64_t bytes_max = 20000;
    SessionOptions session;  // mss applies to IPv4; IPv6 sessions use mss - 20 (same MTU)
    double midstream = 0;    // fraction of sessions whose handshake is not captured
    double ipv6 = 0;         // fraction of sessions over IPv6
    double rst = 0;          // fraction of sessions reset by the client instead of closed
    VlanMode vlan = VlanMode::None;
    uint64_t duration_us = 60'000'000;
    uint64_t start_us = 1'700'000'000'000'000;
    uint64_t target_bytes = 0;  // > 0: repeat windows until the file is this big
    uint32_t servers = 4;       // server addresses, the first hosts of the server subnet
    Subnet client_v4 = *parse_subnet("192.0.2.0/24");
    Subnet server_v4 = *parse_subnet("198.51.100.0/24");
    Subnet client_v6 = *parse_subnet("2001:db8:1::/64");
    Subnet server_v6 = *parse_subnet("2001:db8:2::/64");
};

struct TrafficStats {
    uint64_t flows = 0;
    uint64_t packets = 0;
    uint64_t frame_bytes = 0;
    uint64_t file_bytes = 0;
};

// Empty when the config is usable, else a message naming the field.
std::string validate(const TrafficConfig &cfg);

// Writes every session to `pcap` and, when `expected` is not null, one FlowTruth per flow.
// Throws std::invalid_argument for an invalid config, std::runtime_error on I/O errors.
TrafficStats generate_traffic(const TrafficConfig &cfg, PcapWriter &pcap, ExpectedWriter *expected);

}  // namespace postern::synth
