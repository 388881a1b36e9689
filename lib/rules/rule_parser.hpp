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

// A rule with errors, as far as it could be read; kept so reports can list it and its
// expressions can still be checked.
struct RejectedRule {
    Rule rule;  // id 0 when it had no usable id
    bool has_level = false;
};

struct ParsedFile {
    std::vector<Rule> rules;  // the rules without errors
    std::vector<RejectedRule> rejected;
};

// Parses one file's text (`file` names it in diagnostics).
ParsedFile parse_rule_text(std::string_view text, const std::string &file, Diagnostics &diags);

}  // namespace postern::rules
