// Opaque uploads across sessions: an implant that APPENDs a little stolen data per session (each
// below the session threshold, `min_opaque_bytes`) still uploads `min_opaque_total_bytes` of
// opaque content with no human text within `window_s` from one client as one user. Reported as
// upload_asymmetry with scope "history"; the window starts again after an alert.
#include "detect/history_keys.hpp"
#include "detect/history_parts.hpp"

namespace postern::detect {

bool OpaqueUploadDetector::observe(const SessionSummary &s, DetectorAlert &out) {
    // A session at or above the session threshold has alerted on its own (asymmetry.cpp).
    if (!c_.enabled || s.opaque_append_bytes == 0 || s.opaque_append_bytes >= c_.min_opaque_bytes) return false;
    State &st = table_.get(session_key(6, s), s.start_ns);
    if (st.bytes == 0 || elapsed_ns(s.start_ns, st.window_start) > uint64_t{c_.window_s} * kNsPerS)
        st = State{.window_start = s.start_ns};
    st.bytes += s.opaque_append_bytes;
    ++st.sessions;
    if (st.sessions < 2 || st.bytes < c_.min_opaque_total_bytes) return false;
    out = DetectorAlert(DetectorId::UploadAsymmetry);
    out.text("scope", "history")
        .text("protocol", proto::protocol_name(s.protocol))
        .text("user", s.user_name())
        .num("opaque_append_bytes", st.bytes)
        .num("sessions", st.sessions)
        .num("window_s", elapsed_ns(s.start_ns, st.window_start) / kNsPerS)
        .num("min_opaque_total_bytes", c_.min_opaque_total_bytes)
        .num("max_window_s", c_.window_s);
    st = State{};
    return true;
}

}  // namespace postern::detect
