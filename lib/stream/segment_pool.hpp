// Per-worker pool of held-segment nodes. Its size is the worker-wide bound on held out-of-order
// segments; a flow's own bound is checked by the stream.
#pragma once

#include <cstdint>
#include <vector>

namespace postern::stream {

inline constexpr uint32_t kNoNode = UINT32_MAX;

struct HeldSegment {
    uint32_t seq = 0;  // sequence number of data[0]
    uint32_t len = 0;
    const uint8_t *data = nullptr;
    void *handle = nullptr;
    uint32_t next = kNoNode;  // next held segment of the same direction, in sequence order
};

class SegmentPool {
public:
    explicit SegmentPool(uint32_t capacity) : nodes_(capacity) {
        for (uint32_t i = 0; i < capacity; ++i) nodes_[i].next = i + 1 < capacity ? i + 1 : kNoNode;
        free_ = capacity ? 0 : kNoNode;
    }
    SegmentPool(const SegmentPool &) = delete;
    SegmentPool &operator=(const SegmentPool &) = delete;

    uint32_t allocate() {
        const uint32_t i = free_;
        if (i != kNoNode) {
            free_ = nodes_[i].next;
            nodes_[i].next = kNoNode;
            ++in_use_;
        }
        return i;
    }
    void free(uint32_t i) {
        nodes_[i] = HeldSegment{};
        nodes_[i].next = free_;
        free_ = i;
        --in_use_;
    }
    HeldSegment &operator[](uint32_t i) { return nodes_[i]; }
    uint32_t in_use() const { return in_use_; }
    uint32_t capacity() const { return static_cast<uint32_t>(nodes_.size()); }

private:
    std::vector<HeldSegment> nodes_;  // allocated once, at worker start
    uint32_t free_ = kNoNode;
    uint32_t in_use_ = 0;
};

}  // namespace postern::stream
