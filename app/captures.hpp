// The capture ports of a run, prepared before DPDK starts: the captures given to -r become one
// net_pcap port, and every capture file is checked and counted, so a file that is not a capture,
// or a damaged one, is reported in those words rather than as a missing DPDK port.
#pragma once

#include <string>
#include <vector>

#include "capture/capture_feed.hpp"
#include "config/config.hpp"

namespace postern::app {

// -r: replaces c.ports with one port reading `read_paths` (through `feed` when they are several,
// damaged, or have a comma in their path, which net_pcap's arguments cannot hold). Config
// capture ports: checks and counts each. Prints warnings; returns an error, or "".
std::string prepare_capture_ports(config::Config &c, const std::vector<std::string> &read_paths,
                                  capture::CaptureFeed &feed);

}  // namespace postern::app
