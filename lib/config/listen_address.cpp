#include "config/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace postern::config {

ListenParse parse_listen_address(std::string_view text) {
    ListenParse r;
    if (text.empty() || text == "off") return r;
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == text.size()) {
        r.error = "must be ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:8080) or \"off\", got \"" + std::string(text) + "\"";
        return r;
    }
    std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
    unsigned p = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p > 65535) {
        r.error = "port must be a number from 0 to 65535, got \"" + std::string(port) + "\"";
        return r;
    }
    const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
    if (bracketed) host = host.substr(1, host.size() - 2);
    const std::string h(host);
    unsigned char buf[16];
    const bool ok = bracketed ? inet_pton(AF_INET6, h.c_str(), buf) == 1 : inet_pton(AF_INET, h.c_str(), buf) == 1;
    if (!ok) {
        r.error = "address must be an IPv4 address or a bracketed IPv6 address, got \"" + h + "\"";
        return r;
    }
    r.address = ListenAddress{h, static_cast<uint16_t>(p)};
    return r;
}

}  // namespace postern::config
