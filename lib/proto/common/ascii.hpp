// Small ASCII helpers for protocol keywords: case-insensitive compares, trimming, word split.
// Locale-free on purpose (mail protocol keywords are ASCII).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace postern::proto::ascii {

constexpr char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }
constexpr char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_wsp(char c) { return c == ' ' || c == '\t'; }
constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (to_upper(a[i]) != to_upper(b[i])) return false;
    return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

constexpr std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Case-insensitive search; npos when absent.
constexpr size_t ifind(std::string_view s, std::string_view needle) {
    if (needle.size() > s.size()) return std::string_view::npos;
    for (size_t i = 0; i + needle.size() <= s.size(); ++i)
        if (iequals(s.substr(i, needle.size()), needle)) return i;
    return std::string_view::npos;
}

struct WordSplit {
    std::string_view word;
    std::string_view rest;  // after the separating blanks
};

// First blank-separated word and the rest of the line.
constexpr WordSplit split_word(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && !is_wsp(s[i])) ++i;
    std::string_view word = s.substr(0, i);
    while (i < s.size() && is_wsp(s[i])) ++i;
    return {word, s.substr(i)};
}

// Parses a decimal number; false on empty input, a non-digit or overflow.
constexpr bool parse_u64(std::string_view s, uint64_t &out) {
    if (s.empty()) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        const auto d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

}  // namespace postern::proto::ascii
