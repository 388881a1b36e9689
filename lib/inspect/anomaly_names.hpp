// Every anomaly name the parsers and the app layer can report: the closed label set of
// postern_anomalies_total, so each series exists (at zero) from the first scrape.
#pragma once

#include <span>
#include <string_view>

namespace postern::inspect {

std::span<const std::string_view> known_anomaly_names();  // sorted, unique

}  // namespace postern::inspect
