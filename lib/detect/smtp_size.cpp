// SMTP uploads against the host's own history: after `min_history` SMTP sessions with mail, a
// session that uploads `ratio` times the largest of the last 16, and at least `min_bytes`, is
// out of character — a server that mails small reports suddenly mailing megabytes. A person who
// sends attachments now and then has a history that absorbs one large file.
#include <algorithm>

#include "detect/history_keys.hpp"
#include "detect/history_parts.hpp"

namespace postern::detect {

bool SmtpSizeDetector::observe(const SessionSummary &s, DetectorAlert &out) {
    if (!c_.enabled || s.protocol != proto::Protocol::Smtp || s.smtp_messages == 0) return false;
    KeyHash k;
    k.tag(6);
    State &st = table_.get(client(k, s).h, s.start_ns);
    const uint32_t kept = std::min(st.count, State::kKept);
    uint64_t largest = 0;
    for (uint32_t i = 0; i < kept; ++i) largest = std::max(largest, st.sizes[i]);
    const bool fire = st.count >= c_.min_history && s.bytes_toserver >= c_.min_bytes &&
                      s.bytes_toserver >= largest * c_.ratio;
    st.sizes[st.count % State::kKept] = s.bytes_toserver;
    ++st.count;
    if (!fire) return false;
    out = DetectorAlert(DetectorId::SmtpSizeOutlier);
    out.num("bytes_toserver", s.bytes_toserver)
        .num("history_sessions", kept)
        .num("history_max_bytes", largest)
        .num("min_history", c_.min_history)
        .num("ratio", c_.ratio)
        .num("min_bytes", c_.min_bytes);
    return true;
}

}  // namespace postern::detect
