// `postern rules import`: Suricata rules that use the buffers Postern has (smtp.helo,
// smtp.mail_from, smtp.rcpt_to, email.*, file.name, file.data at its start) converted into
// Postern's JSON rules with their sid, msg, classtype, priority, metadata and references. A rule
// that cannot be converted without changing what it matches is refused with the reason.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace postern::rules::import {

struct ImportedRule {
    size_t line = 0;
    uint64_t sid = 0;
    nlohmann::json rule;  // one entry of a rule file's "rules"
    std::vector<std::string> notes;  // what was converted loosely (address and port constraints dropped, ...)
};

struct RefusedRule {
    size_t line = 0;
    uint64_t sid = 0;  // 0 when the rule has none
    std::string reason;
};

struct ImportResult {
    std::vector<ImportedRule> rules;
    std::vector<RefusedRule> refused;
    nlohmann::json rule_file(const std::string &source) const;  // {"description", "rules": [...]}
    // The rule file as text; bytes that are not UTF-8 (in a msg, say) become U+FFFD.
    std::string rule_file_text(const std::string &source, int indent = 2) const;
};

// `source` names the input in the descriptions and in the validation of each converted rule.
ImportResult import_suricata_rules(std::string_view text, const std::string &source);

}  // namespace postern::rules::import
