// Command line of postern-synth, parsed into a TrafficConfig (kept in the library so it is tested).
#pragma once

#include <string>
#include <vector>

#include "synth/traffic.hpp"

namespace postern::synth {

struct CliOptions {
    TrafficConfig traffic;
    std::string out;       // pcap path, "-" for stdout
    std::string expected;  // empty: no expected file
    std::vector<std::string> scenarios;  // --scenario: labelled scenarios instead of traffic
    bool help = false;
};

// Parses argv[1..]. Returns an empty string on success, else a message that starts with the
// offending option ("--mss: expected an integer in 1..65000, got 'abc'").
std::string parse_cli(const std::vector<std::string> &args, CliOptions &out);

std::string cli_usage();

}  // namespace postern::synth
