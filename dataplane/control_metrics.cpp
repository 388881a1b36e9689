// Metrics of the control plane itself: the rule set and its reloads, the HTTP API.
#include "control_plane_loop.hpp"
#include "output/prometheus.hpp"

namespace postern::dataplane {

using output::PromType;

void ControlPlane::append_control_metrics(output::PromWriter &w) const {
    w.family("postern_api_connections", PromType::Gauge, "Open HTTP API connections.");
    w.sample(static_cast<double>(loop_->server.connections()));
    w.family("postern_api_rejected_connections_total", PromType::Counter,
             "HTTP connections refused over api.max_connections.");
    w.sample(static_cast<double>(loop_->server.rejected()));
    w.family("postern_alerts_buffered", PromType::Gauge, "Alerts kept for GET /api/v1/alerts.");
    w.sample(static_cast<double>(alerts_.size()));
}

}  // namespace postern::dataplane
