#include "proto/smtp/smtp_command.hpp"

#include "proto/common/ascii.hpp"

namespace postern::proto {

namespace {

struct VerbName {
    SmtpVerb verb;
    std::string_view name;
};

constexpr VerbName kVerbs[] = {
    {SmtpVerb::Helo, "HELO"}, {SmtpVerb::Ehlo, "EHLO"},         {SmtpVerb::Lhlo, "LHLO"},
    {SmtpVerb::Mail, "MAIL"}, {SmtpVerb::Rcpt, "RCPT"},         {SmtpVerb::Data, "DATA"},
    {SmtpVerb::Bdat, "BDAT"}, {SmtpVerb::Rset, "RSET"},         {SmtpVerb::Noop, "NOOP"},
    {SmtpVerb::Vrfy, "VRFY"}, {SmtpVerb::Expn, "EXPN"},         {SmtpVerb::Help, "HELP"},
    {SmtpVerb::Quit, "QUIT"}, {SmtpVerb::Auth, "AUTH"},         {SmtpVerb::Starttls, "STARTTLS"},
    {SmtpVerb::Turn, "TURN"}, {SmtpVerb::Etrn, "ETRN"},         {SmtpVerb::Atrn, "ATRN"},
    {SmtpVerb::Xclient, "XCLIENT"}, {SmtpVerb::Xforward, "XFORWARD"}, {SmtpVerb::Send, "SEND"},
    {SmtpVerb::Soml, "SOML"}, {SmtpVerb::Saml, "SAML"},
};

constexpr std::string_view kCapabilityNames[kSmtpCapabilityCount] = {
    "PIPELINING", "SIZE", "8BITMIME", "CHUNKING", "STARTTLS", "AUTH",
    "DSN", "ENHANCEDSTATUSCODES", "SMTPUTF8", "BINARYMIME", "ETRN", "XCLIENT",
};

}  // namespace

SmtpVerb classify_smtp_verb(std::string_view verb) {
    for (const auto &v : kVerbs)
        if (ascii::iequals(verb, v.name)) return v.verb;
    return SmtpVerb::Unknown;
}

std::string_view smtp_verb_name(SmtpVerb v) {
    if (v == SmtpVerb::DataEnd) return "DATA_END";
    for (const auto &e : kVerbs)
        if (e.verb == v) return e.name;
    return "UNKNOWN";
}

uint32_t classify_smtp_capability(std::string_view keyword) {
    for (int i = 0; i < kSmtpCapabilityCount; ++i)
        if (ascii::iequals(keyword, kCapabilityNames[i])) return 1u << i;
    return kCapOther;
}

std::string_view smtp_capability_name(int bit) {
    return bit >= 0 && bit < kSmtpCapabilityCount ? kCapabilityNames[bit] : std::string_view{"OTHER"};
}

}  // namespace postern::proto
