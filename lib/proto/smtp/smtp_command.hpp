// SMTP command verbs (RFC 5321 and its extensions) and EHLO capability keywords.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/keyword_table.hpp"

namespace postern::proto {

enum class SmtpVerb : uint8_t {
    Unknown,
    Helo,
    Ehlo,
    Lhlo,  // LMTP, RFC 2033
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Vrfy,
    Expn,
    Help,
    Quit,
    Auth,
    Starttls,
    Turn,
    Etrn,
    Atrn,
    Xclient,
    Xforward,
    Send,
    Soml,
    Saml,
    DataEnd,  // not a command: the "." that ends DATA, which gets its own reply
};

SmtpVerb classify_smtp_verb(std::string_view verb);  // case-insensitive
std::string_view smtp_verb_name(SmtpVerb v);  // "MAIL"...; "UNKNOWN"

// Server capabilities announced in the EHLO reply: capability_bit(kSmtpCapabilities, keyword).
inline constexpr std::string_view kSmtpCapabilities[] = {
    "PIPELINING", "SIZE", "8BITMIME", "CHUNKING", "STARTTLS", "AUTH",
    "DSN", "ENHANCEDSTATUSCODES", "SMTPUTF8", "BINARYMIME", "ETRN", "XCLIENT",
};

}  // namespace postern::proto
