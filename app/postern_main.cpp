// postern: the appliance. Parses the command line, loads the config, builds EAL arguments when
// the user gave none, runs the dataplane and prints what it found.
#include <sched.h>

#include <cstdio>
#include <iostream>

#include "captures.hpp"
#include "cli.hpp"
#include "config/eal_args.hpp"
#include "rules/loader.hpp"
#include "control/auth.hpp"
#include "default_rules.hpp"
#include "history_main.hpp"
#include "proto/common/base64_block.hpp"
#include "rules_check.hpp"
#include "rules_import.hpp"
#include "runtime.hpp"
#include "signals.hpp"

namespace {

using namespace postern;

std::vector<unsigned> allowed_cpus() {
    cpu_set_t set;
    std::vector<unsigned> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (unsigned c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set)) cpus.push_back(c);
    if (cpus.empty()) cpus.push_back(0);
    return cpus;
}

int fail(const std::string &msg, int code) {
    std::fprintf(stderr, "postern: %s\n", msg.c_str());
    return code;
}

// Lcore ids 0 (control), 1..rx (RX), then workers.
void set_lcore_counts(config::Config &c, unsigned rx, unsigned workers) {
    c.lcores.control = 0;
    c.lcores.rx.clear();
    c.lcores.workers.clear();
    for (unsigned i = 0; i < rx; ++i) c.lcores.rx.push_back(1 + i);
    for (unsigned i = 0; i < workers; ++i) c.lcores.workers.push_back(1 + rx + i);
}

void print_summary(const dataplane::RunSummary &s, const config::Config &c) {
    std::fprintf(stderr, "postern: %llu packets (%.1f MB) in %.2f s, %llu flows, %llu packets not inspected\n",
                 static_cast<unsigned long long>(s.packets), static_cast<double>(s.bytes) / 1e6, s.seconds,
                 static_cast<unsigned long long>(s.flows), static_cast<unsigned long long>(s.not_inspected));
    std::string events;
    for (int t = 0; t < output::kEveTypes; ++t)
        if (s.events_by_type[t])
            events += (events.empty() ? "" : ", ") + std::string(output::eve_type_name(static_cast<output::EveType>(t))) +
                      " " + std::to_string(s.events_by_type[t]);
    std::fprintf(stderr, "postern: events: %s\n", events.empty() ? "none" : events.c_str());
    if (s.event_drops || s.ring_drops)
        std::fprintf(stderr, "postern: dropped %llu events and %llu packets (queues full)\n",
                     static_cast<unsigned long long>(s.event_drops), static_cast<unsigned long long>(s.ring_drops));
    if (!s.alerts_by_signature.empty())
        std::fprintf(stderr, "postern: alerts by signature:\n%s",
                     control::format_alert_table(s.alerts_by_signature).c_str());
    if (s.file_store)
        std::fprintf(stderr, "postern: files: %llu stored in %s, %llu already there, %llu not stored (postern_filestore_files_total)\n",
                     static_cast<unsigned long long>(s.files_stored), c.file_store.dir.c_str(),
                     static_cast<unsigned long long>(s.files_duplicate), static_cast<unsigned long long>(s.files_not_stored));
    if (!s.redis_target.empty())
        std::fprintf(stderr, "postern: redis: %llu events sent to %s, %llu not sent (postern_redis_events_total)\n",
                     static_cast<unsigned long long>(s.redis_sent), s.redis_target.c_str(),
                     static_cast<unsigned long long>(s.redis_not_sent));
    if (!s.share_target.empty())
        std::fprintf(stderr, "postern: history share: %llu session summaries published to %s, %llu stream entries not sent (postern_history_share_messages_total)\n",
                     static_cast<unsigned long long>(s.share_summaries), s.share_target.c_str(),
                     static_cast<unsigned long long>(s.share_not_sent));
    std::fprintf(stderr, "postern: EVE log: %s\n", c.eve_log == "-" ? "stdout" : c.eve_log.c_str());
}

}  // namespace

int main(int argc, char **argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() >= 2 && args[0] == "rules" && args[1] == "check")
        return app::rules_check_main({args.begin() + 2, args.end()});
    if (args.size() >= 2 && args[0] == "rules" && args[1] == "import")
        return app::rules_import_main({args.begin() + 2, args.end()});
    if (!args.empty() && args[0] == "history") return app::history_main({args.begin() + 1, args.end()});
    const app::CliResult cli = app::parse_cli(args);
    if (!cli.ok()) return fail(cli.error + "\n" + app::usage(), 2);
    const app::CliOptions &o = cli.options;
    if (o.command == app::CliOptions::Command::Help) {
        std::fputs(app::usage().c_str(), stdout);
        return 0;
    }
    if (o.command == app::CliOptions::Command::Version) {
        std::puts("postern 0.1.0");
        return 0;
    }

    config::LoadResult loaded;
    if (!o.config_path.empty()) {
        loaded = config::load_config_file(o.config_path);
        if (!loaded.ok()) {
            for (const auto &e : loaded.errors) std::fprintf(stderr, "postern: %s: %s\n", o.config_path.c_str(), e.c_str());
            return 2;
        }
    } else if (o.read_paths.empty()) {
        return fail("no --config and no -r FILE: nothing to read\n" + app::usage(), 2);
    }
    config::Config c = loaded.config;
    capture::CaptureFeed feed;  // outlives the run: it writes what net_pcap reads
    if (std::string e = app::prepare_capture_ports(c, o.read_paths, feed); !e.empty()) return fail(e, 2);
    const bool offline = !o.read_paths.empty();
    if (offline) {
        if (o.config_path.empty()) set_lcore_counts(c, 1, 1);
        c.mode = config::Mode::Tap;  // a capture is read, nothing is sent; --simulate-ips acts on verdicts
        c.simulate_ips = o.simulate_ips;
        // Offline: nothing is lost to speed. RX waits for workers, workers for the control plane.
        c.on_ring_full = config::FullPolicy::Wait;
        c.on_event_queue_full = config::FullPolicy::Wait;
        c.file_store.wait_when_full = true;  // read from the config's policy at load: offline waits too
        if (c.idle_sleep_us == 0) c.idle_sleep_us = 20;
    }
    if (o.workers || o.rx_lcores)
        set_lcore_counts(c, o.rx_lcores.value_or(static_cast<unsigned>(c.lcores.rx.size())),
                         o.workers.value_or(static_cast<unsigned>(c.lcores.workers.size())));
    if (o.eve_log) c.eve_log = *o.eve_log;
    bool default_rules = false;
    if (o.no_rules) {
        c.rules.files.clear();
    } else if (!o.rule_files.empty()) {
        c.rules.files = o.rule_files;
    } else if (offline && o.config_path.empty()) {  // like suricata -r: the shipped rules
        if (auto d = app::find_default_rules()) c.rules.files = {*d}, default_rules = true;
        else std::fprintf(stderr, "postern: rules: no default rule set found (config/rules next to the build, "
                                  "<prefix>/share/postern/rules, /etc/postern/rules); running with the detectors only\n");
    }
    if (offline) c.api.listen = "";  // offline runs serve no API unless asked
    if (o.api_listen) c.api.listen = *o.api_listen;
    if (auto t = control::load_token(c.api); t.error.empty()) {
        c.api.token = t.token;
        if (!t.warning.empty()) std::fprintf(stderr, "postern: warning: %s\n", t.warning.c_str());
    } else {
        return fail(t.error, 2);
    }
    std::vector<std::string> errors;
    config::validate(c, errors);
    if (!errors.empty()) {
        for (const auto &e : errors) std::fprintf(stderr, "postern: %s\n", e.c_str());
        return 2;
    }

    std::vector<std::string> eal;
    if (o.eal_given) {
        eal.push_back(argv[0]);
        eal.insert(eal.end(), o.eal_args.begin(), o.eal_args.end());
        config::append_port_args(c, eal);
    } else {
        eal = config::build_eal_args(c, argv[0], allowed_cpus());
    }
    std::shared_ptr<const rules::RuleSet> rule_set;
    if (!c.rules.files.empty()) {
        rules::LoadOptions lo;
        lo.compile.scratch_slots = c.lcores.workers.size();
        const rules::LoadReport report = rules::load_rule_files(c.rules.files, lo);
        for (const auto &d : report.diagnostics) std::fprintf(stderr, "postern: %s\n", d.to_string().c_str());
        if (!report.ok()) return fail("rules: not starting with invalid rules (see above; `postern rules check` shows all)", 2);
        rule_set = report.set;
        std::fprintf(stderr, "postern: rules: %zu rules from %zu files, version %llu%s\n", rule_set->rules().size(),
                     report.files, static_cast<unsigned long long>(rule_set->version()),
                     default_rules ? (" (the default set in " + c.rules.files[0] + "; --no-rules for none)").c_str() : "");
    }
    dataplane::install_signal_handlers();
    std::fprintf(stderr, "postern: base64 decoding: %s\n", proto::base64_block::active_name());
    const dataplane::RunResult r = dataplane::run(c, eal, std::move(rule_set));
    if (!r.ok) return fail(r.error, 1);
    print_summary(r.summary, c);
    return 0;
}
