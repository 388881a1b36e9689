#include "control/query.hpp"

#include <charconv>
#include <ctime>

#include "util/hex.hpp"

namespace postern::control {

namespace {

using util::hex_value;

bool decode(std::string_view in, std::string &out) {
    out.clear();
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') out += ' ';
        else if (in[i] != '%') out += in[i];
        else {
            if (i + 2 >= in.size() || hex_value(in[i + 1]) < 0 || hex_value(in[i + 2]) < 0) return false;
            out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        }
    }
    return true;
}

bool digits(std::string_view s, size_t at, size_t n, int &out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

}  // namespace

Target parse_target(std::string_view target) {
    Target t;
    const auto q = target.find('?');
    if (!decode(target.substr(0, q), t.path)) t.error = "path: bad percent-encoding";
    if (q == std::string_view::npos) return t;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string k, v;
        if (!decode(pair.substr(0, eq), k) || (eq != std::string_view::npos && !decode(pair.substr(eq + 1), v))) {
            t.error = std::string(pair.substr(0, eq)) + ": bad percent-encoding";
            return t;
        }
        if (!t.params.emplace(k, v).second) {
            t.error = k + ": given more than once";
            return t;
        }
    }
    return t;
}

std::optional<uint64_t> parse_time(std::string_view s) {
    if (s.empty()) return std::nullopt;
    if (s.find('-') == std::string_view::npos) {  // unix seconds, maybe with a fraction
        const auto dot = s.find('.');
        uint64_t sec = 0;
        const auto ip = s.substr(0, dot);
        auto [p, ec] = std::from_chars(ip.data(), ip.data() + ip.size(), sec);
        if (ec != std::errc() || p != ip.data() + ip.size() || sec > 17179869183ull) return std::nullopt;
        uint64_t ns = 0;
        if (dot != std::string_view::npos) {
            const auto frac = s.substr(dot + 1);
            if (frac.empty() || frac.size() > 9) return std::nullopt;
            for (size_t i = 0; i < 9; ++i) {
                if (i < frac.size() && (frac[i] < '0' || frac[i] > '9')) return std::nullopt;
                ns = ns * 10 + (i < frac.size() ? static_cast<uint64_t>(frac[i] - '0') : 0);
            }
        }
        return sec * 1000000000ull + ns;
    }
    int y, mo, d, h, mi, sec;
    if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
        !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970) return std::nullopt;
    size_t i = 19;
    uint64_t ns = 0;
    if (i < s.size() && s[i] == '.') {
        size_t n = 0;
        for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n)
            if (n < 9) ns = ns * 10 + static_cast<uint64_t>(s[i] - '0');
        if (n == 0) return std::nullopt;
        for (; n < 9; ++n) ns *= 10;
    }
    int64_t offset = 0;
    const std::string_view tz = s.substr(i);
    if (tz == "Z" || tz == "z") {
    } else if (tz.size() == 5 || tz.size() == 6) {  // +HHMM or +HH:MM
        int oh, om;
        if ((tz[0] != '+' && tz[0] != '-') || !digits(tz, 1, 2, oh) ||
            !digits(tz, tz.size() == 6 ? 4 : 3, 2, om) || (tz.size() == 6 && tz[3] != ':'))
            return std::nullopt;
        offset = (tz[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
    const int64_t t = static_cast<int64_t>(timegm(&tm)) - offset;
    if (t < 0) return std::nullopt;
    return static_cast<uint64_t>(t) * 1000000000ull + ns;
}

bool uint_param(const Target &t, std::string_view name, uint64_t min, uint64_t max, uint64_t &out, std::string &error) {
    const auto it = t.params.find(name);
    if (it == t.params.end()) return true;
    const std::string &v = it->second;
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n < min || n > max) {
        error = std::string(name) + ": must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                ", got \"" + v + "\"";
        return false;
    }
    out = n;
    return true;
}

}  // namespace postern::control
