// The control-plane lcore (the EAL main lcore): drains the workers' event channels into the EVE
// log, writes periodic stats, reacts to signals, and decides when the run is over.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "detect/history_detectors.hpp"
#include "output/eve.hpp"
#include "output/eve_file.hpp"
#include "pipeline/event_channel.hpp"
#include "rule_reload.hpp"
#include "rx_lcore.hpp"
#include "shared_state.hpp"
#include "worker_lcore.hpp"

namespace postern::dataplane {

struct PortInfo {
    uint16_t id = 0;
    std::string name;
    std::string driver;
};

// What the run produced, for the closing summary.
struct RunSummary {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t not_inspected = 0;  // malformed, fragments, non-IP, other L4
    uint64_t flows = 0;
    std::array<uint64_t, output::kEveTypes> events_by_type{};
    uint64_t event_drops = 0;
    uint64_t ring_drops = 0;
    double seconds = 0;
};

class ControlPlane {
public:
    ControlPlane(const config::Config &config, SharedState &shared, output::EveFile &eve,
                 std::vector<PortInfo> ports, std::vector<std::unique_ptr<RxLcore>> &rx,
                 std::vector<std::unique_ptr<Worker>> &workers,
                 std::vector<std::unique_ptr<pipeline::EventChannel>> &channels, RuleReloader &rules);

    // Runs until every worker has reported Done and its channel is empty.
    void run();
    RunSummary summary() const;
    nlohmann::ordered_json stats_json() const;

private:
    size_t drain_all();
    void write_stats();

    const config::Config &config_;
    SharedState &shared_;
    output::EveFile &eve_;
    std::vector<PortInfo> ports_;
    std::vector<std::unique_ptr<RxLcore>> &rx_;
    std::vector<std::unique_ptr<Worker>> &workers_;
    std::vector<std::unique_ptr<pipeline::EventChannel>> &channels_;
    RuleReloader &rules_;
    std::vector<bool> worker_done_;
    std::array<uint64_t, output::kEveTypes> events_by_type_{};
    detect::HistoryDetectors history_{config_.detect};  // cross-session detectors over worker summaries
    uint64_t start_tsc_ = 0;
    uint64_t end_tsc_ = 0;
};

}  // namespace postern::dataplane
