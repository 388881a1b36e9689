// Writes an EVE `alert` record for each behavioural detector alert of the flow being processed
// (detect/detector_alert_eve.hpp, plus the transaction's app-layer object when the alert is about
// one), marks the flow as alerted and counts it like rule alerts. Session summaries go to the
// control plane through `summaries`.
#pragma once

#include "detect/detecting_sink.hpp"
#include "inspect/alert_counters.hpp"
#include "inspect/flow_context.hpp"
#include "inspect/record_output.hpp"

namespace postern::inspect {

class SummaryOutput {
public:
    virtual void push_summary(const detect::SessionSummary &s) = 0;

protected:
    ~SummaryOutput() = default;
};

class DetectorAlerts final : public detect::DetectorOutput {
public:
    DetectorAlerts(RecordOutput &out, AlertCounters &counters, FlowContext &flow, SummaryOutput *summaries,
                   const detect::DetectConfig *config = nullptr)
        : out_(out), counters_(counters), flow_(flow), summaries_(summaries), config_(config) {}

    void on_detector_alert(const detect::DetectorAlert &a, const detect::AppObject &app) override;
    void on_session_summary(const detect::SessionSummary &s) override {
        if (summaries_) summaries_->push_summary(s);
    }

private:
    RecordOutput &out_;
    AlertCounters &counters_;
    FlowContext &flow_;
    SummaryOutput *summaries_;
    const detect::DetectConfig *config_;  // the detectors' actions
};

}  // namespace postern::inspect
