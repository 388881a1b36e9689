// `postern history`: the history detectors of several appliances in one process, reading the
// session summaries they publish to Redis Streams (detect.history.share, docs/scale-out.md).
// Alerts go to the EVE log and, when output.redis is on, to Redis, as the appliance's do.
#pragma once

#include <string>
#include <vector>

namespace postern::app {

// 0: stopped (signal) or, with --producers, every producer ended; 1: Redis refused something
// that retrying cannot mend (a key of the wrong type); 2: misuse or a bad config.
int history_main(const std::vector<std::string> &args);

}  // namespace postern::app
