#include "detect/summary_merger.hpp"

#include <algorithm>
#include <tuple>

namespace postern::detect {

namespace {
auto order(const SessionSummary &s) { return std::tie(s.decided_ns, s.start_ns, s.flow_id); }
}  // namespace

SummaryMerger::SummaryMerger(size_t workers, size_t max_pending) : sources_(workers), max_pending_(max_pending) {}

size_t SummaryMerger::add_source() {
    sources_.emplace_back();
    return sources_.size() - 1;
}

void SummaryMerger::add(size_t worker, const SessionSummary &s, uint8_t roles) {
    if (worker >= sources_.size()) return;
    sources_[worker].queue.push_back({s, roles});
    ++pending_;
}

void SummaryMerger::advance(size_t worker, uint64_t clock_ns) {
    if (worker < sources_.size() && clock_ns > sources_[worker].clock_ns) sources_[worker].clock_ns = clock_ns;
}

void SummaryMerger::finish(size_t worker) {
    if (worker < sources_.size()) sources_[worker].finished = true;
}

void SummaryMerger::resume(size_t worker) {
    if (worker < sources_.size()) sources_[worker].finished = false;
}

uint64_t SummaryMerger::horizon() const {
    uint64_t h = ~uint64_t{0};
    for (const Source &src : sources_)
        if (!src.finished) h = std::min(h, src.queue.empty() ? src.clock_ns : src.queue.front().summary.decided_ns);
    return h;
}

size_t SummaryMerger::earliest() const {
    size_t best = sources_.size();
    for (size_t i = 0; i < sources_.size(); ++i) {
        const auto &q = sources_[i].queue;
        if (!q.empty() && (best == sources_.size() || order(q.front().summary) < order(sources_[best].queue.front().summary))) best = i;
    }
    return best;
}

// A worker with summaries queued sends nothing earlier than its last one; one with none queued
// nothing decided before its clock (strictly: an equal time could still sort first).
bool SummaryMerger::safe(const SessionSummary &s) const {
    for (const Source &src : sources_)
        if (!src.finished && src.queue.empty() && src.clock_ns <= s.decided_ns) return false;
    return true;
}

void SummaryMerger::pop(size_t source, const Out &out) {
    const Held h = sources_[source].queue.front();
    sources_[source].queue.pop_front();
    --pending_;
    out(h.summary, h.roles);
}

void SummaryMerger::release(const Out &out) {
    for (size_t i = earliest(); i < sources_.size(); i = earliest()) {
        if (!safe(sources_[i].queue.front().summary)) {
            if (pending_ <= max_pending_) return;
            ++overflows_;
        }
        pop(i, out);
    }
}

void SummaryMerger::release_all(const Out &out) {
    for (size_t i = earliest(); i < sources_.size(); i = earliest()) pop(i, out);
}

}  // namespace postern::detect
