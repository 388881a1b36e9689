#include "rules/parse_context.hpp"

#include <algorithm>

namespace postern::rules::detail {

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string type_name(const json &v) {
    switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    default: return "a value";
    }
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    const size_t n = std::min<size_t>(s.size(), 120);
    for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
        else if (c < 0x20 || c == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x", out += kHex[c >> 4], out += kHex[c & 15];
        } else out += static_cast<char>(c);
    }
    if (n < s.size()) out += "...";
    return out + "\"";
}

void ParseContext::begin_rule(size_t i) {
    rule_id_.reset();
    position_ = "rules[" + std::to_string(i) + "]";
}

Diagnostic ParseContext::make(Diagnostic::Severity s, std::string path, std::string message) const {
    Diagnostic d;
    d.severity = s;
    d.file = file_;
    d.rule_id = rule_id_;
    d.rule_position = position_;
    d.path = std::move(path);
    d.message = std::move(message);
    return d;
}

void ParseContext::error(std::string path, std::string message) {
    ++errors_;
    out_.push_back(make(Diagnostic::Severity::Error, std::move(path), std::move(message)));
}

void ParseContext::warning(std::string path, std::string message) {
    out_.push_back(make(Diagnostic::Severity::Warning, std::move(path), std::move(message)));
}

void ParseContext::check_keys(const json &obj, const std::string &path, std::initializer_list<std::string_view> allowed) {
    for (const auto &[key, value] : obj.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        std::string msg = "unknown key " + quote(key);
        std::string_view best;
        size_t best_d = 3;
        for (std::string_view a : allowed)
            if (const size_t d = edit_distance(key, a); d < best_d) best_d = d, best = a;
        if (!best.empty()) msg += " (did you mean " + quote(best) + "?)";
        error(path, msg);
    }
}

const json *ParseContext::member(const json &obj, std::string_view key, const std::string &path, bool required) {
    const auto it = obj.find(key);
    if (it != obj.end()) return &*it;
    if (required) error(join(path, key), "required key is missing");
    return nullptr;
}

std::optional<std::string> ParseContext::string(const json &obj, std::string_view key, const std::string &path,
                                                bool required) {
    const json *it = member(obj, key, path, required);
    if (!it) return std::nullopt;
    if (!it->is_string()) {
        error(join(path, key), "must be a string, not " + type_name(*it));
        return std::nullopt;
    }
    return it->get<std::string>();
}

std::optional<uint64_t> ParseContext::unsigned_int(const json &obj, std::string_view key, const std::string &path,
                                                   bool required, uint64_t min, uint64_t max) {
    const json *it = member(obj, key, path, required);
    if (!it) return std::nullopt;
    if (!it->is_number_integer() || (it->is_number_integer() && !it->is_number_unsigned() && it->get<int64_t>() < 0)) {
        error(join(path, key), "must be a non-negative integer, not " + (it->is_number() ? it->dump() : type_name(*it)));
        return std::nullopt;
    }
    const uint64_t v = it->get<uint64_t>();
    if (v < min || v > max) {
        error(join(path, key), "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " +
                                   std::to_string(v));
        return std::nullopt;
    }
    return v;
}

std::optional<std::vector<std::string>> ParseContext::string_list(const json &obj, std::string_view key,
                                                                  const std::string &path, bool required) {
    const json *it = member(obj, key, path, required);
    if (!it) return std::nullopt;
    if (!it->is_array()) {
        error(join(path, key), "must be an array of strings, not " + type_name(*it));
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (size_t i = 0; i < it->size(); ++i) {
        const json &v = (*it)[i];
        if (!v.is_string()) {
            error(index(join(path, key), i), "must be a string, not " + type_name(v));
            ok = false;
        } else {
            out.push_back(v.get<std::string>());
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<size_t> ParseContext::one_of(const json &obj, std::string_view key, const std::string &path,
                                           bool required, std::span<const std::string_view> names) {
    const std::optional<std::string> s = string(obj, key, path, required);
    if (!s) return std::nullopt;
    size_t i = 0;
    for (std::string_view n : names) {
        if (n == *s) return i;
        ++i;
    }
    std::string list;
    for (std::string_view n : names) list += (list.empty() ? "" : ", ") + std::string(n);
    error(join(path, key), "unknown value " + quote(*s) + " (expected one of: " + list + ")");
    return std::nullopt;
}

}  // namespace postern::rules::detail
