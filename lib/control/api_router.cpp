#include "control/api_router.hpp"

#include <array>
#include <initializer_list>
#include <string_view>

#include "control/auth.hpp"
#include "control/problem.hpp"
#include "control/query.hpp"

namespace postern::control {

namespace {

using ojson = nlohmann::ordered_json;

Response json_response(const ojson &j, unsigned status = 200) {
    Response r;
    r.status = status;
    r.body = j.dump();
    return r;
}

Response rule_response(const RuleOutcome &o, bool validate_only) {
    using S = RuleOutcome::Status;
    switch (o.status) {
    case S::Applied:
        if (validate_only) return json_response({{"valid", true}, {"rules", o.rules}});
        return json_response({{"status", "applied"}, {"version", o.version}, {"rules", o.rules}});
    case S::Invalid:
        return problem(422,
                       std::to_string(o.errors.size()) + " error(s) in the rule set; the running set is unchanged",
                       o.errors);
    case S::Busy: return problem(409, "a rule reload is already in progress; retry when it has finished");
    case S::Error: break;
    }
    return problem(500, o.errors.empty() ? "the rule set could not be applied" : o.errors.front(), o.errors);
}

// The body of PUT /rules and POST /rules/validate: one rule file's JSON text.
std::optional<Response> check_rule_body(const std::string &body) {
    if (body.empty()) return problem(400, "body: is empty; send one rule file's JSON (as in config/rules/*.json)");
    try {
        const auto parsed = nlohmann::json::parse(body);
        if (!parsed.is_object()) return problem(400, "body: must be a JSON object (one rule file)");
    } catch (const nlohmann::json::exception &e) {  // parse_error, or out_of_range for a number beyond a double
        return problem(400, std::string("body: invalid JSON: ") + e.what());
    }
    return std::nullopt;
}

enum class Access { Open, Read, Mutating };  // Read: needs the token with api.read_token_required

struct Route {
    std::string_view path;
    std::string_view method;
    std::initializer_list<std::string_view> params;
    Access access;
};

constexpr std::string_view kV1 = "/api/v1";

const std::array<Route, 12> kRoutes = {{
    {"/metrics", "GET", {}, Access::Open},
    {"/api/v1/status", "GET", {}, Access::Read},
    {"/api/v1/stats", "GET", {}, Access::Read},
    {"/api/v1/flows", "GET", {"top", "by"}, Access::Read},
    {"/api/v1/alerts", "GET", {"since", "limit"}, Access::Read},
    {"/api/v1/rules", "GET", {}, Access::Read},
    {"/api/v1/rules", "PUT", {}, Access::Mutating},
    {"/api/v1/rules/validate", "POST", {}, Access::Mutating},
    {"/api/v1/rules/reload", "POST", {}, Access::Mutating},
    {"/api/v1/healthz", "GET", {}, Access::Open},
    {"/api/v1/readyz", "GET", {}, Access::Open},
    {"/healthz", "GET", {}, Access::Open},
}};

}  // namespace

void ApiRouter::handle(const Request &req, Reply reply) {
    const Target t = parse_target(req.target);
    if (!t.error.empty()) return reply(problem(400, t.error));
    const Route *route = nullptr;
    std::string allow;
    for (const Route &r : kRoutes) {
        if (r.path != t.path) continue;
        allow += (allow.empty() ? "" : ", ") + std::string(r.method);
        if (r.method == req.method) route = &r;
    }
    if (allow.empty()) return reply(problem(404, "no such endpoint: " + t.path + " (see docs/api.md)"));
    if (!route) {
        Response r = problem(405, req.method + " is not allowed on " + t.path + "; allowed: " + allow);
        r.headers.emplace_back("Allow", allow);
        return reply(std::move(r));
    }
    if (route->access == Access::Mutating || (route->access == Access::Read && read_token_required_))
        if (auto denied = check_bearer(token_, req.authorization)) return reply(std::move(*denied));
    for (const auto &[k, v] : t.params) {
        bool known = false;
        for (std::string_view p : route->params) known = known || p == k;
        if (!known) return reply(problem(400, k + ": unknown query parameter for " + t.path));
    }

    const std::string_view path = t.path;
    std::string error;
    if (path == "/metrics") {
        Response r;
        r.content_type = kMetricsContentType;
        r.body = backend_.metrics();
        return reply(std::move(r));
    }
    if (path == "/healthz" || path == "/api/v1/healthz") return reply(json_response({{"status", "ok"}}));
    const std::string_view rest = path.substr(kV1.size());
    if (rest == "/readyz") {
        const std::string why = backend_.not_ready_reason();
        if (why.empty()) return reply(json_response({{"status", "ready"}}));
        return reply(problem(503, "not ready: " + why));
    }
    if (rest == "/status") return reply(json_response(backend_.status()));
    if (rest == "/stats") return reply(json_response(backend_.stats()));
    if (rest == "/flows") {
        uint64_t top = 10;
        if (!uint_param(t, "top", 1, 1000, top, error)) return reply(problem(400, error));
        FlowOrder by = FlowOrder::Bytes;
        if (auto it = t.params.find("by"); it != t.params.end()) {
            if (it->second == "pkts" || it->second == "packets") by = FlowOrder::Packets;
            else if (it->second != "bytes") return reply(problem(400, "by: must be \"bytes\" or \"pkts\", got \"" + it->second + "\""));
        }
        return backend_.top_flows(top, by, [reply](ojson j) { reply(json_response(j)); });
    }
    if (rest == "/alerts") {
        uint64_t limit = 100, since = 0;
        if (!uint_param(t, "limit", 1, 10000, limit, error)) return reply(problem(400, error));
        if (auto it = t.params.find("since"); it != t.params.end()) {
            const auto ts = parse_time(it->second);
            if (!ts)
                return reply(problem(400, "since: must be an ISO 8601 time (2026-11-27T11:00:00Z) or unix seconds, got \"" +
                                              it->second + "\""));
            since = *ts;
        }
        const AlertRing &ring = backend_.alerts();
        ojson j = {{"alerts", ring.query(since, limit)}, {"buffered", ring.size()}, {"total", ring.total()}};
        return reply(json_response(j));
    }
    if (rest == "/rules" && req.method != "PUT") return reply(json_response(backend_.rules()));
    if (rest == "/rules/validate") {
        if (auto bad = check_rule_body(req.body)) return reply(std::move(*bad));
        if (!backend_.validate_rules(req.body, [reply](const RuleOutcome &o) { reply(rule_response(o, true)); }))
            return reply(problem(409, "a rule validation is already in progress; retry when it has finished"));
        return;
    }
    auto done = [reply](const RuleOutcome &o) { reply(rule_response(o, false)); };
    if (rest == "/rules") {
        if (auto bad = check_rule_body(req.body)) return reply(std::move(*bad));
        if (!backend_.replace_rules(req.body, done)) return reply(rule_response({RuleOutcome::Status::Busy, 0, 0, {}}, false));
        return;
    }
    if (rest == "/rules/reload") {
        if (!backend_.reload_rules(done)) return reply(rule_response({RuleOutcome::Status::Busy, 0, 0, {}}, false));
        return;
    }
    reply(problem(404, "no such endpoint: " + t.path));
}

}  // namespace postern::control
