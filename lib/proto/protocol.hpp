// Which application protocol a session speaks. Shared by the detector, the parsers, the event
// sink and the EVE writer, so it lives at the root of lib/proto.
#pragma once

#include <cstdint>
#include <string_view>

namespace postern::proto {

enum class Protocol : uint8_t { Unknown = 0, Smtp, Pop3, Imap, Tls };

// Lower-case name as used in EVE `app_proto` and in metric labels.
constexpr std::string_view protocol_name(Protocol p) {
    switch (p) {
    case Protocol::Smtp: return "smtp";
    case Protocol::Pop3: return "pop3";
    case Protocol::Imap: return "imap";
    case Protocol::Tls: return "tls";
    case Protocol::Unknown: break;
    }
    return "unknown";
}

}  // namespace postern::proto
