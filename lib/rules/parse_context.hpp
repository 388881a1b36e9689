// Shared by the rule and test-case parsers: where we are (file, rule) and typed reads of JSON
// values that report a Diagnostic instead of throwing, so one pass finds every problem.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/diagnostic.hpp"

namespace postern::rules::detail {

using json = nlohmann::json;

class ParseContext {
public:
    ParseContext(std::string file, Diagnostics &out) : file_(std::move(file)), out_(out) {}

    // The rule being read (by position until its id is known).
    void begin_rule(size_t index);
    void set_rule_id(uint32_t id) { rule_id_ = id; }
    void end_rule() { rule_id_.reset(), position_.clear(); }

    void error(std::string path, std::string message);
    void warning(std::string path, std::string message);
    size_t errors() const { return errors_; }
    const std::string &file() const { return file_; }

    // Reports every key of `obj` not in `allowed` (with the closest allowed key as a hint).
    void check_keys(const json &obj, const std::string &path, std::initializer_list<std::string_view> allowed);

    // Typed reads of obj[key]; absent → nullopt (an error too when `required`); wrong type → error.
    std::optional<std::string> string(const json &obj, std::string_view key, const std::string &path, bool required);
    std::optional<uint64_t> unsigned_int(const json &obj, std::string_view key, const std::string &path,
                                         bool required, uint64_t min, uint64_t max);
    std::optional<std::vector<std::string>> string_list(const json &obj, std::string_view key,
                                                        const std::string &path, bool required);
    // One of `names` (index into it): an enum's name table (util/named_enum.hpp).
    std::optional<size_t> one_of(const json &obj, std::string_view key, const std::string &path, bool required,
                                 std::span<const std::string_view> names);

private:
    // obj[key], or null when absent (an error too when `required`).
    const json *member(const json &obj, std::string_view key, const std::string &path, bool required);
    Diagnostic make(Diagnostic::Severity s, std::string path, std::string message) const;

    std::string file_;
    Diagnostics &out_;
    std::optional<uint32_t> rule_id_;
    std::string position_;
    size_t errors_ = 0;
};

// "a.b" / "a[3]" path joins.
inline std::string join(const std::string &path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}
inline std::string index(const std::string &path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::string type_name(const json &v);
std::string quote(std::string_view s);  // "..." with control bytes escaped, cut at 120 bytes

}  // namespace postern::rules::detail
