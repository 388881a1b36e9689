// File extraction in /metrics and in the stats record: the workers' feeds (why a file was not
// handed over) and the writer (what reached the directory).
#include "control_plane.hpp"
#include "output/prometheus.hpp"

namespace postern::dataplane {

using output::PromType;

FileStoreTotals ControlPlane::file_store_totals() const {
    FileStoreTotals t;
    if (!file_writer_) return t;
    for (const auto &w : workers_) {
        const filestore::FileFeed *feed = w->file_feed();
        if (!feed) continue;
        const filestore::FeedCounters &c = feed->counters();
        t.not_selected += c.not_selected, t.incomplete += c.incomplete, t.too_large += c.too_large;
        t.total_limit += c.total_limit, t.queue_full += c.queue_full, t.evicted += c.evicted;
    }
    const filestore::WriterCounters &c = file_writer_->counters();
    t.stored = c.stored, t.duplicate = c.duplicates, t.total_limit += c.total_limit;
    t.write_error = c.write_errors, t.abandoned = c.abandoned, t.bytes_written = c.bytes_written;
    t.bytes_in_store = file_writer_->stored_bytes().load(std::memory_order_relaxed);
    return t;
}

void ControlPlane::append_file_store_metrics(output::PromWriter &w) const {
    if (!file_writer_) return;
    const FileStoreTotals t = file_store_totals();
    w.family("postern_filestore_files_total", PromType::Counter,
             "Files offered for extraction, by result (stored, duplicate, or why not stored).");
    const std::pair<const char *, uint64_t> results[] = {
        {"stored", t.stored},         {"duplicate", t.duplicate},   {"not_selected", t.not_selected},
        {"incomplete", t.incomplete}, {"too_large", t.too_large},   {"total_limit", t.total_limit},
        {"queue_full", t.queue_full}, {"evicted", t.evicted},       {"write_error", t.write_error},
        {"abandoned", t.abandoned}};
    for (const auto &[name, n] : results) w.sample({{"result", name}}, static_cast<double>(n));
    w.family("postern_filestore_bytes", PromType::Gauge, "Bytes in the store directory (output.files.store.dir).");
    w.sample(static_cast<double>(t.bytes_in_store));
    w.family("postern_filestore_written_bytes_total", PromType::Counter, "Bytes the file writer wrote.");
    w.sample(static_cast<double>(t.bytes_written));
}

nlohmann::ordered_json ControlPlane::file_store_json() const {
    const FileStoreTotals t = file_store_totals();
    return {{"stored", t.stored},         {"duplicate", t.duplicate},     {"not_selected", t.not_selected},
            {"incomplete", t.incomplete}, {"too_large", t.too_large},     {"total_limit", t.total_limit},
            {"queue_full", t.queue_full}, {"evicted", t.evicted},         {"write_error", t.write_error},
            {"abandoned", t.abandoned},   {"bytes_written", t.bytes_written}, {"bytes_in_store", t.bytes_in_store}};
}

}  // namespace postern::dataplane
