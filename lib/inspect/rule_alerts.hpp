// Writes an EVE `alert` record for each rule match of the flow being processed: the common
// fields, Suricata's `alert` object (rules/alert_eve.hpp), the transaction's app-layer object
// when the match was decided at the end of a transaction, and the `evidence` values. Marks the
// flow as alerted and counts the alert.
#pragma once

#include "inspect/alert_counters.hpp"
#include "inspect/flow_context.hpp"
#include "inspect/record_output.hpp"
#include "rules/matcher.hpp"

namespace postern::inspect {

class RuleAlerts final : public rules::MatchSink {
public:
    RuleAlerts(RecordOutput &out, AlertCounters &counters, FlowContext &flow)
        : out_(out), counters_(counters), flow_(flow) {}

    void on_match(const rules::RuleMatch &m) override;

private:
    RecordOutput &out_;
    AlertCounters &counters_;
    FlowContext &flow_;
};

}  // namespace postern::inspect
