#include "detect/history_detectors.hpp"

#include "detect/detector_alert_eve.hpp"
#include "detect/history_parts.hpp"
#include "output/eve.hpp"
#include "output/json_writer.hpp"

namespace postern::detect {

namespace {
constexpr size_t kBuf = 16 * 1024;
}

struct HistoryDetectors::Tables {
    Tables(const DetectConfig &c)
        : beacon(c.beacon, c.history.max_keys),
          dead_drop(c.dead_drop, c.history.max_keys),
          drafts(c.dead_drop, c.history.max_keys),
          auth(c.auth_abuse, c.history.max_keys),
          smtp_size(c.smtp_size, c.history.max_keys),
          opaque_upload(c.asymmetry, c.history.max_keys) {}
    BeaconDetector beacon;
    DeadDropDetector dead_drop;
    DraftsDetector drafts;
    AuthAbuseDetector auth;
    SmtpSizeDetector smtp_size;
    OpaqueUploadDetector opaque_upload;
};

HistoryDetectors::HistoryDetectors(const DetectConfig &config)
    : tables_(std::make_unique<Tables>(config)), buf_(new char[kBuf]) {}

HistoryDetectors::~HistoryDetectors() = default;

void HistoryDetectors::on_record(std::string_view body, const LineOut &out) {
    const auto s = summary_from_bytes(body);
    if (!s) return ++stats_.malformed, void();
    on_summary(*s, out);
}

void HistoryDetectors::on_summary(const SessionSummary &s, const LineOut &out, uint8_t roles) {
    ++stats_.summaries;
    DetectorAlert a;
    Tables &t = *tables_;
    const bool by_client = roles & kClientRole, by_user = roles & kUserRole;
    if (by_client && t.beacon.observe(s, a)) emit(s, a, out);
    if (by_client && t.dead_drop.observe(s, a)) emit(s, a, out);
    if (by_user && t.drafts.observe(s, a)) emit(s, a, out);
    if (by_client && t.auth.observe_client(s, a)) emit(s, a, out);
    if (by_user && t.auth.observe_user(s, a)) emit(s, a, out);
    if (by_client && t.smtp_size.observe(s, a)) emit(s, a, out);
    if (by_client && t.opaque_upload.observe(s, a)) emit(s, a, out);
}

void HistoryDetectors::emit(const SessionSummary &s, const DetectorAlert &a, const LineOut &out) {
    ++stats_.alerts[static_cast<size_t>(a.id)];
    output::JsonWriter w(buf_.get(), kBuf);
    output::begin_eve_record(w, s.end_ns, output::EveType::Alert, s.flow_id, s.iface(), s.endpoints,
                             proto::protocol_name(s.protocol));
    write_detector_alert(w, a);
    w.end_object();
    if (!w.overflowed()) out({buf_.get(), w.size()});
}

HistoryStats HistoryDetectors::stats() const {
    HistoryStats st = stats_;
    const Tables &t = *tables_;
    st.evictions = t.beacon.evictions() + t.dead_drop.evictions() + t.drafts.evictions() + t.auth.evictions() +
                   t.smtp_size.evictions() + t.opaque_upload.evictions();
    return st;
}

}  // namespace postern::detect
