// Byte-level encodings mail needs: base64 (MIME and SASL), RFC 2047 encoded words, quoted-printable,
// SMTP/POP3 dot-stuffing and RFC 5322 dates. Output is always appended, so builders reuse buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace postern::synth::mail {

// Base64 of `n` bytes; `line_len` > 0 breaks lines (CRLF) every line_len characters, MIME-style (76).
void append_base64(std::string &out, const uint8_t *data, size_t n, size_t line_len = 0);
std::string base64(std::string_view bytes);

bool is_ascii(std::string_view s);

// RFC 2047 encoded words for UTF-8 `text`, 'B' or 'Q'. Words stay within 75 characters and never
// split a UTF-8 sequence; they are joined by CRLF SP (folding). `used` = characters already on
// the first line (e.g. "Subject: "), so the first line stays under 78 too.
std::string encoded_words(std::string_view text, char encoding, size_t used);

// Quoted-printable (RFC 2045) of CRLF-separated text: lines <= 76 characters with soft breaks.
void append_quoted_printable(std::string &out, std::string_view text);

// `message` (CRLF lines, ending in CRLF) dot-stuffed, then the ".CRLF" terminator (RFC 5321 4.5.2).
void append_dot_stuffed(std::string &out, std::string_view message);

// "Tue, 14 Nov 2023 23:13:20 +0100" for a UTC time and a zone offset in minutes.
std::string rfc5322_date(uint64_t unix_seconds, int zone_minutes);

}  // namespace postern::synth::mail
