// Reads rule files: JSON text → Rule values, checking every key, type, name and cross-reference
// the format defines (docs/rules.md) and reporting all problems, not just the first. Hyperscan
// syntax is checked later, by the compiler, and embedded tests run after that.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/diagnostic.hpp"
#include "rules/rule.hpp"

namespace postern::rules {

// A rule that could not be read; kept so reports can list it.
struct RejectedRule {
    std::string file;
    std::string position;  // "rules[3]"
    std::optional<uint32_t> id;
    std::string title;
};

struct ParsedFile {
    std::vector<Rule> rules;  // the rules without errors
    std::vector<RejectedRule> rejected;
};

// Parses one file's text (`file` names it in diagnostics).
ParsedFile parse_rule_text(std::string_view text, const std::string &file, Diagnostics &diags);

}  // namespace postern::rules
