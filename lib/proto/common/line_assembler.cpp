#include "proto/common/line_assembler.hpp"

#include <cstring>

namespace postern::proto {

LineAssembler::LineAssembler(char *carry, size_t capacity, uint32_t max_line)
    : carry_(carry), capacity_(capacity), max_line_(max_line) {
    set_max_line(max_line);
}

void LineAssembler::reset() {
    queued_count_ = queued_at_ = 0;
    carry_len_ = 0;
    state_ = State::Normal;
    skipped_ = 0;
    skipped_last_cr_ = false;
}

void LineAssembler::on_gap() {
    queued_count_ = queued_at_ = 0;
    carry_len_ = 0;
    skipped_ = 0;
    state_ = State::SkippingGap;
}

// Without an LF in sight, a line is known to be too long once it has max+1 content bytes, i.e.
// max+2 bytes, or max+1 bytes whose last one is not a CR that may still begin the terminator.
bool LineAssembler::overlong_without_lf(size_t total, bool last_is_cr) const {
    return total > max_line_ + size_t{1} || (total == max_line_ + size_t{1} && !last_is_cr);
}

// Reports the first max_line bytes of an overlong line (carried ones first, then src); the
// other `seen - max_line` bytes seen so far are skipped.
void LineAssembler::make_head(Line &out, const char *src, size_t seen) {
    if (carry_len_ == 0) {
        out.text = {src, max_line_};
    } else {
        if (carry_len_ < max_line_) std::memcpy(carry_ + carry_len_, src, max_line_ - carry_len_);
        out.text = {carry_, max_line_};
        carry_len_ = 0;
    }
    out.kind = LineKind::OverlongHead;
    out.end = LineEnd::None;
    out.length = max_line_;
    head_len_ = max_line_;
    skipped_ = seen - max_line_;
}

// With report_middle, after make_head: the line's content beyond the head, `content` bytes in
// all so far, the first `carried` of them from the carry (its bytes stay there until the next
// line starts), the others from src.
void LineAssembler::queue_rest(const char *src, size_t carried, size_t content) {
    if (!report_middle_) return;
    const size_t in_carry = carried < content ? carried : content;
    if (in_carry > max_line_) queue_middle(carry_ + max_line_, in_carry - max_line_);
    const size_t from = carried >= max_line_ ? 0 : max_line_ - carried;
    if (content > carried && content - carried > from) queue_middle(src + from, content - carried - from);
}

void LineAssembler::queue_middle(const void *p, size_t n) {
    if (n == 0) return;
    Line &l = queued_[queued_count_++];
    l = Line{};
    l.text = {static_cast<const char *>(p), n};
    l.kind = LineKind::OverlongMiddle;  // length 0: the tail has the whole line's
}

bool LineAssembler::take_queued(Line &out) {
    if (queued_at_ == queued_count_) return false;
    out = queued_[queued_at_++];
    if (queued_at_ == queued_count_) queued_at_ = queued_count_ = 0;
    return true;
}

void LineAssembler::make_tail(Line &out, LineEnd end) {
    out.text = {};
    out.kind = LineKind::OverlongTail;
    out.end = end;
    out.head_size = head_len_;
    out.length = head_len_ + skipped_;
    skipped_ = 0;
}

bool LineAssembler::next_general(ByteSpan &in, Line &out, const uint8_t *lf) {
    if (take_queued(out)) return true;
    out.head_size = 0;
    out.in_place = false;
    if (state_ == State::PendingTail) {
        make_tail(out, pending_end_);
        state_ = State::Normal;
        return true;
    }
    while (!in.empty()) {
        if (state_ == State::SkippingGap || state_ == State::SkippingOverlong) {
            const bool middle = report_middle_ && state_ == State::SkippingOverlong;
            if (lf == nullptr) {
                const bool last_cr = in.data[in.size - 1] == '\r';
                if (middle) {  // a CR held back is content now; this span's last CR may end the line
                    if (skipped_last_cr_) queue_middle("\r", 1);
                    queue_middle(in.data, in.size - last_cr);
                }
                skipped_ += in.size;
                skipped_last_cr_ = last_cr;
                in.advance(in.size);
                return take_queued(out);
            }
            const auto pos = static_cast<size_t>(lf - in.data);
            const bool cr = pos > 0 ? in.data[pos - 1] == '\r' : skipped_last_cr_;
            if (middle) {
                if (skipped_last_cr_ && pos > 0) queue_middle("\r", 1);
                queue_middle(in.data, pos > 0 && cr ? pos - 1 : pos);
            }
            skipped_ += pos;
            in.advance(pos + 1);
            if (state_ == State::SkippingGap) {
                state_ = State::Normal;
                skipped_ = 0;
                lf = static_cast<const uint8_t *>(std::memchr(in.data, '\n', in.size));
                continue;
            }
            state_ = State::Normal;
            if (cr) --skipped_;
            if (take_queued(out)) {  // the pieces first, then the tail
                pending_end_ = cr ? LineEnd::CrLf : LineEnd::Lf;
                state_ = State::PendingTail;
                return true;
            }
            make_tail(out, cr ? LineEnd::CrLf : LineEnd::Lf);
            return true;
        }

        const char *src = reinterpret_cast<const char *>(in.data);
        if (lf != nullptr) {
            const auto pos = static_cast<size_t>(lf - in.data);
            if (carry_len_ == 0 && take_in_place(in, pos, out)) return true;
            const size_t total = carry_len_ + pos;
            const bool cr = pos > 0 ? src[pos - 1] == '\r' : (carry_len_ > 0 && carry_[carry_len_ - 1] == '\r');
            const size_t content = cr ? total - 1 : total;
            const LineEnd end = cr ? LineEnd::CrLf : LineEnd::Lf;
            out.end = end;
            if (content <= max_line_) {  // begun in the carry (a line in `in` alone was taken above)
                std::memcpy(carry_ + carry_len_, src, pos);
                out.text = {carry_, content};
                carry_len_ = 0;
                out.kind = LineKind::Complete;
                out.length = content;
                in.advance(pos + 1);
                return true;
            }
            // Too long, and its end is already here: report the head now, the tail next call.
            const size_t carried = carry_len_;
            make_head(out, src, content);
            queue_rest(src, carried, content);
            pending_end_ = end;
            state_ = State::PendingTail;
            in.advance(pos + 1);
            return true;
        }

        const size_t total = carry_len_ + in.size;
        if (!overlong_without_lf(total, src[in.size - 1] == '\r')) {
            std::memcpy(carry_ + carry_len_, src, in.size);
            carry_len_ = total;
            in.advance(in.size);
            return false;
        }
        const size_t carried = carry_len_;
        make_head(out, src, total);
        skipped_last_cr_ = src[in.size - 1] == '\r';
        queue_rest(src, carried, total - skipped_last_cr_);  // a last CR may begin the terminator
        state_ = State::SkippingOverlong;
        in.advance(in.size);
        return true;
    }
    return false;
}

bool LineAssembler::flush(Line &out) {
    if (take_queued(out)) return true;
    out.head_size = 0;
    out.in_place = false;
    switch (state_) {
    case State::PendingTail:
        make_tail(out, pending_end_);
        state_ = State::Normal;
        return true;
    case State::SkippingOverlong:
        if (report_middle_ && skipped_last_cr_) {  // no LF came: the CR held back was content
            queue_middle("\r", 1);
            pending_end_ = LineEnd::None;
            state_ = State::PendingTail;
            return take_queued(out);
        }
        make_tail(out, LineEnd::None);
        state_ = State::Normal;
        return true;
    case State::SkippingGap:
        state_ = State::Normal;
        skipped_ = 0;
        return false;
    case State::Normal:
        break;
    }
    if (carry_len_ == 0) return false;
    out.text = {carry_, carry_len_};
    out.kind = LineKind::Unterminated;
    out.end = LineEnd::None;
    out.length = carry_len_;
    carry_len_ = 0;
    return true;
}

}  // namespace postern::proto
