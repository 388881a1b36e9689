// Tool-sent mail: scripts and implants build the SMTP dialogue by hand and it shows — an EHLO with
// a bare Windows host name, MAIL FROM equal to the only RCPT TO (mailing yourself), a From that is
// not an address, submitted mail without Message-ID or Date (mail clients always add them). One
// sign alone is common enough (Outlook's EHLO); the alert needs `min_indicators` of them.
#include "detect/session_detectors.hpp"
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

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

}  // namespace

bool check_envelope(const EnvelopeConfig &c, const proto::SmtpTransaction &tx, bool submission, DetectorAlert &out) {
    if (!c.enabled || !tx.has_message) return false;
    const auto &m = tx.message;
    const bool bare_helo = netbios_name(tx.helo);
    const bool self_addressed = tx.rcpt_to.total == 1 && tx.rcpt_to.kept == 1 && !tx.mail_from.empty() &&
                                iequal(strip_angles(tx.mail_from), strip_angles(tx.rcpt_to.items[0]));
    const bool from_not_address = m.from.find('@') == std::string_view::npos;
    const bool no_message_id = submission && m.message_id.empty();
    const bool no_date = submission && m.date.empty();
    const uint32_t n = bare_helo + self_addressed + from_not_address + no_message_id + no_date;
    if (n < c.min_indicators) return false;
    out = DetectorAlert(DetectorId::ToolEnvelope);
    out.num("indicators", n).num("min_indicators", c.min_indicators);
    if (bare_helo) out.text("bare_netbios_helo", tx.helo);
    if (self_addressed) out.text("mail_from_equals_rcpt_to", strip_angles(tx.mail_from));
    if (from_not_address) out.text("from_not_an_address", m.from);
    if (no_message_id) out.flag("missing_message_id", true);
    if (no_date) out.flag("missing_date", true);
    return true;
}

}  // namespace postern::detect
