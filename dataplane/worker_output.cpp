#include "worker_output.hpp"

#include "spin_wait.hpp"

namespace postern::dataplane {

namespace {
constexpr size_t kRenderBufSize = 64 * 1024;
}

WorkerOutput::WorkerOutput(pipeline::EventChannel &channel, config::FullPolicy on_full, WorkerCounters &counters)
    : channel_(channel),
      on_full_(on_full),
      counters_(counters),
      render_buf_(new char[kRenderBufSize]),
      writer_(render_buf_.get() + sizeof(pipeline::RecordHeader), kRenderBufSize - sizeof(pipeline::RecordHeader)) {}

void WorkerOutput::queue(pipeline::RecordKind kind, uint8_t tag, const char *prepared, std::string_view body) {
    auto push = [&] {
        if (prepared) return channel_.push_prepared(const_cast<char *>(prepared), static_cast<uint32_t>(body.size()), kind, tag);
        return channel_.push(kind, tag, body);
    };
    if (push()) return;
    if (!finishing_ && on_full_ == config::FullPolicy::Drop) {
        ++counters_.event_drops;
        return;
    }
    spin_until(push);
}

output::JsonWriter &WorkerOutput::begin_record() {
    writer_.reset();
    return writer_;
}

void WorkerOutput::commit_record(output::EveType type) {
    if (writer_.overflowed()) {
        ++counters_.event_truncated;
        return;
    }
    ++counters_.events;
    queue(pipeline::RecordKind::Eve, static_cast<uint8_t>(type), render_buf_.get(),
          {render_buf_.get() + sizeof(pipeline::RecordHeader), writer_.size()});
}

void WorkerOutput::push_summary(const detect::SessionSummary &s) {
    queue(pipeline::RecordKind::Summary, 0, nullptr, detect::as_bytes(s));
}

}  // namespace postern::dataplane
