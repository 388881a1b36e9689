// GET /api/v1/status: what runs where. Link state comes from rte_eth_link_get_nowait, which is
// safe to call from the control thread and never waits for the PHY.
#include <rte_ethdev.h>

#include "control_plane.hpp"

namespace postern::dataplane {

using json = nlohmann::ordered_json;

json ControlPlane::status_json() const {
    json ports = json::array();
    for (const auto &p : ports_) {
        rte_eth_link link{};
        const bool known = rte_eth_link_get_nowait(p.id, &link) == 0;
        ports.push_back({{"port", p.name},
                         {"id", p.id},
                         {"driver", p.driver},
                         {"link", {{"up", known && link.link_status == RTE_ETH_LINK_UP},
                                   {"speed_mbps", known ? link.link_speed : 0},
                                   {"duplex", link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? "full" : "half"}}}});
    }
    json workers = json::array();
    for (size_t w = 0; w < workers_.size(); ++w)
        workers.push_back({{"worker", w}, {"lcore", config_.lcores.workers[w]}, {"running", !worker_done_[w]}});
    json rx = json::array();
    for (size_t r = 0; r < rx_.size(); ++r) rx.push_back({{"rx", r}, {"lcore", config_.lcores.rx[r]}});
    return {
        {"version", POSTERN_VERSION},
        {"uptime_seconds", uptime_seconds()},
        {"start_time", start_unix_},
        {"mode", config_.mode == config::Mode::Inline ? "inline" : "tap"},
        {"verdicts", [&] {
             const InlineTotals t = inline_totals();
             return json{{"accepted", t.accepted}, {"blocked", t.blocked}, {"rejected", t.rejected},
                         {"flows_blocked", t.flows_blocked}, {"bypassed_packets", t.bypassed_packets},
                         {"bypassed_overload", t.overload_forwarded}};
         }()},
        {"state", finished_ ? "finished" : (shared_.stop.load(std::memory_order_relaxed) ? "stopping" : "running")},
        {"ports", ports},
        {"lcores", {{"control", config_.lcores.control}, {"rx", rx}, {"workers", workers}}},
        {"eve_log", config_.eve_log},
        {"rules", {{"version", rules_.version()}, {"rules", rules_.rules_loaded()}, {"reload_in_progress", rules_.busy()}}},
    };
}

}  // namespace postern::dataplane
