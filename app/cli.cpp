#include "cli.hpp"

#include <algorithm>

#include "config/listen_address.hpp"

namespace postern::app {

std::string usage() {
    return "usage:\n"
           "  postern [EAL options] -- [--config FILE] [OPTIONS]\n"
           "  postern -r CAPTURE... [--config FILE] [OPTIONS]  (offline: pcap/pcapng files or folders, in\n"
           "                                                   name order, as one run through the same path)\n"
           "  postern --config FILE [OPTIONS]                  (EAL arguments built from the config)\n"
           "  postern rules check FILE|DIR...                  (validate rules, run their tests)\n"
           "  postern rules import FILE.rules [-o OUT.json]    (convert Suricata smtp/email/file rules)\n"
           "  postern history --config FILE [--shards LIST] [--producers N] [--consumer NAME] [--eve-log PATH]\n"
           "                                                   (history detectors over summaries shared in Redis)\n"
           "  postern --help | --version\n"
           "options:\n"
           "  --eve-log PATH|-     EVE output (overrides output.eve_log)\n"
           "  -S, --rules PATH     rule file or folder, repeatable (replaces rules.files); -r runs without\n"
           "                       it or a config load the shipped rule set, as suricata -r does\n"
           "  --no-rules           no rules at all (detectors only)\n"
           "  --workers N, --rx N  worker and RX lcore counts\n"
           "  --api-listen ADDR:PORT|off  HTTP API listener (overrides api.listen; -r runs: off unless given)\n"
           "  --simulate-ips       with -r: rule and detector drop/reject actions block flows as inline mode\n"
           "                       would (alerts say blocked, drop events), nothing is sent\n"
           "signals: SIGINT/SIGTERM stop and flush, SIGHUP reopens the EVE log, SIGUSR2 reloads the rules\n";
}

namespace {

bool parse_count(const std::string &s, unsigned &out) {
    if (s.empty() || s.size() > 3 || !std::all_of(s.begin(), s.end(), ::isdigit)) return false;
    out = static_cast<unsigned>(std::stoul(s));
    return out >= 1 && out <= 64;
}

}  // namespace

CliResult parse_cli(const std::vector<std::string> &args) {
    CliResult res;
    CliOptions &o = res.options;
    auto sep = std::find(args.begin(), args.end(), "--");
    std::vector<std::string> app;
    if (sep != args.end()) {
        o.eal_args.assign(args.begin(), sep);
        o.eal_given = true;
        app.assign(sep + 1, args.end());
    } else {
        app = args;
    }
    for (size_t i = 0; i < app.size(); ++i) {
        const std::string &a = app[i];
        auto value = [&](const char *name) -> const std::string * {
            if (i + 1 >= app.size()) {
                res.error = std::string(name) + ": needs a value";
                return nullptr;
            }
            return &app[++i];
        };
        if (a == "-h" || a == "--help") {
            o.command = CliOptions::Command::Help;
        } else if (a == "-V" || a == "--version") {
            o.command = CliOptions::Command::Version;
        } else if (a == "-r" || a == "--read") {
            // Every following argument up to the next option: `-r caps/*.pcap` works.
            if (auto v = value("-r")) o.read_paths.push_back(*v);
            while (i + 1 < app.size() && !app[i + 1].empty() && app[i + 1][0] != '-') o.read_paths.push_back(app[++i]);
        } else if (a == "-c" || a == "--config") {
            if (auto v = value("--config")) o.config_path = *v;
        } else if (a == "--eve-log" || a == "-l") {
            if (auto v = value("--eve-log")) o.eve_log = *v;
        } else if (a == "--rules" || a == "-S") {
            if (auto v = value(a.c_str())) o.rule_files.push_back(*v);
        } else if (a == "--workers" || a == "--rx") {
            if (auto v = value(a.c_str())) {
                unsigned n = 0;
                if (!parse_count(*v, n)) res.error = a + ": must be a number from 1 to 64, got \"" + *v + "\"";
                (a == "--workers" ? o.workers : o.rx_lcores) = n;
            }
        } else if (a == "--no-rules") {
            o.no_rules = true;
        } else if (a == "--simulate-ips") {
            o.simulate_ips = true;
        } else if (a == "--api-listen") {
            if (auto v = value("--api-listen")) {
                if (auto p = config::parse_listen_address(*v); !p.error.empty()) res.error = "--api-listen: " + p.error;
                o.api_listen = *v;
            }
        } else {
            res.error = a + ": unknown option (EAL options go before \"--\")";
        }
        if (!res.error.empty()) return res;
    }
    if (o.no_rules && !o.rule_files.empty())
        res.error = "--no-rules: cannot be given with --rules";
    else if (o.simulate_ips && o.read_paths.empty())
        res.error = "--simulate-ips: only with -r (a live run uses \"mode\": \"inline\")";
    else if (!o.read_paths.empty() && o.eal_given)
        res.error = "-r: builds its own EAL arguments; do not give EAL options with it";
    return res;
}

}  // namespace postern::app
