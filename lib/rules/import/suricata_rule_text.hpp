// Suricata rule text split into its parts: the header (action, protocol, addresses, ports) and the
// options in order, each a keyword with its raw value. Knows the syntax only (quotes, escapes,
// continuation lines, comments); what the keywords mean is suricata_import.cpp's business.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postern::rules::import {

struct SuricataOption {
    std::string keyword;
    std::string value;  // as written, surrounding spaces removed; "" for a flag keyword
};

struct SuricataRule {
    size_t line = 0;  // where the rule starts (1-based)
    std::string text;  // the rule, continuation lines joined
    std::string action, protocol, source, source_port, direction, destination, destination_port;
    std::vector<SuricataOption> options;
    std::string error;  // set: the text is not a rule
};

// Every rule of a .rules file: commented-out rules and blank lines skipped, lines ending in a
// backslash joined with the next.
std::vector<SuricataRule> split_suricata_rules(std::string_view text);

// A quoted option value without its quotes and with \" \; \\ \: unescaped (other backslashes kept); `negated` when it
// started with '!'. Returns false when the value is not one quoted string.
bool unquote_option(std::string_view value, std::string &out, bool &negated);

}  // namespace postern::rules::import
