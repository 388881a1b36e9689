#include "proto/mime/encoded_words.hpp"

#include <cstdint>

#include "proto/common/ascii.hpp"
#include "proto/common/base64.hpp"
#include "util/hex.hpp"

namespace postern::proto {

namespace {

using util::hex_value;

// windows-1252 code points for bytes 0x80..0x9F (0: undefined, kept as the Latin-1 control).
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

enum class Charset : uint8_t { Utf8, Latin1, Cp1252, Other };

Charset classify(std::string_view cs) {
    // RFC 2231 allows a language suffix: "utf-8*en".
    if (const size_t star = cs.find('*'); star != std::string_view::npos) cs = cs.substr(0, star);
    if (ascii::iequals(cs, "utf-8") || ascii::iequals(cs, "utf8") || ascii::iequals(cs, "us-ascii") ||
        ascii::iequals(cs, "ascii") || cs.empty())
        return Charset::Utf8;
    if (ascii::iequals(cs, "iso-8859-1") || ascii::iequals(cs, "latin1") || ascii::iequals(cs, "iso8859-1") ||
        ascii::iequals(cs, "iso-8859-15") || ascii::iequals(cs, "latin-1"))
        return Charset::Latin1;
    if (ascii::iequals(cs, "windows-1252") || ascii::iequals(cs, "cp1252")) return Charset::Cp1252;
    return Charset::Other;
}

void append_code_point(uint32_t cp, StringArena &arena) {
    if (cp < 0x80) {
        arena.append(static_cast<char>(cp));
    } else if (cp < 0x800) {
        arena.append(static_cast<char>(0xC0 | (cp >> 6)));
        arena.append(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        arena.append(static_cast<char>(0xE0 | (cp >> 12)));
        arena.append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        arena.append(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

void append_converted(Charset cs, std::string_view bytes, StringArena &arena) {
    if (cs == Charset::Utf8 || cs == Charset::Other) {
        arena.append(bytes);
        return;
    }
    for (char ch : bytes) {
        const auto b = static_cast<uint8_t>(ch);
        uint32_t cp = b;
        if (cs == Charset::Cp1252 && b >= 0x80 && b < 0xA0 && kCp1252High[b - 0x80] != 0) cp = kCp1252High[b - 0x80];
        append_code_point(cp, arena);
    }
}

struct EncodedWord {
    std::string_view charset;
    char encoding = 0;
    std::string_view text;
    size_t length = 0;  // of the whole "=?...?=" token
};

// Parses an encoded word at the start of s.
bool parse_encoded_word(std::string_view s, EncodedWord &w) {
    if (s.size() < 8 || s[0] != '=' || s[1] != '?') return false;
    const size_t q1 = s.find('?', 2);
    if (q1 == std::string_view::npos || q1 == 2 || q1 + 2 >= s.size() || s[q1 + 2] != '?') return false;
    const char enc = ascii::to_upper(s[q1 + 1]);
    if (enc != 'B' && enc != 'Q') return false;
    const size_t end = s.find("?=", q1 + 3);
    if (end == std::string_view::npos) return false;
    const std::string_view text = s.substr(q1 + 3, end - (q1 + 3));
    for (char c : text)
        if (c == ' ' || c == '\t') return false;  // encoded words contain no blanks
    w.charset = s.substr(2, q1 - 2);
    w.encoding = enc;
    w.text = text;
    w.length = end + 2;
    return true;
}

bool append_encoded_word(const EncodedWord &w, StringArena &arena) {
    uint8_t buf[512];
    size_t len = 0;
    bool ok = true;
    if (w.encoding == 'B') {
        len = decode_base64(w.text, buf, sizeof buf, &ok);
    } else {
        for (size_t i = 0; i < w.text.size() && len < sizeof buf; ++i) {
            const char c = w.text[i];
            if (c == '_') {
                buf[len++] = ' ';
            } else if (c == '=' && i + 2 < w.text.size() && hex_value(w.text[i + 1]) >= 0 &&
                       hex_value(w.text[i + 2]) >= 0) {
                buf[len++] = static_cast<uint8_t>(hex_value(w.text[i + 1]) << 4 | hex_value(w.text[i + 2]));
                i += 2;
            } else {
                if (c == '=') ok = false;
                buf[len++] = static_cast<uint8_t>(c);
            }
        }
    }
    append_converted(classify(w.charset), {reinterpret_cast<const char *>(buf), len}, arena);
    return ok;
}

}  // namespace

void append_charset_text(std::string_view charset, std::string_view bytes, StringArena &arena) {
    append_converted(classify(charset), bytes, arena);
}

bool append_decoded_words(std::string_view in, StringArena &arena) {
    bool ok = true;
    bool last_was_word = false;
    size_t i = 0;
    while (i < in.size()) {
        EncodedWord w;
        if (in[i] == '=' && i + 1 < in.size() && in[i + 1] == '?' && parse_encoded_word(in.substr(i), w)) {
            if (!append_encoded_word(w, arena)) ok = false;
            i += w.length;
            last_was_word = true;
            continue;
        }
        if (in[i] == '=' && i + 1 < in.size() && in[i + 1] == '?') ok = false;  // looked like one
        // Blanks between two encoded words are not part of the text (RFC 2047 6.2).
        if (last_was_word && ascii::is_wsp(in[i])) {
            size_t j = i;
            while (j < in.size() && ascii::is_wsp(in[j])) ++j;
            if (j < in.size() && parse_encoded_word(in.substr(j), w)) {
                i = j;
                continue;
            }
        }
        last_was_word = false;
        arena.append(in[i]);
        ++i;
    }
    return ok;
}

void append_rfc2231_value(std::string_view in, bool first_segment, StringArena &arena) {
    std::string_view charset;
    if (first_segment) {
        const size_t q1 = in.find('\'');
        const size_t q2 = q1 == std::string_view::npos ? q1 : in.find('\'', q1 + 1);
        if (q2 != std::string_view::npos) {
            charset = in.substr(0, q1);
            in = in.substr(q2 + 1);
        }
    }
    uint8_t buf[512];
    size_t len = 0;
    for (size_t i = 0; i < in.size(); ++i) {
        if (len == sizeof buf) {
            append_charset_text(charset, {reinterpret_cast<const char *>(buf), len}, arena);
            len = 0;
        }
        if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
            buf[len++] = static_cast<uint8_t>(hex_value(in[i + 1]) << 4 | hex_value(in[i + 2]));
            i += 2;
        } else {
            buf[len++] = static_cast<uint8_t>(in[i]);
        }
    }
    append_charset_text(charset, {reinterpret_cast<const char *>(buf), len}, arena);
}

}  // namespace postern::proto
