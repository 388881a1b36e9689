#include "rules/attack_tags.hpp"

#include <array>
#include <utility>

namespace postern::rules {

namespace {

struct Tactic {
    std::string_view tag;
    std::string_view id;
    std::string_view name;
};

// ATT&CK Enterprise tactics (https://attack.mitre.org/tactics/enterprise/).
constexpr std::array<Tactic, 14> kTactics = {{
    {"reconnaissance", "TA0043", "Reconnaissance"},
    {"resource-development", "TA0042", "Resource Development"},
    {"initial-access", "TA0001", "Initial Access"},
    {"execution", "TA0002", "Execution"},
    {"persistence", "TA0003", "Persistence"},
    {"privilege-escalation", "TA0004", "Privilege Escalation"},
    {"defense-evasion", "TA0005", "Defense Evasion"},
    {"credential-access", "TA0006", "Credential Access"},
    {"discovery", "TA0007", "Discovery"},
    {"lateral-movement", "TA0008", "Lateral Movement"},
    {"collection", "TA0009", "Collection"},
    {"command-and-control", "TA0011", "Command and Control"},
    {"exfiltration", "TA0010", "Exfiltration"},
    {"impact", "TA0040", "Impact"},
}};

bool digits(std::string_view s, size_t n) {
    if (s.size() != n) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

}  // namespace

AttackTag parse_attack_tag(std::string_view tag) {
    constexpr std::string_view kPrefix = "attack.";
    if (tag.substr(0, kPrefix.size()) != kPrefix) return {};
    const std::string_view rest = tag.substr(kPrefix.size());
    for (const Tactic &t : kTactics)
        if (rest == t.tag) return {AttackTagKind::Tactic, std::string(t.id), t.name};
    if (rest.size() >= 2 && (rest[0] == 't' || rest[0] == 'T')) {
        const std::string_view num = rest.substr(1);
        if (digits(num, 4) || (num.size() == 8 && digits(num.substr(0, 4), 4) && num[4] == '.' && digits(num.substr(5), 3)))
            return {AttackTagKind::Technique, upper(rest), {}};
    }
    if (rest.size() == 5 && (rest[0] == 'g' || rest[0] == 'G') && digits(rest.substr(1), 4))
        return {AttackTagKind::Group, upper(rest), {}};
    if (rest.size() == 5 && (rest[0] == 's' || rest[0] == 'S') && digits(rest.substr(1), 4))
        return {AttackTagKind::Software, upper(rest), {}};
    return {AttackTagKind::Unknown, {}, {}};
}

}  // namespace postern::rules
