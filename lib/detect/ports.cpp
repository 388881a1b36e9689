// Mail on a port that is not its own, and something else (or TLS without STARTTLS) on a mail
// port. The app layer identifies protocols by content on any port and reports these as
// anomalies; this turns them into alerts with the port as evidence.
#include "detect/session_detectors.hpp"

namespace postern::detect {

bool check_port_anomaly(const PortConfig &c, std::string_view anomaly, uint16_t port, DetectorAlert &out) {
    if (!c.enabled) return false;
    DetectorId id;
    if (anomaly == "applayer.mail_on_nonstandard_port") id = DetectorId::MailOnOddPort;
    else if (anomaly == "applayer.non_mail_on_mail_port") id = DetectorId::NonMailOnMailPort;
    else if (anomaly == "applayer.tls_without_starttls_on_mail_port") id = DetectorId::TlsOnPlainMailPort;
    else return false;
    out = DetectorAlert(id);
    out.num("server_port", port).text("anomaly", anomaly);
    return true;
}

}  // namespace postern::detect
