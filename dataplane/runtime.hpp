// Start-up and shutdown of a dataplane run: EAL, mempool, ports, rings, lcores, then the
// control plane on the main lcore until the run ends (end of captures or a stop signal).
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "control_plane.hpp"

namespace postern::dataplane {

struct RunResult {
    bool ok = false;
    std::string error;  // one line, when !ok
    RunSummary summary;
};

// `eal_argv` is the full EAL argument vector, program name first.
RunResult run(const config::Config &config, const std::vector<std::string> &eal_argv);

}  // namespace postern::dataplane
