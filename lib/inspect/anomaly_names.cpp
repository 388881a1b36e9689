#include "inspect/anomaly_names.hpp"

#include <algorithm>
#include <vector>

#include "proto/session_anomaly.hpp"

namespace postern::inspect {

std::span<const std::string_view> known_anomaly_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> v = {
#define POSTERN_X(id, name, kind) name,
            POSTERN_SMTP_ANOMALIES(POSTERN_X) POSTERN_POP3_ANOMALIES(POSTERN_X) POSTERN_IMAP_ANOMALIES(POSTERN_X)
                POSTERN_MIME_ANOMALIES(POSTERN_X) POSTERN_APPLAYER_ANOMALIES(POSTERN_X)
#undef POSTERN_X
        };
        for (size_t e = 0; e < stream::kStreamEvents; ++e)  // lib/engine: TCP-level tricks
            v.push_back(stream::stream_event_name(static_cast<stream::StreamEvent>(e)));
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return v;
    }();
    return names;
}

}  // namespace postern::inspect
