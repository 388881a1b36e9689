// Anomalies about a session rather than its protocol: how the app layer classified it
// (AppLayerAnomaly, in anomaly_catalog.hpp) and the TCP-level tricks the stream layer refused to
// believe (stream::StreamEvent), as AnomalyEvents.
#pragma once

#include "proto/anomaly.hpp"
#include "proto/anomaly_catalog.hpp"
#include "stream/stream_sink.hpp"

namespace postern::proto {

inline AnomalyEvent anomaly_event(stream::StreamEvent e) {
    const AnomalyKind kind = e == stream::StreamEvent::OverlapDifferentData ? AnomalyKind::OverlapDifferentData
                                                                           : AnomalyKind::Other;
    return {AnomalySource::Stream, static_cast<uint8_t>(e), kind, stream::stream_event_name(e)};
}

}  // namespace postern::proto
