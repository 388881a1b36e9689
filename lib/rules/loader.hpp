// Loading a rule set as the control plane and `postern rules check` do: read the files, check
// everything (JSON, keys, fields, expressions, duplicate ids), compile, run every embedded test.
// All problems are collected; the set is handed out only when there is none, so a bad file never
// replaces a running set.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/diagnostic.hpp"
#include "rules/rule_set.hpp"
#include "rules/rule_set_compiler.hpp"

namespace postern::rules {

struct RuleSource {
    std::string name;  // a path, or e.g. "request" for text from the REST API
    std::string text;
};

struct LoadOptions {
    CompileOptions compile;
    bool run_tests = true;
};

// One row of the `rules check` table.
struct RuleStatus {
    enum class Result : uint8_t { Passed, Failed, Invalid };
    uint32_t id = 0;  // 0: the rule had no usable id
    std::string title;
    std::string file;
    uint32_t position = 0;  // index in the file's "rules" array
    bool has_level = false;
    Level level = Level::Medium;
    Result result = Result::Invalid;
    size_t tests_passed = 0;
    size_t tests_total = 0;
};

struct LoadReport {
    std::shared_ptr<const RuleSet> set;  // only when there was no error
    Diagnostics diagnostics;  // errors and warnings, in file order
    std::vector<RuleStatus> rules;  // every rule seen, in file order
    size_t files = 0;
    double compile_seconds = 0;
    bool ok() const { return set != nullptr; }
    size_t errors() const;
    size_t warnings() const;
};

LoadReport load_rule_sources(const std::vector<RuleSource> &sources, const LoadOptions &options = {});
// Files, or directories whose *.json files are read in name order.
LoadReport load_rule_files(const std::vector<std::string> &paths, const LoadOptions &options = {});
// One rule file's text, e.g. a REST request body. Compiles and tests, never publishes anything.
LoadReport validate_rule_text(std::string_view json, std::string name = "request", const LoadOptions &options = {});

}  // namespace postern::rules
