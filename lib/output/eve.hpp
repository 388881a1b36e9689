// The parts every EVE record shares: event types, the ISO 8601 timestamp, and the common header
// (timestamp, flow_id, in_iface, event_type, endpoints, proto, app_proto) as Suricata writes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/flow_key.hpp"
#include "output/json_writer.hpp"
#include "util/named_enum.hpp"

namespace postern::output {

#define POSTERN_EVE_TYPES(X)                                                                                \
    X(Flow, "flow") X(Alert, "alert") X(Anomaly, "anomaly") X(Smtp, "smtp") X(Pop3, "pop3") X(Imap, "imap") \
    X(Tls, "tls") X(Stats, "stats") X(Drop, "drop") X(Fileinfo, "fileinfo")
POSTERN_NAMED_ENUM_COUNTED(EveType, POSTERN_EVE_TYPES);
inline constexpr int kEveTypes = static_cast<int>(EveType::Count);
constexpr std::string_view eve_type_name(EveType t) { return util::enum_name(kEveTypeNames, t, "unknown"); }

// Endpoints in Suricata's orientation: src is the client (or the packet's sender for packet
// events), dest the server.
struct EveEndpoints {
    net::IpAddress src_ip;
    net::IpAddress dest_ip;
    net::IpFamily family = net::IpFamily::V4;
    uint16_t src_port = 0;
    uint16_t dest_port = 0;
    uint8_t proto = 0;
    uint8_t vlan_count = 0;  // 802.1Q / QinQ tags of the flow's first packet, outer first
    uint16_t vlan[2] = {0, 0};
};

// A flow's endpoints oriented client → server (the flow key keeps them in canonical order).
inline EveEndpoints endpoints_of(const net::FlowKey &k, bool client_is_a, uint8_t vlan_count = 0,
                                 const uint16_t *vlan = nullptr) {
    EveEndpoints ep;
    ep.family = k.family;
    ep.proto = k.proto;
    ep.vlan_count = vlan ? vlan_count : 0;
    if (vlan) ep.vlan[0] = vlan[0], ep.vlan[1] = vlan[1];
    if (client_is_a) {
        ep.src_ip = k.a, ep.src_port = k.a_port, ep.dest_ip = k.b, ep.dest_port = k.b_port;
    } else {
        ep.src_ip = k.b, ep.src_port = k.b_port, ep.dest_ip = k.a, ep.dest_port = k.a_port;
    }
    return ep;
}

// Writes "YYYY-MM-DDTHH:MM:SS.uuuuuu+0000" for a UTC time in nanoseconds; returns the length
// (31). buf needs 32 bytes.
size_t format_timestamp(uint64_t unix_ns, char *buf);

std::string_view proto_name(uint8_t ip_proto);

// Opens the record object and writes the common fields; the caller adds its object and closes.
void begin_eve_record(JsonWriter &w, uint64_t ts_ns, EveType type, uint64_t flow_id,
                      std::string_view in_iface, const EveEndpoints &ep,
                      std::string_view app_proto);

}  // namespace postern::output
