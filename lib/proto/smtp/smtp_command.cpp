#include "proto/smtp/smtp_command.hpp"


namespace postern::proto {

namespace {

constexpr Keyword<SmtpVerb> kVerbs[] = {
    {SmtpVerb::Helo, "HELO"}, {SmtpVerb::Ehlo, "EHLO"},         {SmtpVerb::Lhlo, "LHLO"},
    {SmtpVerb::Mail, "MAIL"}, {SmtpVerb::Rcpt, "RCPT"},         {SmtpVerb::Data, "DATA"},
    {SmtpVerb::Bdat, "BDAT"}, {SmtpVerb::Rset, "RSET"},         {SmtpVerb::Noop, "NOOP"},
    {SmtpVerb::Vrfy, "VRFY"}, {SmtpVerb::Expn, "EXPN"},         {SmtpVerb::Help, "HELP"},
    {SmtpVerb::Quit, "QUIT"}, {SmtpVerb::Auth, "AUTH"},         {SmtpVerb::Starttls, "STARTTLS"},
    {SmtpVerb::Turn, "TURN"}, {SmtpVerb::Etrn, "ETRN"},         {SmtpVerb::Atrn, "ATRN"},
    {SmtpVerb::Xclient, "XCLIENT"}, {SmtpVerb::Xforward, "XFORWARD"}, {SmtpVerb::Send, "SEND"},
    {SmtpVerb::Soml, "SOML"}, {SmtpVerb::Saml, "SAML"},
};

}  // namespace

SmtpVerb classify_smtp_verb(std::string_view verb) { return find_keyword(kVerbs, verb, SmtpVerb::Unknown); }

std::string_view smtp_verb_name(SmtpVerb v) {
    return v == SmtpVerb::DataEnd ? "DATA_END" : keyword_name(kVerbs, v, "UNKNOWN");
}

}  // namespace postern::proto
