#include "detect/text_shape.hpp"

#include <cmath>

namespace postern::detect {

double shannon_entropy(std::string_view s) {
    if (s.empty()) return 0;
    uint32_t counts[256] = {};
    for (unsigned char c : s) ++counts[c];
    double h = 0;
    const double n = static_cast<double>(s.size());
    for (uint32_t c : counts) {
        if (c == 0) continue;
        const double p = c / n;
        h -= p * std::log2(p);
    }
    return h;
}

namespace {

bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

}  // namespace

TokenShape classify_token(std::string_view t) {
    bool upper = false, lower = false, digit = false, other = false, hex_only = true, control = false;
    size_t pad = 0;
    for (size_t i = 0; i < t.size(); ++i) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (c < 0x20 || c == 0x7F) control = true;
        if (c == '=') {
            ++pad;
            continue;
        }
        if (pad) other = true;  // '=' only at the end
        const bool is_upper = c >= 'A' && c <= 'Z', is_lower = c >= 'a' && c <= 'z', is_digit = c >= '0' && c <= '9';
        upper |= is_upper, lower |= is_lower, digit |= is_digit;
        if (!is_upper && !is_lower && !is_digit && c != '+' && c != '/' && c != '-' && c != '_') other = true;
        if (!is_digit && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) hex_only = false;
    }
    if (control || !valid_utf8(t)) return TokenShape::Binary;
    if (other || pad > 2) return TokenShape::Text;
    if (hex_only && pad == 0 && digit && (upper || lower)) return TokenShape::Hex;
    if (upper && lower && digit) return TokenShape::Base64;
    return TokenShape::Text;
}

EncodedToken find_encoded_token(std::string_view value, uint32_t min_length, double min_b64_entropy,
                                double min_hex_entropy) {
    size_t i = 0;
    while (i < value.size()) {
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
        size_t j = i;
        while (j < value.size() && value[j] != ' ' && value[j] != '\t') ++j;
        const std::string_view tok = value.substr(i, j - i);
        i = j;
        if (tok.size() < min_length) continue;
        const TokenShape shape = classify_token(tok);
        const double h = shannon_entropy(tok);
        if ((shape == TokenShape::Base64 && h >= min_b64_entropy) || (shape == TokenShape::Hex && h >= min_hex_entropy) ||
            shape == TokenShape::Binary)
            return {tok, shape, h};
    }
    return {};
}

}  // namespace postern::detect
