// AUTH abuse: failed AUTH / LOGIN / USER-PASS exchanges counted per client (brute force, password
// spraying across users) and per user (credential stuffing from many clients) in a window of
// `window_s` from the first failure; `min_failures` alerts and starts a new window.
#include "detect/history_keys.hpp"
#include "detect/history_parts.hpp"

namespace postern::detect {

bool AuthAbuseDetector::count(State &st, const SessionSummary &s) {
    const uint64_t window = uint64_t{c_.window_s} * kNsPerS;
    if (st.failures == 0 || elapsed_ns(s.start_ns, st.window_start) > window) st.window_start = s.start_ns, st.failures = 0, st.sessions = 0;
    st.failures += s.auth_failures;
    ++st.sessions;
    return st.failures >= c_.min_failures;
}

bool AuthAbuseDetector::observe(const SessionSummary &s, DetectorAlert &out) {
    if (!c_.enabled || s.auth_failures == 0) return false;
    KeyHash kc;
    kc.tag(4);
    State &by_client = by_client_.get(client(kc, s).h, s.start_ns);
    const char *scope = nullptr;
    State fired;
    if (count(by_client, s)) {
        scope = "client", fired = by_client;
        by_client.failures = 0;
    }
    if (s.user_len) {
        KeyHash ku;
        ku.tag(5).add(s.user_name());
        State &by_user = by_user_.get(ku.h, s.start_ns);
        if (count(by_user, s) && !scope) {
            scope = "user", fired = by_user;
            by_user.failures = 0;
        } else if (scope) {
            by_user.failures = 0;  // one alert for one burst
        }
    }
    if (!scope) return false;
    out = DetectorAlert(DetectorId::AuthAbuse);
    out.text("scope", scope)
        .text("protocol", proto::protocol_name(s.protocol))
        .text("user", s.user_name())
        .num("failures", fired.failures)
        .num("sessions", fired.sessions)
        .num("window_s", elapsed_ns(s.start_ns, fired.window_start) / kNsPerS)
        .num("min_failures", c_.min_failures)
        .num("max_window_s", c_.window_s);
    return true;
}

}  // namespace postern::detect
