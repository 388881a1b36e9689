// Protocol non-conformance over a whole session. Parsers never give up on a session that looks
// wrong; they report, and this detector counts: unknown commands (count and share), command
// lines with binary bytes, over-long lines, replies that break the grammar (or a "server" that
// talks like a client), and commands after QUIT/LOGOUT. Any category over its threshold alerts.
#include "detect/session_detectors.hpp"

namespace postern::detect {

bool binary_line(std::string_view line) {
    for (size_t i = 0; i < line.size();) {
        const auto c = static_cast<unsigned char>(line[i]);
        if ((c < 0x20 && c != '\t') || c == 0x7F) return true;
        const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > line.size()) return true;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(line[i + k]) & 0xC0) != 0x80) return true;
        i += n;
    }
    return false;
}

void count_anomaly(SessionState &s, const proto::AnomalyEvent &anomaly) {
    if (anomaly.kind == proto::AnomalyKind::LineTooLong) ++s.overlong_lines;
    if (anomaly.kind == proto::AnomalyKind::InvalidReply) ++s.invalid_replies;
}

bool check_nonconformance(const NonConformanceConfig &c, const SessionState &s, DetectorAlert &out) {
    if (!c.enabled) return false;
    const bool unknown = s.unknown_commands >= c.min_unknown_commands &&
                         uint64_t{s.unknown_commands} * 100 >= uint64_t{s.commands} * c.unknown_share_percent;
    const bool binary = s.binary_lines >= c.min_binary_lines;
    const bool overlong = s.overlong_lines >= c.min_overlong_lines;
    const bool replies = s.invalid_replies >= c.min_invalid_replies;
    const bool after_quit = c.min_after_quit > 0 && s.after_quit >= c.min_after_quit;
    if (!(unknown || binary || overlong || replies || after_quit)) return false;
    out = DetectorAlert(DetectorId::NonConformance);
    out.num("commands", s.commands)
        .num("unknown_commands", s.unknown_commands)
        .num("binary_command_lines", s.binary_lines)
        .num("overlong_lines", s.overlong_lines)
        .num("invalid_replies", s.invalid_replies)
        .num("commands_after_quit", s.after_quit);
    std::string_view why = unknown ? "unknown_commands" : binary ? "binary_command_lines" : overlong ? "overlong_lines"
                         : replies ? "invalid_replies" : "commands_after_quit";
    out.text("trigger", why)
        .num("min_unknown_commands", c.min_unknown_commands)
        .num("unknown_share_percent", c.unknown_share_percent);
    return true;
}

}  // namespace postern::detect
