#include "synth/mail/encoding.hpp"

#include <algorithm>
#include <cstdio>

namespace postern::synth::mail {

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kHex[] = "0123456789ABCDEF";

// Length of the UTF-8 sequence starting with byte `c` (1 for stray continuation bytes).
size_t utf8_len(unsigned char c) {
    if (c >= 0xF0) return 4;
    if (c >= 0xE0) return 3;
    if (c >= 0xC0) return 2;
    return 1;
}

// Characters this UTF-8 sequence takes in a Q-encoded word (RFC 2047 5(3): safe ASCII stays).
size_t q_cost(std::string_view seq) {
    size_t n = 0;
    for (unsigned char c : seq) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           c == ' ' || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
        n += plain ? 1 : 3;
    }
    return n;
}

void append_q(std::string &out, std::string_view seq) {
    for (unsigned char c : seq) {
        if (c == ' ') {
            out += '_';
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '!' ||
                   c == '*' || c == '+' || c == '-' || c == '/') {
            out += static_cast<char>(c);
        } else {
            out += '=';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
}

}  // namespace

void append_base64(std::string &out, const uint8_t *data, size_t n, size_t line_len) {
    const size_t chars = (n + 2) / 3 * 4;
    out.reserve(out.size() + chars + (line_len ? chars / line_len * 2 + 2 : 0));
    size_t col = 0;
    auto put = [&](char c) {
        if (line_len && col == line_len) {
            out += "\r\n";
            col = 0;
        }
        out += c;
        ++col;
    };
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        const uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8 | data[i + 2];
        put(kB64[v >> 18]);
        put(kB64[v >> 12 & 63]);
        put(kB64[v >> 6 & 63]);
        put(kB64[v & 63]);
    }
    if (n - i == 1) {
        const uint32_t v = uint32_t{data[i]} << 16;
        put(kB64[v >> 18]);
        put(kB64[v >> 12 & 63]);
        put('=');
        put('=');
    } else if (n - i == 2) {
        const uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8;
        put(kB64[v >> 18]);
        put(kB64[v >> 12 & 63]);
        put(kB64[v >> 6 & 63]);
        put('=');
    }
}

std::string base64(std::string_view bytes) {
    std::string out;
    append_base64(out, reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    return out;
}

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

std::string encoded_words(std::string_view text, char encoding, size_t used) {
    const std::string_view prefix = encoding == 'B' ? "=?UTF-8?B?" : "=?UTF-8?Q?";
    constexpr size_t kMaxWord = 75;
    const size_t overhead = prefix.size() + 2;  // "?="
    std::string out;
    size_t line_used = used;
    size_t pos = 0;
    while (pos < text.size()) {
        // Take whole UTF-8 sequences while the word (and the first line) stays short enough.
        const size_t room = line_used + kMaxWord > 76 ? 76 - std::min<size_t>(line_used, 60) : kMaxWord;
        const size_t limit = room - overhead;
        size_t end = pos, cost = 0;
        while (end < text.size()) {
            const size_t len = std::min(utf8_len(static_cast<unsigned char>(text[end])), text.size() - end);
            const size_t bytes = end + len - pos;
            const size_t next = encoding == 'B' ? (bytes + 2) / 3 * 4 : cost + q_cost(text.substr(end, len));
            if (next > limit && end > pos) break;
            cost = next;
            end += len;
        }
        if (!out.empty()) out += "\r\n ";
        out += prefix;
        const std::string_view chunk = text.substr(pos, end - pos);
        if (encoding == 'B')
            append_base64(out, reinterpret_cast<const uint8_t *>(chunk.data()), chunk.size());
        else
            append_q(out, chunk);
        out += "?=";
        line_used = 1;  // later words start their own folded line
        pos = end;
    }
    return out;
}

void append_quoted_printable(std::string &out, std::string_view text) {
    size_t start = 0;
    while (start < text.size()) {
        size_t eol = text.find("\r\n", start);
        const bool has_eol = eol != std::string_view::npos;
        if (!has_eol) eol = text.size();
        const std::string_view line = text.substr(start, eol - start);
        size_t col = 0;
        for (size_t i = 0; i < line.size(); ++i) {
            const unsigned char c = static_cast<unsigned char>(line[i]);
            // Trailing white space and '=' are encoded; so is a leading '.' (safe through SMTP).
            const bool last = i + 1 == line.size();
            const bool literal = ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) &&
                                 !(c == '.' && col == 0);
            const size_t width = literal ? 1 : 3;
            if (col + width > 75) {  // soft break: "=" ends the 76-character line
                out += "=\r\n";
                col = 0;
            }
            if (literal) {
                out += static_cast<char>(c);
            } else {
                out += '=';
                out += kHex[c >> 4];
                out += kHex[c & 15];
            }
            col += width;
        }
        if (has_eol) out += "\r\n";
        start = eol + (has_eol ? 2 : 0);
    }
}

void append_dot_stuffed(std::string &out, std::string_view message) {
    out.reserve(out.size() + message.size() + message.size() / 64 + 3);
    bool line_start = true;
    size_t from = 0;
    for (size_t i = 0; i < message.size(); ++i) {
        if (line_start && message[i] == '.') {
            out.append(message.substr(from, i - from));
            out += '.';
            from = i;
        }
        line_start = message[i] == '\n';
    }
    out.append(message.substr(from));
    if (!message.empty() && message.back() != '\n') out += "\r\n";
    out += ".\r\n";
}

std::string rfc5322_date(uint64_t unix_seconds, int zone_minutes) {
    static constexpr const char *kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static constexpr const char *kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const int64_t local = static_cast<int64_t>(unix_seconds) + int64_t{zone_minutes} * 60;
    const int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const int64_t sod = local - days * 86400;
    // Howard Hinnant's civil_from_days.
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    const int zone = (zone_minutes < 0 ? -zone_minutes : zone_minutes) % (100 * 60);
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s, %lld %s %04lld %02lld:%02lld:%02lld %c%02d%02d",
                  kDays[((days % 7) + 7) % 7], static_cast<long long>(day), kMonths[month - 1],
                  static_cast<long long>(year), static_cast<long long>(sod / 3600),
                  static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60),
                  zone_minutes < 0 ? '-' : '+', zone / 60, zone % 60);
    return buf;
}

}  // namespace postern::synth::mail
