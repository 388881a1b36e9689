// What the REST handlers need from the running appliance. The dataplane implements it over the
// real counters, flow tables and rule reloader; unit tests use a fake. Every call is made on the
// control thread; callbacks must be called there too, exactly once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/alert_ring.hpp"

namespace postern::control {

enum class FlowOrder { Bytes, Packets };

// The outcome of validating or changing the rule set.
struct RuleOutcome {
    enum class Status { Applied, Invalid, Busy, Error } status = Status::Error;
    uint64_t version = 0;
    size_t rules = 0;
    std::vector<std::string> errors;
};
using RuleDone = std::function<void(const RuleOutcome &)>;

class ApiBackend {
public:
    virtual ~ApiBackend() = default;
    virtual std::string metrics() = 0;  // Prometheus text
    virtual nlohmann::ordered_json status() = 0;
    virtual nlohmann::ordered_json stats() = 0;  // the EVE stats object
    virtual std::string not_ready_reason() = 0;  // "" when ready
    // The top `n` active flows over all workers; `done` gets {"flows":[...], "workers":{...}}.
    virtual void top_flows(size_t n, FlowOrder by, std::function<void(nlohmann::ordered_json)> done) = 0;
    virtual const AlertRing &alerts() = 0;
    virtual nlohmann::ordered_json rules() = 0;
    // Compiles and tests a rule file off the control thread (a big set takes seconds); `done` gets
    // the outcome. False (and `done` is not called) when a validation is already in flight.
    virtual bool validate_rules(std::string rule_file_json, RuleDone done) = 0;
    // Asynchronous; false (and `done` is not called) when a reload is already in flight.
    virtual bool replace_rules(std::string rule_file_json, RuleDone done) = 0;
    virtual bool reload_rules(RuleDone done) = 0;
};

}  // namespace postern::control
