// A rule expression as Hyperscan sees it: the flags mapped to HS_FLAG_*, the start/end anchors
// applied, and a check of one expression on its own so every bad one can be reported.
#pragma once

#include <optional>
#include <string>

#include "rules/rule.hpp"

namespace postern::rules {

// HS_FLAG_* for a PatternSpec (single-match included: a condition needs one hit per value).
unsigned hs_flags(const PatternSpec &p);
// The expression with the anchors applied: \A(?:...) and (?:...)\z.
std::string hs_expression(const PatternSpec &p);
// Why Hyperscan would reject the expression, or nullopt when it is fine. Also rejects
// expressions that can match an empty string: they would match every value.
std::optional<std::string> check_pattern(const PatternSpec &p);

}  // namespace postern::rules
