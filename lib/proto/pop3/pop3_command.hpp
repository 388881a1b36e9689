// POP3 command verbs (RFC 1939, 2449, 2595, 5034, 6856), the shape of their responses, and the
// CAPA capability tags.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/keyword_table.hpp"

namespace postern::proto {

enum class Pop3Verb : uint8_t {
    Unknown,
    User,
    Pass,
    Apop,
    Auth,
    Stls,
    Capa,
    Stat,
    List,
    Retr,
    Dele,
    Noop,
    Rset,
    Quit,
    Top,
    Uidl,
    Utf8,
    Lang,
};

Pop3Verb classify_pop3_verb(std::string_view verb);  // case-insensitive
std::string_view pop3_verb_name(Pop3Verb v);  // "RETR"...; "UNKNOWN"

// Whether a +OK to this command is followed by data lines up to a lone ".". -ERR never is.
// LIST and UIDL list every message only without an argument; AUTH without a mechanism lists the
// mechanisms (a common extension); LANG without an argument lists the languages (RFC 6856).
bool pop3_response_is_multiline(Pop3Verb v, bool has_argument);

// Commands RFC 1939 allows only once the client is authenticated (TRANSACTION state).
bool pop3_needs_authentication(Pop3Verb v);
// Commands RFC 1939 allows only before authentication (AUTHORIZATION state).
bool pop3_before_authentication_only(Pop3Verb v);

// Whether the arguments fit the command (count, and numbers where RFC 1939 wants message numbers).
bool pop3_arguments_valid(Pop3Verb v, std::string_view args);

// Capability tags of a CAPA response (RFC 2449 6, 2595, 5034, 6856):
// capability_bit(kPop3Capabilities, tag).
inline constexpr std::string_view kPop3Capabilities[] = {
    "TOP",  "USER", "SASL", "RESP-CODES", "LOGIN-DELAY", "PIPELINING",     "EXPIRE",
    "UIDL", "IMPLEMENTATION", "STLS", "UTF8",       "LANG",        "AUTH-RESP-CODE",
};

}  // namespace postern::proto
