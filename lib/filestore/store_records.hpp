// What a worker's FileFeed sends its FileWriter over the worker's file channel
// (pipeline::RecordKind FileOpen, FileData, FileClose, then Done). A file is named by the feed's
// id for it; ids of one worker never repeat within a run.
#pragma once

#include <cstdint>

namespace postern::filestore {

struct OpenRecord {
    uint64_t id;
    uint8_t message;  // a whole message (.eml), else an attachment
};

// The body of a FileData record: this header, then the bytes.
struct DataHeader {
    uint64_t id;
};

struct CloseRecord {
    uint64_t id;
    uint8_t keep;  // 0: the file is not wanted after all (not selected, incomplete, too large)
    uint8_t message;
    uint8_t sha256[32];
};

}  // namespace postern::filestore
