// Identifying a mail session the tap picked up mid-stream (no handshake captured): the first
// bytes of each direction may be the middle of a message (DATA, RETR, a FETCH literal), so every
// complete line in them is read, not only the first. Server replies (an SMTP reply code, +OK or
// -ERR, an IMAP untagged or tagged response) and client commands (any SMTP, POP3 or IMAP verb,
// not only those that open a session) name the protocol; message lines (RFC 5322 header fields)
// say "mail" and the port says which protocol carries it.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/detect/protocol_detector.hpp"

namespace postern::proto {

Detection detect_server_midstream(std::string_view bytes, uint16_t server_port);
Detection detect_client_midstream(std::string_view bytes, uint16_t server_port);

// Complete lines seen in `bytes` (a side is judged on enough of them).
size_t complete_lines(std::string_view bytes);

}  // namespace postern::proto
