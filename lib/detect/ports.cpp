// Mail on a port that is not its own, and something else (or TLS without STARTTLS) on a mail
// port. The app layer identifies protocols by content on any port and reports these as
// anomalies; this turns them into alerts with the port as evidence.
#include "detect/session_detectors.hpp"

namespace postern::detect {

bool check_port_anomaly(const PortConfig &c, const proto::AnomalyEvent &anomaly, uint16_t port, DetectorAlert &out) {
    if (!c.enabled) return false;
    DetectorId id;
    switch (anomaly.kind) {
    case proto::AnomalyKind::MailOnOddPort: id = DetectorId::MailOnOddPort; break;
    case proto::AnomalyKind::NonMailOnMailPort: id = DetectorId::NonMailOnMailPort; break;
    case proto::AnomalyKind::TlsOnPlainMailPort: id = DetectorId::TlsOnPlainMailPort; break;
    default: return false;
    }
    out = DetectorAlert(id);
    out.num("server_port", port).text("anomaly", anomaly.name);
    return true;
}

}  // namespace postern::detect
