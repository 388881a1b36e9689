// IMAP mailbox names in modified UTF-7 (RFC 3501 5.1.3), decoded to UTF-8 for fields and EVE.
// Names that carry 8-bit bytes are taken as UTF-8 already (UTF8=ACCEPT, RFC 6855).
#pragma once

#include <cstddef>
#include <string_view>

namespace postern::proto {

// Decodes `name` into out[0..cap) and returns the decoded size (cut at cap). Returns with
// `valid` false when the name is not well-formed modified UTF-7 (an unterminated or malformed
// "&...-" shift, an unpaired surrogate, printable ASCII encoded in base64, a control character);
// malformed shifts are copied as written.
size_t decode_mailbox_name(std::string_view name, char *out, size_t cap, bool &valid);

}  // namespace postern::proto
