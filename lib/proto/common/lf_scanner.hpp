// Finds the line ends of a run of lines in one span, 64 bytes at a time: one SSE2 pass marks every
// LF of a block in a bit mask, and each line end after the first in that block is a shift and a
// count of trailing zeros instead of another memchr call (mail lines are 60-80 bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace postern::proto {

class LfScanner {
public:
    // Over [begin, end): the bytes must stay as they are while the scanner is used.
    LfScanner(const uint8_t *begin, const uint8_t *end) : end_(end), block_(begin), block_end_(begin) {}

    // The first LF in [from, bound), or nullptr; begin <= from, bound <= end. Calls that move
    // forward reuse the block they are in; a `from` behind it scans afresh.
    const uint8_t *next(const uint8_t *from, const uint8_t *bound) {
        for (;;) {
            if (from >= block_ && from < block_end_) {
                const uint64_t later = bits_ >> (from - block_);
                if (later != 0) {
                    const uint8_t *lf = from + __builtin_ctzll(later);
                    return lf < bound ? lf : nullptr;
                }
                from = block_end_;
            }
            if (from >= bound) return nullptr;
            if (end_ - from < 64) return static_cast<const uint8_t *>(std::memchr(from, '\n', bound - from));
            block_ = from;
            block_end_ = from + 64;
            bits_ = lf_bits(from);
        }
    }

private:
    static uint64_t lf_bits(const uint8_t *p) {
#if defined(__SSE2__)
        const __m128i lf = _mm_set1_epi8('\n');
        uint64_t bits = 0;
        for (int k = 0; k < 4; ++k) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * k));
            bits |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)))} << (16 * k);
        }
        return bits;
#else
        uint64_t bits = 0;
        for (int k = 0; k < 64; ++k) bits |= uint64_t{p[k] == '\n'} << k;
        return bits;
#endif
    }

    const uint8_t *end_;
    const uint8_t *block_;  // the block whose LFs are in bits_: [block_, block_end_)
    const uint8_t *block_end_;
    uint64_t bits_ = 0;
};

}  // namespace postern::proto
