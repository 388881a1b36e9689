// A worker's side of file extraction: hands the bytes of the files it is offered to the
// FileWriter over the worker's file channel, and decides which are kept. A full channel makes
// the file unstored (counted) unless the config says wait (offline runs); a file over
// max_file_bytes or a full store directory always does, and the record says "stored": false. Bytes are gathered in one staging buffer and
// sent a chunk at a time (a base64 line decodes to 57 bytes; a record each would cost more
// in headers than in data). Fixed memory: the slot table and the buffer are allocated once.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "filestore/store_config.hpp"
#include "pipeline/event_channel.hpp"
#include "util/counter.hpp"

namespace postern::filestore {

struct FeedCounters {
    util::Counter stored;  // handed to the writer to keep
    util::Counter bytes;  // bytes of the files handed over
    util::Counter not_selected;  // all: false and no rule with "filestore" fired
    util::Counter incomplete;  // bytes were lost (gap, overlong line): no sha256, not stored
    util::Counter too_large;  // beyond max_file_bytes
    util::Counter total_limit;  // the store directory reached max_total_bytes
    util::Counter queue_full;  // the channel to the writer was full
    util::Counter evicted;  // all max_open_files slots open: the oldest file was given up
};

class FileFeed {
public:
    // `stored_bytes`: the writer's count of bytes in the store directory.
    FileFeed(const StoreConfig &config, pipeline::EventChannel &channel, const std::atomic<uint64_t> &stored_bytes);
    FileFeed(const FileFeed &) = delete;
    FileFeed &operator=(const FileFeed &) = delete;

    // A file starts. `selected`: a rule with "filestore" fired in its transaction already;
    // `may_select`: such a rule may still fire before it ends. Returns its handle, or 0 when its
    // bytes are not wanted.
    uint32_t begin(bool message, bool selected, bool may_select);
    void data(uint32_t handle, const uint8_t *p, size_t n);
    // The file ended; `sha256` is null when its bytes were not all seen. Returns whether it goes
    // to the store.
    bool close(uint32_t handle, const uint8_t *sha256, bool selected);
    // The end of the run: what is staged goes out, then Done (waiting for room: the writer drains).
    void finish();

    const FeedCounters &counters() const { return counters_; }

private:
    struct Slot {
        uint64_t id = 0;
        uint64_t size = 0;
        uint16_t generation = 0;
        bool open = false;
        bool message = false;
        bool failed = false;  // some bytes did not reach the writer, or the file is too large
    };
    static uint32_t index_of(uint32_t handle);
    Slot *slot_of(uint32_t handle);  // null: not a handle of an open file
    uint32_t take_slot();
    void flush();  // the staged bytes go out as one FileData record
    // Pushes one record, waiting for room when the config says so; false: refused (counted).
    bool send(pipeline::RecordKind kind, const void *body, size_t len);
    bool send_close(Slot &s, bool keep, const uint8_t *sha256);

    StoreConfig config_;
    pipeline::EventChannel &channel_;
    const std::atomic<uint64_t> &stored_bytes_;
    std::unique_ptr<Slot[]> slots_;
    uint32_t slot_count_;
    uint64_t next_id_ = 1;
    uint64_t open_bytes_ = 0;  // bytes of open files, not yet in stored_bytes_
    std::unique_ptr<char[]> stage_;  // RecordHeader, DataHeader, then the bytes
    size_t staged_ = 0;
    uint32_t staged_slot_ = 0;
    FeedCounters counters_;
};

}  // namespace postern::filestore
