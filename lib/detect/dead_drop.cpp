// Repeated dead drops by one client: short IMAP sessions that APPEND and also FETCH or delete
// (STORE \Deleted, EXPUNGE), or short POP3 sessions that RETR exactly one message, DELE it and
// QUIT — the shape of an implant collecting a command and leaving a result — `min_sessions`
// times within `window_s`. A person's client keeps long sessions or leaves mail on the server;
// one that only saves its own copies (every APPEND to Drafts or Sent) while it also works in
// other mailboxes is a person's laptop or phone reading the inbox and saving drafts and sent
// mail, not a drop (a drop tool works in its drop mailbox alone).
#include "detect/history_keys.hpp"
#include "detect/history_parts.hpp"

namespace postern::detect {

bool DeadDropDetector::observe(const SessionSummary &s, DetectorAlert &out) {
    if (!c_.enabled) return false;
    const bool short_session = s.end_ns - s.start_ns <= uint64_t{c_.max_session_s} * kNsPerS;
    const bool own_copies = s.appends == s.drafts_appends + s.sent_appends && s.other_mailbox_ops > 0;
    const bool imap = s.protocol == proto::Protocol::Imap && s.appends > 0 && (s.fetched > 0 || s.deletes > 0) &&
                      !own_copies;
    const bool pop3 = s.protocol == proto::Protocol::Pop3 && s.fetched == 1 && s.deletes > 0 && s.quit;
    if (!short_session || !(imap || pop3)) return false;
    TimeRing<16> &r = table_.get(session_key(2, s), s.start_ns);
    r.insert(s.start_ns);
    const uint64_t window = uint64_t{c_.window_s} * kNsPerS;
    const uint64_t from = s.start_ns > window ? s.start_ns - window : 0;
    const uint32_t n = r.since(from);
    if (n < c_.min_sessions) return false;
    if (r.last_alert && elapsed_ns(s.start_ns, r.last_alert) < window) return false;
    r.last_alert = s.start_ns;
    out = DetectorAlert(DetectorId::DeadDrop);
    out.text("protocol", proto::protocol_name(s.protocol))
        .text("user", s.user_name())
        .num("sessions_in_window", n)
        .num("appends", s.appends)
        .num("fetched", s.fetched)
        .num("deletes", s.deletes)
        .num("session_s", (s.end_ns - s.start_ns) / kNsPerS)
        .num("min_sessions", c_.min_sessions)
        .num("window_s", c_.window_s)
        .num("max_session_s", c_.max_session_s);
    return true;
}

}  // namespace postern::detect
