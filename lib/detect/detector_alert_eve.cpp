#include "detect/detector_alert_eve.hpp"

namespace postern::detect {

namespace {

void one_item_array(output::JsonWriter &w, std::string_view key, std::string_view a, std::string_view b = {}) {
    w.key(key);
    w.begin_array();
    w.string(a);
    if (!b.empty()) w.string(b);
    w.end_array();
}

}  // namespace

void write_detector_alert(output::JsonWriter &w, const DetectorAlert &a, bool blocked) {
    const DetectorInfo &info = detector_info(a.id);
    w.key("alert");
    w.begin_object();
    w.field("action", blocked ? "blocked" : "allowed");
    w.field("gid", 1);
    w.field("signature_id", uint64_t{info.signature_id});
    w.field("rev", 1);
    w.field("signature", info.title);
    w.field("category", info.exfiltration ? "Exfiltration" : "Command and Control");
    w.field("severity", int{info.severity});
    w.key("metadata");
    w.begin_object();
    if (info.exfiltration) {
        one_item_array(w, "mitre_technique_id", "T1071.003", "T1048.003");
        one_item_array(w, "mitre_tactic_id", "TA0011", "TA0010");
    } else {
        one_item_array(w, "mitre_technique_id", "T1071.003");
        one_item_array(w, "mitre_tactic_id", "TA0011");
    }
    one_item_array(w, "detector", info.name);
    w.end_object();
    w.end_object();
    write_detector_evidence(w, a);
}

void write_detector_evidence(output::JsonWriter &w, const DetectorAlert &a) {
    w.key("evidence");
    w.begin_object();
    w.field("detector", detector_info(a.id).name);
    for (size_t i = 0; i < a.count; ++i) {
        const EvidenceItem &e = a.evidence[i];
        switch (e.kind) {
        case EvidenceItem::Kind::Uint: w.field(e.key, e.u); break;
        case EvidenceItem::Kind::Real: w.field(e.key, e.d); break;
        case EvidenceItem::Kind::Bool: w.field(e.key, e.u != 0); break;
        case EvidenceItem::Kind::Text: w.field(e.key, std::string_view(e.text, e.len)); break;
        case EvidenceItem::Kind::None: break;
        }
    }
    w.end_object();
}

}  // namespace postern::detect
