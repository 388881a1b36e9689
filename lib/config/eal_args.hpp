// Builds the EAL argument vector when the user gives none on the command line: memory sized from
// the config, lcores mapped onto the CPUs we may run on (oversubscribed when there are fewer),
// and one --vdev or -a per configured port.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace postern::config {

// `cpus` is the set of CPUs this process may run on, e.g. {0, 1}.
std::vector<std::string> build_eal_args(const Config &c, const std::string &program,
                                        const std::vector<unsigned> &cpus);

// Adds the port devices to EAL arguments the user gave (which lack them).
void append_port_args(const Config &c, std::vector<std::string> &args);

// Megabytes of EAL memory the config needs (mbufs, rings, queues, slack).
unsigned memory_mb(const Config &c);

}  // namespace postern::config
