// One problem found while loading rules, naming where it is: the file, the rule (by id when it has
// one, else by position) and the key path inside it, e.g. "match.all[0].patterns[1]".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace postern::rules {

struct Diagnostic {
    enum class Severity : uint8_t { Error, Warning };
    Severity severity = Severity::Error;
    std::string file;
    std::optional<uint32_t> rule_id;
    std::string rule_position;  // "rules[3]" when the rule has no usable id
    std::string path;  // key path within the rule (or the file)
    std::string message;

    // "rules/a.json: rule 1000001: match.all[0].patterns[1]: unknown flag \"nocase\""
    std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

inline bool has_errors(const Diagnostics &d) {
    for (const auto &x : d)
        if (x.severity == Diagnostic::Severity::Error) return true;
    return false;
}

}  // namespace postern::rules
