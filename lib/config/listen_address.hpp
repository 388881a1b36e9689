// "ADDR:PORT" for the control plane's HTTP listener: an IPv4 address or a bracketed IPv6 one, and
// a port (0 picks a free one). Shared by the config file and --api-listen so both say the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::config {

struct ListenAddress {
    std::string host;  // "127.0.0.1" or "::1" (no brackets)
    uint16_t port = 0;
};

// Empty error and a value, or a reason ("must be ADDR:PORT, ...").
struct ListenParse {
    std::optional<ListenAddress> address;
    std::string error;
};

// "" and "off" disable the listener: no address and no error.
ListenParse parse_listen_address(std::string_view text);

}  // namespace postern::config
