// Tool-sent mail: scripts and implants build the SMTP dialogue and the message by hand and it
// shows — an EHLO with a bare Windows host name, MAIL FROM equal to the only RCPT TO (mailing
// yourself), a From that is not an address, submitted or APPENDed mail without Message-ID or Date
// (mail clients always add them), base64 lines over the RFC limit (mail clients write 76). One
// sign alone is common enough (Outlook's EHLO); the alert needs `min_indicators` of them.
#include "detect/session_detectors.hpp"
#include "proto/common/ascii.hpp"
#include "proto/smtp/smtp_transaction.hpp"

namespace postern::detect {

namespace {

// "DESKTOP-7QK2M1A", "WIN-ABC": 1-15 characters, no dot, not an address literal.
bool netbios_name(std::string_view h) {
    if (h.empty() || h.size() > 15 || h.front() == '[') return false;
    for (char c : h)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

std::string_view strip_angles(std::string_view a) {
    if (a.size() >= 2 && a.front() == '<' && a.back() == '>') return a.substr(1, a.size() - 2);
    return a;
}

// The signs; a sign that does not apply stays false.
struct Signs {
    bool bare_helo = false, self_addressed = false, from_not_address = false;
    bool no_message_id = false, no_date = false, long_encoded_line = false;
    uint32_t count() const {
        return bare_helo + self_addressed + from_not_address + no_message_id + no_date + long_encoded_line;
    }
};

// Signs of the message itself. `composed`: the client wrote it (a submission, an APPEND), so the
// headers mail programs always add must be there.
void message_signs(Signs &s, const proto::EmailMessage &m, bool composed, bool long_encoded_line) {
    s.from_not_address = m.from.find('@') == std::string_view::npos;
    s.no_message_id = composed && m.message_id.empty();
    s.no_date = composed && m.date.empty();
    s.long_encoded_line = long_encoded_line;
}

bool report(const EnvelopeConfig &c, const Signs &s, const proto::EmailMessage &m, std::string_view helo,
            std::string_view self_address, DetectorAlert &out) {
    const uint32_t n = s.count();
    if (n < c.min_indicators) return false;
    out = DetectorAlert(DetectorId::ToolEnvelope);
    out.num("indicators", n).num("min_indicators", c.min_indicators);
    if (s.bare_helo) out.text("bare_netbios_helo", helo);
    if (s.self_addressed) out.text("mail_from_equals_rcpt_to", self_address);
    if (s.from_not_address) out.text("from_not_an_address", m.from);
    if (s.no_message_id) out.flag("missing_message_id", true);
    if (s.no_date) out.flag("missing_date", true);
    if (s.long_encoded_line) out.flag("encoded_line_over_998", true);
    return true;
}

}  // namespace

bool check_envelope(const EnvelopeConfig &c, const proto::SmtpTransaction &tx, bool submission,
                    bool long_encoded_line, DetectorAlert &out) {
    if (!c.enabled || !tx.has_message) return false;
    Signs s;
    s.bare_helo = netbios_name(tx.helo);
    s.self_addressed = tx.rcpt_to.total == 1 && tx.rcpt_to.kept == 1 && !tx.mail_from.empty() &&
                       proto::ascii::iequals(strip_angles(tx.mail_from), strip_angles(tx.rcpt_to.items[0]));
    message_signs(s, tx.message, submission, long_encoded_line);
    return report(c, s, tx.message, tx.helo, strip_angles(tx.mail_from), out);
}

bool check_appended_message(const EnvelopeConfig &c, const proto::EmailMessage &m, bool long_encoded_line,
                            DetectorAlert &out) {
    if (!c.enabled) return false;
    Signs s;
    message_signs(s, m, true, long_encoded_line);
    return report(c, s, m, {}, {}, out);
}

}  // namespace postern::detect
