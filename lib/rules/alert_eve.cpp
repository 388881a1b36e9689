#include "rules/alert_eve.hpp"

#include <cstdio>

#include "rules/rule_names.hpp"

namespace postern::rules {

namespace {

void string_array(output::JsonWriter &w, std::string_view key, const std::vector<std::string> &items) {
    if (items.empty()) return;  // Suricata's schema wants arrays with at least one item
    w.key(key);
    w.begin_array();
    for (const auto &s : items) w.string(s);
    w.end_array();
}

}  // namespace

void write_alert(output::JsonWriter &w, const RuleMatch &m, bool blocked) {
    const Rule &r = m.rule;
    w.key("alert");
    w.begin_object();
    w.field("action", blocked ? "blocked" : "allowed");
    w.field("gid", 1);
    w.field("signature_id", uint64_t{r.id});
    w.field("rev", uint64_t{r.rev});
    w.field("signature", r.title);
    w.field("category", r.category);
    w.field("severity", eve_severity(r.level));
    string_array(w, "references", r.references);
    w.key("metadata");
    w.begin_object();
    string_array(w, "mitre_technique_id", r.mitre_techniques);
    string_array(w, "mitre_tactic_id", r.mitre_tactics);
    string_array(w, "tag", r.tags);
    char version[24];
    const int n = std::snprintf(version, sizeof version, "%llu", static_cast<unsigned long long>(m.set_version));
    w.key("rule_set_version");
    w.begin_array();
    w.string({version, static_cast<size_t>(n)});
    w.end_array();
    w.key("rule_level");
    w.begin_array();
    w.string(level_name(r.level));
    w.end_array();
    w.key("rule_action");
    w.begin_array();
    w.string(action_name(r.action));
    w.end_array();
    w.end_object();
    w.end_object();
}

void write_evidence(output::JsonWriter &w, const RuleMatch &m) {
    w.key("evidence");
    w.begin_object();
    for (size_t i = 0; i < m.evidence.size(); ++i) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; ++j) seen = m.evidence[j].field == m.evidence[i].field;
        if (!seen) w.field(m.evidence[i].field, m.evidence[i].value);
    }
    w.end_object();
}

}  // namespace postern::rules
