#include "synth/scenario/scenario.hpp"

#include <algorithm>
#include <memory>
#include <queue>
#include <stdexcept>

#include "synth/expected_writer.hpp"
#include "synth/flow_truth.hpp"
#include "synth/pcap_writer.hpp"
#include "synth/tcp_session.hpp"

namespace postern::synth {

namespace {

constexpr uint64_t kSaltScenario = 0x7363656E6172696FULL;

net::IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    net::IpAddress ip;
    ip.bytes[0] = a, ip.bytes[1] = b, ip.bytes[2] = c, ip.bytes[3] = d;
    return ip;
}

struct Planned {
    uint64_t start_us;
    const Scenario *scenario;
    SessionPlan plan;
    size_t next = 0;
};

}  // namespace

std::vector<std::string> scenario_names() {
    std::vector<std::string> out;
    for (const auto &e : scenario_table()) out.emplace_back(e.name);
    return out;
}

uint64_t generate_scenarios(const std::vector<std::string> &names, uint64_t seed, uint64_t start_us, PcapWriter &pcap,
                            ExpectedWriter *expected) {
    const auto &table = scenario_table();
    std::vector<std::pair<size_t, Scenario>> chosen;
    for (size_t k = 0; k < table.size(); ++k) {
        const bool all = std::find(names.begin(), names.end(), "all") != names.end();
        if (!all && std::find(names.begin(), names.end(), table[k].name) == names.end()) continue;
        Rng rng = Rng::derive(seed ^ kSaltScenario, k);
        Scenario s;
        s.name = table[k].name;
        table[k].build(rng, s);
        chosen.emplace_back(k, std::move(s));
    }
    for (const auto &n : names)
        if (n != "all" && std::none_of(table.begin(), table.end(), [&](const ScenarioEntry &e) { return n == e.name; }))
            throw std::invalid_argument("unknown scenario '" + n + "'");

    std::vector<std::unique_ptr<Planned>> plans;
    for (auto &[k, s] : chosen) {
        for (size_t i = 0; i < s.sessions.size(); ++i) {
            const ScenarioSession &ss = s.sessions[i];
            FlowAddressing a;
            const auto host = static_cast<uint8_t>(10 + 2 * k + (ss.client ? 1 : 0));
            a.client_ip = v4(192, 0, 2, host);
            a.server_ip = ss.server == 0 ? v4(198, 51, 100, 10) : v4(203, 0, 113, static_cast<uint8_t>(ss.server));
            a.client_port = static_cast<uint16_t>(20000 + k * 1500 + i % 1500);
            a.server_port = ss.port;
            a.client_mac = {0x02, 0, 0, 0, 2, host};
            a.server_mac = {0x02, 0, 1, 0, 0, static_cast<uint8_t>(ss.server)};
            SessionOptions opt;
            opt.handshake = ss.handshake;
            Rng trng = Rng::derive(seed ^ kSaltScenario ^ (k << 32), i);
            auto p = std::make_unique<Planned>();
            p->start_us = start_us + ss.start_us;
            p->scenario = &s;
            plan_session(a, ss.conv, opt, p->start_us, trng, p->plan);
            plans.push_back(std::move(p));
        }
    }
    std::stable_sort(plans.begin(), plans.end(), [](const auto &x, const auto &y) { return x->start_us < y->start_us; });
    for (size_t id = 0; id < plans.size() && expected; ++id) {
        FlowTruth t = summarize(plans[id]->plan, id, true);
        t.payload = "scenario";
        const Scenario &s = *plans[id]->scenario;
        t.extra = {{"scenario", {{"name", s.name}, {"label", s.malicious ? "malicious" : "benign"},
                                 {"expect", s.expect}, {"description", s.description}}}};
        expected->add(t);
    }
    using Entry = std::pair<uint64_t, size_t>;  // (ts, plan index)
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
    for (size_t i = 0; i < plans.size(); ++i)
        if (!plans[i]->plan.packets.empty()) heap.push({plans[i]->plan.packets.front().ts_us, i});
    while (!heap.empty()) {
        const auto [ts, i] = heap.top();
        heap.pop();
        Planned &p = *plans[i];
        const PlannedPacket &pkt = p.plan.packets[p.next++];
        const size_t len = planned_frame_len(p.plan, pkt);
        uint8_t *dst = pcap.reserve(static_cast<uint32_t>(len));
        build_planned_frame(p.plan, pkt, dst);
        pcap.commit(pkt.ts_us, static_cast<uint32_t>(len));
        if (p.next < p.plan.packets.size()) heap.push({p.plan.packets[p.next].ts_us, i});
    }
    return plans.size();
}

}  // namespace postern::synth
