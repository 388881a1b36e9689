// The EVE `alert` object of a detector alert (Suricata's fields, ATT&CK ids in `metadata`) and
// the `evidence` object with its measured values and thresholds. The caller opens the record
// (output::begin_eve_record), writes these and, when it has one, the session's app-layer object.
#pragma once

#include "detect/detector_alert.hpp"
#include "output/json_writer.hpp"

namespace postern::detect {

// `blocked`: the alert's flow is dropped inline (its action is drop or reject).
void write_detector_alert(output::JsonWriter &w, const DetectorAlert &a, bool blocked = false);
void write_detector_evidence(output::JsonWriter &w, const DetectorAlert &a);

}  // namespace postern::detect
