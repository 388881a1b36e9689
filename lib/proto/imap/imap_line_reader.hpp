// Lines of one IMAP direction, with what a plain LineAssembler drops: the last bytes of a line
// cut for being too long. IMAP announces a literal at the very end of a line ("... {4096}"), so
// the end of an overlong line must still be read or the byte count that follows would be lost
// and the stream desynchronised. Only the unfinished part of a line is copied (the assembler's
// carry), plus its last kTail bytes when a span ends inside a line or a line is overlong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/common/line_assembler.hpp"

namespace postern::proto {

template <uint32_t MaxLine>
class ImapLineReader {
public:
    static constexpr size_t kTail = 128;

    explicit ImapLineReader(uint32_t max_line) : lines_(max_line) {}

    // Like LineAssembler::next. For an OverlongTail, tail() holds the last bytes of the line.
    bool next(ByteSpan &in, Line &out) {
        const uint8_t *start = in.data;
        const bool got = lines_.next(in, out);
        if (got && (out.kind == LineKind::Complete || out.kind == LineKind::Unterminated)) {
            tail_len_ = 0;  // a whole line: nothing to keep, the next one starts here
            return true;
        }
        // The bytes of the line in progress, whether the assembler carries them or skips them:
        // a line just over the limit ends in bytes that are still in its carry.
        keep(start, static_cast<size_t>(in.data - start));
        if (got && out.kind == LineKind::OverlongTail) finish_tail(out);
        return got;
    }
    bool flush(Line &out) {
        const bool got = lines_.flush(out);
        if (got && out.kind == LineKind::OverlongTail) finish_tail(out);
        return got;
    }
    void on_gap() {
        lines_.on_gap();
        tail_len_ = 0;
    }
    void set_max_line(uint32_t max_line) { lines_.set_max_line(max_line); }
    bool mid_line() const { return lines_.mid_line(); }
    // The last bytes (up to kTail) of the overlong line just returned as OverlongTail, without
    // its line end.
    std::string_view tail() const { return {tail_, tail_len_}; }

private:
    void keep(const uint8_t *p, size_t n) {
        if (n >= kTail) {
            for (size_t i = 0; i < kTail; ++i) tail_[i] = static_cast<char>(p[n - kTail + i]);
            tail_len_ = kTail;
            return;
        }
        const size_t drop = tail_len_ + n > kTail ? tail_len_ + n - kTail : 0;
        for (size_t i = drop; i < tail_len_; ++i) tail_[i - drop] = tail_[i];
        tail_len_ -= drop;
        for (size_t i = 0; i < n; ++i) tail_[tail_len_++] = static_cast<char>(p[i]);
    }
    void finish_tail(const Line &out) {
        if (out.end != LineEnd::None && tail_len_ > 0 && tail_[tail_len_ - 1] == '\n') --tail_len_;
        if (out.end == LineEnd::CrLf && tail_len_ > 0 && tail_[tail_len_ - 1] == '\r') --tail_len_;
        // Bytes skipped after a gap may precede the line: keep no more than the line has.
        if (tail_len_ > out.length) {
            const size_t drop = tail_len_ - static_cast<size_t>(out.length);
            for (size_t i = drop; i < tail_len_; ++i) tail_[i - drop] = tail_[i];
            tail_len_ -= drop;
        }
    }

    FixedLineAssembler<MaxLine> lines_;
    char tail_[kTail];
    size_t tail_len_ = 0;
};

}  // namespace postern::proto
