// Splits a byte stream into lines (CRLF or bare LF) across span boundaries. A line that lies
// inside one span is returned as a view into that span; only the unfinished tail of a line is
// copied, into a carry buffer of fixed size. A line longer than the limit is reported once, as
// its first `max_line` bytes (OverlongHead), the rest is skipped up to the line end, which is
// reported as OverlongTail, so the parser never loses line sync. A reader that can take a line
// in pieces (the message parser: base64 bodies written as one long line decode as well as short
// lines) asks for the skipped bytes too (report_middle): they come as OverlongMiddle pieces,
// views into the input, between the head and the tail, still without a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "proto/common/byte_span.hpp"

namespace postern::proto {

enum class LineEnd : uint8_t { None, Lf, CrLf };

enum class LineKind : uint8_t {
    Complete,  // a whole line within the limit
    OverlongHead,  // the first max_line bytes of a longer line; end is None
    OverlongMiddle,  // with report_middle: content after the head, in pieces; end is None
    OverlongTail,  // the end of that longer line: text empty, length = full content length
    Unterminated,  // the tail left at flush() (end of stream, end of a BDAT chunk)
};

struct Line {
    std::string_view text;  // without the terminator
    LineKind kind = LineKind::Complete;
    LineEnd end = LineEnd::None;
    uint64_t length = 0;  // content bytes of the whole line (== text.size() unless overlong)

    bool overlong() const { return kind != LineKind::Complete && kind != LineKind::Unterminated; }
    // Its text is the start of a line (dot-stuffing, commands and boundaries are looked for there).
    bool starts_line() const { return kind != LineKind::OverlongMiddle && kind != LineKind::OverlongTail; }
    // Ended by LF alone: every mail protocol wants CRLF, and flags this.
    bool bare_lf() const { return end == LineEnd::Lf; }
    uint64_t eol_size() const { return end == LineEnd::CrLf ? 2 : end == LineEnd::Lf ? 1 : 0; }
    // Bytes this event accounts for on the wire (content not reported before + terminator).
    uint64_t wire_size() const {
        if (kind == LineKind::OverlongHead) return text.size();
        if (kind == LineKind::OverlongMiddle) return 0;  // the tail accounts for the whole line
        if (kind == LineKind::OverlongTail) return length - head_size + eol_size();
        return length + eol_size();
    }
    uint64_t head_size = 0;  // for OverlongTail: bytes already reported by its head
    // A Complete line whose text lies in the input span with its terminator right after it (not
    // assembled in the carry): text.data() up to text.end() + eol_size() are the wire bytes.
    bool in_place = false;
    // For OverlongTail: `seen` (head and middle bytes the reader got) is the whole line.
    bool overlong_complete(uint64_t seen) const { return seen == length; }
};

class LineAssembler {
public:
    // carry must hold capacity bytes, capacity >= max_line + 1 (room for a pending CR).
    LineAssembler(char *carry, size_t capacity, uint32_t max_line);
    LineAssembler(const LineAssembler &) = delete;
    LineAssembler &operator=(const LineAssembler &) = delete;

    // Consumes bytes from `in` until a line event is ready (true, `out` set) or `in` is empty
    // (false; an unfinished line stays in the carry). `out.text` is valid until the next call.
    bool next(ByteSpan &in, Line &out) {
        // One scan for the line end serves both ways below.
        const auto *lf = in.empty() ? nullptr : static_cast<const uint8_t *>(std::memchr(in.data, '\n', in.size));
        // Inline, the common case: nothing carried or pending, a whole line within the limit in `in`.
        if (lf != nullptr && state_ == State::Normal && carry_len_ == 0 && queued_count_ == 0 &&
            take_in_place(in, static_cast<size_t>(lf - in.data), out))
            return true;
        return next_general(in, out, lf);
    }

    // Hands out the unfinished tail (Unterminated) or the end of a skipped overlong line, if any.
    bool flush(Line &out);

    // Bytes were lost: drop the carry and skip to the start of the next line.
    void on_gap();

    void reset();
    void set_max_line(uint32_t max_line) {  // inline: parsers set it before every line
        if (max_line + size_t{1} > capacity_) max_line = static_cast<uint32_t>(capacity_ - 1);
        max_line_ = max_line == 0 ? 1 : max_line;
    }
    // The limit for the next line to start: a line already begun keeps the limit it was cut by.
    void limit_next_line(uint32_t max_line) {
        if (!mid_line()) set_max_line(max_line);
    }
    uint32_t max_line() const { return max_line_; }
    // Hand out the bytes of an overlong line beyond its head as OverlongMiddle pieces.
    void set_report_middle(bool on) { report_middle_ = on; }
    bool mid_line() const { return carry_len_ > 0 || state_ != State::Normal; }
    // Nothing carried, queued or pending: the next byte of the input starts a line.
    bool at_line_start() const { return carry_len_ == 0 && state_ == State::Normal && queued_count_ == 0; }

private:
    enum class State : uint8_t { Normal, SkippingOverlong, PendingTail, SkippingGap };

    // `lf`: the first line end in `in`, or nullptr (next() has looked).
    bool next_general(ByteSpan &in, Line &out, const uint8_t *lf);
    // Nothing carried, and the line ending at in.data[pos] lies in `in`: handed out as a view of
    // it when within the limit (false, nothing consumed, when longer).
    bool take_in_place(ByteSpan &in, size_t pos, Line &out) {
        const bool cr = pos > 0 && in.data[pos - 1] == '\r';
        const size_t content = pos - cr;
        if (content > max_line_) return false;
        out.text = {reinterpret_cast<const char *>(in.data), content};
        out.kind = LineKind::Complete;
        out.end = cr ? LineEnd::CrLf : LineEnd::Lf;
        out.length = content;
        out.head_size = 0;
        out.in_place = true;
        in.advance(pos + 1);
        return true;
    }

    bool overlong_without_lf(size_t total, bool last_is_cr) const;
    void queue_rest(const char *src, size_t carried, size_t content);
    void queue_middle(const void *p, size_t n);
    bool take_queued(Line &out);
    void make_head(Line &out, const char *src, size_t seen);
    void make_tail(Line &out, LineEnd end);

    char *carry_;
    size_t capacity_;
    uint32_t max_line_;
    size_t carry_len_ = 0;
    State state_ = State::Normal;
    uint64_t skipped_ = 0;  // bytes of an overlong line beyond its head, CR included
    uint32_t head_len_ = 0;  // size of that head (max_line may change before the tail)
    bool skipped_last_cr_ = false;
    LineEnd pending_end_ = LineEnd::None;
    bool report_middle_ = false;
    // Middle pieces found in one pass, handed out one per call before anything else: at most a
    // held CR, a byte of the carry and a run of the input.
    Line queued_[3];
    uint8_t queued_count_ = 0, queued_at_ = 0;
};

// A LineAssembler with its carry inside: the object has a fixed size, good for session pools.
template <uint32_t MaxLine>
class FixedLineAssembler : public LineAssembler {
public:
    explicit FixedLineAssembler(uint32_t max_line = MaxLine)
        : LineAssembler(storage_, sizeof storage_, max_line < MaxLine ? max_line : MaxLine) {}
    static constexpr uint32_t kMaxLine = MaxLine;

private:
    char storage_[MaxLine + 1];
};

}  // namespace postern::proto
