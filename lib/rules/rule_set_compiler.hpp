// Rules → RuleSet. Every expression is checked on its own first (hs_expression_info), so all bad
// ones are reported with their rule and path; rules with a bad expression are left out and the
// rest is compiled: one block-mode database per field and per header name (expressions with the
// utf8 flag in a second one), plus `scratch_slots` scratch regions for the workers.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "rules/diagnostic.hpp"
#include "rules/rule.hpp"
#include "rules/rule_set.hpp"

namespace postern::rules {

struct CompileOptions {
    size_t scratch_slots = 0;  // one per worker
    uint64_t version = 0;  // 0: the next number of a process-wide counter (1, 2, ...)
};

struct CompileResult {
    std::shared_ptr<const RuleSet> set;  // the rules that compiled (null when none could be built)
    Diagnostics diagnostics;
    std::vector<uint32_t> rejected;  // ids of rules left out
    double seconds = 0;  // time spent compiling
};

CompileResult compile_rule_set(std::vector<Rule> rules, const CompileOptions &options = {});

// Checks each expression of `rule` on its own; false (with a diagnostic each) if any is bad.
bool check_rule_patterns(const Rule &rule, Diagnostics &diags);

}  // namespace postern::rules
