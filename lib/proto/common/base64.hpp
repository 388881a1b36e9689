// Bounded base64 decoding: a streaming decoder for MIME bodies (line by line, keeps only the first
// bytes but validates all of them) and a one-shot helper for AUTH blobs and encoded words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace postern::proto {

class Base64Decoder {
public:
    // Decodes `text` (blanks and line ends ignored). Decoded bytes go to out[len..cap); the ones
    // that do not fit are dropped but still validated.
    void feed(std::string_view text, uint8_t *out, size_t cap, size_t &len);
    // Ends the input: decodes an unpadded tail (2 or 3 sextets, common in practice); a dangling
    // single sextet is invalid.
    void finish(uint8_t *out, size_t cap, size_t &len);
    bool invalid() const { return invalid_; }
    uint64_t decoded() const { return decoded_; }  // bytes decoded, including dropped ones
    void reset() { *this = Base64Decoder{}; }

private:
    // Ends the quantum in acc_: 2 or 3 sextets give 1 or 2 bytes (a lone sextet gives none).
    void end_quantum(uint8_t *out, size_t cap, size_t &len);

    uint32_t acc_ = 0;
    int sextets_ = 0;  // in acc_, 0..3
    int padding_ = 0;  // '=' seen
    bool invalid_ = false;
    uint64_t decoded_ = 0;
};

// Decodes all of `in` into out (at most cap bytes). Returns the decoded size; *valid (if given)
// tells whether the input was well-formed base64.
size_t decode_base64(std::string_view in, uint8_t *out, size_t cap, bool *valid = nullptr);

// Decodes one line of a quoted-printable body (RFC 2045 6.7). Appends to out[len..cap);
// `hard_break` is set when the line ends with a real line break (not a soft "=" break).
// Returns false when the line holds an invalid "=" sequence.
bool decode_quoted_printable_line(std::string_view line, uint8_t *out, size_t cap, size_t &len,
                                  bool &hard_break);
// What decode_quoted_printable_line would give for `line`, without writing it: `size` is set to
// the decoded size (the line break not included).
bool quoted_printable_line_size(std::string_view line, size_t &size, bool &hard_break);

}  // namespace postern::proto
