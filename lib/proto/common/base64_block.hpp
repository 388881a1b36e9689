// Bulk base64 decoding of whole quanta: the attachment lines that are most of real mail's bytes.
// One scalar version that runs anywhere and an AVX2 one picked at run time when the CPU has it;
// both give the same result for every input (tests/unit/proto/mime_fast_paths_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace postern::proto::base64_block {

struct Decoded {
    size_t consumed = 0;  // input characters, a multiple of 4
    size_t written = 0;   // output bytes, consumed / 4 * 3
};

// Decodes whole quanta (4 alphabet characters each) from the start of in[0..n) into out, while
// 3 more bytes fit in `room`; stops before the first quantum holding anything else (a blank, a
// line end, padding, a foreign byte), which the caller's byte-by-byte decoder then takes.
Decoded decode(const uint8_t *in, size_t n, uint8_t *out, size_t room);

// How many bytes at the start of in[0..n) are alphabet characters: what a decoder that keeps
// nothing more (past a part's kept prefix) needs to count a line, without decoding it.
size_t alphabet_run(const uint8_t *in, size_t n);

// The two versions, for tests and benchmarks. The AVX2 ones must only run when avx2_supported().
Decoded decode_scalar(const uint8_t *in, size_t n, uint8_t *out, size_t room);
Decoded decode_avx2(const uint8_t *in, size_t n, uint8_t *out, size_t room);
size_t alphabet_run_scalar(const uint8_t *in, size_t n);
size_t alphabet_run_avx2(const uint8_t *in, size_t n);
bool avx2_supported();

// Which version decode() uses: AVX2 when the CPU has it, unless POSTERN_SIMD=scalar is set at
// start (to measure or rule out the fast path).
const char *active_name();

}  // namespace postern::proto::base64_block
