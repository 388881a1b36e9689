// Where a worker's records go: EVE records are rendered into one buffer the worker owns, then
// queued whole on its event channel; session summaries and the final Done follow the same way.
// The inspector is given this object (as inspect::RecordOutput and inspect::SummaryOutput), so
// the worker itself implements no interface.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "config/config.hpp"
#include "counters.hpp"
#include "detect/session_summary.hpp"
#include "inspect/detector_alerts.hpp"
#include "inspect/record_output.hpp"
#include "output/json_writer.hpp"
#include "pipeline/event_channel.hpp"

namespace postern::dataplane {

class WorkerOutput final : public inspect::RecordOutput, public inspect::SummaryOutput {
public:
    WorkerOutput(pipeline::EventChannel &channel, config::FullPolicy on_full, WorkerCounters &counters);
    WorkerOutput(const WorkerOutput &) = delete;
    WorkerOutput &operator=(const WorkerOutput &) = delete;

    // inspect::RecordOutput: a writer over the empty render buffer; the record it holds, queued.
    output::JsonWriter &begin_record() override;
    void commit_record(output::EveType type) override;
    // inspect::SummaryOutput: a finished session's summary for the control plane's detectors.
    void push_summary(const detect::SessionSummary &s) override;

    // The run ends: from now on nothing is dropped (the control plane drains until Done).
    void finishing() { finishing_ = true; }
    // The last record of the worker.
    void done() { queue(pipeline::RecordKind::Done, 0, nullptr, {}); }

private:
    // Queues one record; a full channel drops it (counted) or waits, by on_event_queue_full.
    void queue(pipeline::RecordKind kind, uint8_t tag, const char *prepared, std::string_view body);

    pipeline::EventChannel &channel_;
    const config::FullPolicy on_full_;
    WorkerCounters &counters_;
    bool finishing_ = false;
    std::unique_ptr<char[]> render_buf_;  // a record header's room, then the record's JSON
    output::JsonWriter writer_;
};

}  // namespace postern::dataplane
