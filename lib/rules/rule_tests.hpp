// Runs the tests embedded in rules: field values go straight to the matcher as one transaction;
// transcripts go through the real protocol parser and the matcher, as in a worker. A positive
// test passes when its rule fired, a negative one when it did not (other rules may fire too).
// Thresholds are not applied: tests check what the rule matches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rules/rule_set.hpp"
#include "rules/scratch.hpp"

namespace postern::rules {

struct TestFailure {
    std::string where;  // "tests.positive[1]"
    std::string message;
};

struct RuleTestResult {
    uint32_t rule_id = 0;
    size_t passed = 0;
    std::vector<TestFailure> failures;
    bool ok() const { return failures.empty(); }
};

// One result per rule of `set`, in its order. `scratch` must be valid for `set`.
std::vector<RuleTestResult> run_rule_tests(const RuleSet &set, const Scratch &scratch);

// The rules (by index in `set`) that fired for one test case; for tools and unit tests.
std::vector<uint32_t> rules_matching(const RuleSet &set, const Scratch &scratch, const TestCase &test,
                                     std::string *fields_seen = nullptr);

}  // namespace postern::rules
