#include "proto/common/base64.hpp"

#include <cstring>

#include "proto/common/base64_alphabet.hpp"
#include "proto/common/base64_block.hpp"
#include "util/hex.hpp"

namespace postern::proto {

namespace {

using util::hex_value;

void put(uint8_t b, uint8_t *out, size_t cap, size_t &len) {
    if (len < cap) out[len++] = b;
}

}  // namespace

void Base64Decoder::feed(std::string_view text, uint8_t *out, size_t cap, size_t &len) {
    // Only the first `cap` bytes are kept: once they are in, a run of alphabet characters only
    // needs counting. Attachments are almost all such runs, so this is where a worker spent most
    // of its cycles (docs/performance.md).
    if (len >= cap && padding_ == 0) {
        const auto *p = reinterpret_cast<const uint8_t *>(text.data());
        const size_t size = text.size();
        const size_t n = base64_block::alphabet_run(p, size);
        if (n > 0) {
            const size_t total = static_cast<size_t>(sextets_) + n;
            const size_t rest = total % 4;  // sextets of the unfinished quantum, kept in acc_
            decoded_ += total / 4 * 3;
            if (n >= rest) acc_ = 0;
            for (size_t i = n >= rest ? n - rest : 0; i < n; ++i) acc_ = (acc_ << 6) | static_cast<uint32_t>(kBase64Sextets[p[i]]);
            sextets_ = static_cast<int>(rest);
            text.remove_prefix(n);
        }
    }
    // Whole quanta in bulk (a base64 line is nothing else); the loop below takes what is left.
    if (sextets_ == 0 && padding_ == 0 && len < cap) {
        const auto d = base64_block::decode(reinterpret_cast<const uint8_t *>(text.data()), text.size(), out + len, cap - len);
        len += d.written;
        decoded_ += d.written;
        text.remove_prefix(d.consumed);
    }
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '=') {
            // Padding is only valid after 2 or 3 sextets of the last quantum.
            if (sextets_ < 2 && padding_ == 0) invalid_ = true;
            ++padding_;
            if (padding_ > 2) invalid_ = true;
            end_quantum(out, cap, len);
            continue;
        }
        const int v = kBase64Sextets[static_cast<uint8_t>(c)];
        if (v < 0 || padding_ > 0) {  // a foreign character, or data after the padding
            invalid_ = true;
            continue;
        }
        acc_ = (acc_ << 6) | static_cast<uint32_t>(v);
        if (++sextets_ == 4) {
            put(static_cast<uint8_t>(acc_ >> 16), out, cap, len);
            put(static_cast<uint8_t>(acc_ >> 8), out, cap, len);
            put(static_cast<uint8_t>(acc_), out, cap, len);
            decoded_ += 3;
            sextets_ = 0, acc_ = 0;
        }
    }
}

void Base64Decoder::finish(uint8_t *out, size_t cap, size_t &len) {
    if (sextets_ == 1) invalid_ = true;
    end_quantum(out, cap, len);
}

void Base64Decoder::end_quantum(uint8_t *out, size_t cap, size_t &len) {
    if (sextets_ == 2) {
        put(static_cast<uint8_t>(acc_ >> 4), out, cap, len), ++decoded_;
    } else if (sextets_ == 3) {
        put(static_cast<uint8_t>(acc_ >> 10), out, cap, len);
        put(static_cast<uint8_t>(acc_ >> 2), out, cap, len);
        decoded_ += 2;
    }
    sextets_ = 0, acc_ = 0;
}

size_t decode_base64(std::string_view in, uint8_t *out, size_t cap, bool *valid) {
    Base64Decoder d;
    size_t len = 0;
    d.feed(in, out, cap, len);
    d.finish(out, cap, len);
    if (valid != nullptr) *valid = !d.invalid();
    return len;
}

bool decode_quoted_printable_line(std::string_view line, uint8_t *out, size_t cap, size_t &len,
                                  bool &hard_break) {
    if (len >= cap) {  // nothing more is kept: only the "=" sequences matter
        size_t ignored = 0;
        return quoted_printable_line_size(line, ignored, hard_break);
    }
    // Trailing blanks are transport padding (RFC 2045 6.7 rule 3).
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    hard_break = true;
    bool ok = true;
    for (size_t i = 0; i < line.size();) {
        // The run up to the next "=" is copied as it is (text lines are mostly such a run).
        const void *eq = std::memchr(line.data() + i, '=', line.size() - i);
        const size_t run_end = eq ? static_cast<size_t>(static_cast<const char *>(eq) - line.data()) : line.size();
        const size_t room = cap - len, run = run_end - i;
        std::memcpy(out + len, line.data() + i, run < room ? run : room);
        len += run < room ? run : room;
        i = run_end;
        if (i == line.size()) break;
        if (i + 1 == line.size()) {  // soft line break
            hard_break = false;
            break;
        }
        const int hi = i + 2 < line.size() ? hex_value(line[i + 1]) : -1;
        const int lo = i + 2 < line.size() ? hex_value(line[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            ok = false;
            put('=', out, cap, len);  // keep it literally, as most readers do
            ++i;
            continue;
        }
        put(static_cast<uint8_t>(hi << 4 | lo), out, cap, len);
        i += 3;
    }
    return ok;
}

bool quoted_printable_line_size(std::string_view line, size_t &size, bool &hard_break) {
    // Trailing blanks are transport padding (RFC 2045 6.7 rule 3).
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    hard_break = true;
    bool ok = true;
    size = line.size();  // less 2 per escape and 1 for a soft break, found below
    for (size_t i = 0; i < line.size();) {
        const void *eq = std::memchr(line.data() + i, '=', line.size() - i);
        if (eq == nullptr) break;
        i = static_cast<size_t>(static_cast<const char *>(eq) - line.data());
        if (i + 1 == line.size()) {
            hard_break = false;
            --size;
            break;
        }
        if (i + 2 < line.size() && hex_value(line[i + 1]) >= 0 && hex_value(line[i + 2]) >= 0) {
            size -= 2;
            i += 3;
        } else {
            ok = false;  // the "=" is kept as it is
            ++i;
        }
    }
    return ok;
}

}  // namespace postern::proto
