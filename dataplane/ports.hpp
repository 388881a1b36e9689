// Port bring-up: finds each configured device, configures RX queues (symmetric RSS when there
// are several), enables capture timestamps where the driver offers them, and starts it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <rte_mempool.h>

#include "config/config.hpp"

namespace postern::dataplane {

struct StartedPort {
    uint16_t id = 0;
    std::string name;
    std::string driver;
    uint16_t rx_queues = 0;
    bool capture_timestamps = false;
    uint64_t expected_packets = 0;  // capture files only
    bool is_capture = false;
    uint16_t tx_queues = 0;
    uint16_t peer = kNoPeer;  // inline: the port id frames received here leave on
    static constexpr uint16_t kNoPeer = 0xFFFF;
};

// Returns "" on success, else a one-line error naming the config field. Inline mode gives every
// port `tx_queues` TX queues (one per lcore that transmits) and pairs each with its peer.
std::string start_ports(const config::Config &c, rte_mempool *pool, uint16_t tx_queues, std::vector<StartedPort> &out);
void stop_ports(const std::vector<StartedPort> &ports);

}  // namespace postern::dataplane
