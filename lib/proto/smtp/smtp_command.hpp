// SMTP command verbs (RFC 5321 and its extensions) and EHLO capability keywords.
#pragma once

#include <cstdint>
#include <string_view>

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

// Server capabilities announced in the EHLO reply, as bits.
enum SmtpCapability : uint32_t {
    kCapPipelining = 1u << 0,
    kCapSize = 1u << 1,
    kCap8BitMime = 1u << 2,
    kCapChunking = 1u << 3,
    kCapStarttls = 1u << 4,
    kCapAuth = 1u << 5,
    kCapDsn = 1u << 6,
    kCapEnhancedStatusCodes = 1u << 7,
    kCapSmtpUtf8 = 1u << 8,
    kCapBinaryMime = 1u << 9,
    kCapEtrn = 1u << 10,
    kCapXclient = 1u << 11,
    kCapOther = 1u << 31,  // a keyword we do not name
};
inline constexpr int kSmtpCapabilityCount = 12;

uint32_t classify_smtp_capability(std::string_view keyword);
std::string_view smtp_capability_name(int bit);  // bit index 0..kSmtpCapabilityCount-1

}  // namespace postern::proto
