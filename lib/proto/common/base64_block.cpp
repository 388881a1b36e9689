#include "proto/common/base64_block.hpp"

#include <cstdlib>
#include <cstring>

#include "proto/common/base64_alphabet.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace postern::proto::base64_block {

Decoded decode_scalar(const uint8_t *in, size_t n, uint8_t *out, size_t room) {
    Decoded d;
    while (n - d.consumed >= 4 && room - d.written >= 3) {
        const uint8_t *q = in + d.consumed;
        const int a = kBase64Sextets[q[0]], b = kBase64Sextets[q[1]], c = kBase64Sextets[q[2]],
                  e = kBase64Sextets[q[3]];
        if ((a | b | c | e) < 0) break;  // -1 somewhere: not a whole quantum of the alphabet
        const uint32_t v = static_cast<uint32_t>(a) << 18 | static_cast<uint32_t>(b) << 12 |
                           static_cast<uint32_t>(c) << 6 | static_cast<uint32_t>(e);
        uint8_t *o = out + d.written;
        o[0] = static_cast<uint8_t>(v >> 16), o[1] = static_cast<uint8_t>(v >> 8), o[2] = static_cast<uint8_t>(v);
        d.consumed += 4, d.written += 3;
    }
    return d;
}

size_t alphabet_run_scalar(const uint8_t *in, size_t n) {
    size_t i = 0;
    while (i < n && kBase64Sextets[in[i]] >= 0) ++i;
    return i;
}

#if defined(__x86_64__)

namespace {

// Bit sets by low and by high nibble: a byte is in the alphabet when its two sets are disjoint.
__attribute__((target("avx2"))) __m256i lut_lo() {
    return _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B,
                            0x1A, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B,
                            0x1B, 0x1A);
}
__attribute__((target("avx2"))) __m256i lut_hi() {
    return _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
                            0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
                            0x10, 0x10);
}

// A bit per byte of the 32 at p that is not an alphabet character.
__attribute__((target("avx2"))) uint32_t foreign_bytes(const uint8_t *p, __m256i lo_sets, __m256i hi_sets) {
    const __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i hi = _mm256_shuffle_epi8(hi_sets, _mm256_and_si256(_mm256_srli_epi32(s, 4), nibble));
    const __m256i lo = _mm256_shuffle_epi8(lo_sets, _mm256_and_si256(s, nibble));
    const __m256i clash = _mm256_and_si256(lo, hi);
    return ~static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(clash, _mm256_setzero_si256())));
}

}  // namespace

// 32 bytes a step with the decoder's alphabet test; a line's last step re-reads the 32 bytes
// that end it (never past it), so a 76-character line takes three steps and no byte loop.
__attribute__((target("avx2"))) size_t alphabet_run_avx2(const uint8_t *in, size_t n) {
    if (n < 32) return alphabet_run_scalar(in, n);
    const __m256i lo = lut_lo(), hi = lut_hi();
    size_t i = 0;
    for (; n - i >= 32; i += 32) {
        const uint32_t bad = foreign_bytes(in + i, lo, hi);
        if (bad) return i + static_cast<size_t>(__builtin_ctz(bad));
    }
    if (i == n) return n;
    const size_t start = n - 32;  // overlaps bytes already known good: they are shifted out
    const uint32_t bad = foreign_bytes(in + start, lo, hi) >> (i - start);
    return bad ? i + static_cast<size_t>(__builtin_ctz(bad)) : n;
}

bool avx2_supported() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

// 32 characters per step, as Wojciech Muła and Daniel Lemire describe ("Faster Base64 Encoding
// and Decoding Using AVX2 Instructions", 2018): two nibble lookups flag any byte outside the
// alphabet, a third gives the offset from each character to its sextet, and two multiply-adds
// and two shuffles pack 32 sextets into 24 bytes. A block with a foreign byte is left to the
// scalar loop, which stops at its first bad quantum: the result is the scalar one.
__attribute__((target("avx2"))) Decoded decode_avx2(const uint8_t *in, size_t n, uint8_t *out, size_t room) {
    const __m256i lo_sets = lut_lo(), hi_sets = lut_hi();
    // Character to sextet, by high nibble ('/' moved to its own slot): '+' +19, '/' +16, digits +4,
    // capitals -65, small letters -71.
    const __m256i lut_roll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 19, 4,
                                              -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i mask_2f = _mm256_set1_epi8(0x2F);
    const __m256i pack_pairs = _mm256_set1_epi32(0x01400140);
    const __m256i pack_quads = _mm256_set1_epi32(0x00011000);
    const __m256i order = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2, 1, 0, 6, 5, 4, 10,
                                           9, 8, 14, 13, 12, -1, -1, -1, -1);
    const __m256i gather = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    Decoded d;
    // Each step stores 32 bytes of which 24 are output: it runs while all 32 fit in the room.
    while (n - d.consumed >= 32 && room - d.written >= 32) {
        __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(in + d.consumed));
        const __m256i hi_nibbles = _mm256_and_si256(_mm256_srli_epi32(s, 4), mask_2f);
        const __m256i lo_nibbles = _mm256_and_si256(s, mask_2f);
        const __m256i hi = _mm256_shuffle_epi8(hi_sets, hi_nibbles);
        const __m256i lo = _mm256_shuffle_epi8(lo_sets, lo_nibbles);
        if (!_mm256_testz_si256(lo, hi)) break;
        const __m256i is_slash = _mm256_cmpeq_epi8(s, mask_2f);
        s = _mm256_add_epi8(s, _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(is_slash, hi_nibbles)));
        __m256i packed = _mm256_madd_epi16(_mm256_maddubs_epi16(s, pack_pairs), pack_quads);
        packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(packed, order), gather);
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + d.written), packed);
        d.consumed += 32, d.written += 24;
    }
    const Decoded rest = decode_scalar(in + d.consumed, n - d.consumed, out + d.written, room - d.written);
    return {d.consumed + rest.consumed, d.written + rest.written};
}

#else

bool avx2_supported() { return false; }
Decoded decode_avx2(const uint8_t *in, size_t n, uint8_t *out, size_t room) { return decode_scalar(in, n, out, room); }
size_t alphabet_run_avx2(const uint8_t *in, size_t n) { return alphabet_run_scalar(in, n); }

#endif

namespace {

using DecodeFn = Decoded (*)(const uint8_t *, size_t, uint8_t *, size_t);

bool scalar_forced() {
    const char *v = std::getenv("POSTERN_SIMD");
    return v != nullptr && std::strcmp(v, "scalar") == 0;
}

// Chosen once, at first use (a static initializer elsewhere may decode before ours would run);
// the program asks for active_name() at start, so the hot path never runs the initialization.
bool use_avx2() {
    static const bool use = !scalar_forced() && avx2_supported();
    return use;
}

}  // namespace

Decoded decode(const uint8_t *in, size_t n, uint8_t *out, size_t room) {
    return use_avx2() ? decode_avx2(in, n, out, room) : decode_scalar(in, n, out, room);
}

size_t alphabet_run(const uint8_t *in, size_t n) {
    return use_avx2() ? alphabet_run_avx2(in, n) : alphabet_run_scalar(in, n);
}

const char *active_name() { return use_avx2() ? "avx2" : "scalar"; }

}  // namespace postern::proto::base64_block
