// The REST API's view of the running appliance (control::ApiBackend over the ControlPlane):
// counters, status, flows asked of the workers (flow_query.hpp), alerts and rules. Control
// thread only.
#pragma once

#include <chrono>
#include <deque>
#include <functional>

#include "control/api_backend.hpp"

namespace postern::dataplane {

class ControlPlane;

class DataplaneApi final : public control::ApiBackend {
public:
    explicit DataplaneApi(ControlPlane &cp) : cp_(cp) {}

    std::string metrics() override;
    nlohmann::ordered_json status() override;
    nlohmann::ordered_json stats() override;
    std::string not_ready_reason() override;
    void top_flows(size_t n, control::FlowOrder by, std::function<void(nlohmann::ordered_json)> done) override;
    const control::AlertRing &alerts() override;
    nlohmann::ordered_json rules() override;
    bool validate_rules(std::string rule_file_json, control::RuleDone done) override;
    bool replace_rules(std::string rule_file_json, control::RuleDone done) override;
    bool reload_rules(control::RuleDone done) override;

    // Every control-loop iteration: completes the flow question when the workers have answered
    // (or after a timeout), then asks the next one.
    void poll();
    // At shutdown: answers what is still waiting.
    void cancel_pending();

private:
    struct FlowAsk {
        size_t n;
        control::FlowOrder by;
        std::function<void(nlohmann::ordered_json)> done;
    };
    void ask_workers(const FlowAsk &a);
    void complete_flows(bool timed_out);

    ControlPlane &cp_;
    std::deque<FlowAsk> flow_asks_;  // the front is in flight when flow_in_flight_
    bool flow_in_flight_ = false;
    uint64_t flow_seq_ = 0;
    std::chrono::steady_clock::time_point flow_deadline_;
    std::chrono::steady_clock::time_point flow_next_ask_;  // questions are spaced (api_backend.cpp)
};

}  // namespace postern::dataplane
