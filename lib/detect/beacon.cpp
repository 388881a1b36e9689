// Beaconing: sessions of one (client, server, protocol, user) that start at regular intervals.
// Regularity is measured twice, relative to the median inter-arrival time: the median absolute
// deviation (robust to a missed or extra session) and the 10th-90th percentile spread. An
// implant's sleep with ±25 % jitter gives about 0.12 and 0.4; Poisson-like (human, relay)
// arrivals about 0.7 and 3, and over small samples still well above both defaults. Periods above
// `max_period_s` are left alone: mail clients poll every 5-30 minutes. Only sessions whose start
// was captured count (an IMAP IDLE connection split by flow timeouts is one session).
#include <algorithm>

#include "detect/history_keys.hpp"
#include "detect/history_parts.hpp"

namespace postern::detect {

bool BeaconDetector::observe(const SessionSummary &s, DetectorAlert &out) {
    if (!c_.enabled || !s.handshake) return false;
    TimeRing<32> &r = table_.get(session_key(1, s), s.start_ns);
    r.insert(s.start_ns);
    if (r.n < c_.min_sessions || r.n < 3) return false;
    uint64_t iv[31], dev[31];
    const uint32_t m = r.n - 1;
    for (uint32_t i = 0; i < m; ++i) iv[i] = r.t[i + 1] - r.t[i];
    std::sort(iv, iv + m);
    const uint64_t median = iv[m / 2];
    for (uint32_t i = 0; i < m; ++i) dev[i] = iv[i] > median ? iv[i] - median : median - iv[i];
    std::sort(dev, dev + m);
    const uint64_t mad = dev[m / 2];
    const uint64_t p10 = iv[(m - 1) / 10], p90 = iv[((m - 1) * 9 + 5) / 10];
    const uint64_t spread = p90 - p10;
    if (median < uint64_t{c_.min_period_s} * kNsPerS || median > uint64_t{c_.max_period_s} * kNsPerS) return false;
    if (mad * 100 > median * c_.max_jitter_percent || spread * 100 > median * c_.max_spread_percent) return false;
    if (r.last_alert && elapsed_ns(s.start_ns, r.last_alert) < uint64_t{c_.realert_s} * kNsPerS) return false;
    r.last_alert = s.start_ns;
    out = DetectorAlert(DetectorId::Beaconing);
    out.num("sessions", r.n)
        .real("period_s", static_cast<double>(median / 1000000) / 1000)
        .real("jitter_s", static_cast<double>(mad / 1000000) / 1000)
        .num("jitter_percent", median ? mad * 100 / median : 0)
        .num("spread_percent", median ? spread * 100 / median : 0)
        .text("protocol", proto::protocol_name(s.protocol))
        .text("user", s.user_name())
        .num("min_sessions", c_.min_sessions)
        .num("max_jitter_percent", c_.max_jitter_percent)
        .num("max_spread_percent", c_.max_spread_percent)
        .num("max_period_s", c_.max_period_s);
    return true;
}

}  // namespace postern::detect
