// Start-up and shutdown of a dataplane run: EAL, mempool, ports, rings, lcores, then the
// control plane on the main lcore until the run ends (end of captures or a stop signal).
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "control_plane.hpp"
#include "rules/rule_set.hpp"

namespace postern::dataplane {

struct RunResult {
    bool ok = false;
    std::string error;  // one line, when !ok
    RunSummary summary;
};

// `eal_argv` is the full EAL argument vector, program name first. `rules`: the set the workers
// start with (compiled with a scratch per worker), or null for none.
RunResult run(const config::Config &config, const std::vector<std::string> &eal_argv,
              std::shared_ptr<const rules::RuleSet> rules = nullptr);

}  // namespace postern::dataplane
