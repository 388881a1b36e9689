// How a parser declares its anomalies. Each protocol lists them once, as an X-macro of
// (Enumerator, "eve.name", AnomalyKind) triples (lib/inspect reads the same lists to name every
// anomaly in /metrics), and declares its enum, its table and two accessors from that one list:
//
//   #define POSTERN_SMTP_ANOMALIES(X) X(BareLf, "smtp.bare_lf", Other) X(StreamGap, "stream.gap", StreamGap)
//   POSTERN_DECLARE_ANOMALIES(Smtp, POSTERN_SMTP_ANOMALIES, "smtp.unknown")
//
// which declares enum class SmtpAnomaly, kSmtpAnomalies (an AnomalyTable from AnomalySource::Smtp),
// anomaly_name(SmtpAnomaly) and anomaly_event(SmtpAnomaly).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/anomaly.hpp"

#define POSTERN_ANOMALY_ID(id, name, kind) id,
#define POSTERN_ANOMALY_NAME(id, name, kind) name,
#define POSTERN_ANOMALY_KIND(id, name, kind) AnomalyKind::kind,
#define POSTERN_DECLARE_ANOMALIES(Source, LIST, unknown_name)                                      \
    enum class Source##Anomaly : uint8_t { LIST(POSTERN_ANOMALY_ID) Count };                     \
    inline constexpr AnomalyTable<Source##Anomaly> k##Source##Anomalies{                          \
        AnomalySource::Source, unknown_name, {LIST(POSTERN_ANOMALY_NAME)}, {LIST(POSTERN_ANOMALY_KIND)}}; \
    constexpr std::string_view anomaly_name(Source##Anomaly a) { return k##Source##Anomalies.name(a); } \
    constexpr AnomalyEvent anomaly_event(Source##Anomaly a) { return k##Source##Anomalies.event(a); }

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
