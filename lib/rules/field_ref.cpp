#include "rules/field_ref.hpp"

#include "rules/rule.hpp"

namespace postern::rules {

using proto::Field;
using proto::Protocol;

namespace {

constexpr std::string_view kHeaderPrefix = "email.header.";
constexpr std::string_view kHeaderNames = "email.header_names";
constexpr std::string_view kHeaderLine = "email.header_line";

// RFC 5322 ftext: printable ASCII except colon.
bool valid_header_name(std::string_view n) {
    if (n.empty() || n.size() > kMaxHeaderName) return false;
    for (char c : n)
        if (c < 33 || c > 126 || c == ':') return false;
    return true;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string FieldRef::name() const {
    switch (kind) {
    case Kind::Field: return std::string(proto::field_name(field));
    case Kind::Header: return std::string(kHeaderPrefix) + header;
    case Kind::HeaderNames: return std::string(kHeaderNames);
    case Kind::HeaderLine: return std::string(kHeaderLine);
    }
    return {};
}

std::optional<FieldRef> parse_field_ref(std::string_view name) {
    if (name == kHeaderNames) return FieldRef{FieldRef::Kind::HeaderNames, Field::Count, {}};
    if (name == kHeaderLine) return FieldRef{FieldRef::Kind::HeaderLine, Field::Count, {}};
    if (name.substr(0, kHeaderPrefix.size()) == kHeaderPrefix) {
        const std::string_view header = name.substr(kHeaderPrefix.size());
        if (!valid_header_name(header)) return std::nullopt;
        FieldRef f{FieldRef::Kind::Header, Field::Count, {}};
        for (char c : header) f.header += lower(c);
        return f;
    }
    for (size_t i = 0; i < static_cast<size_t>(Field::Count); ++i) {
        const auto f = static_cast<Field>(i);
        if (f != Field::EmailHeader && proto::field_name(f) == name) return FieldRef{FieldRef::Kind::Field, f, {}};
    }
    return std::nullopt;
}

bool session_scoped(const FieldRef &f) {
    if (f.kind != FieldRef::Kind::Field) return false;
    switch (f.field) {
    case Field::SmtpHelo:
    case Field::SmtpAuthMechanism:
    case Field::SmtpAuthUser:
    case Field::Pop3User:
    case Field::ImapUser:
    case Field::TlsSni: return true;
    default: return false;
    }
}

uint8_t field_protocols(const FieldRef &f) {
    constexpr uint8_t kMail = protocol_bit(Protocol::Smtp) | protocol_bit(Protocol::Pop3) | protocol_bit(Protocol::Imap);
    if (f.kind != FieldRef::Kind::Field) return kMail;
    const std::string_view n = proto::field_name(f.field);
    if (n.substr(0, 5) == "smtp.") return protocol_bit(Protocol::Smtp);
    if (n.substr(0, 5) == "pop3.") return protocol_bit(Protocol::Pop3);
    if (n.substr(0, 5) == "imap.") return protocol_bit(Protocol::Imap);
    if (n.substr(0, 4) == "tls.") return protocol_bit(Protocol::Tls);
    return kMail;
}

std::string_view known_field_names() {
    return "smtp.helo, smtp.mail_from, smtp.rcpt_to, smtp.auth_mechanism, smtp.auth_user, "
           "smtp.command_line, pop3.command_line, pop3.user, imap.command_line, imap.mailbox, imap.user, "
           "email.from, email.to, email.cc, email.subject, email.x_mailer, email.user_agent, "
           "email.message_id, email.header.<name>, email.header_names, email.header_line, email.attachment.filename, "
           "email.attachment.content_type, email.body_prefix, file.sha256, file.magic, tls.sni";
}

}  // namespace postern::rules
