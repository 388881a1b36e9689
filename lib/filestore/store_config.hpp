// output.files.store: Suricata's filestore. Attachments and/or whole messages are written to
// `dir`, each named by its sha256, off the workers: a worker hands the bytes over a bounded queue
// and does not wait for the writer unless told to (docs/deployment.md, "Extracting files").
#pragma once

#include <cstdint>
#include <string>

namespace postern::filestore {

struct StoreConfig {
    bool enabled = false;
    std::string dir = "filestore";  // relative: to the working directory, as output.eve_log
    uint8_t kinds = 1;  // proto::FileStoreKind bits: attachments (1), messages (2)
    bool all = true;  // false: only the files of transactions where a rule with "filestore" fired
    uint64_t max_file_bytes = 64ull << 20;  // a larger file is not stored (counted)
    uint64_t max_total_bytes = 1ull << 30;  // the directory's bound: later files are not stored
    uint32_t queue_bytes = 8u << 20;  // per worker, worker → writer
    uint32_t max_open_files = 64;  // per worker, files being handed over at once
    // A full channel: the file is not stored (false), or the worker waits for the writer (true:
    // offline runs that must lose nothing). Default: output.on_event_queue_full's choice.
    bool wait_when_full = false;
};

}  // namespace postern::filestore
