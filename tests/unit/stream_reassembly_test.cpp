// Ordered delivery of one TCP direction over reference-counted segment handles.
//
// Every segment handed to the stream is a heap block with a reference count: the caller drops its
// own reference right after add() (as the worker frees the mbuf), so the block only survives while
// the stream holds it. Reading a released segment is a use-after-free under ASan, a missing
// release is a leak the tracker reports, and a release without a retain is counted as an error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "stream/direction_stream.hpp"
#include "stream/segment_pool.hpp"
#include "stream/stream_context.hpp"

namespace {

using postern::stream::Direction;
using postern::stream::DirectionStream;
using postern::stream::index;
using postern::stream::SegmentOps;
using postern::stream::SegmentPool;
using postern::stream::SegmentRef;
using postern::stream::StreamContext;
using postern::stream::StreamLimits;
using postern::stream::StreamSink;

constexpr Direction kTs = Direction::ToServer;
constexpr Direction kTc = Direction::ToClient;

class SegmentTracker {
public:
    SegmentOps ops() {
        SegmentOps o;
        o.ctx = this;
        o.retain = [](void *ctx, void *h) { static_cast<SegmentTracker *>(ctx)->retain(h); };
        o.release = [](void *ctx, void *h) { static_cast<SegmentTracker *>(ctx)->release(h); };
        return o;
    }

    // A segment holding a copy of `bytes`, with one reference owned by the caller.
    SegmentRef make(std::string_view bytes) {
        Slot &s = slots_.emplace_back();
        s.len = bytes.size();
        s.data.reset(new uint8_t[std::max<size_t>(1, bytes.size())]);
        if (!bytes.empty()) std::memcpy(s.data.get(), bytes.data(), bytes.size());
        s.refs = 1;
        SegmentRef r;
        r.handle = &s;
        r.data = s.data.get();
        r.len = static_cast<uint32_t>(bytes.size());
        return r;
    }
    // The caller is done with its reference (the worker frees the mbuf after processing).
    void drop(const SegmentRef &r) { unref(static_cast<Slot *>(r.handle)); }

    uint64_t retains() const { return retains_; }
    uint64_t releases() const { return releases_; }
    uint64_t errors() const { return errors_; }
    // References the stream still holds.
    int64_t held_refs() const { return static_cast<int64_t>(retains_) - static_cast<int64_t>(releases_); }
    size_t live_segments() const {
        size_t n = 0;
        for (const auto &s : slots_) n += s.data != nullptr;
        return n;
    }

private:
    struct Slot {
        std::unique_ptr<uint8_t[]> data;
        size_t len = 0;
        int refs = 0;
    };
    Slot *find(void *h) {
        for (auto &s : slots_)
            if (&s == h) return &s;
        return nullptr;
    }
    void retain(void *h) {
        Slot *s = find(h);
        ++retains_;
        if (!s || s->refs <= 0) {  // retaining a dead segment
            ++errors_;
            return;
        }
        ++s->refs;
    }
    void release(void *h) {
        ++releases_;
        Slot *s = find(h);
        if (!s || s->refs <= 0) {  // double release
            ++errors_;
            return;
        }
        unref(s);
    }
    void unref(Slot *s) {
        if (--s->refs == 0) s->data.reset();  // ASan flags any later read of these bytes
    }

    std::deque<Slot> slots_;
    uint64_t retains_ = 0;
    uint64_t releases_ = 0;
    uint64_t errors_ = 0;
};

// Records what the application layer would see, checking the stream's promises as it goes.
class RecordingSink final : public StreamSink {
public:
    void on_data(Direction dir, const uint8_t *data, size_t len) override {
        auto &d = dirs_[index(dir)];
        if (d.ends) ++violations;  // nothing after the end
        if (len == 0) ++violations;
        d.bytes.append(reinterpret_cast<const char *>(data), len);
        d.shape += "D" + std::to_string(len) + " ";
        d.with_gaps.append(reinterpret_cast<const char *>(data), len);
    }
    void on_gap(Direction dir, uint32_t len) override {
        auto &d = dirs_[index(dir)];
        if (d.ends) ++violations;
        if (len == 0) ++violations;
        d.gap_bytes += len;
        d.shape += "G" + std::to_string(len) + " ";
        d.with_gaps.append(len, '\0');
    }
    void on_end(Direction dir) override {
        auto &d = dirs_[index(dir)];
        ++d.ends;
        d.shape += "E";
    }

    const std::string &bytes(Direction d = kTs) const { return dirs_[index(d)].bytes; }
    // Data with each gap as that many NUL bytes: positions line up with the original stream.
    const std::string &with_gaps(Direction d = kTs) const { return dirs_[index(d)].with_gaps; }
    // "D5 G3 D2 E": the sequence of callbacks.
    std::string shape(Direction d = kTs) const {
        std::string s = dirs_[index(d)].shape;
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return s;
    }
    int ends(Direction d = kTs) const { return dirs_[index(d)].ends; }
    uint64_t gap_bytes(Direction d = kTs) const { return dirs_[index(d)].gap_bytes; }

    int violations = 0;

private:
    struct PerDir {
        std::string bytes;
        std::string with_gaps;
        std::string shape;
        uint64_t gap_bytes = 0;
        int ends = 0;
    };
    PerDir dirs_[2];
};

StreamLimits limits(uint32_t max_held = 64, uint32_t max_window = 16u << 20) {
    StreamLimits l;
    l.max_held_per_direction = max_held;
    l.max_window = max_window;
    return l;
}

// One worker's stream state with two directions over a shared pool.
struct Harness {
    explicit Harness(uint32_t pool_capacity = 1024, StreamLimits l = limits())
        : pool(pool_capacity), ctx{pool, tracker.ops(), l, {}} {}

    void add(uint32_t seq, std::string_view bytes, Direction dir = kTs) {
        const SegmentRef seg = tracker.make(bytes);
        stream(dir).add(ctx, dir, sink, seq, seg);
        tracker.drop(seg);
    }
    void fin(uint32_t fin_seq, Direction dir = kTs) { stream(dir).fin(ctx, dir, sink, fin_seq); }
    void flush(Direction dir = kTs) { stream(dir).flush(ctx, dir, sink); }
    DirectionStream &stream(Direction dir) { return streams[index(dir)]; }

    // Nothing leaked, nothing released twice, the pool is whole again.
    void expect_balanced() {
        EXPECT_EQ(tracker.errors(), 0u);
        EXPECT_EQ(tracker.held_refs(), 0);
        EXPECT_EQ(tracker.live_segments(), 0u);
        EXPECT_EQ(pool.in_use(), 0u);
        EXPECT_EQ(sink.violations, 0);
    }

    SegmentTracker tracker;
    SegmentPool pool;
    StreamContext ctx;
    RecordingSink sink;
    DirectionStream streams[2];
};

// ---------------------------------------------------------------- basics

TEST(Stream, InOrderGoesStraightThrough) {
    Harness h;
    h.stream(kTs).init(1000);
    h.add(1000, "hello");
    h.add(1005, " world");
    EXPECT_EQ(h.sink.bytes(), "hello world");
    EXPECT_EQ(h.sink.shape(), "D5 D6");
    EXPECT_EQ(h.stream(kTs).next_seq(), 1011u);
    EXPECT_EQ(h.stream(kTs).held_count(), 0u);
    EXPECT_EQ(h.tracker.retains(), 0u);  // in-order data is never held
    EXPECT_EQ(h.ctx.stats.segments_in_order, 2u);
    h.flush();
    EXPECT_EQ(h.sink.shape(), "D5 D6 E");
    h.expect_balanced();
}

TEST(Stream, FirstSegmentInitialisesWhenNoHandshakeWasSeen) {
    Harness h;
    EXPECT_FALSE(h.stream(kTs).initialized());
    h.add(777, "");  // empty segments change nothing
    EXPECT_FALSE(h.stream(kTs).initialized());
    h.add(5000, "abc");
    EXPECT_TRUE(h.stream(kTs).initialized());
    EXPECT_EQ(h.sink.bytes(), "abc");
    EXPECT_EQ(h.stream(kTs).next_seq(), 5003u);
    h.flush();
    h.expect_balanced();
}

TEST(Stream, OutOfOrderIsHeldUntilTheHoleFills) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(5, "world");
    EXPECT_EQ(h.sink.bytes(), "");
    EXPECT_EQ(h.stream(kTs).held_count(), 1u);
    EXPECT_EQ(h.tracker.held_refs(), 1);
    EXPECT_EQ(h.pool.in_use(), 1u);
    h.add(0, "hello");
    EXPECT_EQ(h.sink.bytes(), "helloworld");
    EXPECT_EQ(h.sink.shape(), "D5 D5");
    EXPECT_EQ(h.stream(kTs).held_count(), 0u);
    EXPECT_EQ(h.ctx.stats.segments_held, 1u);
    h.flush();
    h.expect_balanced();
}

TEST(Stream, ReverseOrderArrival) {
    Harness h;
    h.stream(kTs).init(100);
    const std::string text = "The quick brown fox jumps over the lazy dog";
    for (size_t i = text.size(); i-- > 0;) h.add(100 + static_cast<uint32_t>(i), text.substr(i, 1));
    EXPECT_EQ(h.sink.bytes(), text);
    h.flush();
    h.expect_balanced();
}

TEST(Stream, DuplicatesAreDroppedOnce) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(0, "abc");
    h.add(0, "abc");  // retransmission of delivered data
    EXPECT_EQ(h.ctx.stats.segments_retransmitted, 1u);
    h.add(6, "ghi");
    h.add(6, "ghi");  // duplicate of held data
    h.add(6, "ghi");
    EXPECT_EQ(h.stream(kTs).held_count(), 1u);
    EXPECT_EQ(h.tracker.held_refs(), 1);
    h.add(3, "def");
    EXPECT_EQ(h.sink.bytes(), "abcdefghi");
    EXPECT_EQ(h.ctx.stats.overlap_bytes, 3u + 6u);
    h.add(2, "cdefg");  // old again
    EXPECT_EQ(h.sink.bytes(), "abcdefghi");
    h.flush();
    h.expect_balanced();
}

TEST(Stream, PartialRetransmissionDeliversOnlyTheNewTail) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(0, "abcd");
    h.add(2, "CDefgh");
    EXPECT_EQ(h.sink.bytes(), "abcdefgh");
    EXPECT_EQ(h.ctx.stats.overlap_bytes, 2u);
    h.flush();
    h.expect_balanced();
}

// ---------------------------------------------------------------- overlaps: the first copy wins

TEST(Stream, OverlapBetweenHeldSegmentsFirstCopyWins) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(10, "AAAAA");      // [10, 15)
    h.add(12, "bbbbbbb");    // [12, 19): 12..14 already held
    h.add(8, "cccc");        // [8, 12): 10, 11 already held
    h.add(0, "01234567");
    EXPECT_EQ(h.sink.bytes(), "01234567ccAAAAAbbbb");
    h.flush();
    h.expect_balanced();
}

TEST(Stream, NewSegmentStraddlingSeveralHeldOnes) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(10, "aa");  // [10, 12)
    h.add(20, "bb");  // [20, 22)
    h.add(30, "cc");  // [30, 32)
    h.add(5, std::string(30, 'N'));  // [5, 35): fills the four holes around them
    EXPECT_EQ(h.stream(kTs).held_count(), 7u);
    EXPECT_EQ(h.ctx.stats.overlap_bytes, 6u);
    EXPECT_EQ(h.sink.bytes(), "");
    h.add(0, "01234");
    EXPECT_EQ(h.sink.bytes(), "01234NNNNNaaNNNNNNNNbbNNNNNNNNccNNN");
    EXPECT_EQ(h.stream(kTs).held_count(), 0u);
    h.flush();
    h.expect_balanced();
}

// In-order data that runs over held data: the held bytes arrived first, so they win.
TEST(Stream, InOrderSegmentOverHeldDataFirstCopyWins) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(5, "HELD!");  // [5, 10)
    h.add(0, "xxxxxyyyyyzzzz");  // [0, 14)
    EXPECT_EQ(h.sink.bytes(), "xxxxxHELD!zzzz");
    EXPECT_EQ(h.stream(kTs).next_seq(), 14u);
    EXPECT_EQ(h.ctx.stats.overlap_bytes, 5u);
    h.flush();
    h.expect_balanced();
}

TEST(Stream, InOrderSegmentStraddlingSeveralHeldOnes) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(10, "aa");
    h.add(20, "bb");
    h.add(30, "cc");
    h.add(0, std::string(35, 'N'));
    EXPECT_EQ(h.sink.bytes(), "NNNNNNNNNNaaNNNNNNNNbbNNNNNNNNccNNN");
    EXPECT_EQ(h.stream(kTs).held_count(), 0u);
    h.add(0, std::string(40, 'Z'));  // only the last 5 bytes are new
    EXPECT_EQ(h.sink.bytes(), "NNNNNNNNNNaaNNNNNNNNbbNNNNNNNNccNNNZZZZZ");
    h.flush();
    h.expect_balanced();
}

TEST(Stream, InOrderSegmentEndingInsideAHeldOne) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(4, "HHHH");  // [4, 8)
    h.add(12, "JJ");   // [12, 14)
    h.add(0, "0123456");  // [0, 7): ends inside the first held segment
    EXPECT_EQ(h.sink.bytes(), "0123HHHH");
    EXPECT_EQ(h.stream(kTs).held_count(), 1u);
    h.add(8, "89ab");
    EXPECT_EQ(h.sink.bytes(), "0123HHHH89abJJ");
    h.flush();
    h.expect_balanced();
}

// ---------------------------------------------------------------- sequence wraparound

TEST(Stream, SequenceWrapsAround2To32) {
    Harness h;
    const uint32_t isn = 0xFFFFFFF8u;
    h.stream(kTs).init(isn);
    h.add(isn + 12, "MNOP");          // [4, 8) after the wrap: held
    h.add(isn + 4, "efghijkl");       // crosses zero: held
    EXPECT_EQ(h.stream(kTs).held_count(), 2u);
    h.add(isn, "abcd");
    EXPECT_EQ(h.sink.bytes(), "abcdefghijklMNOP");
    EXPECT_EQ(h.stream(kTs).next_seq(), 8u);
    h.add(0xFFFFFFFEu, "xxxxx");      // before the wrap and entirely old
    EXPECT_EQ(h.ctx.stats.segments_retransmitted, 1u);
    h.add(6, "OPqr");                 // partly old, across nothing
    EXPECT_EQ(h.sink.bytes(), "abcdefghijklMNOPqr");
    h.fin(10);
    EXPECT_EQ(h.sink.ends(), 1);
    h.expect_balanced();
}

TEST(Stream, HeldDataAcrossTheWrapIsFlushedInOrder) {
    Harness h;
    h.stream(kTs).init(0xFFFFFF00u);
    h.add(0xFFFFFFF0u, std::string(32, 'w'));  // crosses zero
    h.add(0x10u, "after");  // right after it
    h.flush();
    EXPECT_EQ(h.sink.shape(), "G240 D32 D5 E");
    h.expect_balanced();
}

// ---------------------------------------------------------------- flush and gaps

TEST(Stream, FlushReportsGapsAndDeliversHeldData) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(0, "ab");
    h.add(10, "k");
    h.add(20, "uv");
    h.flush();
    EXPECT_EQ(h.sink.shape(), "D2 G8 D1 G9 D2 E");
    EXPECT_EQ(h.sink.bytes(), "abkuv");
    EXPECT_EQ(h.ctx.stats.gaps, 2u);
    EXPECT_EQ(h.ctx.stats.gap_bytes, 17u);
    EXPECT_TRUE(h.stream(kTs).ended());
    h.flush();  // a second flush adds nothing
    EXPECT_EQ(h.sink.ends(), 1);
    h.expect_balanced();
}

TEST(Stream, ReleaseAllDropsHeldDataWithoutDelivering) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(10, "held");
    h.add(20, "more");
    EXPECT_EQ(h.tracker.held_refs(), 2);
    h.stream(kTs).release_all(h.ctx);
    EXPECT_EQ(h.stream(kTs).held_count(), 0u);
    EXPECT_EQ(h.sink.bytes(), "");
    h.stream(kTs).release_all(h.ctx);  // idempotent
    h.expect_balanced();
}

// ---------------------------------------------------------------- bounds

TEST(Stream, PerDirectionHoldLimitForcesAGap) {
    Harness h(1024, limits(3));
    h.stream(kTs).init(0);
    h.add(10, "A");
    h.add(20, "B");
    h.add(30, "C");
    EXPECT_EQ(h.stream(kTs).held_count(), 3u);
    h.add(40, "D");  // no room: give up on the hole before A
    EXPECT_EQ(h.ctx.stats.held_limit_flow, 1u);
    EXPECT_EQ(h.sink.shape(), "G10 D1");
    EXPECT_EQ(h.stream(kTs).held_count(), 3u);  // B, C, D
    h.add(11, std::string(9, 'b'));
    EXPECT_EQ(h.sink.bytes(), "AbbbbbbbbbB");
    h.flush();
    EXPECT_EQ(h.sink.shape(), "G10 D1 D9 D1 G9 D1 G9 D1 E");
    EXPECT_EQ(h.ctx.stats.gaps, 3u);
    h.expect_balanced();
}

// When the bound is hit by a segment that lies before everything held, the hole to give up is the
// one before that segment: its own bytes must be delivered, not reported missing.
TEST(Stream, HoldLimitHitBySegmentBeforeTheHeldOnes) {
    Harness h(1024, limits(2));
    h.stream(kTs).init(0);
    h.add(100, "1111");
    h.add(200, "2222");
    h.add(50, "XXXXXXXXXX");  // [50, 60)
    EXPECT_EQ(h.sink.with_gaps(), std::string(50, '\0') + "XXXXXXXXXX");
    EXPECT_EQ(h.stream(kTs).next_seq(), 60u);
    EXPECT_EQ(h.sink.gap_bytes(), 50u);
    h.flush();
    EXPECT_EQ(h.sink.with_gaps(), std::string(50, '\0') + "XXXXXXXXXX" + std::string(40, '\0') +
                                      "1111" + std::string(96, '\0') + "2222");
    h.expect_balanced();
}

TEST(Stream, HoldLimitHitHalfwayThroughASegment) {
    Harness h(1024, limits(2));
    h.stream(kTs).init(0);
    h.add(10, "aaaaaaaaaa");  // [10, 20)
    h.add(30, "cccccccccc");  // [30, 40)
    h.add(15, std::string(35, 'n'));  // overlaps a, fills [20, 30) - no room - then [40, 50)
    // Whatever was given up, every delivered byte sits at its own position.
    h.flush();
    const std::string want = std::string(10, '\0') + "aaaaaaaaaa" + std::string(10, 'n') +
                             "cccccccccc" + std::string(10, 'n');
    EXPECT_EQ(h.sink.with_gaps(), want);
    EXPECT_EQ(h.sink.gap_bytes(), 10u);
    h.expect_balanced();
}

TEST(Stream, ZeroHoldLimitDeliversAfterAGap) {
    Harness h(1024, limits(0));
    h.stream(kTs).init(0);
    h.add(5, "later");
    EXPECT_EQ(h.sink.shape(), "G5 D5");
    EXPECT_EQ(h.ctx.stats.held_limit_flow, 1u);
    h.add(0, "early");  // too late now
    EXPECT_EQ(h.sink.bytes(), "later");
    h.flush();
    h.expect_balanced();
}

TEST(Stream, WorkerPoolLimit) {
    Harness h(2);  // the whole worker may hold two segments
    h.stream(kTs).init(0);
    h.stream(kTc).init(0);
    h.add(10, "t1", kTs);
    h.add(20, "t2", kTs);
    EXPECT_EQ(h.pool.in_use(), 2u);
    // The other direction finds the pool empty and holds nothing: it gives up its hole.
    h.add(7, "c1", kTc);
    EXPECT_EQ(h.ctx.stats.held_limit_worker, 1u);
    EXPECT_EQ(h.sink.shape(kTc), "G7 D2");
    EXPECT_EQ(h.stream(kTc).held_count(), 0u);
    // The first direction needs a third node: it gives up its own oldest hole to free one.
    h.add(30, "t3", kTs);
    EXPECT_EQ(h.ctx.stats.held_limit_worker, 2u);
    EXPECT_EQ(h.sink.shape(kTs), "G10 D2");
    EXPECT_EQ(h.pool.in_use(), 2u);
    h.add(12, std::string(8, 'x'), kTs);
    EXPECT_EQ(h.sink.bytes(kTs), "t1xxxxxxxxt2");
    h.flush(kTs);
    h.flush(kTc);
    EXPECT_EQ(h.sink.shape(kTs), "G10 D2 D8 D2 G8 D2 E");
    h.expect_balanced();
}

TEST(Stream, OutOfWindowDataIsNotHeld) {
    Harness h(1024, limits(64, 1000));
    h.stream(kTs).init(0);
    h.add(1001, "far");
    EXPECT_EQ(h.ctx.stats.out_of_window, 1u);
    EXPECT_EQ(h.stream(kTs).held_count(), 0u);
    h.add(0x80000000u, "very far");
    EXPECT_EQ(h.ctx.stats.out_of_window, 2u);
    h.add(1000, "edge");  // exactly the window: held
    EXPECT_EQ(h.stream(kTs).held_count(), 1u);
    h.flush();
    EXPECT_EQ(h.sink.shape(), "G1000 D4 E");
    h.expect_balanced();
}

// ---------------------------------------------------------------- FIN and the end

TEST(Stream, FinInOrder) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(0, "bye");
    h.fin(3);
    EXPECT_EQ(h.sink.shape(), "D3 E");
    EXPECT_TRUE(h.stream(kTs).ended());
    h.fin(3);  // retransmitted FIN
    h.flush();
    EXPECT_EQ(h.sink.ends(), 1);
    h.expect_balanced();
}

TEST(Stream, FinBeforeMissingData) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(0, "ab");
    h.add(4, "ef");
    h.fin(6);
    EXPECT_EQ(h.sink.ends(), 0);
    h.add(2, "cd");
    EXPECT_EQ(h.sink.shape(), "D2 D2 D2 E");
    EXPECT_EQ(h.sink.bytes(), "abcdef");
    h.expect_balanced();
}

TEST(Stream, FinBeforeMissingDataThatNeverComes) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(0, "ab");
    h.fin(5);
    h.flush();
    EXPECT_EQ(h.sink.shape(), "D2 G3 E");
    EXPECT_EQ(h.ctx.stats.gap_bytes, 3u);
    h.expect_balanced();
}

TEST(Stream, FinOnAnEmptyStream) {
    Harness h;
    h.fin(1234);
    EXPECT_TRUE(h.stream(kTs).initialized());
    EXPECT_EQ(h.sink.shape(), "E");
    h.expect_balanced();
}

// A segment that runs past the FIN still ends the direction when it is delivered.
TEST(Stream, SegmentRunningPastTheFinStillEnds) {
    Harness h;
    h.stream(kTs).init(0);
    h.fin(5);
    h.add(0, "0123456789");
    EXPECT_EQ(h.sink.ends(), 1);
    h.flush();
    EXPECT_EQ(h.sink.ends(), 1);
    h.expect_balanced();
}

TEST(Stream, DataAfterEnd) {
    Harness h;
    h.stream(kTs).init(0);
    h.add(0, "abc");
    h.fin(3);
    h.add(3, "late");
    h.add(10, "later");
    EXPECT_EQ(h.ctx.stats.data_after_end, 2u);
    EXPECT_EQ(h.sink.bytes(), "abc");
    EXPECT_EQ(h.tracker.retains(), 0u);
    h.flush();
    EXPECT_EQ(h.sink.shape(), "D3 E");
    h.expect_balanced();
}

TEST(Stream, FlushEndsADirectionThatNeverSawData) {
    Harness h;
    h.flush();
    EXPECT_EQ(h.sink.shape(), "E");
    h.add(0, "x");
    EXPECT_EQ(h.ctx.stats.data_after_end, 1u);
    h.expect_balanced();
}

// ---------------------------------------------------------------- randomised properties

// Index of the first difference (or of the end of the shorter), or npos when equal: keeps
// failure messages short for kilobyte streams.
size_t first_difference(const std::string &a, const std::string &b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return i;
    return a.size() == b.size() ? std::string::npos : n;
}

struct Piece {
    uint32_t offset;
    std::string bytes;
};

// Cuts `text` into segments, adds duplicates and overlapping re-sends, and shuffles them.
std::vector<Piece> scatter(const std::string &text, std::mt19937_64 &rng, bool same_bytes) {
    std::vector<Piece> pieces;
    for (size_t at = 0; at < text.size();) {
        const size_t n = std::min<size_t>(text.size() - at, 1 + rng() % 300);
        pieces.push_back({static_cast<uint32_t>(at), text.substr(at, n)});
        at += n;
    }
    const size_t extra = rng() % (pieces.size() + 1);
    for (size_t i = 0; i < extra; ++i) {
        if (rng() % 2) {
            pieces.push_back(pieces[rng() % pieces.size()]);  // exact duplicate
        } else {  // an arbitrary overlapping range
            const size_t a = rng() % text.size();
            const size_t n = std::min<size_t>(text.size() - a, 1 + rng() % 600);
            Piece p{static_cast<uint32_t>(a), text.substr(a, n)};
            if (!same_bytes)
                for (auto &c : p.bytes) c = static_cast<char>('a' + rng() % 26);
            pieces.push_back(p);
        }
    }
    std::shuffle(pieces.begin(), pieces.end(), rng);
    return pieces;
}

std::string random_text(std::mt19937_64 &rng, size_t max_len) {
    std::string s(1 + rng() % max_len, '\0');
    for (auto &c : s) c = static_cast<char>(rng());
    return s;
}

uint32_t random_isn(std::mt19937_64 &rng) {
    switch (rng() % 3) {
    case 0: return 0xFFFFFFFFu - static_cast<uint32_t>(rng() % 4000);  // wraps during the stream
    case 1: return static_cast<uint32_t>(rng() % 100);
    default: return static_cast<uint32_t>(rng());
    }
}

TEST(Stream, RandomSegmentationDeliversTheOriginalBytes) {
    std::mt19937_64 rng(2024);
    for (int round = 0; round < 300; ++round) {
        const std::string text = random_text(rng, 5000);
        const uint32_t isn = random_isn(rng);
        const auto pieces = scatter(text, rng, true);
        Harness h(100000, limits(100000));
        h.stream(kTs).init(isn);
        const size_t fin_at = rng() % (pieces.size() + 1);
        for (size_t i = 0; i <= pieces.size(); ++i) {
            if (i == fin_at) h.fin(isn + static_cast<uint32_t>(text.size()));
            if (i < pieces.size()) h.add(isn + pieces[i].offset, pieces[i].bytes);
        }
        ASSERT_EQ(h.sink.bytes().size(), text.size()) << "round " << round;
        ASSERT_EQ(first_difference(h.sink.bytes(), text), std::string::npos) << "round " << round;
        ASSERT_EQ(h.sink.ends(), 1) << "round " << round;
        ASSERT_EQ(h.ctx.stats.gaps, 0u);
        h.flush();
        ASSERT_EQ(h.sink.ends(), 1);
        h.expect_balanced();
        if (HasFailure()) return;
    }
}

// With different bytes in re-sent ranges, each position must carry the first copy that arrived.
TEST(Stream, RandomOverlapsFirstCopyWins) {
    std::mt19937_64 rng(99);
    for (int round = 0; round < 300; ++round) {
        const std::string text = random_text(rng, 3000);
        const uint32_t isn = random_isn(rng);
        const auto pieces = scatter(text, rng, false);
        std::vector<std::optional<char>> first(text.size());
        for (const auto &p : pieces)
            for (size_t i = 0; i < p.bytes.size(); ++i)
                if (!first[p.offset + i]) first[p.offset + i] = p.bytes[i];
        std::string want;
        for (const auto &c : first) want += *c;

        Harness h(100000, limits(100000));
        h.stream(kTs).init(isn);
        for (const auto &p : pieces) h.add(isn + p.offset, p.bytes);
        ASSERT_EQ(h.sink.bytes().size(), want.size()) << "round " << round;
        ASSERT_EQ(first_difference(h.sink.bytes(), want), std::string::npos) << "round " << round;
        h.fin(isn + static_cast<uint32_t>(text.size()));
        ASSERT_EQ(h.sink.ends(), 1);
        h.expect_balanced();
        if (HasFailure()) return;
    }
}

// Tight bounds: bytes may be given up, but never misplaced, leaked or delivered twice, and both
// directions still end exactly once.
TEST(Stream, RandomSegmentationUnderTightBounds) {
    std::mt19937_64 rng(7);
    uint64_t flow_limits = 0, worker_limits = 0, gaps = 0;
    for (int round = 0; round < 300; ++round) {
        const uint32_t max_held = static_cast<uint32_t>(rng() % 6);
        Harness h(static_cast<uint32_t>(1 + rng() % 8), limits(max_held));
        std::string text[2];
        std::vector<Piece> pieces[2];
        uint32_t isn[2];
        for (int d = 0; d < 2; ++d) {
            text[d] = random_text(rng, 3000);
            pieces[d] = scatter(text[d], rng, true);
            isn[d] = random_isn(rng);
            h.streams[d].init(isn[d]);
        }
        size_t next[2] = {0, 0};
        while (next[0] < pieces[0].size() || next[1] < pieces[1].size()) {
            int d = static_cast<int>(rng() % 2);
            if (next[d] == pieces[d].size()) d = 1 - d;
            const Piece &p = pieces[d][next[d]++];
            h.add(isn[d] + p.offset, p.bytes, static_cast<Direction>(d));
        }
        for (int d = 0; d < 2; ++d) {
            const auto dir = static_cast<Direction>(d);
            h.fin(isn[d] + static_cast<uint32_t>(text[d].size()), dir);
            h.flush(dir);
            const std::string &got = h.sink.with_gaps(dir);
            ASSERT_EQ(got.size(), text[d].size()) << "round " << round << " dir " << d;
            for (size_t i = 0; i < got.size(); ++i)
                if (got[i] != '\0' || text[d][i] == '\0') {
                    ASSERT_EQ(got[i], text[d][i]) << round << " at " << i;
                }
            ASSERT_EQ(h.sink.ends(dir), 1);
        }
        EXPECT_EQ(h.ctx.stats.gap_bytes, h.sink.gap_bytes(kTs) + h.sink.gap_bytes(kTc));
        h.expect_balanced();
        if (HasFailure()) return;
        flow_limits += h.ctx.stats.held_limit_flow;
        worker_limits += h.ctx.stats.held_limit_worker;
        gaps += h.ctx.stats.gaps;
    }
    // The bounds were really exercised.
    EXPECT_GT(flow_limits, 100u);
    EXPECT_GT(worker_limits, 100u);
    EXPECT_GT(gaps, 100u);
}

}  // namespace
