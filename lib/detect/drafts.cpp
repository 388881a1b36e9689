// Drafts as a shared dead drop: one mailbox account (server, user), one client saves to Drafts
// and another, elsewhere, fetches or deletes from Drafts soon after — or the other way round —
// repeatedly (`min_shared_exchanges` within `window_s`). Nothing is sent, so mail gateways never
// see it (used by APT28-style implants and Gmail-drafts C2). Only sessions that work in Drafts
// alone count: a person's mail clients (a laptop and a phone sharing Drafts) also select, read
// and IDLE on other mailboxes in the same sessions, a dead-drop tool has no reason to. A tool that
// adds such work to blend in is left to the dead_drop and beaconing detectors.
#include "detect/history_keys.hpp"
#include "detect/history_parts.hpp"

namespace postern::detect {

bool DraftsDetector::observe(const SessionSummary &s, DetectorAlert &out) {
    if (!c_.enabled || s.protocol != proto::Protocol::Imap || s.user_len == 0) return false;
    if ((s.drafts_appends == 0 && s.drafts_pickups == 0) || s.other_mailbox_ops) return false;
    KeyHash k;
    k.tag(3);
    server(k, s).add(s.user_name());
    State &st = table_.get(k.h, s.start_ns);
    KeyHash ck;
    const uint64_t me = client(ck, s).h;
    const uint64_t window = uint64_t{c_.window_s} * kNsPerS;
    if (elapsed_ns(s.start_ns, st.window_start) > window) st.window_start = s.start_ns, st.exchanges = 0;
    int slot = -1, oldest = 0;
    uint32_t others = 0;
    for (int i = 0; i < State::kClients; ++i) {
        if (st.client[i] == me) slot = i;
        const uint64_t seen = st.last_append[i] > st.last_pickup[i] ? st.last_append[i] : st.last_pickup[i];
        const uint64_t old = st.last_append[oldest] > st.last_pickup[oldest] ? st.last_append[oldest] : st.last_pickup[oldest];
        if (seen < old) oldest = i;
        if (st.client[i] == 0 || st.client[i] == me) continue;
        ++others;
        const bool recent_append = st.last_append[i] && elapsed_ns(s.start_ns, st.last_append[i]) <= window;
        const bool recent_pickup = st.last_pickup[i] && elapsed_ns(s.start_ns, st.last_pickup[i]) <= window;
        if ((s.drafts_pickups && recent_append) || (s.drafts_appends && recent_pickup)) ++st.exchanges;
    }
    if (slot < 0) {
        slot = oldest;
        st.client[slot] = me, st.last_append[slot] = 0, st.last_pickup[slot] = 0;
    }
    if (s.drafts_appends) st.last_append[slot] = s.start_ns;
    if (s.drafts_pickups) st.last_pickup[slot] = s.start_ns;
    if (others == 0 || st.exchanges < c_.min_shared_exchanges) return false;
    if (st.last_alert && elapsed_ns(s.start_ns, st.last_alert) < window) return false;
    st.last_alert = s.start_ns;
    out = DetectorAlert(DetectorId::DraftsSharedDrop);
    out.text("user", s.user_name())
        .num("clients", others + 1)
        .num("exchanges", st.exchanges)
        .num("drafts_appends", s.drafts_appends)
        .num("drafts_pickups", s.drafts_pickups)
        .num("min_shared_exchanges", c_.min_shared_exchanges)
        .num("window_s", c_.window_s);
    return true;
}

}  // namespace postern::detect
