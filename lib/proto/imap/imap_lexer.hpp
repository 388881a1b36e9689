// Tokens of one IMAP line fragment (RFC 3501 9, RFC 9051 9): atoms, quoted strings, parentheses,
// and the literal marker {n} / {n+} / ~{n} that may only end a fragment. Fetch attributes such as
// BODY[HEADER.FIELDS (FROM TO)]<0.1024> and response codes such as [APPENDUID 1 2] are one atom:
// brackets are read to their match. Works on a view; nothing is copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace postern::proto {

struct ImapToken {
    enum class Kind : uint8_t { End, Atom, Quoted, ListOpen, ListClose, Literal, Invalid };
    Kind kind = Kind::End;
    std::string_view text;  // atom as written; quoted content without the quotes (escapes left in)
    std::string_view raw;  // the token as written (with quotes, the whole literal marker)
    uint64_t literal_size = 0;  // Literal: the announced size (UINT64_MAX when it overflowed)
    bool nonsync = false;  // {n+} (RFC 7888 LITERAL+ / LITERAL-)
    bool binary = false;  // ~{n} (RFC 3516 literal8)
    bool overflow = false;  // the size did not fit 64 bits
    bool unterminated = false;  // Quoted: the closing quote is missing
};

class ImapLexer {
public:
    explicit ImapLexer(std::string_view fragment) : s_(fragment) {}
    ImapToken next();
    size_t position() const { return pos_; }
    std::string_view rest() const { return s_.substr(pos_); }

private:
    std::string_view s_;
    size_t pos_ = 0;
};

// Parses "{123}", "{123+}", "~{123}" when it ends `fragment` (after optional trailing blanks, which
// some clients send). True with the token filled; false when the fragment does not end in one.
bool imap_trailing_literal(std::string_view fragment, ImapToken &out);

// Copies a quoted string's content without its backslash escapes into out[0..cap).
size_t imap_unquote(std::string_view content, char *out, size_t cap);

}  // namespace postern::proto
