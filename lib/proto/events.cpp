#include "proto/events.hpp"

namespace postern::proto {

std::string_view field_name(Field f) {
    switch (f) {
    case Field::SmtpHelo: return "smtp.helo";
    case Field::SmtpMailFrom: return "smtp.mail_from";
    case Field::SmtpRcptTo: return "smtp.rcpt_to";
    case Field::SmtpAuthMechanism: return "smtp.auth_mechanism";
    case Field::SmtpAuthUser: return "smtp.auth_user";
    case Field::SmtpCommandLine: return "smtp.command_line";
    case Field::Pop3CommandLine: return "pop3.command_line";
    case Field::Pop3User: return "pop3.user";
    case Field::ImapCommandLine: return "imap.command_line";
    case Field::ImapMailbox: return "imap.mailbox";
    case Field::ImapUser: return "imap.user";
    case Field::EmailFrom: return "email.from";
    case Field::EmailTo: return "email.to";
    case Field::EmailCc: return "email.cc";
    case Field::EmailSubject: return "email.subject";
    case Field::EmailXMailer: return "email.x_mailer";
    case Field::EmailUserAgent: return "email.user_agent";
    case Field::EmailMessageId: return "email.message_id";
    case Field::EmailHeader: return "email.header";
    case Field::EmailAttachmentFilename: return "email.attachment.filename";
    case Field::EmailAttachmentContentType: return "email.attachment.content_type";
    case Field::EmailBodyPrefix: return "email.body_prefix";
    case Field::FileSha256: return "file.sha256";
    case Field::FileMagic: return "file.magic";
    case Field::TlsSni: return "tls.sni";
    case Field::Count: break;
    }
    return "unknown";
}

std::string_view auth_result_name(AuthResult r) {
    switch (r) {
    case AuthResult::Pending: return "pending";
    case AuthResult::Success: return "success";
    case AuthResult::Failure: return "failure";
    case AuthResult::Aborted: return "aborted";
    }
    return "unknown";
}

}  // namespace postern::proto
