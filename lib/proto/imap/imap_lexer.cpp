#include "proto/imap/imap_lexer.hpp"

namespace postern::proto {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Characters that end an atom (RFC 3501 atom-specials, "]" aside: it closes a bracket).
bool ends_atom(char c) {
    const auto b = static_cast<unsigned char>(c);
    return b <= 0x20 || b == 0x7F || c == '(' || c == ')' || c == '{' || c == '"';
}

// Parses "{digits[+|-]}" at s[0..]. Returns its length, 0 if it is not one.
size_t literal_marker(std::string_view s, ImapToken &t) {
    if (s.empty() || s[0] != '{') return 0;
    size_t i = 1;
    uint64_t n = 0;
    bool overflow = false;
    const size_t digits_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        const auto d = static_cast<uint64_t>(s[i] - '0');
        if (n > (UINT64_MAX - d) / 10) overflow = true;
        n = overflow ? UINT64_MAX : n * 10 + d;
        ++i;
    }
    if (i == digits_start) return 0;
    bool nonsync = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) nonsync = true, ++i;
    if (i >= s.size() || s[i] != '}') return 0;
    t.literal_size = n;
    t.overflow = overflow;
    t.nonsync = nonsync;
    return i + 1;
}

}  // namespace

bool imap_trailing_literal(std::string_view fragment, ImapToken &out) {
    while (!fragment.empty() && is_blank(fragment.back())) fragment.remove_suffix(1);
    if (fragment.empty() || fragment.back() != '}') return false;
    const size_t open = fragment.rfind('{');
    if (open == std::string_view::npos) return false;
    ImapToken t;
    t.kind = ImapToken::Kind::Literal;
    if (literal_marker(fragment.substr(open), t) != fragment.size() - open) return false;
    size_t start = open;
    if (open > 0 && fragment[open - 1] == '~') {
        t.binary = true;
        start = open - 1;
    }
    t.raw = fragment.substr(start);
    t.text = t.raw;
    out = t;
    return true;
}

ImapToken ImapLexer::next() {
    while (pos_ < s_.size() && is_blank(s_[pos_])) ++pos_;
    ImapToken t;
    if (pos_ >= s_.size()) return t;
    const size_t start = pos_;
    const char c = s_[pos_];
    if (c == '(' || c == ')') {
        t.kind = c == '(' ? ImapToken::Kind::ListOpen : ImapToken::Kind::ListClose;
        t.raw = t.text = s_.substr(pos_++, 1);
        return t;
    }
    if (c == '"') {
        size_t i = pos_ + 1;
        while (i < s_.size() && s_[i] != '"') i += s_[i] == '\\' && i + 1 < s_.size() ? 2 : 1;
        t.kind = ImapToken::Kind::Quoted;
        if (i >= s_.size()) {
            t.unterminated = true;
            t.text = s_.substr(pos_ + 1);
            pos_ = s_.size();
        } else {
            t.text = s_.substr(pos_ + 1, i - pos_ - 1);
            pos_ = i + 1;
        }
        t.raw = s_.substr(start, pos_ - start);
        return t;
    }
    if (c == '{' || (c == '~' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '{')) {
        ImapToken lit;
        if (imap_trailing_literal(s_.substr(pos_), lit) && lit.raw.data() == s_.data() + pos_) {
            pos_ = s_.size();
            return lit;
        }
        // A brace that does not end the fragment: not IMAP. Skip to the next blank.
        while (pos_ < s_.size() && !is_blank(s_[pos_])) ++pos_;
        t.kind = ImapToken::Kind::Invalid;
        t.raw = t.text = s_.substr(start, pos_ - start);
        return t;
    }
    if (ends_atom(c)) {  // a control character
        ++pos_;
        t.kind = ImapToken::Kind::Invalid;
        t.raw = t.text = s_.substr(start, 1);
        return t;
    }
    // An atom; "[...]" is read to its matching bracket, blanks and parentheses included.
    int bracket = 0;
    while (pos_ < s_.size()) {
        const char d = s_[pos_];
        if (d == '[') {
            ++bracket;
        } else if (d == ']' && bracket > 0) {
            --bracket;
        } else if (bracket == 0 && ends_atom(d)) {
            break;
        } else if (bracket > 0 && (d == '\r' || d == '\n')) {
            break;
        }
        ++pos_;
    }
    t.kind = ImapToken::Kind::Atom;
    t.raw = t.text = s_.substr(start, pos_ - start);
    return t;
}

size_t imap_unquote(std::string_view content, char *out, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < content.size() && n < cap; ++i) {
        if (content[i] == '\\' && i + 1 < content.size()) ++i;
        out[n++] = content[i];
    }
    return n;
}

}  // namespace postern::proto
