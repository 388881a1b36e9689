// RFC 2047 encoded words ("=?charset?B|Q?text?=") and RFC 2231 extended parameter values
// ("charset'lang'%XX"), decoded to UTF-8 for UTF-8, US-ASCII, ISO-8859-1 and windows-1252;
// other charsets are passed through byte for byte.
#pragma once

#include <string_view>

#include "proto/common/string_arena.hpp"

namespace postern::proto {

// Appends `in` with its encoded words decoded to the arena's open string (see
// StringArena::open). Returns false when an encoded word was malformed (kept as is).
bool append_decoded_words(std::string_view in, StringArena &arena);

// Appends the RFC 2231 value `charset'language'percent-encoded` decoded to UTF-8.
void append_rfc2231_value(std::string_view in, bool first_segment, StringArena &arena);

// Appends bytes in `charset` converted to UTF-8 (see above which charsets are converted).
void append_charset_text(std::string_view charset, std::string_view bytes, StringArena &arena);

}  // namespace postern::proto
