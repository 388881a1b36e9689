// Command-line parsing for postern: DPDK's "EAL options -- app options" split, the offline
// "-r CAPTURE..." form, and subcommands.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace postern::app {

struct CliOptions {
    enum class Command { Run, Help, Version } command = Command::Run;
    std::vector<std::string> eal_args;  // given before "--" (program name excluded)
    bool eal_given = false;
    std::string config_path;
    std::vector<std::string> read_paths;  // -r FILE|DIR..., repeatable: captures read as one run
    std::optional<std::string> eve_log;
    std::optional<unsigned> workers;
    std::optional<unsigned> rx_lcores;
    std::vector<std::string> rule_files;  // -S/--rules, repeatable: replaces the config's rules.files
    bool no_rules = false;  // --no-rules: none, not even the default set a -r run loads
    std::optional<std::string> api_listen;  // --api-listen ADDR:PORT (or "off")
    bool simulate_ips = false;  // --simulate-ips (with -r): verdicts act as inline, EVE says blocked
};

struct CliResult {
    CliOptions options;
    std::string error;  // one line, naming the option
    bool ok() const { return error.empty(); }
};

CliResult parse_cli(const std::vector<std::string> &args);  // args exclude argv[0]
std::string usage();

}  // namespace postern::app
