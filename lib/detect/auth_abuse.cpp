// AUTH abuse: failed AUTH / LOGIN / USER-PASS exchanges counted per client (brute force, password
// spraying across users) and per user from several clients (credential stuffing), each in a
// window of `window_s` from its first failure; `min_failures` alerts and starts a new window. The
// two scopes are independent (a burst from several clients that also fills one client's window
// raises both), so a sharded history, client and user on different consumers, raises what one
// box raises; one client against one user is the client scope's alone.
#include "detect/history_keys.hpp"
#include "detect/history_parts.hpp"

namespace postern::detect {

bool AuthAbuseDetector::count(State &st, const SessionSummary &s, uint64_t client_hash) {
    const uint64_t window = uint64_t{c_.window_s} * kNsPerS;
    if (st.failures == 0 || elapsed_ns(s.start_ns, st.window_start) > window)
        st = State{.window_start = s.start_ns, .first_client = client_hash};
    st.failures += s.auth_failures;
    ++st.sessions;
    st.several_clients = st.several_clients || client_hash != st.first_client;
    return st.failures >= c_.min_failures;
}

namespace {
uint64_t client_hash(const SessionSummary &s) {
    KeyHash k;
    return client(k.tag(4), s).h;
}
}  // namespace

bool AuthAbuseDetector::observe_client(const SessionSummary &s, DetectorAlert &out) {
    if (!c_.enabled || s.auth_failures == 0) return false;
    const uint64_t me = client_hash(s);
    State &st = by_client_.get(me, s.start_ns);
    if (!count(st, s, me)) return false;
    describe("client", st, s, out);
    st.failures = 0;
    return true;
}

bool AuthAbuseDetector::observe_user(const SessionSummary &s, DetectorAlert &out) {
    if (!c_.enabled || s.auth_failures == 0 || s.user_len == 0) return false;
    KeyHash ku;
    State &st = by_user_.get(ku.tag(5).add(s.user_name()).h, s.start_ns);
    if (!count(st, s, client_hash(s)) || !st.several_clients) return false;
    describe("user", st, s, out);
    st.failures = 0;
    return true;
}

void AuthAbuseDetector::describe(const char *scope, const State &fired, const SessionSummary &s, DetectorAlert &out) const {
    out = DetectorAlert(DetectorId::AuthAbuse);
    out.text("scope", scope)
        .text("protocol", proto::protocol_name(s.protocol))
        .text("user", s.user_name())
        .num("failures", fired.failures)
        .num("sessions", fired.sessions)
        .num("window_s", elapsed_ns(s.start_ns, fired.window_start) / kNsPerS)
        .num("min_failures", c_.min_failures)
        .num("max_window_s", c_.window_s);
}

}  // namespace postern::detect
