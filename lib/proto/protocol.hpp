// Which application protocol a session speaks. Shared by the detector, the parsers, the event
// sink and the EVE writer, so it lives at the root of lib/proto.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/named_enum.hpp"

namespace postern::proto {

// Lower-case name as used in EVE `app_proto` and in metric labels.
#define POSTERN_PROTOCOLS(X) X(Unknown, "unknown") X(Smtp, "smtp") X(Pop3, "pop3") X(Imap, "imap") X(Tls, "tls")
POSTERN_NAMED_ENUM(Protocol, POSTERN_PROTOCOLS);

constexpr std::string_view protocol_name(Protocol p) { return util::enum_name(kProtocolNames, p, "unknown"); }

}  // namespace postern::proto
