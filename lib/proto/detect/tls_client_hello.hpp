// Just enough TLS to identify a session: is this a handshake record, and which server name does
// the ClientHello ask for (SNI, RFC 6066 3). Works on the first bytes of a direction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace postern::proto {

enum class TlsProbe : uint8_t {
    NotTls,
    NeedMore,  // looks like TLS; the ClientHello is not complete yet
    ClientHello,  // complete (sni set when present)
    ServerHello,  // a handshake record from the server
};

// Looks at the start of a stream. `sni` points into `data` when found.
TlsProbe probe_tls(const uint8_t *data, size_t len, std::string_view &sni);

}  // namespace postern::proto
