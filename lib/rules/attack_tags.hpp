// Sigma-style ATT&CK tags ("attack.t1071.003", "attack.command-and-control") turned into the ids
// EVE alert metadata carries (mitre_technique_id "T1071.003", mitre_tactic_id "TA0011").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::rules {

enum class AttackTagKind { NotAttack, Technique, Tactic, Group, Software, Unknown };

struct AttackTag {
    AttackTagKind kind = AttackTagKind::NotAttack;
    std::string id;  // "T1071.003", "TA0011", "G0047", "S0331"
    std::string_view tactic_name;  // "Command and Control" for tactics
};

AttackTag parse_attack_tag(std::string_view tag);

}  // namespace postern::rules
