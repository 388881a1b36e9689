// The REST routes against a fake appliance: status codes and problem+json for every kind of bad
// request, auth on mutating calls, and rule changes that leave state alone when refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "control/api_router.hpp"

namespace {

using namespace postern::control;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

class FakeBackend : public ApiBackend {
public:
    std::string metrics() override { return "# HELP postern_up up\n# TYPE postern_up gauge\npostern_up 1\n"; }
    ojson status() override { return {{"version", "test"}}; }
    ojson stats() override { return {{"decoder", {{"pkts", 7}}}}; }
    std::string not_ready_reason() override { return ready ? "" : "ports not started"; }
    void top_flows(size_t n, FlowOrder by, std::function<void(ojson)> done) override {
        asked_n = n, asked_by = by;
        pending_flows = std::move(done);
    }
    const AlertRing &alerts() override { return ring; }
    ojson rules() override { return {{"version", version}}; }
    // Answers at once unless `validation_pending` holds it (a compile still running).
    bool validate_rules(std::string body, RuleDone done) override {
        if (pending_validation) return false;
        ++validations;
        RuleOutcome o{RuleOutcome::Status::Applied, 0, 2, {}};
        if (body.find("bad") != std::string::npos)
            o = {RuleOutcome::Status::Invalid, 0, 0, {"rules[0].id: missing", "rules[1].match: empty"}};
        if (hold_validation) {
            pending_validation = [done = std::move(done), o] { done(o); };
            return true;
        }
        done(o);
        return true;
    }
    bool hold_validation = false;
    std::function<void()> pending_validation;
    bool replace_rules(std::string body, RuleDone done) override {
        if (pending_rules) return false;
        last_body = body;
        pending_rules = std::move(done);
        return true;
    }
    bool reload_rules(RuleDone done) override {
        if (pending_rules) return false;
        pending_rules = std::move(done);
        return true;
    }

    bool ready = true;
    uint64_t version = 1;
    int validations = 0;
    size_t asked_n = 0;
    FlowOrder asked_by = FlowOrder::Bytes;
    std::function<void(ojson)> pending_flows;
    RuleDone pending_rules;
    std::string last_body;
    AlertRing ring{8};
};

class Router : public ::testing::Test {
protected:
    Response call(std::string method, std::string target, std::string body = "", std::string auth = "") {
        Response got;
        bool answered = false;
        router.handle({std::move(method), std::move(target), std::move(auth), std::move(body)}, [&](Response r) {
            got = std::move(r);
            answered = true;
        });
        EXPECT_TRUE(answered);
        return got;
    }
    Response later(std::string method, std::string target, std::string body, std::string auth, bool &answered,
                   Response &out) {
        answered = false;
        router.handle({std::move(method), std::move(target), std::move(auth), std::move(body)}, [&](Response r) {
            out = std::move(r);
            answered = true;
        });
        return out;
    }
    static json problem_of(const Response &r) {
        EXPECT_EQ(r.content_type, "application/problem+json");
        const json j = json::parse(r.body);
        EXPECT_EQ(j["status"], r.status);
        EXPECT_TRUE(j.contains("type") && j.contains("title") && j.contains("detail"));
        return j;
    }
    FakeBackend backend;
    ApiRouter router{backend, "tok"};
    const std::string bearer = "Bearer tok";
    const std::string good_rules = R"({"rules": []})";
};

TEST_F(Router, ReadOnlyEndpoints) {
    auto r = call("GET", "/metrics");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(json::parse(call("GET", "/api/v1/status").body)["version"], "test");
    EXPECT_EQ(json::parse(call("GET", "/api/v1/stats").body)["decoder"]["pkts"], 7);
    EXPECT_EQ(call("GET", "/api/v1/healthz").status, 200u);
    EXPECT_EQ(call("GET", "/api/v1/readyz").status, 200u);
    backend.ready = false;
    r = call("GET", "/api/v1/readyz");
    EXPECT_EQ(r.status, 503u);
    EXPECT_NE(problem_of(r)["detail"].get<std::string>().find("ports not started"), std::string::npos);
    EXPECT_EQ(json::parse(call("GET", "/api/v1/rules").body)["version"], 1);
}

TEST_F(Router, UnknownPathMethodAndParameter) {
    auto r = call("GET", "/api/v1/nothing");
    EXPECT_EQ(r.status, 404u);
    problem_of(r);
    r = call("DELETE", "/api/v1/rules");
    EXPECT_EQ(r.status, 405u);
    problem_of(r);
    ASSERT_FALSE(r.headers.empty());
    EXPECT_EQ(r.headers[0].first, "Allow");
    EXPECT_EQ(r.headers[0].second, "GET, PUT");
    r = call("GET", "/api/v1/stats?verbose=1");
    EXPECT_EQ(r.status, 400u);
    EXPECT_NE(problem_of(r)["detail"].get<std::string>().find("verbose: unknown query parameter"), std::string::npos);
}

TEST_F(Router, FlowsAnswerWhenTheBackendDoes) {
    bool answered = false;
    Response r;
    later("GET", "/api/v1/flows?top=5&by=pkts", "", "", answered, r);
    EXPECT_FALSE(answered);
    EXPECT_EQ(backend.asked_n, 5u);
    EXPECT_EQ(backend.asked_by, FlowOrder::Packets);
    backend.pending_flows({{"flows", json::array()}});
    EXPECT_TRUE(answered);
    EXPECT_EQ(r.status, 200u);
    auto bad = call("GET", "/api/v1/flows?top=0");
    EXPECT_EQ(bad.status, 400u);
    EXPECT_NE(problem_of(bad)["detail"].get<std::string>().find("top:"), std::string::npos);
    bad = call("GET", "/api/v1/flows?by=time");
    EXPECT_EQ(bad.status, 400u);
    EXPECT_NE(problem_of(bad)["detail"].get<std::string>().find("by:"), std::string::npos);
}

TEST_F(Router, AlertsSinceAndLimit) {
    backend.ring.push(R"({"timestamp":"2026-11-27T10:00:00.000000+0000","event_type":"alert","n":1})");
    backend.ring.push(R"({"timestamp":"2026-11-27T10:00:05.000000+0000","event_type":"alert","n":2})");
    auto j = json::parse(call("GET", "/api/v1/alerts?since=2026-11-27T10:00:01Z").body);
    ASSERT_EQ(j["alerts"].size(), 1u);
    EXPECT_EQ(j["alerts"][0]["n"], 2);
    j = json::parse(call("GET", "/api/v1/alerts?limit=1").body);
    ASSERT_EQ(j["alerts"].size(), 1u);
    auto r = call("GET", "/api/v1/alerts?since=soon");
    EXPECT_EQ(r.status, 400u);
    EXPECT_NE(problem_of(r)["detail"].get<std::string>().find("since:"), std::string::npos);
    EXPECT_EQ(call("GET", "/api/v1/alerts?limit=-1").status, 400u);
}

TEST_F(Router, MutatingCallsNeedTheToken) {
    for (auto [method, path] : {std::pair{"PUT", "/api/v1/rules"}, {"POST", "/api/v1/rules/reload"},
                                {"POST", "/api/v1/rules/validate"}}) {
        EXPECT_EQ(call(method, path, good_rules).status, 401u) << path;
        EXPECT_EQ(call(method, path, good_rules, "Bearer nope").status, 403u) << path;
    }
    EXPECT_FALSE(backend.pending_rules);
    EXPECT_EQ(backend.validations, 0);
    FakeBackend b2;
    ApiRouter no_token(b2, "");
    Response r;
    no_token.handle({"POST", "/api/v1/rules/reload", "Bearer x", ""}, [&](Response x) { r = std::move(x); });
    EXPECT_EQ(r.status, 403u);
    EXPECT_NE(problem_of(r)["detail"].get<std::string>().find("no API token is configured"), std::string::npos);
}

TEST_F(Router, ValidateReportsEveryError) {
    auto r = call("POST", "/api/v1/rules/validate", good_rules, bearer);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(json::parse(r.body)["valid"], true);
    r = call("POST", "/api/v1/rules/validate", R"({"bad": true})", bearer);
    EXPECT_EQ(r.status, 422u);
    const auto p = problem_of(r);
    ASSERT_EQ(p["errors"].size(), 2u);
    EXPECT_EQ(p["errors"][0], "rules[0].id: missing");
    r = call("POST", "/api/v1/rules/validate", "{not json", bearer);
    EXPECT_EQ(r.status, 400u);
    EXPECT_NE(problem_of(r)["detail"].get<std::string>().find("body: invalid JSON"), std::string::npos);
    r = call("PUT", "/api/v1/rules", R"({"rules": [{"id": 1e99999}]})", bearer);  // out_of_range, not parse_error
    EXPECT_EQ(r.status, 400u);
    EXPECT_NE(problem_of(r)["detail"].get<std::string>().find("number overflow"), std::string::npos);
    EXPECT_EQ(call("POST", "/api/v1/rules/validate", "", bearer).status, 400u);
    EXPECT_EQ(call("POST", "/api/v1/rules/validate", "[1]", bearer).status, 400u);
}

// Compiling a big rule set takes seconds: validation answers later, and one at a time.
TEST_F(Router, ValidationRunsOffTheLoopOneAtATime) {
    backend.hold_validation = true;
    bool answered = false;
    Response r;
    later("POST", "/api/v1/rules/validate", good_rules, bearer, answered, r);
    EXPECT_FALSE(answered);
    const auto busy = call("POST", "/api/v1/rules/validate", good_rules, bearer);
    EXPECT_EQ(busy.status, 409u);
    EXPECT_NE(problem_of(busy)["detail"].get<std::string>().find("validation is already in progress"), std::string::npos);
    backend.pending_validation();
    EXPECT_TRUE(answered);
    EXPECT_EQ(r.status, 200u);
}

// RFC 9110: the scheme name is case-insensitive.
TEST_F(Router, TheBearerSchemeIsCaseInsensitive) {
    for (std::string auth : {"bearer tok", "BEARER tok", "Bearer  tok"})
        EXPECT_EQ(call("POST", "/api/v1/rules/validate", good_rules, auth).status, 200u) << auth;
    EXPECT_EQ(call("POST", "/api/v1/rules/validate", good_rules, "Basic dG9r").status, 401u);
    EXPECT_EQ(call("POST", "/api/v1/rules/validate", good_rules, "Bearertok").status, 401u);
}

// api.read_token_required: alerts and flows show user names and subjects.
TEST_F(Router, ReadsCanRequireTheToken) {
    FakeBackend b;
    ApiRouter guarded(b, "tok", true);
    auto ask = [&](std::string target, std::string auth) {
        Response out;
        guarded.handle({"GET", std::move(target), std::move(auth), ""}, [&](Response x) { out = std::move(x); });
        return out;
    };
    for (std::string path : {"/api/v1/alerts", "/api/v1/status", "/api/v1/stats", "/api/v1/rules"}) {
        EXPECT_EQ(ask(path, "").status, 401u) << path;
        EXPECT_EQ(ask(path, "Bearer nope").status, 403u) << path;
        EXPECT_EQ(ask(path, "Bearer tok").status, 200u) << path;
    }
    for (std::string path : {"/metrics", "/api/v1/healthz", "/api/v1/readyz"}) EXPECT_EQ(ask(path, "").status, 200u) << path;
    EXPECT_EQ(call("GET", "/api/v1/alerts").status, 200u);  // not required by default
}

TEST_F(Router, ReplaceIsAsynchronousAndConcurrentReloadsConflict) {
    bool answered = false;
    Response r;
    later("PUT", "/api/v1/rules", good_rules, bearer, answered, r);
    EXPECT_FALSE(answered);
    EXPECT_EQ(backend.last_body, good_rules);
    auto busy = call("POST", "/api/v1/rules/reload", "", bearer);
    EXPECT_EQ(busy.status, 409u);
    problem_of(busy);
    EXPECT_EQ(call("PUT", "/api/v1/rules", good_rules, bearer).status, 409u);
    auto done = std::move(backend.pending_rules);
    backend.pending_rules = nullptr;
    done({RuleOutcome::Status::Applied, 2, 35, {}});
    ASSERT_TRUE(answered);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(json::parse(r.body)["version"], 2);
    // An invalid replacement answers 422 with the errors.
    later("PUT", "/api/v1/rules", good_rules, bearer, answered, r);
    done = std::move(backend.pending_rules);
    backend.pending_rules = nullptr;
    done({RuleOutcome::Status::Invalid, 0, 0, {"a: b"}});
    EXPECT_EQ(r.status, 422u);
    EXPECT_EQ(problem_of(r)["errors"][0], "a: b");
    // Bad JSON never reaches the backend.
    EXPECT_EQ(call("PUT", "/api/v1/rules", "{", bearer).status, 400u);
    EXPECT_FALSE(backend.pending_rules);
}

}  // namespace
