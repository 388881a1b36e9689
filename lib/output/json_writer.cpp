#include "output/json_writer.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace postern::output {

void JsonWriter::open(char bracket) {
    separator();
    put(bracket);
    if (depth_ < kMaxDepth) first_[++depth_] = true;
    else overflow_ = true;  // too deep to place commas: the record cannot be written
}

void JsonWriter::close(char bracket) {
    if (depth_ > 0) --depth_;
    put(bracket);
}

void JsonWriter::begin_object() { open('{'); }
void JsonWriter::end_object() { close('}'); }
void JsonWriter::begin_array() { open('['); }
void JsonWriter::end_array() { close(']'); }

void JsonWriter::key(std::string_view k) {
    separator();
    write_string(k);
    put(':');
    after_key_ = true;
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if the bytes there are not one.
size_t utf8_sequence_length(std::string_view s, size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t min;
    if (b0 < 0x80) return 1;
    if ((b0 & 0xE0) == 0xC0) n = 2, min = 0x80;
    else if ((b0 & 0xF0) == 0xE0) n = 3, min = 0x800;
    else if ((b0 & 0xF8) == 0xF0) n = 4, min = 0x10000;
    else return 0;
    if (i + n > s.size()) return 0;
    uint32_t cp = b0 & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

}  // namespace

void JsonWriter::string(std::string_view v) {
    separator();
    write_string(v);
}

namespace {

// Bytes written as they are: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> kPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x7F; ++c) t[static_cast<size_t>(c)] = c != '"' && c != '\\';
    return t;
}();

}  // namespace

void JsonWriter::write_string(std::string_view v) {
    put('"');
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < v.size() && !overflow_;) {
        const auto c = static_cast<unsigned char>(v[i]);
        if (kPlain[c]) {  // a run of plain bytes in one copy: most of any mail field
            size_t end = i + 1;
            while (end < v.size() && kPlain[static_cast<unsigned char>(v[end])]) ++end;
            put(v.substr(i, end - i)), i = end;
        } else if (c == '"' || c == '\\') {
            put('\\'), put(static_cast<char>(c)), ++i;
        } else if (c == '\n') {
            put("\\n"), ++i;
        } else if (c == '\r') {
            put("\\r"), ++i;
        } else if (c == '\t') {
            put("\\t"), ++i;
        } else if (c < 0x20 || c == 0x7F) {
            const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
            put(std::string_view(esc, 6)), ++i;
        } else if (c < 0x80) {
            put(static_cast<char>(c)), ++i;
        } else if (size_t n = utf8_sequence_length(v, i); n > 0) {
            put(v.substr(i, n)), i += n;
        } else {  // a stray byte: keep its value visible as a Latin-1 code point
            const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
            put(std::string_view(esc, 6)), ++i;
        }
    }
    put('"');
}

void JsonWriter::number(uint64_t v) {
    separator();
    char tmp[24];
    const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    put(std::string_view(tmp, static_cast<size_t>(r.ptr - tmp)));
}

void JsonWriter::number(int64_t v) {
    separator();
    char tmp[24];
    const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    put(std::string_view(tmp, static_cast<size_t>(r.ptr - tmp)));
}

void JsonWriter::number(double v) {
    separator();
    if (!std::isfinite(v)) {
        put("null");
        return;
    }
    char tmp[32];
    int n = std::snprintf(tmp, sizeof tmp, "%.6g", v);
    put(std::string_view(tmp, static_cast<size_t>(n)));
}

void JsonWriter::boolean(bool v) {
    separator();
    put(v ? std::string_view("true") : std::string_view("false"));
}

void JsonWriter::null() {
    separator();
    put("null");
}

void JsonWriter::raw(std::string_view json) {
    separator();
    put(json);
}

}  // namespace postern::output
