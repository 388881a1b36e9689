#include "inspect/detector_alerts.hpp"

#include "detect/detector_alert_eve.hpp"
#include "proto/imap/imap_eve.hpp"
#include "proto/pop3/pop3_eve.hpp"
#include "proto/smtp/smtp_eve.hpp"

namespace postern::inspect {

void DetectorAlerts::on_detector_alert(const detect::DetectorAlert &a, const detect::AppObject &app) {
    const detect::DetectorInfo &info = detect::detector_info(a.id);
    counters_.add(info.signature_id, info.severity);
    if (!flow_) return;
    flow_->alerted = true;
    output::JsonWriter &w = out_.begin_record();
    output::begin_eve_record(w, flow_->ts_ns, output::EveType::Alert, flow_->flow_id, flow_->in_iface,
                             flow_->endpoints,
                             flow_->protocol == proto::Protocol::Unknown ? std::string_view()
                                                                         : proto::protocol_name(flow_->protocol));
    detect::write_detector_alert(w, a);
    if (app.smtp) proto::write_smtp_transaction(w, *app.smtp);
    if (app.pop3) proto::write_pop3_transaction(w, *app.pop3);
    if (app.imap) proto::write_imap_transaction(w, *app.imap);
    w.end_object();
    out_.commit_record(output::EveType::Alert);
}

}  // namespace postern::inspect
