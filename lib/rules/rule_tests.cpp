#include "rules/rule_tests.hpp"

#include <algorithm>
#include <memory>

#include "rules/matcher.hpp"
#include "rules/matching_sink.hpp"
#include "rules/parse_context.hpp"
#include "rules/transcript.hpp"

namespace postern::rules {

namespace {

struct Hit {
    uint32_t rule_id;
    std::string evidence;
};

class RecordingMatchSink final : public MatchSink {
public:
    std::vector<Hit> hits;
    void on_match(const RuleMatch &m) override {
        std::string ev;
        for (const Evidence &e : m.evidence)
            ev += (ev.empty() ? "" : ", ") + std::string(e.field) + "=" + detail::quote(e.value);
        hits.push_back({m.rule.id, std::move(ev)});
    }
};

// What the parser reported, to explain a positive test that did not match.
class FieldListSink final : public proto::NullEventSink {
public:
    std::string seen;
    void on_field(proto::Field f, std::string_view v) override { add(proto::field_name(f), v); }
    void on_header(std::string_view n, std::string_view v) override { add("email.header." + std::string(n), v); }

private:
    void add(std::string_view name, std::string_view v) {
        if (seen.size() > 600) return;
        seen += (seen.empty() ? "" : ", ") + std::string(name) + "=" + detail::quote(v);
    }
};

std::vector<Hit> run_case(const RuleSet &set, const Scratch &scratch, const TestCase &t, std::string *fields_seen) {
    Matcher matcher;  // no threshold table: every hit counts
    matcher.bind(&set, scratch.get());
    RecordingMatchSink hits;
    auto state = std::make_unique<MatchState>();
    const MatchContext ctx;
    if (t.protocol == proto::Protocol::Unknown) {
        state->begin(proto::Protocol::Unknown);
        for (const auto &[field, value] : t.values) {
            if (fields_seen) *fields_seen += (fields_seen->empty() ? "" : ", ") + field.name() + "=" + detail::quote(value);
            switch (field.kind) {
            case FieldRef::Kind::Field: matcher.on_field(*state, ctx, field.field, value, hits); break;
            case FieldRef::Kind::Header: matcher.on_header(*state, ctx, field.header, value, hits); break;
            case FieldRef::Kind::HeaderNames: matcher.on_header(*state, ctx, value, {}, hits); break;
            case FieldRef::Kind::HeaderLine: {
                // "Name: value" in a test is reported as the header it spells.
                const size_t colon = value.find(':');
                const std::string name = value.substr(0, colon);
                std::string v = colon == std::string::npos ? std::string() : value.substr(colon + 1);
                v.erase(0, v.find_first_not_of(" \t") == std::string::npos ? v.size() : v.find_first_not_of(" \t"));
                matcher.on_header(*state, ctx, name, v, hits);
                break;
            }
            }
        }
        TransactionFacts facts;
        for (const auto &[metric, v] : t.metrics) facts.set(metric, v);
        matcher.end_transaction(*state, ctx, facts, hits);
    } else {
        state->begin(t.protocol);
        FieldListSink seen;
        MatchingSink sink(matcher, hits, &seen);
        sink.set_session(state.get());
        run_transcript(t.protocol, t.transcript, sink);
        if (fields_seen) *fields_seen = std::move(seen.seen);
    }
    return std::move(hits.hits);
}

}  // namespace

std::vector<uint32_t> rules_matching(const RuleSet &set, const Scratch &scratch, const TestCase &test,
                                     std::string *fields_seen) {
    std::vector<uint32_t> out;
    for (const Hit &h : run_case(set, scratch, test, fields_seen))
        if (std::find(out.begin(), out.end(), h.rule_id) == out.end()) out.push_back(h.rule_id);
    return out;
}

std::vector<RuleTestResult> run_rule_tests(const RuleSet &set, const Scratch &scratch) {
    std::vector<RuleTestResult> results;
    for (const Rule &rule : set.rules()) {
        RuleTestResult r;
        r.rule_id = rule.id;
        for (const TestCase &t : rule.tests) {
            std::string seen;
            const std::vector<Hit> hits = run_case(set, scratch, t, &seen);
            const auto hit = std::find_if(hits.begin(), hits.end(), [&](const Hit &h) { return h.rule_id == rule.id; });
            const bool matched = hit != hits.end();
            if (matched == t.expect_match) {
                ++r.passed;
                continue;
            }
            std::string msg = t.expect_match ? "expected a match, got none" : "expected no match, but it matched on " + hit->evidence;
            if (!t.description.empty()) msg += " (" + t.description + ")";
            if (t.expect_match) msg += seen.empty() ? "; the test produced no field values" : "; values seen: " + seen;
            r.failures.push_back({t.where, std::move(msg)});
        }
        results.push_back(std::move(r));
    }
    return results;
}

}  // namespace postern::rules
