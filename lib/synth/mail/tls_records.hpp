// What a capture shows after STARTTLS/STLS: a TLS 1.3 handshake (a well-formed ClientHello with
// SNI and a ServerHello, so TLS detection works) followed by encrypted records that are seeded
// random bytes inside correct record headers.
#pragma once

#include <cstdint>
#include <string_view>

#include "synth/conversation.hpp"
#include "synth/rng.hpp"

namespace postern::synth::mail {

// Appends the client's and server's TLS flights, then application-data turns until roughly
// `bytes` (both directions) were sent; the client speaks first.
void append_tls_session(Conversation &out, Rng &rng, std::string_view server_name, uint64_t bytes);

}  // namespace postern::synth::mail
