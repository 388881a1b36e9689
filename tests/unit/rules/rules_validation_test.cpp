// Validation: every kind of problem is reported, with file, rule id and path, all at once, and
// nothing is handed out unless everything is valid.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "rules_test_util.hpp"

namespace postern::rules {
namespace {

using test::file_with;
using test::load;
using test::mentions;
using test::rule;

const std::string kSubjectMatch = R"({"all": [{"field": "email.subject", "patterns": ["PW_"]}]})";

TEST(RulesValidation, ValidRuleLoadsWithMetadata) {
    const LoadReport r = load(file_with(rule(7, kSubjectMatch, R"(, "tags": ["attack.command-and-control",
        "attack.t1071.003", "attack.exfiltration"], "status": "stable", "action": "drop",
        "tests": {"positive": [{"fields": {"email.subject": "PW_bob"}}],
                  "negative": [{"fields": {"email.subject": "hello"}}]})")));
    ASSERT_TRUE(r.ok()) << test::dump(r);
    EXPECT_EQ(r.errors(), 0u);
    const Rule *x = r.set->find(7);
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->status, Status::Stable);
    EXPECT_EQ(x->action, Action::Drop);
    EXPECT_EQ(x->mitre_techniques, std::vector<std::string>{"T1071.003"});
    EXPECT_EQ(x->mitre_tactics, (std::vector<std::string>{"TA0011", "TA0010"}));
    EXPECT_EQ(x->category, "Command and Control");
    EXPECT_EQ(x->protocols, protocol_bit(proto::Protocol::Smtp) | protocol_bit(proto::Protocol::Pop3) |
                                protocol_bit(proto::Protocol::Imap));
    ASSERT_EQ(r.rules.size(), 1u);
    EXPECT_EQ(r.rules[0].result, RuleStatus::Result::Passed);
    EXPECT_EQ(r.rules[0].tests_passed, 2u);
}

TEST(RulesValidation, MissingTestsAreWarningsNotErrors) {
    const LoadReport r = load(file_with(rule(1, kSubjectMatch)));
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.warnings(), 2u);
    EXPECT_TRUE(mentions(r, "rule 1: tests: warning: no positive test"));
}

TEST(RulesValidation, BadJsonNamesLineAndColumn) {
    const LoadReport r = load("{\"rules\": [\n  {\"id\": 1,,}\n]}");
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(mentions(r, "test.json: invalid JSON at line 2, column")) << test::dump(r);
}

// A number beyond a double is nlohmann's out_of_range, not a parse_error (fuzz_rules, 2026-12-04).
TEST(RulesValidation, NumberTooLargeIsAnErrorNotACrash) {
    const LoadReport r = load("{\"rules\": [{\"id\": 5555e55555}]}");
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(mentions(r, "test.json: invalid JSON: ")) << test::dump(r);
    EXPECT_TRUE(mentions(r, "number overflow")) << test::dump(r);
}

TEST(RulesValidation, FileShape) {
    EXPECT_TRUE(mentions(load("[]"), "a rule file is an object with a \"rules\" array"));
    EXPECT_TRUE(mentions(load("{}"), "rules: required key is missing"));
    EXPECT_TRUE(mentions(load(R"({"rules": [], "comment": 1})"), "unknown key \"comment\""));
    EXPECT_TRUE(mentions(load(R"({"rules": [42]})"), "rules[0]: a rule must be an object"));
}

TEST(RulesValidation, DuplicateJsonKeysAreErrors) {
    const LoadReport r = load(file_with(R"({"id": 1, "rev": 1, "title": "t", "level": "low", "level": "high",
        "match": {"all": [{"field": "smtp.helo", "patterns": ["x"]}]}})"));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(mentions(r, "duplicate key \"level\"")) << test::dump(r);
}

TEST(RulesValidation, UnknownKeysEverywhereWithHints) {
    const LoadReport r = load(file_with(R"({"id": 3, "rev": 1, "title": "t", "levl": "high", "level": "high",
        "match": {"all": [{"field": "smtp.helo", "patern": ["x"], "patterns": ["x"]}], "none": []},
        "tests": {"positive": [{"feilds": {}}], "negatives": []}})"));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(mentions(r, "rule 3: unknown key \"levl\" (did you mean \"level\"?)")) << test::dump(r);
    EXPECT_TRUE(mentions(r, "rule 3: match.all[0]: unknown key \"patern\" (did you mean \"patterns\"?)"));
    EXPECT_TRUE(mentions(r, "rule 3: match: unknown key \"none\""));
    EXPECT_TRUE(mentions(r, "rule 3: tests.positive[0]: unknown key \"feilds\" (did you mean \"fields\"?)"));
    EXPECT_TRUE(mentions(r, "rule 3: tests: unknown key \"negatives\" (did you mean \"negative\"?)"));
}

TEST(RulesValidation, UnknownFieldsAndMetrics) {
    const LoadReport r = load(file_with(rule(4, R"({"all": [{"field": "email.subjet", "patterns": ["x"]},
        {"field": "email.header.bad:name", "patterns": ["x"]}, {"metric": "email.attachments", "min": 1}]})",
        R"(, "tests": {"positive": [{"fields": {"smtp.hello": "x"}, "metrics": {"email.sizes": 1}}]})")));
    EXPECT_TRUE(mentions(r, "rule 4: match.all[0].field: unknown field \"email.subjet\"")) << test::dump(r);
    EXPECT_TRUE(mentions(r, "rule 4: match.all[1].field: unknown field \"email.header.bad:name\""));
    EXPECT_TRUE(mentions(r, "rule 4: match.all[2].metric: unknown metric \"email.attachments\""));
    EXPECT_TRUE(mentions(r, "rule 4: tests.positive[0].fields.smtp.hello: unknown field \"smtp.hello\""));
    EXPECT_TRUE(mentions(r, "rule 4: tests.positive[0].metrics.email.sizes: unknown metric"));
}

TEST(RulesValidation, TypesValuesAndRanges) {
    const LoadReport r = load(file_with(R"({"id": "9", "rev": 0, "title": "", "level": 3, "status": "beta",
        "action": "block", "tags": "attack.t1071", "protocols": ["smtp", "ftp"],
        "match": {"any": [{"field": "email.subject", "length": {"min": 9, "max": 2}},
                          {"metric": "email.size"}]},
        "threshold": {"count": 0, "seconds": 10, "track": "by_host"}})"));
    EXPECT_FALSE(r.ok());
    for (const char *m : {"rules[0]: id: must be a non-negative integer, not a string",
                          "rev: must be between 1 and 4294967295, not 0", "title: must not be empty",
                          "level: must be a string, not an integer", "status: unknown value \"beta\"",
                          "action: unknown value \"block\"", "tags: must be an array of strings, not a string",
                          "protocols[1]: unknown protocol \"ftp\"", "match.any[0].length: min 9 is above max 2",
                          "match.any[1]: needs \"min\", \"max\" or both",
                          "threshold.count: must be between 1 and 1000000, not 0",
                          "threshold.track: unknown value \"by_host\""})
        EXPECT_TRUE(mentions(r, m)) << m << "\n" << test::dump(r);
}

TEST(RulesValidation, FlagsAreChecked) {
    const LoadReport r = load(file_with(rule(5, R"({"all": [{"field": "email.subject", "patterns": ["x"],
        "flags": ["nocase", "ucp"]}, {"field": "smtp.helo", "flags": ["caseless"]}]})")));
    EXPECT_TRUE(mentions(r, "rule 5: match.all[0].flags[0]: unknown flag \"nocase\"")) << test::dump(r);
    EXPECT_TRUE(mentions(r, "rule 5: match.all[0].flags: \"ucp\" needs \"utf8\""));
    EXPECT_TRUE(mentions(r, "rule 5: match.all[1].flags: flags without patterns"));
}

TEST(RulesValidation, EveryBadExpressionIsListed) {
    // Bad expressions in a valid rule, in a rule with other errors, and in an exclude list.
    const LoadReport r = load(file_with(
        rule(10, R"({"any": [{"field": "email.subject", "patterns": ["PW_(", "ok", "(a)\\1"]},
                            {"field": "smtp.helo", "patterns": ["a{2,1}"], "exclude": ["(?<=x)y"]}]})") + "," +
        rule(11, R"({"all": [{"field": "email.subjet", "patterns": ["[z-a]", "x*"]}]})") + "," +
        rule(12, kSubjectMatch)));
    EXPECT_FALSE(r.ok());
    const std::vector<std::string> expected = {
        "rule 10: match.any[0].patterns[0]: \"PW_(\": Missing close parenthesis",
        "rule 10: match.any[0].patterns[2]: \"(a)\\\\1\": Back-references are unsupported",
        "rule 10: match.any[1].patterns[0]: \"a{2,1}\": Invalid repeat",
        "rule 10: match.any[1].exclude[0]: \"(?<=x)y\"",
        "rule 11: match.all[0].patterns[0]: \"[z-a]\"",
        "rule 11: match.all[0].patterns[1]: \"x*\": can match an empty string",
    };
    for (const auto &e : expected) EXPECT_TRUE(mentions(r, e)) << e << "\n" << test::dump(r);
    EXPECT_FALSE(mentions(r, "rule 10: match.any[0].patterns[1]"));
    // The good rule is fine but nothing is handed out.
    ASSERT_EQ(r.rules.size(), 3u);
    EXPECT_EQ(r.rules[2].result, RuleStatus::Result::Passed);
    EXPECT_EQ(r.rules[0].result, RuleStatus::Result::Invalid);
    EXPECT_EQ(r.rules[1].result, RuleStatus::Result::Invalid);
}

TEST(RulesValidation, DuplicateIdsAcrossFiles) {
    const LoadReport r = load_rule_sources({{"a.json", file_with(rule(20, kSubjectMatch))},
                                            {"b.json", file_with(rule(21, kSubjectMatch) + "," + rule(20, kSubjectMatch))}});
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(mentions(r, "a.json: rule 20: id: duplicate id: also used by b.json rules[1]")) << test::dump(r);
    EXPECT_TRUE(mentions(r, "b.json: rule 20: id: duplicate id: also used by a.json rules[0]"));
    ASSERT_EQ(r.rules.size(), 3u);
    EXPECT_EQ(r.rules[0].file, "a.json");
    EXPECT_EQ(r.rules[0].result, RuleStatus::Result::Invalid);
    EXPECT_EQ(r.rules[1].result, RuleStatus::Result::Passed);
    EXPECT_EQ(r.rules[2].result, RuleStatus::Result::Invalid);
}

TEST(RulesValidation, FailingTestsRejectTheSet) {
    const LoadReport r = load(file_with(rule(30, kSubjectMatch, R"(, "tests": {
        "positive": [{"fields": {"email.subject": "PW_x"}}, {"description": "wrong", "fields": {"email.subject": "hi"}}],
        "negative": [{"fields": {"email.subject": "PW_again"}}]})")));
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.errors(), 2u) << test::dump(r);
    EXPECT_TRUE(mentions(r, "rule 30: tests.positive[1]: expected a match, got none (wrong); values seen: "
                            "email.subject=\"hi\""));
    EXPECT_TRUE(mentions(r, "rule 30: tests.negative[0]: expected no match, but it matched on "
                            "email.subject=\"PW_again\""));
    ASSERT_EQ(r.rules.size(), 1u);
    EXPECT_EQ(r.rules[0].result, RuleStatus::Result::Failed);
    EXPECT_EQ(r.rules[0].tests_passed, 1u);
    EXPECT_EQ(r.rules[0].tests_total, 3u);
}

TEST(RulesValidation, TestCaseShapes) {
    const LoadReport r = load(file_with(rule(31, kSubjectMatch, R"(, "tests": {"positive": [
        {"fields": {"email.subject": "x"}, "smtp": ["C: EHLO x"]},
        {"smtp": ["EHLO x"]},
        {"smtp": []},
        {"fields": {"email.subject": 5}},
        {"tls": []}]})")));
    EXPECT_TRUE(mentions(r, "tests.positive[0]: a test case has \"fields\"")) << test::dump(r);
    EXPECT_TRUE(mentions(r, "tests.positive[1].smtp[0]: must start with \"C:\" (client) or \"S:\" (server)"));
    EXPECT_TRUE(mentions(r, "tests.positive[2].smtp: must be a non-empty array"));
    EXPECT_TRUE(mentions(r, "tests.positive[3].fields.email.subject: must be a string or a non-empty array"));
    EXPECT_TRUE(mentions(r, "tests.positive[4]: unknown key \"tls\""));
}

TEST(RulesValidation, ProtocolsMustFitTheFields) {
    const LoadReport a = load(file_with(rule(40, R"({"all": [{"field": "smtp.helo", "patterns": ["x"]}]})",
                                             R"(, "protocols": ["pop3"])")));
    EXPECT_TRUE(mentions(a, "rule 40: match.all[0]: smtp.helo never appears in protocols [pop3]")) << test::dump(a);
    const LoadReport b = load(file_with(rule(41, R"({"all": [{"field": "smtp.helo", "patterns": ["x"]},
        {"field": "pop3.user", "patterns": ["y"]}]})")));
    EXPECT_TRUE(mentions(b, "rule 41: match.all: conditions on fields of different protocols can never all match"));
    // "any" over two protocols is fine and applies to both.
    const LoadReport c = load(file_with(rule(42, R"({"any": [{"field": "smtp.helo", "patterns": ["x"]},
        {"field": "pop3.user", "patterns": ["y"]}]})")));
    ASSERT_TRUE(c.ok()) << test::dump(c);
    EXPECT_EQ(c.set->find(42)->protocols, protocol_bit(proto::Protocol::Smtp) | protocol_bit(proto::Protocol::Pop3));
}

TEST(RulesValidation, ManyProblemsReportedInOnePass) {
    const LoadReport r = load(file_with(R"({"id": 50, "title": "t", "level": "loud", "colour": 1,
        "match": {"all": [{"field": "nope", "patterns": ["("]}, {"metric": "smtp.rcpt_count", "min": 5, "max": 1}]}})"));
    // Missing rev, bad level, unknown key, unknown field, bad range, bad expression.
    EXPECT_EQ(r.errors(), 6u) << test::dump(r);
}

TEST(RulesValidation, FilesAndDirectories) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("postern-rules-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "b.json") << file_with(rule(61, kSubjectMatch));
    std::ofstream(dir / "a.json") << file_with(rule(60, kSubjectMatch));
    std::ofstream(dir / "notes.txt") << "ignored";
    const LoadReport ok = load_rule_files({dir.string()});
    ASSERT_TRUE(ok.ok()) << test::dump(ok);
    EXPECT_EQ(ok.files, 2u);
    ASSERT_EQ(ok.rules.size(), 2u);
    EXPECT_EQ(ok.rules[0].id, 60u);  // files in name order
    const LoadReport missing = load_rule_files({dir.string(), (dir / "none.json").string()});
    EXPECT_FALSE(missing.ok());
    EXPECT_TRUE(mentions(missing, "none.json: cannot read"));
    fs::remove_all(dir);
}

}  // namespace
}  // namespace postern::rules
