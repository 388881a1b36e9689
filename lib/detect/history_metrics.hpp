// The history detectors' Prometheus families, the same on an appliance's /metrics and on a
// `postern history` consumer's, so one dashboard reads both.
#pragma once

#include <cstddef>
#include <cstdint>

#include "detect/history_detectors.hpp"
#include "output/prometheus.hpp"

namespace postern::detect {

// `held` and `overflows`: the merger that feeds the detectors in time order.
void append_history_metrics(output::PromWriter &w, const HistoryStats &h, size_t held, uint64_t overflows);

}  // namespace postern::detect
