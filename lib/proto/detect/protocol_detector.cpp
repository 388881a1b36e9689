#include "proto/detect/protocol_detector.hpp"

#include <cstring>

#include "net/mail_ports.hpp"
#include "proto/common/ascii.hpp"
#include "proto/detect/midstream_lines.hpp"
#include "proto/detect/tls_client_hello.hpp"

namespace postern::proto {

using stream::Direction;

namespace {

constexpr Detection make(Protocol p, Confidence c) { return Detection{p, c, {}}; }

std::string_view first_line(std::string_view s, bool &complete) {
    const size_t lf = s.find('\n');
    complete = lf != std::string_view::npos;
    std::string_view line = complete ? s.substr(0, lf) : s;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

bool is_imap_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > 32) return false;
    for (char c : tag) {
        const auto b = static_cast<unsigned char>(c);
        // RFC 3501 tag: ASTRING-CHAR except "+"; no controls, no specials.
        if (b <= 0x20 || b >= 0x7F || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
            c == '\\' || c == '+' || c == ']')
            return false;
    }
    return true;
}

}  // namespace

Protocol mail_port_protocol(uint16_t server_port) {
    switch (net::mail_service(server_port)) {
    case net::MailService::Smtp: case net::MailService::SmtpTls: return Protocol::Smtp;
    case net::MailService::Imap: case net::MailService::ImapTls: return Protocol::Imap;
    case net::MailService::Pop3: case net::MailService::Pop3Tls: return Protocol::Pop3;
    default: return Protocol::Unknown;
    }
}

Protocol implicit_tls_protocol(uint16_t server_port) {
    return net::is_implicit_tls(net::mail_service(server_port)) ? mail_port_protocol(server_port) : Protocol::Unknown;
}

Detection detect_server_start(std::string_view bytes) {
    if (bytes.empty()) return {};
    std::string_view sni;
    const auto *raw = reinterpret_cast<const uint8_t *>(bytes.data());
    const TlsProbe tls = probe_tls(raw, bytes.size(), sni);
    if (tls == TlsProbe::ServerHello) return make(Protocol::Tls, Confidence::High);
    if (tls == TlsProbe::NeedMore && bytes.size() >= 3) return make(Protocol::Tls, Confidence::Low);

    bool complete = false;
    const std::string_view line = first_line(bytes, complete);
    if (line.size() >= 4 && ascii::is_digit(line[0]) && ascii::is_digit(line[1]) && ascii::is_digit(line[2]) &&
        (line[3] == ' ' || line[3] == '-')) {
        const std::string_view code = line.substr(0, 3);
        if (ascii::ifind(line, "FTP") != std::string_view::npos) return {};  // FTP greets with 220 too
        if (code == "220") {
            const bool smtp_word = ascii::ifind(line, "SMTP") != std::string_view::npos ||
                                   ascii::ifind(line, "Postfix") != std::string_view::npos ||
                                   ascii::ifind(line, "Exim") != std::string_view::npos ||
                                   ascii::ifind(line, "mail") != std::string_view::npos;
            return make(Protocol::Smtp, smtp_word ? Confidence::High : Confidence::Medium);
        }
        if (code == "554" || code == "421") return make(Protocol::Smtp, Confidence::Low);
        return {};
    }
    if (ascii::istarts_with(line, "+OK")) {
        const bool pop_word = ascii::ifind(line, "POP") != std::string_view::npos ||
                              ascii::ifind(line, "ready") != std::string_view::npos;
        return make(Protocol::Pop3, pop_word ? Confidence::High : Confidence::Medium);
    }
    if (ascii::istarts_with(line, "* OK") || ascii::istarts_with(line, "* PREAUTH") ||
        ascii::istarts_with(line, "* BYE")) {
        const bool imap_word = ascii::ifind(line, "IMAP") != std::string_view::npos;
        return make(Protocol::Imap, imap_word ? Confidence::High : Confidence::Medium);
    }
    if (ascii::istarts_with(line, "-ERR")) return make(Protocol::Pop3, Confidence::Low);
    return {};
}

Detection detect_client_start(std::string_view bytes) {
    if (bytes.empty()) return {};
    std::string_view sni;
    const auto *raw = reinterpret_cast<const uint8_t *>(bytes.data());
    const TlsProbe tls = probe_tls(raw, bytes.size(), sni);
    if (tls == TlsProbe::ClientHello) return Detection{Protocol::Tls, Confidence::High, sni};
    if (tls == TlsProbe::NeedMore && bytes.size() >= 3) return make(Protocol::Tls, Confidence::Low);

    bool complete = false;
    const std::string_view line = first_line(bytes, complete);
    const auto [verb, rest] = ascii::split_word(line);
    if (ascii::iequals(verb, "EHLO") || ascii::iequals(verb, "HELO") || ascii::iequals(verb, "LHLO"))
        return make(Protocol::Smtp, Confidence::High);
    if (ascii::istarts_with(line, "MAIL FROM:")) return make(Protocol::Smtp, Confidence::Medium);
    if (ascii::iequals(verb, "USER") || ascii::iequals(verb, "APOP") || ascii::iequals(verb, "STLS"))
        return make(Protocol::Pop3, Confidence::High);
    if (ascii::iequals(verb, "CAPA")) return make(Protocol::Pop3, Confidence::Medium);
    if (is_imap_tag(verb)) {
        const std::string_view cmd = ascii::split_word(rest).word;
        constexpr std::string_view kImapFirst[] = {"CAPABILITY", "LOGIN",  "AUTHENTICATE", "STARTTLS", "ID",
                                                   "NOOP",       "SELECT", "EXAMINE",      "LIST",     "LOGOUT"};
        for (std::string_view c : kImapFirst)
            if (ascii::iequals(cmd, c)) return make(Protocol::Imap, Confidence::High);
    }
    return {};
}

Detection ProtocolDetector::on_data(Direction dir, const uint8_t *data, size_t len) {
    Side &side = sides_[stream::index(dir)];
    char *buf = dir == Direction::ToServer ? client_ : server_;
    const size_t cap = dir == Direction::ToServer ? kClientBytes : kServerBytes;
    const size_t n = len < cap - side.len ? len : cap - side.len;
    if (n > 0) {
        std::memcpy(buf + side.len, data, n);
        side.len += n;
        evaluate(dir);
    }
    return result();
}

void ProtocolDetector::evaluate(Direction dir) {
    Side &side = sides_[stream::index(dir)];
    const bool client = dir == Direction::ToServer;
    const std::string_view bytes(client ? client_ : server_, side.len);
    side.verdict = client ? detect_client_start(bytes) : detect_server_start(bytes);
    const bool full = side.len == (client ? kClientBytes : kServerBytes);
    const bool tls_pending = side.verdict.protocol == Protocol::Tls && side.verdict.confidence == Confidence::Low;
    if (midstream_ && side.verdict.protocol == Protocol::Unknown) {
        side.verdict = client ? detect_client_midstream(bytes, server_port_) : detect_server_midstream(bytes, server_port_);
        side.settled = full || side.verdict.confidence >= Confidence::Medium || complete_lines(bytes) >= kMidstreamLines;
    } else {
        side.settled = full || side.verdict.confidence == Confidence::High ||
                       (!tls_pending && bytes.find('\n') != std::string_view::npos);
    }
    if (side.verdict.protocol == Protocol::Tls && !side.verdict.sni.empty() && sink_ != nullptr && !sni_reported_) {
        sni_reported_ = true;
        sink_->on_field(Field::TlsSni, side.verdict.sni);
    }
}

Detection ProtocolDetector::result() const {
    const Detection &c = sides_[stream::index(Direction::ToServer)].verdict;
    const Detection &s = sides_[stream::index(Direction::ToClient)].verdict;
    Detection best = s.confidence >= c.confidence ? s : c;
    if (c.protocol == s.protocol && c.protocol != Protocol::Unknown) best.confidence = Confidence::High;
    if (best.protocol == Protocol::Tls) best.sni = c.sni;
    return best;
}

bool ProtocolDetector::done() const {
    if (result().confidence == Confidence::High) return true;
    return sides_[0].settled && sides_[1].settled;
}

void ProtocolDetector::reset() {
    sides_[0] = Side{};
    sides_[1] = Side{};
    sni_reported_ = false;
    midstream_ = false;
}

}  // namespace postern::proto
