#include "rules/diagnostic.hpp"

namespace postern::rules {

std::string Diagnostic::to_string() const {
    std::string s = file.empty() ? std::string("<rules>") : file;
    if (rule_id) s += ": rule " + std::to_string(*rule_id);
    else if (!rule_position.empty()) s += ": " + rule_position;
    if (!path.empty()) s += ": " + path;
    s += severity == Severity::Warning ? ": warning: " : ": ";
    s += message;
    return s;
}

}  // namespace postern::rules
