// How a parser declares its anomalies. Each protocol lists them once, as an X-macro of
// (Enumerator, "eve.name", AnomalyKind) triples (lib/inspect reads the same lists to name every
// anomaly in /metrics), and builds its enum, its table and two accessors from that one list:
//
//   #define POSTERN_SMTP_ANOMALIES(X) X(BareLf, "smtp.bare_lf", Other) X(StreamGap, "stream.gap", StreamGap)
//   enum class SmtpAnomaly : uint8_t { POSTERN_SMTP_ANOMALIES(POSTERN_ANOMALY_ID) Count };
//   inline constexpr AnomalyTable<SmtpAnomaly> kSmtpAnomalies{AnomalySource::Smtp, "smtp.unknown",
//       {POSTERN_SMTP_ANOMALIES(POSTERN_ANOMALY_NAME)}, {POSTERN_SMTP_ANOMALIES(POSTERN_ANOMALY_KIND)}};
//   constexpr std::string_view anomaly_name(SmtpAnomaly a) { return kSmtpAnomalies.name(a); }
//   constexpr AnomalyEvent anomaly_event(SmtpAnomaly a) { return kSmtpAnomalies.event(a); }
#pragma once

#include <cstddef>
#include <string_view>

#include "proto/anomaly.hpp"

#define POSTERN_ANOMALY_ID(id, name, kind) id,
#define POSTERN_ANOMALY_NAME(id, name, kind) name,
#define POSTERN_ANOMALY_KIND(id, name, kind) AnomalyKind::kind,

namespace postern::proto {

// The EVE names of an anomaly enum whose last enumerator is Count, in enum order.
template <class Anomaly>
struct AnomalyTable {
    static constexpr size_t kCount = static_cast<size_t>(Anomaly::Count);

    AnomalySource source;
    std::string_view unknown;  // the name of a value outside the enum
    std::string_view names[kCount];
    AnomalyKind kinds[kCount];  // what detectors look at (proto/anomaly.hpp)

    constexpr std::string_view name(Anomaly a) const {
        const auto i = static_cast<size_t>(a);
        return i < kCount ? names[i] : unknown;
    }
    constexpr AnomalyEvent event(Anomaly a) const {
        const auto i = static_cast<size_t>(a);
        return {source, static_cast<uint8_t>(a), i < kCount ? kinds[i] : AnomalyKind::Other, name(a)};
    }
};

}  // namespace postern::proto
