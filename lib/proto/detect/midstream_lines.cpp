#include "proto/detect/midstream_lines.hpp"

#include "net/mail_ports.hpp"
#include "proto/common/ascii.hpp"

namespace postern::proto {

namespace {

constexpr Detection make(Protocol p, Confidence c) { return Detection{p, c, {}}; }

// Calls fn(line) for each complete line (without CR LF) until it returns true.
template <class Fn>
bool any_line(std::string_view bytes, Fn &&fn) {
    for (size_t lf = bytes.find('\n'); lf != std::string_view::npos; lf = bytes.find('\n')) {
        std::string_view line = bytes.substr(0, lf);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (fn(line)) return true;
        bytes.remove_prefix(lf + 1);
    }
    return false;
}

// The mail protocol a well-known cleartext mail port is for (implicit-TLS ports carry TLS).
Protocol port_protocol(uint16_t port) {
    return net::is_implicit_tls(net::mail_service(port)) ? Protocol::Unknown : mail_port_protocol(port);
}

bool is_header_field(std::string_view line) {
    constexpr std::string_view kFields[] = {"From:", "To:", "Cc:", "Subject:", "Date:", "Message-ID:", "Received:",
                                            "MIME-Version:", "Content-Type:", "Content-Transfer-Encoding:",
                                            "Return-Path:", "Reply-To:", "X-Mailer:"};
    for (std::string_view f : kFields)
        if (ascii::istarts_with(line, f)) return true;
    return false;
}

bool is_tag(std::string_view w) {
    if (w.empty() || w.size() > 32) return false;
    for (char c : w)
        if (!ascii::is_alpha(c) && !ascii::is_digit(c) && c != '.' && c != '-' && c != '_') return false;
    return true;
}

constexpr std::string_view kImapVerbs[] = {"CAPABILITY", "LOGIN",  "AUTHENTICATE", "STARTTLS", "ID",     "NOOP",
                                           "SELECT",     "EXAMINE", "LIST",        "LSUB",     "LOGOUT", "STATUS",
                                           "APPEND",     "FETCH",  "STORE",        "SEARCH",   "UID",    "EXPUNGE",
                                           "COPY",       "MOVE",   "IDLE",         "CLOSE",    "CHECK",  "CREATE",
                                           "DELETE",     "RENAME", "ENABLE",       "NAMESPACE"};

Detection server_line(std::string_view line) {
    if (line.size() >= 4 && line[0] >= '2' && line[0] <= '5' && ascii::is_digit(line[1]) && ascii::is_digit(line[2]) &&
        (line[3] == ' ' || line[3] == '-') && ascii::ifind(line, "FTP") == std::string_view::npos)
        return make(Protocol::Smtp, Confidence::Medium);
    if (ascii::istarts_with(line, "+OK") || ascii::istarts_with(line, "-ERR")) return make(Protocol::Pop3, Confidence::Medium);
    const auto [first, rest] = ascii::split_word(line);
    const std::string_view second = ascii::split_word(rest).word;
    if (first == "*" && (ascii::iequals(second, "OK") || ascii::iequals(second, "BYE") || ascii::iequals(second, "FLAGS") ||
                         ascii::iequals(second, "CAPABILITY") || ascii::iequals(second, "LIST") ||
                         ascii::iequals(second, "SEARCH") || ascii::is_digit(second.empty() ? 'x' : second[0])))
        return make(Protocol::Imap, Confidence::Medium);
    if (is_tag(first) && (ascii::iequals(second, "OK") || ascii::iequals(second, "NO") || ascii::iequals(second, "BAD")))
        return make(Protocol::Imap, Confidence::Medium);
    return {};
}

Detection client_line(std::string_view line) {
    if (ascii::istarts_with(line, "MAIL FROM:") || ascii::istarts_with(line, "RCPT TO:"))
        return make(Protocol::Smtp, Confidence::Medium);
    const auto [verb, rest] = ascii::split_word(line);
    for (std::string_view v : {"EHLO", "HELO", "DATA", "RSET", "BDAT"})
        if (ascii::iequals(verb, v)) return make(Protocol::Smtp, Confidence::Medium);
    for (std::string_view v : {"RETR", "DELE", "STAT", "UIDL", "TOP", "USER", "PASS", "APOP", "CAPA", "STLS"})
        if (ascii::iequals(verb, v)) return make(Protocol::Pop3, Confidence::Medium);
    if (is_tag(verb)) {
        const std::string_view cmd = ascii::split_word(rest).word;
        for (std::string_view v : kImapVerbs)
            if (ascii::iequals(cmd, v)) return make(Protocol::Imap, Confidence::Medium);
    }
    return {};
}

template <class LineFn>
Detection scan(std::string_view bytes, uint16_t port, LineFn &&judge) {
    Detection found;
    bool message_lines = false;
    any_line(bytes, [&](std::string_view line) {
        found = judge(line);
        message_lines = message_lines || is_header_field(line) || line == ".";
        return found.protocol != Protocol::Unknown;
    });
    if (found.protocol == Protocol::Unknown && message_lines && port_protocol(port) != Protocol::Unknown)
        return make(port_protocol(port), Confidence::Low);  // mail, in the middle of a message
    return found;
}

}  // namespace

size_t complete_lines(std::string_view bytes) {
    size_t n = 0;
    any_line(bytes, [&](std::string_view) { return ++n, false; });
    return n;
}

Detection detect_server_midstream(std::string_view bytes, uint16_t server_port) {
    return scan(bytes, server_port, server_line);
}

Detection detect_client_midstream(std::string_view bytes, uint16_t server_port) {
    return scan(bytes, server_port, client_line);
}

}  // namespace postern::proto
