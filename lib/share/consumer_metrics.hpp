// A `postern history` consumer's Prometheus text: the history detectors' families (as an
// appliance exports them) and what the consumer read from the streams.
#pragma once

#include <string>

#include "share/history_consumer.hpp"

namespace postern::share {

std::string consumer_metrics(const HistoryConsumer &c);

}  // namespace postern::share
