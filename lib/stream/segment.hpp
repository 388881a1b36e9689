// Out-of-order segments are held by reference, not copied: a segment handle is an mbuf in the
// dataplane and a test buffer in unit tests. The stream takes a reference while it holds one.
#pragma once

#include <cstdint>

namespace postern::stream {

struct SegmentOps {
    void *ctx = nullptr;
    void (*retain)(void *ctx, void *handle) = nullptr;
    void (*release)(void *ctx, void *handle) = nullptr;
};

// One contiguous piece of a TCP payload as it arrived.
struct SegmentRef {
    void *handle = nullptr;
    const uint8_t *data = nullptr;
    uint32_t len = 0;
};

}  // namespace postern::stream
