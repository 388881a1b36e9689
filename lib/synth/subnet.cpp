#include "synth/subnet.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace postern::synth {

std::optional<Subnet> parse_subnet(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const std::string addr(text.substr(0, slash));
    const std::string_view len = text.substr(slash + 1);
    unsigned prefix = 0;
    const auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
    if (ec != std::errc() || end != len.data() + len.size() || len.empty()) return std::nullopt;
    Subnet s;
    if (inet_pton(AF_INET, addr.c_str(), s.base.bytes.data()) == 1) {
        s.family = net::IpFamily::V4;
        if (prefix > 30) return std::nullopt;  // need at least two usable hosts
    } else if (inet_pton(AF_INET6, addr.c_str(), s.base.bytes.data()) == 1) {
        s.family = net::IpFamily::V6;
        if (prefix > 126) return std::nullopt;
    } else {
        return std::nullopt;
    }
    s.prefix = prefix;
    // Clear host bits so "192.0.2.7/24" means 192.0.2.0/24.
    const unsigned bits = s.family == net::IpFamily::V4 ? 32 : 128;
    for (unsigned b = prefix; b < bits; ++b)
        s.base.bytes[b / 8] = static_cast<uint8_t>(s.base.bytes[b / 8] & ~(0x80u >> (b % 8)));
    return s;
}

uint64_t subnet_hosts(const Subnet &s) {
    const unsigned host_bits = (s.family == net::IpFamily::V4 ? 32 : 128) - s.prefix;
    if (host_bits >= 24) return uint64_t{1} << 24;
    const uint64_t n = uint64_t{1} << host_bits;
    return s.family == net::IpFamily::V4 ? n - 2 : n - 1;
}

net::IpAddress subnet_host(const Subnet &s, uint64_t index) {
    net::IpAddress a = s.base;
    uint64_t carry = index + 1;
    for (int i = s.family == net::IpFamily::V4 ? 3 : 15; i >= 0 && carry; --i) {
        const uint64_t v = a.bytes[static_cast<size_t>(i)] + (carry & 0xFF);
        a.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(v);
        carry = (carry >> 8) + (v >> 8);
    }
    return a;
}

std::string format_subnet(const Subnet &s) {
    return net::format_ip(s.base, s.family) + "/" + std::to_string(s.prefix);
}

}  // namespace postern::synth
