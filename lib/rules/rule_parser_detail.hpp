// Pieces of the rule parser shared between its files.
#pragma once

#include "rules/parse_context.hpp"
#include "rules/rule.hpp"

namespace postern::rules::detail {

// Reads "match" into rule.combine / rule.fields / rule.metrics.
void parse_match(const json &match, ParseContext &ctx, Rule &rule);
// Reads "tests" into rule.tests.
void parse_tests(const json &tests, ParseContext &ctx, Rule &rule);

}  // namespace postern::rules::detail
