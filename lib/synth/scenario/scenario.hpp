// Labelled scenarios for evaluating the behavioural detectors (docs/synth.md, "Scenarios"): each
// is a small scripted set of sessions — benign traffic that looks suspicious on one axis, or a
// malicious variant of a detector's target — with ground truth naming the detectors expected to
// fire. Deterministic for a seed; sessions of all scenarios are merged into one capture.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synth/conversation.hpp"
#include "synth/rng.hpp"

namespace postern::synth {

class PcapWriter;
class ExpectedWriter;

struct ScenarioSession {
    uint64_t start_us = 0;  // from the capture start
    int client = 0;  // client host number within the scenario (0, 1)
    int server = 0;  // server host number (0: the site's mail server, 1.. other MX hosts)
    uint16_t port = 25;
    bool handshake = true;
    Conversation conv;
};

struct Scenario {
    std::string name;
    bool malicious = false;
    std::vector<std::string> expect;  // detector names (docs/detections.md); empty for benign
    std::string description;
    std::vector<ScenarioSession> sessions;
};

using ScenarioBuilder = void (*)(Rng &rng, Scenario &out);
struct ScenarioEntry {
    const char *name;
    ScenarioBuilder build;
};
const std::vector<ScenarioEntry> &scenario_table();  // scenarios_benign.cpp + scenarios_malicious.cpp
std::vector<std::string> scenario_names();

// Writes the named scenarios ("all" for every one) into one capture starting at `start_us`.
// Each scenario gets its own client addresses (192.0.2.0/24, 2 per scenario); truth per flow:
// {"scenario", "label": "benign"|"malicious", "expect": [...]}. Throws std::invalid_argument for
// an unknown name.
uint64_t generate_scenarios(const std::vector<std::string> &names, uint64_t seed, uint64_t start_us,
                            PcapWriter &pcap, ExpectedWriter *expected);

}  // namespace postern::synth
