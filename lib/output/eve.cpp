#include "output/eve.hpp"

#include <cstdio>

namespace postern::output {

namespace {

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm): no libc time zone lookups.
void civil_from_days(int64_t z, int64_t &y, unsigned &m, unsigned &d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
}

}  // namespace

size_t format_timestamp(uint64_t unix_ns, char *buf) {
    const uint64_t secs = unix_ns / 1000000000u;
    const auto usec = static_cast<unsigned>((unix_ns / 1000u) % 1000000u);
    int64_t y;
    unsigned mo, d;
    civil_from_days(static_cast<int64_t>(secs / 86400u), y, mo, d);
    const auto sod = static_cast<unsigned>(secs % 86400u);
    // Digit by digit rather than snprintf: every EVE record starts with one. A uint64_t of
    // nanoseconds ends in the year 2554, so the year has four digits.
    char *p = buf;
    auto digits = [&p](unsigned v, int width) {
        for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
        p += width;
    };
    digits(static_cast<unsigned>(y), 4), *p++ = '-', digits(mo, 2), *p++ = '-', digits(d, 2), *p++ = 'T';
    digits(sod / 3600, 2), *p++ = ':', digits(sod / 60 % 60, 2), *p++ = ':', digits(sod % 60, 2), *p++ = '.';
    digits(usec, 6);
    std::memcpy(p, "+0000", 6);
    return static_cast<size_t>(p + 5 - buf);
}

std::string_view proto_name(uint8_t ip_proto) {
    switch (ip_proto) {
    case net::kProtoTcp: return "TCP";
    case net::kProtoUdp: return "UDP";
    case 1: return "ICMP";
    case 58: return "IPv6-ICMP";
    default: return "other";
    }
}

void begin_eve_record(JsonWriter &w, uint64_t ts_ns, EveType type, uint64_t flow_id,
                      std::string_view in_iface, const EveEndpoints &ep,
                      std::string_view app_proto) {
    char ts[32];
    const size_t tslen = format_timestamp(ts_ns, ts);
    char ip[64];
    w.begin_object();
    w.field("timestamp", std::string_view(ts, tslen));
    if (flow_id) w.field("flow_id", flow_id);  // 0: a packet event of no flow (an IP fragment)
    if (!in_iface.empty()) w.field("in_iface", in_iface);
    if (ep.vlan_count) {  // Suricata's "vlan": the tags, outer first
        w.key("vlan");
        w.begin_array();
        for (uint8_t i = 0; i < ep.vlan_count && i < 2; ++i) w.number(uint64_t{ep.vlan[i]});
        w.end_array();
    }
    w.field("event_type", eve_type_name(type));
    const bool ports = ep.src_port || ep.dest_port;
    w.field("src_ip", std::string_view(ip, net::format_ip(ep.src_ip, ep.family, ip, sizeof ip)));
    if (ports) w.field("src_port", uint64_t{ep.src_port});
    w.field("dest_ip", std::string_view(ip, net::format_ip(ep.dest_ip, ep.family, ip, sizeof ip)));
    if (ports) w.field("dest_port", uint64_t{ep.dest_port});
    w.field("proto", proto_name(ep.proto));
    if (!app_proto.empty()) w.field("app_proto", app_proto);
}

}  // namespace postern::output
