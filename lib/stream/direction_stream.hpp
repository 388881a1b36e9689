// Ordered delivery of one direction of a TCP connection. In-order payload goes straight to the
// sink from the caller's buffer; out-of-order payload is held by reference (bounded) until the
// hole before it fills, a bound forces a gap, or the flow ends. Overlaps: the first copy wins, as
// in a receiver's out-of-order queue; a later copy that disagrees with held bytes is reported
// (StreamEvent::OverlapDifferentData). Bytes already delivered are not kept, so a retransmission
// of those cannot be compared.
#pragma once

#include <cstdint>

#include "stream/direction.hpp"
#include "stream/segment.hpp"
#include "stream/stream_context.hpp"
#include "stream/stream_sink.hpp"

namespace postern::stream {

class DirectionStream {
public:
    // The sequence number of the first payload byte expected (ISN + 1, or the first seen).
    void init(uint32_t next_seq);
    // Moves the start of a stream that has not delivered, held or skipped anything yet (the
    // handshake told where its receiver starts).
    void reanchor(uint32_t next_seq);
    bool initialized() const { return initialized_; }
    bool untouched() const { return !touched_; }
    bool ended() const { return ended_; }
    uint32_t next_seq() const { return next_seq_; }
    uint32_t held_count() const { return held_count_; }

    void add(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t seq, SegmentRef seg);
    // A FIN at `fin_seq` (the sequence number just past the last payload byte).
    void fin(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t fin_seq);
    // End of the flow: deliver what is held, reporting holes as gaps, and end the direction.
    void flush(StreamContext &ctx, Direction dir, StreamSink &sink);
    // Drops everything held without delivering it (when the flow is no longer inspected).
    void release_all(StreamContext &ctx);

private:
    void deliver(StreamContext &ctx, Direction dir, StreamSink &sink, const uint8_t *data,
                 uint32_t len);
    void drain(StreamContext &ctx, Direction dir, StreamSink &sink);
    void skip_to_first_held(StreamContext &ctx, Direction dir, StreamSink &sink);
    void skip_to(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t seq);
    void maybe_end(Direction dir, StreamSink &sink);
    // Places [seq, seq+len) in the held list, skipping bytes already held. Returns how many
    // leading bytes were placed; less than len when a bound was hit.
    uint32_t hold(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t seq, SegmentRef seg);
    // Compares [seq, seq+len) of a new copy with the held bytes it overlaps.
    void compare_held(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t seq, const uint8_t *data,
                      uint32_t len);
    void report_difference(StreamContext &ctx, Direction dir, StreamSink &sink);
    uint32_t offset(uint32_t seq) const { return seq - next_seq_; }  // serial arithmetic

    uint32_t next_seq_ = 0;
    uint32_t fin_seq_ = 0;
    uint32_t head_ = kNoNode;
    uint16_t held_count_ = 0;
    bool initialized_ = false;
    bool touched_ = false;  // bytes were delivered, held or given up
    bool fin_seen_ = false;
    bool ended_ = false;
    bool difference_reported_ = false;
};

}  // namespace postern::stream
