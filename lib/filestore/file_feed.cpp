#include "filestore/file_feed.hpp"

#include <cstring>
#include <thread>

#include "filestore/store_records.hpp"

namespace postern::filestore {

namespace {

constexpr size_t kStageBytes = 16 * 1024;
constexpr size_t kStageHead = sizeof(pipeline::RecordHeader) + sizeof(DataHeader);

}  // namespace

FileFeed::FileFeed(const StoreConfig &config, pipeline::EventChannel &channel, const std::atomic<uint64_t> &stored_bytes)
    : config_(config),
      channel_(channel),
      stored_bytes_(stored_bytes),
      slot_count_(config.max_open_files < 1 ? 1 : config.max_open_files > 0xFFFE ? 0xFFFE : config.max_open_files),
      stage_(new char[kStageHead + kStageBytes]) {
    slots_.reset(new Slot[slot_count_]);
}

// A handle is the slot's index + 1 in the low 16 bits and its generation above, so a handle kept
// by a parser after its slot was given up (evicted) no longer reaches the slot's next file.
uint32_t FileFeed::index_of(uint32_t handle) { return (handle & 0xFFFF) - 1; }

FileFeed::Slot *FileFeed::slot_of(uint32_t handle) {
    const uint32_t index = index_of(handle);
    if (index >= slot_count_) return nullptr;
    Slot &s = slots_[index];
    return s.open && s.generation == handle >> 16 ? &s : nullptr;
}

// A free slot, or the oldest open one given up (a parser that never closed its file, say one
// whose session slot was taken back mid-message). Returns its index.
uint32_t FileFeed::take_slot() {
    uint32_t oldest = 0;
    for (uint32_t i = 0; i < slot_count_; ++i) {
        if (!slots_[i].open) return i;
        if (slots_[i].id < slots_[oldest].id) oldest = i;
    }
    ++counters_.evicted;
    if (staged_ && staged_slot_ == oldest) staged_ = 0;
    send_close(slots_[oldest], false, nullptr);
    return oldest;
}

uint32_t FileFeed::begin(bool message, bool selected, bool may_select) {
    if (!config_.all && !selected && !may_select) {
        ++counters_.not_selected;
        return 0;
    }
    if (stored_bytes_.load(std::memory_order_relaxed) + open_bytes_ >= config_.max_total_bytes) {
        ++counters_.total_limit;
        return 0;
    }
    const uint32_t index = take_slot();
    Slot &s = slots_[index];
    const OpenRecord open{next_id_, static_cast<uint8_t>(message)};
    if (!send(pipeline::RecordKind::FileOpen, &open, sizeof open)) return 0;
    s.id = next_id_++;
    s.size = 0;
    s.open = true;
    s.message = message;
    s.failed = false;
    s.generation = static_cast<uint16_t>(s.generation + 1);
    return static_cast<uint32_t>(s.generation) << 16 | (index + 1);
}

void FileFeed::data(uint32_t handle, const uint8_t *p, size_t n) {
    Slot *s = slot_of(handle);
    if (s == nullptr || s->failed) return;
    if (s->size + n > config_.max_file_bytes) {
        s->failed = true;
        ++counters_.too_large;
        return;
    }
    if (stored_bytes_.load(std::memory_order_relaxed) + open_bytes_ + n > config_.max_total_bytes) {
        s->failed = true;
        ++counters_.total_limit;
        return;
    }
    s->size += n;
    open_bytes_ += n;
    const uint32_t index = index_of(handle);
    if (staged_ && staged_slot_ != index) flush();
    staged_slot_ = index;
    while (n > 0) {
        const size_t take = n < kStageBytes - staged_ ? n : kStageBytes - staged_;
        std::memcpy(stage_.get() + kStageHead + staged_, p, take);
        staged_ += take, p += take, n -= take;
        if (staged_ == kStageBytes) flush();
    }
}

void FileFeed::flush() {
    if (staged_ == 0) return;
    Slot &s = slots_[staged_slot_];
    const DataHeader h{s.id};
    std::memcpy(stage_.get() + sizeof(pipeline::RecordHeader), &h, sizeof h);
    if (!s.failed && !send(pipeline::RecordKind::FileData, nullptr, sizeof h + staged_)) s.failed = true;
    staged_ = 0;
}

bool FileFeed::send_close(Slot &s, bool keep, const uint8_t *sha256) {
    CloseRecord c{s.id, static_cast<uint8_t>(keep), static_cast<uint8_t>(s.message), {}};
    if (sha256) std::memcpy(c.sha256, sha256, sizeof c.sha256);
    s.open = false;
    open_bytes_ -= s.size;
    // Refused: the writer drops the file when its table is full or at the end of the run.
    return send(pipeline::RecordKind::FileClose, &c, sizeof c) && keep;
}

// `body` null: the staging buffer, whose header room is written in place (no copy of the bytes).
bool FileFeed::send(pipeline::RecordKind kind, const void *body, size_t len) {
    auto push = [&] {
        if (body == nullptr) return channel_.push_prepared(stage_.get(), static_cast<uint32_t>(len), kind, 0);
        return channel_.push(kind, 0, {static_cast<const char *>(body), len});
    };
    if (push()) return true;
    if (!config_.wait_when_full) {
        ++counters_.queue_full;
        return false;
    }
    while (!push()) std::this_thread::yield();  // the writer is a plain thread, maybe on this core
    return true;
}

bool FileFeed::close(uint32_t handle, const uint8_t *sha256, bool selected) {
    Slot *s = slot_of(handle);
    if (s == nullptr) return false;
    if (staged_ && staged_slot_ == index_of(handle)) flush();
    bool keep = !s->failed;
    if (keep && sha256 == nullptr) ++counters_.incomplete, keep = false;
    if (keep && !config_.all && !selected) ++counters_.not_selected, keep = false;
    const uint64_t size = s->size;
    if (!send_close(*s, keep, sha256)) return false;
    ++counters_.stored;
    counters_.bytes += size;
    return true;
}

void FileFeed::finish() {
    flush();
    config_.wait_when_full = true;  // Done must arrive: the writer ends on it
    send(pipeline::RecordKind::Done, "", 0);
}

}  // namespace postern::filestore
