// The writing side of file extraction: one thread (not a worker) drains every worker's file
// channel and writes each file under `dir/tmp`, then, when its feed says keep, renames it to
// `dir/<first two hex digits>/<sha256>` (`.eml` for a whole message), as Suricata's filestore
// v2 names files. A file already stored is not written twice. The directory's bound
// (max_total_bytes) counts the files found there at start. Files not kept, and files still open
// at the end of the run, are removed.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "filestore/store_config.hpp"
#include "pipeline/event_channel.hpp"

namespace postern::filestore {

struct WriterCounters {
    std::atomic<uint64_t> stored{0};  // new files in the directory
    std::atomic<uint64_t> duplicates{0};  // kept files whose sha256 was stored already
    std::atomic<uint64_t> discarded{0};  // not kept (the feed said so)
    std::atomic<uint64_t> total_limit{0};  // kept, but the directory was full
    std::atomic<uint64_t> write_errors{0};  // open, write or rename failed (disk full, permissions)
    std::atomic<uint64_t> abandoned{0};  // never closed: too many open, or open at the end
    std::atomic<uint64_t> bytes_written{0};
};

class FileWriter {
public:
    explicit FileWriter(const StoreConfig &config) : config_(config) {}
    ~FileWriter();
    FileWriter(const FileWriter &) = delete;
    FileWriter &operator=(const FileWriter &) = delete;

    // Creates the directory (and dir/tmp) and counts the bytes stored there already. False with
    // `error` set when it cannot.
    bool prepare(std::string &error);
    void add_channel(pipeline::EventChannel *channel) { channels_.push_back({channel, false}); }

    // One pass over the channels; returns the records handled.
    size_t drain();
    // Every channel has sent Done.
    bool finished() const;
    // Drains until finished(), resting a millisecond when idle; then removes what is still open.
    void run();
    bool ended() const { return ended_.load(std::memory_order_acquire); }  // run() is over

    // Bytes in the store directory (read by the workers' feeds).
    const std::atomic<uint64_t> &stored_bytes() const { return stored_bytes_; }
    const WriterCounters &counters() const { return counters_; }
    const std::string &last_error() const { return last_error_; }  // for the closing summary

private:
    struct OpenFile {
        int fd = -1;
        std::string tmp;
        uint64_t size = 0;
        uint64_t seq = 0;  // order of opening, to give up the oldest when too many are open
        bool message = false;
        bool failed = false;
    };
    struct Channel {
        pipeline::EventChannel *channel;
        bool done;
    };
    void on_record(size_t channel, pipeline::RecordKind kind, std::string_view body);
    void open_file(uint64_t key, bool message);
    void append(uint64_t key, std::string_view bytes);
    void close_file(uint64_t key, bool keep, const uint8_t *sha256);
    void drop(OpenFile &f);  // closes and removes its temporary file
    void error(const std::string &what);

    StoreConfig config_;
    std::vector<Channel> channels_;
    std::unordered_map<uint64_t, OpenFile> open_;
    uint64_t seq_ = 0;
    std::atomic<uint64_t> stored_bytes_{0};
    std::atomic<bool> ended_{false};
    WriterCounters counters_;
    std::string last_error_;
};

}  // namespace postern::filestore
