// libFuzzer target: TCP stream ordering. The input is a script of segments (sequence offset,
// length, flags) over a fixed byte stream; whatever the order, overlaps and holes, delivered
// bytes must equal the stream's bytes at their positions, every held reference is released,
// and the end is reported once.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "stream/direction_stream.hpp"
#include "stream/segment_pool.hpp"

namespace {

using namespace postern::stream;

struct Checker final : StreamSink {
    const uint8_t *stream = nullptr;
    uint64_t position = 0;  // bytes delivered or skipped so far
    int ends = 0;
    void on_data(Direction, const uint8_t *data, size_t len) override {
        for (size_t i = 0; i < len; ++i)
            if (data[i] != stream[(position + i) % 4096]) std::abort();
        position += len;
    }
    void on_gap(Direction, uint32_t len) override { position += len; }
    void on_end(Direction) override { ++ends; }
};

int refs = 0;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t stream[4096 + 65536];
    // Periodic with period 4096, so stream[off % 4096 + i] is the byte at offset off + i.
    for (size_t i = 0; i < sizeof stream; ++i) stream[i] = static_cast<uint8_t>((i % 4096) * 131 + ((i % 4096) >> 8));
    SegmentPool pool(16);
    SegmentOps ops;
    ops.retain = [](void *, void *) { ++refs; };
    ops.release = [](void *, void *) { --refs; };
    StreamContext ctx{pool, ops, {}, {}};
    ctx.limits.max_held_per_direction = 8;
    Checker sink;
    sink.stream = stream;
    DirectionStream s;
    const uint32_t isn = size >= 4 ? (uint32_t{data[0]} << 24 | uint32_t{data[1]} << 16 | uint32_t{data[2]} << 8 | data[3]) : 0;
    s.init(isn);
    refs = 0;
    for (size_t i = 4; i + 4 <= size; i += 4) {
        const uint32_t off = (uint32_t{data[i]} << 8 | data[i + 1]) % 8192;
        const uint32_t len = data[i + 2] % 200;
        const uint8_t flags = data[i + 3];
        // Payload bytes at stream offset `off` (mod 4096, matching the checker).
        const uint8_t *payload = stream + off % 4096;
        if (flags & 1) {
            s.fin(ctx, Direction::ToServer, sink, isn + off + len);
        } else if (len) {
            s.add(ctx, Direction::ToServer, sink, isn + off, {&stream, payload, len});
        }
    }
    s.flush(ctx, Direction::ToServer, sink);
    if (refs != 0 || sink.ends != 1 || pool.in_use() != 0) std::abort();
    return 0;
}
