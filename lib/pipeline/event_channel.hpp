// Worker → control-plane channel: a bounded single-producer/single-consumer byte ring (Boost.
// Lockfree) of variable-length records. The producer publishes a whole record in one push, so
// the consumer never sees half of one. A full channel refuses the record and counts it; the
// producer decides: a worker drops it or waits (output.on_event_queue_full; at shutdown it always
// waits), an RX lcore drops it.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <boost/lockfree/spsc_queue.hpp>

namespace postern::pipeline {

enum class RecordKind : uint8_t {
    Eve = 1,       // one rendered EVE JSON object (no newline); `tag` is the EveType
    Done = 3,      // the producer has flushed everything and stopped
    Summary,       // a detect::SessionSummary (raw bytes) for the control plane's history detectors
    FileOpen,      // file extraction (lib/filestore/store_records.hpp), on a worker's file channel
    FileData,
    FileClose,
};

struct RecordHeader {
    uint32_t len;  // body bytes after the header
    RecordKind kind;
    uint8_t tag;
    uint16_t reserved;
};
static_assert(sizeof(RecordHeader) == 8);

class EventChannel {
public:
    explicit EventChannel(size_t capacity_bytes) : ring_(capacity_bytes) {}

    // Producer: `buf` holds the body at buf + sizeof(RecordHeader); the header is written in place
    // so the record goes out in one push without another copy.
    bool push_prepared(char *buf, uint32_t body_len, RecordKind kind, uint8_t tag) {
        const RecordHeader h{body_len, kind, tag, 0};
        std::memcpy(buf, &h, sizeof h);
        const size_t total = sizeof h + body_len;
        if (ring_.write_available() < total) {
            overflows_.store(overflows_.load(std::memory_order_relaxed) + 1,
                             std::memory_order_relaxed);
            return false;
        }
        ring_.push(buf, total);
        return true;
    }

    // Producer convenience for small records (copies the body into a scratch area).
    bool push(RecordKind kind, uint8_t tag, std::string_view body) {
        char scratch[sizeof(RecordHeader) + 256];
        if (body.size() > sizeof scratch - sizeof(RecordHeader)) return false;
        if (!body.empty()) std::memcpy(scratch + sizeof(RecordHeader), body.data(), body.size());
        return push_prepared(scratch, static_cast<uint32_t>(body.size()), kind, tag);
    }

    // Consumer: calls fn(kind, tag, body) for up to `max_records` records; returns how many.
    template <class Fn>
    size_t drain(Fn &&fn, size_t max_records = SIZE_MAX) {
        size_t n = 0;
        while (n < max_records && ring_.read_available() >= sizeof(RecordHeader)) {
            RecordHeader h{};  // pop() fills it; zeroed so no path reads it unset (GCC with profile data warns)
            ring_.pop(reinterpret_cast<char *>(&h), sizeof h);
            body_.resize(h.len);
            if (h.len) ring_.pop(body_.data(), h.len);
            fn(h.kind, h.tag, std::string_view(body_));
            ++n;
        }
        return n;
    }

    uint64_t overflows() const { return overflows_.load(std::memory_order_relaxed); }
    size_t capacity() const { return ring_.write_available() + ring_.read_available(); }

private:
    boost::lockfree::spsc_queue<char> ring_;
    std::string body_;  // consumer-side buffer, reused
    std::atomic<uint64_t> overflows_{0};
};

}  // namespace postern::pipeline
