// The EVE `alert` object of a rule match (Suricata's fields, ATT&CK ids and the rule-set version
// in `metadata`) and the `evidence` object with the values that triggered it. The caller opens
// the record (output::begin_eve_record), writes these and the session's app-layer object.
#pragma once

#include "output/json_writer.hpp"
#include "rules/matcher.hpp"

namespace postern::rules {

// "alert": {action, gid, signature_id, rev, signature, category, severity, references, metadata}.
// `blocked`: the packet was dropped (inline mode applying a drop rule); otherwise "allowed".
void write_alert(output::JsonWriter &w, const RuleMatch &m, bool blocked = false);

// "evidence": {"<field>": "<value>", ...}; the first value of a field when several matched.
void write_evidence(output::JsonWriter &w, const RuleMatch &m);

}  // namespace postern::rules
