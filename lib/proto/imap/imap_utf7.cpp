#include "proto/imap/imap_utf7.hpp"

#include <cstdint>

namespace postern::proto {

namespace {

// Sextet of the modified base64 alphabet (RFC 3501 5.1.3: "," instead of "/"); -1 otherwise.
int sextet(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == ',') return 63;
    return -1;
}

class Output {
public:
    Output(char *out, size_t cap) : out_(out), cap_(cap) {}
    void put(char c) {
        if (len_ < cap_) out_[len_++] = c;
    }
    void put(std::string_view s) {
        for (char c : s) put(c);
    }
    void code_point(uint32_t cp) {
        if (cp < 0x80) {
            put(static_cast<char>(cp));
        } else if (cp < 0x800) {
            put(static_cast<char>(0xC0 | (cp >> 6)));
            put(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            put(static_cast<char>(0xE0 | (cp >> 12)));
            put(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            put(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            put(static_cast<char>(0xF0 | (cp >> 18)));
            put(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            put(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            put(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    size_t size() const { return len_; }
    void truncate(size_t n) { len_ = n; }

private:
    char *out_;
    size_t cap_;
    size_t len_ = 0;
};

// Decodes the base64 run of one "&...-" shift to UTF-8. False when it is malformed.
bool decode_shift(std::string_view b64, Output &out) {
    uint32_t acc = 0;
    int bits = 0;
    uint32_t high = 0;  // a pending high surrogate
    bool ok = true;
    for (char c : b64) {
        const int v = sextet(c);
        if (v < 0) return false;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits < 16) continue;
        bits -= 16;
        const uint32_t unit = (acc >> bits) & 0xFFFF;
        acc &= (1u << bits) - 1;
        if (high != 0) {
            if (unit < 0xDC00 || unit > 0xDFFF) return false;
            out.code_point(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00));
            high = 0;
        } else if (unit >= 0xD800 && unit <= 0xDBFF) {
            high = unit;
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            return false;
        } else {
            if (unit >= 0x20 && unit <= 0x7E) ok = false;  // must have been written as itself
            out.code_point(unit);
        }
    }
    // Leftover bits must be zero padding, less than a sextet's worth plus a byte.
    if (high != 0 || bits >= 6 || acc != 0) return false;
    return ok;
}

bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            ++i;
            continue;
        }
        const size_t n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || b == 0xC0 || b == 0xC1 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

}  // namespace

size_t decode_mailbox_name(std::string_view name, char *out, size_t cap, bool &valid) {
    valid = true;
    Output o(out, cap);
    bool eight_bit = false;
    for (char c : name) eight_bit |= static_cast<unsigned char>(c) >= 0x80;
    if (eight_bit) {  // RFC 6855: a UTF-8 name, not modified UTF-7
        valid = valid_utf8(name);
        o.put(name);
        return o.size();
    }
    for (size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7F) valid = false;
        if (c != '&') {
            o.put(c);
            continue;
        }
        const size_t end = name.find('-', i + 1);
        if (end == std::string_view::npos) {  // unterminated shift: keep it as written
            valid = false;
            o.put(name.substr(i));
            break;
        }
        if (end == i + 1) {
            o.put('&');  // "&-"
        } else {
            const size_t mark = o.size();
            if (!decode_shift(name.substr(i + 1, end - i - 1), o)) {
                valid = false;
                o.truncate(mark);
                o.put(name.substr(i, end - i + 1));
            }
        }
        i = end;
    }
    return o.size();
}

}  // namespace postern::proto
