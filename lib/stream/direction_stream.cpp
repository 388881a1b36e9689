#include "stream/direction_stream.hpp"

#include <algorithm>
#include <cstring>

namespace postern::stream {

namespace {
// True if a is before b in sequence space (RFC 1982 serial arithmetic).
inline bool seq_lt(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
}  // namespace

void DirectionStream::init(uint32_t next_seq) {
    next_seq_ = next_seq;
    initialized_ = true;
}

void DirectionStream::reanchor(uint32_t next_seq) {
    if (touched_) return;
    next_seq_ = next_seq;
    initialized_ = true;
}

void DirectionStream::report_difference(StreamContext &ctx, Direction dir, StreamSink &sink) {
    ++ctx.stats.overlap_different;
    if (difference_reported_) return;  // one event per direction: a flood says nothing more
    difference_reported_ = true;
    sink.on_event(dir, StreamEvent::OverlapDifferentData);
}

void DirectionStream::compare_held(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t seq,
                                   const uint8_t *data, uint32_t len) {
    for (uint32_t n = head_; n != kNoNode; n = ctx.pool[n].next) {
        const HeldSegment &h = ctx.pool[n];
        if (!seq_lt(h.seq, seq + len)) return;  // held segments are in order: none further overlaps
        if (!seq_lt(seq, h.seq + h.len)) continue;
        const uint32_t from = seq_lt(seq, h.seq) ? h.seq : seq;
        const uint32_t to = seq_lt(seq + len, h.seq + h.len) ? seq + len : h.seq + h.len;
        if (std::memcmp(data + (from - seq), h.data + (from - h.seq), to - from) != 0)
            return report_difference(ctx, dir, sink);
    }
}

void DirectionStream::deliver(StreamContext &ctx, Direction dir, StreamSink &sink,
                              const uint8_t *data, uint32_t len) {
    (void)ctx;
    if (len == 0) return;
    touched_ = true;
    sink.on_data(dir, data, len);
    next_seq_ += len;
}

void DirectionStream::maybe_end(Direction dir, StreamSink &sink) {
    if (fin_seen_ && !ended_ && !seq_lt(next_seq_, fin_seq_)) {  // data may run past a FIN
        ended_ = true;
        sink.on_end(dir);
    }
}

// Delivers held segments that the in-order data has reached.
void DirectionStream::drain(StreamContext &ctx, Direction dir, StreamSink &sink) {
    while (head_ != kNoNode) {
        HeldSegment &h = ctx.pool[head_];
        if (seq_lt(next_seq_, h.seq)) break;  // still a hole before it
        const uint32_t old = next_seq_ - h.seq;
        if (old < h.len) {
            deliver(ctx, dir, sink, h.data + old, h.len - old);
        } else {
            ctx.stats.overlap_bytes += h.len;
        }
        const uint32_t next = h.next;
        ctx.ops.release(ctx.ops.ctx, h.handle);
        ctx.pool.free(head_);
        head_ = next;
        --held_count_;
    }
    maybe_end(dir, sink);
}

// Gives up on the hole before the first held segment: reports it as a gap and moves on.
void DirectionStream::skip_to_first_held(StreamContext &ctx, Direction dir, StreamSink &sink) {
    if (head_ == kNoNode) return;
    if (seq_lt(next_seq_, ctx.pool[head_].seq)) skip_to(ctx, dir, sink, ctx.pool[head_].seq);
    drain(ctx, dir, sink);
}

// The bytes from next_seq_ up to `seq` will not come: reported as a gap, stream moved on.
void DirectionStream::skip_to(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t seq) {
    const uint32_t missing = seq - next_seq_;
    touched_ = true;
    ++ctx.stats.gaps;
    ctx.stats.gap_bytes += missing;
    sink.on_gap(dir, missing);
    next_seq_ = seq;
}

uint32_t DirectionStream::hold(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t seq, SegmentRef seg) {
    uint32_t s = offset(seq);  // > 0: the caller handled in-order data
    const uint32_t start = s;
    const uint32_t e = s + seg.len;
    uint32_t prev = kNoNode;
    uint32_t cur = head_;
    // Inserts [from, to) after `prev`; false when a bound stops it.
    auto place = [&](uint32_t from, uint32_t to) -> bool {
        if (held_count_ >= ctx.limits.max_held_per_direction) {
            ++ctx.stats.held_limit_flow;
            return false;
        }
        const uint32_t n = ctx.pool.allocate();
        if (n == kNoNode) {
            ++ctx.stats.held_limit_worker;
            return false;
        }
        HeldSegment &h = ctx.pool[n];
        h.seq = next_seq_ + from;
        h.len = to - from;
        h.data = seg.data + (from - start);
        h.handle = seg.handle;
        ctx.ops.retain(ctx.ops.ctx, seg.handle);
        touched_ = true;
        if (prev == kNoNode) {
            h.next = head_;
            head_ = n;
        } else {
            h.next = ctx.pool[prev].next;
            ctx.pool[prev].next = n;
        }
        prev = n;
        ++held_count_;
        ++ctx.stats.segments_held;
        return true;
    };
    while (cur != kNoNode && s < e) {
        const HeldSegment &h = ctx.pool[cur];
        const uint32_t cs = offset(h.seq);
        const uint32_t ce = cs + h.len;
        if (ce <= s) {
            prev = cur, cur = h.next;
            continue;
        }
        if (cs > s) {  // a hole before this held segment: our bytes fill it
            const uint32_t to = std::min(e, cs);
            if (!place(s, to)) return s - start;
            s = to;
        }
        if (s < e && s < ce) {  // bytes the held segment already has: first copy wins
            const uint32_t to = std::min(e, ce);
            ctx.stats.overlap_bytes += to - s;
            if (std::memcmp(seg.data + (s - start), h.data + (s - cs), to - s) != 0)
                report_difference(ctx, dir, sink);
            s = to;
        }
        prev = cur, cur = ctx.pool[cur].next;
    }
    if (s < e && !place(s, e)) return s - start;
    return seg.len;
}

void DirectionStream::add(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t seq,
                          SegmentRef seg) {
    if (seg.len == 0) return;
    if (!initialized_) init(seq);
    if (ended_) {
        ++ctx.stats.data_after_end;
        return;
    }
    while (seg.len > 0) {
        if (!seq_lt(next_seq_, seq)) {  // starts at or before the next expected byte
            const uint32_t old = next_seq_ - seq;
            if (old >= seg.len) {
                ++ctx.stats.segments_retransmitted;
                ctx.stats.overlap_bytes += seg.len;
                return;
            }
            ctx.stats.overlap_bytes += old;
            ++ctx.stats.segments_in_order;
            seq += old, seg.data += old, seg.len -= old;
            // Held bytes arrived first and win: ours go only up to the first held segment.
            while (seg.len > 0 && !ended_) {
                uint32_t n = seg.len;
                if (head_ != kNoNode) n = std::min(n, ctx.pool[head_].seq - next_seq_);
                deliver(ctx, dir, sink, seg.data, n);
                seq += n, seg.data += n, seg.len -= n;
                if (seg.len > 0) compare_held(ctx, dir, sink, seq, seg.data, seg.len);  // before it is freed
                drain(ctx, dir, sink);
                const uint32_t taken = std::min(seg.len, next_seq_ - seq);  // supplied by held data
                ctx.stats.overlap_bytes += taken;
                seq += taken, seg.data += taken, seg.len -= taken;
            }
            if (seg.len > 0) ++ctx.stats.data_after_end;
            return;
        }
        if (offset(seq) > ctx.limits.max_window) {
            ++ctx.stats.out_of_window;
            return;
        }
        const uint32_t placed = hold(ctx, dir, sink, seq, seg);
        if (placed == seg.len) return;
        // A bound was hit: stop waiting for the oldest hole, then place the rest.
        seq += placed, seg.data += placed, seg.len -= placed;
        if (head_ != kNoNode && !seq_lt(seq, ctx.pool[head_].seq)) {
            skip_to_first_held(ctx, dir, sink);
        } else {  // nothing held before it: the hole to give up ends where this segment starts
            skip_to(ctx, dir, sink, seq);
        }
    }
}

void DirectionStream::fin(StreamContext &ctx, Direction dir, StreamSink &sink, uint32_t fin_seq) {
    if (!initialized_) init(fin_seq);
    if (!fin_seen_) {
        fin_seen_ = true;
        fin_seq_ = fin_seq;
    }
    (void)ctx;
    maybe_end(dir, sink);
}

void DirectionStream::flush(StreamContext &ctx, Direction dir, StreamSink &sink) {
    while (head_ != kNoNode) skip_to_first_held(ctx, dir, sink);
    if (ended_) return;
    if (fin_seen_ && seq_lt(next_seq_, fin_seq_)) skip_to(ctx, dir, sink, fin_seq_);  // the tail before the FIN never arrived
    ended_ = true;
    sink.on_end(dir);
}

void DirectionStream::release_all(StreamContext &ctx) {
    while (head_ != kNoNode) {
        const uint32_t next = ctx.pool[head_].next;
        ctx.ops.release(ctx.ops.ctx, ctx.pool[head_].handle);
        ctx.pool.free(head_);
        head_ = next;
    }
    held_count_ = 0;
}

}  // namespace postern::stream
