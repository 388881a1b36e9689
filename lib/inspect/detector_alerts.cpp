#include "inspect/detector_alerts.hpp"

#include "detect/detector_alert_eve.hpp"
#include "inspect/alert_record.hpp"
#include "proto/imap/imap_eve.hpp"
#include "proto/pop3/pop3_eve.hpp"
#include "proto/smtp/smtp_eve.hpp"

namespace postern::inspect {

void DetectorAlerts::on_detector_alert(const detect::DetectorAlert &a, const detect::AppObject &app) {
    const detect::DetectorInfo &info = detect::detector_info(a.id);
    counters_.add(info.signature_id, info.severity);
    flow_.alerted = true;
    const detect::AlertAction action =
        config_ ? config_->actions[static_cast<size_t>(a.id)] : detect::AlertAction::Alert;
    if (action != detect::AlertAction::Alert)
        flow_.ask(action == detect::AlertAction::Reject ? FlowVerdict::Reject : FlowVerdict::Drop);
    output::JsonWriter &w = begin_alert_record(out_, flow_);
    detect::write_detector_alert(w, a, action != detect::AlertAction::Alert && flow_.inline_mode);
    if (app.smtp) proto::write_smtp_transaction(w, *app.smtp);
    if (app.pop3) proto::write_pop3_transaction(w, *app.pop3);
    if (app.imap) proto::write_imap_transaction(w, *app.imap);
    w.end_object();
    out_.commit_record(output::EveType::Alert);
}

}  // namespace postern::inspect
