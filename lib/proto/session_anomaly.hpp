// Anomalies about a session rather than its protocol: how the app layer classified it
// (lib/inspect/app_layer.cpp, lib/engine/flow_end.cpp) and the TCP-level tricks the stream layer
// refused to believe (stream::StreamEvent), as AnomalyEvents.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/anomaly.hpp"
#include "proto/common/anomaly_table.hpp"
#include "stream/stream_sink.hpp"

namespace postern::proto {

#define POSTERN_APPLAYER_ANOMALIES(X)                                          \
    X(NonMailOnMailPort, "applayer.non_mail_on_mail_port", NonMailOnMailPort)  \
    X(MailOnNonstandardPort, "applayer.mail_on_nonstandard_port", MailOnOddPort) \
    X(TlsWithoutStarttlsOnMailPort, "applayer.tls_without_starttls_on_mail_port", TlsOnPlainMailPort) \
    X(SessionReclaimed, "applayer.session_reclaimed", Other)

enum class AppLayerAnomaly : uint8_t { POSTERN_APPLAYER_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<AppLayerAnomaly> kAppLayerAnomalies{
    AnomalySource::AppLayer, "applayer.unknown", {POSTERN_APPLAYER_ANOMALIES(POSTERN_ANOMALY_NAME)},
    {POSTERN_APPLAYER_ANOMALIES(POSTERN_ANOMALY_KIND)}};
constexpr AnomalyEvent anomaly_event(AppLayerAnomaly a) { return kAppLayerAnomalies.event(a); }

inline AnomalyEvent anomaly_event(stream::StreamEvent e) {
    const AnomalyKind kind = e == stream::StreamEvent::OverlapDifferentData ? AnomalyKind::OverlapDifferentData
                                                                           : AnomalyKind::Other;
    return {AnomalySource::Stream, static_cast<uint8_t>(e), kind, stream::stream_event_name(e)};
}

}  // namespace postern::proto
