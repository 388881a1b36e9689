// Address pools for synthesized hosts ("192.0.2.0/24", "2001:db8:1::/64").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/flow_key.hpp"

namespace postern::synth {

struct Subnet {
    net::IpFamily family = net::IpFamily::V4;
    net::IpAddress base;  // host bits cleared
    unsigned prefix = 24;
};

// nullopt on a malformed address or prefix.
std::optional<Subnet> parse_subnet(std::string_view text);

// Usable host addresses (IPv4 skips network and broadcast), capped at 2^24 so they can be indexed.
uint64_t subnet_hosts(const Subnet &s);

// The index-th usable host: index 0 is base + 1. `index` must be < subnet_hosts(s).
net::IpAddress subnet_host(const Subnet &s, uint64_t index);

std::string format_subnet(const Subnet &s);

}  // namespace postern::synth
