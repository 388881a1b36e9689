// The well-known mail ports, in one place: which service each is for. The stream layer guesses
// the server of a session picked up mid-stream from them, the application layer reports mail on
// other ports (and other protocols on these), and TLS on an implicit-TLS port says which mail
// protocol it carries.
#pragma once

#include <cstdint>

namespace postern::net {

enum class MailService : uint8_t { None, Smtp, Pop3, Imap, SmtpTls, Pop3Tls, ImapTls };

constexpr MailService mail_service(uint16_t port) {
    switch (port) {
    case 25: case 587: case 2525: return MailService::Smtp;
    case 110: return MailService::Pop3;
    case 143: return MailService::Imap;
    case 465: return MailService::SmtpTls;
    case 995: return MailService::Pop3Tls;
    case 993: return MailService::ImapTls;
    default: return MailService::None;
    }
}

constexpr bool is_implicit_tls(MailService s) {
    return s == MailService::SmtpTls || s == MailService::Pop3Tls || s == MailService::ImapTls;
}

}  // namespace postern::net
