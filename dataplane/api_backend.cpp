#include "api_backend.hpp"

#include <algorithm>
#include <vector>

#include "control_plane.hpp"
#include "output/eve.hpp"

namespace postern::dataplane {

using ojson = nlohmann::ordered_json;

namespace {
// How long GET /flows waits for the workers; a busy worker answers within one burst.
constexpr std::chrono::milliseconds kFlowAnswerTimeout{500};
// Answering walks a worker's whole flow table (about a millisecond for 64K flows): at most ten
// questions a second reach the workers, however often clients ask.
constexpr std::chrono::milliseconds kFlowAskInterval{100};

std::string ip_text(const net::IpAddress &a, net::IpFamily f) { return net::format_ip(a, f); }
}  // namespace

std::string DataplaneApi::metrics() { return cp_.metrics_text(); }
ojson DataplaneApi::status() { return cp_.status_json(); }
ojson DataplaneApi::stats() { return cp_.stats_json(); }
std::string DataplaneApi::not_ready_reason() { return cp_.not_ready_reason(); }
const control::AlertRing &DataplaneApi::alerts() { return cp_.alerts(); }

void DataplaneApi::top_flows(size_t n, control::FlowOrder by, std::function<void(ojson)> done) {
    flow_asks_.push_back({n, by, std::move(done)});
    poll();
}

void DataplaneApi::ask_workers(const FlowAsk &a) {
    ++flow_seq_;
    for (size_t w = 0; w < cp_.workers_.size(); ++w) {
        FlowQuerySlot &q = cp_.workers_[w]->flow_query();
        q.top.store(static_cast<uint32_t>(a.n), std::memory_order_relaxed);
        q.by_packets.store(a.by == control::FlowOrder::Packets, std::memory_order_relaxed);
        q.asked.store(flow_seq_, std::memory_order_release);
    }
    flow_in_flight_ = true;
    const auto now = std::chrono::steady_clock::now();
    flow_deadline_ = now + kFlowAnswerTimeout;
    flow_next_ask_ = now + kFlowAskInterval;
}

void DataplaneApi::poll() {
    if (!flow_in_flight_) {
        if (!flow_asks_.empty() && std::chrono::steady_clock::now() >= flow_next_ask_) ask_workers(flow_asks_.front());
        return;
    }
    bool all = true;
    for (size_t w = 0; w < cp_.workers_.size(); ++w)
        if (!cp_.worker_done_[w] &&
            cp_.workers_[w]->flow_query().answered.load(std::memory_order_acquire) != flow_seq_)
            all = false;
    if (all || std::chrono::steady_clock::now() >= flow_deadline_) complete_flows(!all);
}

void DataplaneApi::complete_flows(bool timed_out) {
    FlowAsk a = std::move(flow_asks_.front());
    flow_asks_.pop_front();
    const bool asked = flow_in_flight_;  // a queued question cancelled at shutdown was never asked
    flow_in_flight_ = false;
    std::vector<const FlowBrief *> all;
    ojson workers = ojson::array();
    uint64_t active = 0;
    for (size_t w = 0; w < cp_.workers_.size(); ++w) {
        const FlowQuerySlot &q = cp_.workers_[w]->flow_query();
        const bool answered = asked && q.answered.load(std::memory_order_acquire) == flow_seq_;
        workers.push_back({{"worker", w}, {"answered", answered}, {"active", answered ? q.active : 0}});
        if (!answered) continue;
        active += q.active;
        for (uint32_t i = 0; i < q.count; ++i) all.push_back(&q.flows[i]);
    }
    const bool by_pkts = a.by == control::FlowOrder::Packets;
    auto weight = [by_pkts](const FlowBrief *b) { return by_pkts ? b->pkts[0] + b->pkts[1] : b->bytes[0] + b->bytes[1]; };
    std::stable_sort(all.begin(), all.end(), [&](auto *x, auto *y) { return weight(x) > weight(y); });
    if (all.size() > a.n) all.resize(a.n);
    ojson flows = ojson::array();
    for (const FlowBrief *b : all) {
        const output::EveEndpoints &ep = b->endpoints;
        char start[32], last[32];
        const size_t sl = output::format_timestamp(b->start_ns, start), ll = output::format_timestamp(b->last_ns, last);
        ojson f = {{"flow_id", b->flow_id},
                         {"src_ip", ip_text(ep.src_ip, ep.family)},
                         {"src_port", ep.src_port},
                         {"dest_ip", ip_text(ep.dest_ip, ep.family)},
                         {"dest_port", ep.dest_port},
                         {"proto", output::proto_name(ep.proto)},
                         {"app_proto", b->app_proto},
                         {"state", b->state},
                         {"in_iface", b->port < cp_.ports_.size() ? cp_.ports_[b->port].name : ""},
                         {"pkts_toserver", b->pkts[0]},
                         {"pkts_toclient", b->pkts[1]},
                         {"bytes_toserver", b->bytes[0]},
                         {"bytes_toclient", b->bytes[1]},
                         {"start", std::string(start, sl)},
                         {"last_seen", std::string(last, ll)}};
        if (!b->tcp_state.empty()) f["tcp_state"] = b->tcp_state;  // as EVE's tcp.state
        flows.push_back(std::move(f));
    }
    ojson j = {{"by", by_pkts ? "pkts" : "bytes"}, {"top", a.n}, {"active", active}, {"complete", !timed_out},
               {"workers", workers}, {"flows", flows}};
    a.done(std::move(j));
}

void DataplaneApi::cancel_pending() {
    while (!flow_asks_.empty()) complete_flows(true);  // the workers have ended: nothing to wait for
}

namespace {
control::RuleOutcome outcome(const ReloadResult &r) {
    using S = control::RuleOutcome::Status;
    S st = S::Error;
    switch (r.status) {
    case ReloadResult::Status::Applied: st = S::Applied; break;
    case ReloadResult::Status::Invalid: st = S::Invalid; break;
    case ReloadResult::Status::Busy: st = S::Busy; break;
    case ReloadResult::Status::Error: st = S::Error; break;
    }
    return {st, r.version, r.rules, r.errors};
}
}  // namespace

ojson DataplaneApi::rules() {
    ojson j = cp_.rules_.info();
    j["reload_in_progress"] = cp_.rules_.busy();
    return j;
}

bool DataplaneApi::validate_rules(std::string text, control::RuleDone done) {
    return cp_.rules_.validate(std::move(text), [done = std::move(done)](const ReloadResult &r) { done(outcome(r)); });
}

bool DataplaneApi::replace_rules(std::string text, control::RuleDone done) {
    return cp_.rules_.replace(std::move(text), [done = std::move(done)](const ReloadResult &r) { done(outcome(r)); });
}

bool DataplaneApi::reload_rules(control::RuleDone done) {
    return cp_.rules_.reload_files([done = std::move(done)](const ReloadResult &r) { done(outcome(r)); });
}

}  // namespace postern::dataplane
