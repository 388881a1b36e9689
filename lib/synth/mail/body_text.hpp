// Message bodies: wrapped prose with a greeting and a sign-off, sometimes a paragraph in another
// script, sometimes a line that starts with '.' (so SMTP/POP3 dot-stuffing is exercised), and
// the HTML twin of the same text for multipart/alternative.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "synth/rng.hpp"

namespace postern::synth::mail {

// About `bytes` bytes (at least a few lines) of CRLF-terminated lines of <= 76 bytes, except that
// paragraphs in scripts without spaces may run longer (they are sent quoted-printable or base64).
// `signature` ends the text. `foreign`: include a non-ASCII paragraph.
std::string body_text(Rng &rng, size_t bytes, std::string_view signature, bool foreign);

// <html> rendering of body_text output: one <p> per paragraph, HTML-escaped, CRLF lines.
std::string body_html(std::string_view text);

}  // namespace postern::synth::mail
