// Helpers for the rule engine tests: rule sets from inline JSON, a recording MatchSink, and a
// small harness that feeds field events for one session.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rules/loader.hpp"
#include "rules/matcher.hpp"
#include "rules/scratch.hpp"

namespace postern::rules::test {

// A rule file with the given rules (JSON objects, comma-separated).
inline std::string file_with(const std::string &rules) { return R"({"rules": [)" + rules + "]}"; }

// A minimal valid rule around a match object.
inline std::string rule(uint32_t id, const std::string &match, const std::string &extra = "") {
    return R"({"id": )" + std::to_string(id) + R"(, "rev": 1, "title": "rule )" + std::to_string(id) +
           R"(", "level": "high", "match": )" + match + extra + "}";
}

inline LoadReport load(const std::string &text, bool run_tests = true) {
    LoadOptions o;
    o.run_tests = run_tests;
    return validate_rule_text(text, "test.json", o);
}

// Compiles `rules` (no embedded tests run); fails the test on any error.
inline std::shared_ptr<const RuleSet> compile(const std::string &rules) {
    LoadReport r = load(file_with(rules), false);
    for (const auto &d : r.diagnostics)
        if (d.severity == Diagnostic::Severity::Error) ADD_FAILURE() << d.to_string();
    return r.set;
}

inline bool mentions(const LoadReport &r, const std::string &text) {
    for (const auto &d : r.diagnostics)
        if (d.to_string().find(text) != std::string::npos) return true;
    return false;
}

inline std::string dump(const LoadReport &r) {
    std::string s;
    for (const auto &d : r.diagnostics) s += d.to_string() + "\n";
    return s;
}

struct Recorded {
    uint32_t id;
    std::vector<std::pair<std::string, std::string>> evidence;
    uint64_t version;
};

class RecordingMatchSink final : public MatchSink {
public:
    std::vector<Recorded> matches;
    void on_match(const RuleMatch &m) override {
        Recorded r{m.rule.id, {}, m.set_version};
        for (const Evidence &e : m.evidence) r.evidence.emplace_back(std::string(e.field), std::string(e.value));
        matches.push_back(std::move(r));
    }
    std::vector<uint32_t> ids() const {
        std::vector<uint32_t> out;
        for (const auto &m : matches) out.push_back(m.id);
        return out;
    }
    size_t count(uint32_t id) const {
        size_t n = 0;
        for (const auto &m : matches) n += m.id == id;
        return n;
    }
};

// One session against a set: owns the scratch, state and matcher.
class Session {
public:
    explicit Session(std::shared_ptr<const RuleSet> set, proto::Protocol p = proto::Protocol::Unknown,
                     ThresholdTable *thresholds = nullptr)
        : set_(std::move(set)), scratch_(set_->make_scratch()), matcher_(thresholds) {
        matcher_.bind(set_.get(), scratch_.get());
        state_->begin(p);
    }
    Session &field(proto::Field f, std::string_view v) {
        matcher_.on_field(*state_, ctx, f, v, sink);
        return *this;
    }
    Session &header(std::string_view n, std::string_view v) {
        matcher_.on_header(*state_, ctx, n, v, sink);
        return *this;
    }
    Session &end(const TransactionFacts &facts = {}) {
        matcher_.end_transaction(*state_, ctx, facts, sink);
        return *this;
    }
    // Switches to another set the way a worker does (its own scratch, prepared off the hot path).
    void rebind(std::shared_ptr<const RuleSet> set) {
        set_ = std::move(set);
        ASSERT_TRUE(scratch_.prepare(*set_));
        matcher_.bind(set_.get(), scratch_.get());
    }
    Matcher &matcher() { return matcher_; }
    MatchState &state() { return *state_; }

    MatchContext ctx;
    RecordingMatchSink sink;

private:
    std::shared_ptr<const RuleSet> set_;
    Scratch scratch_;
    Matcher matcher_;
    std::unique_ptr<MatchState> state_ = std::make_unique<MatchState>();
};

}  // namespace postern::rules::test
