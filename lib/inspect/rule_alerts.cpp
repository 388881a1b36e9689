#include "inspect/rule_alerts.hpp"

#include "inspect/alert_record.hpp"
#include "proto/imap/imap_eve.hpp"
#include "proto/pop3/pop3_eve.hpp"
#include "proto/smtp/smtp_eve.hpp"
#include "rules/alert_eve.hpp"
#include "rules/rule_names.hpp"

namespace postern::inspect {

namespace {

struct WriteTransaction {
    output::JsonWriter &w;
    void operator()(std::monostate) const {}
    void operator()(const proto::SmtpTransaction *tx) const { proto::write_smtp_transaction(w, *tx); }
    void operator()(const proto::Pop3Transaction *tx) const { proto::write_pop3_transaction(w, *tx); }
    void operator()(const proto::ImapTransaction *tx) const { proto::write_imap_transaction(w, *tx); }
};

}  // namespace

void RuleAlerts::on_match(const rules::RuleMatch &m) {
    using rules::Action;
    if (m.rule.action == Action::Pass) {  // a pass rule stops inspection of the flow, silently
        flow_.ask(FlowVerdict::Pass);
        return;
    }
    counters_.add(m.rule.id, rules::eve_severity(m.rule.level));
    flow_.alerted = true;
    const bool blocks = m.rule.action == Action::Drop || m.rule.action == Action::Reject;
    if (blocks) flow_.ask(m.rule.action == Action::Reject ? FlowVerdict::Reject : FlowVerdict::Drop);
    output::JsonWriter &w = begin_alert_record(out_, flow_);
    rules::write_alert(w, m, blocks && flow_.inline_mode);
    std::visit(WriteTransaction{w}, m.transaction);
    rules::write_evidence(w, m);
    w.end_object();
    out_.commit_record(output::EveType::Alert);
}

}  // namespace postern::inspect
