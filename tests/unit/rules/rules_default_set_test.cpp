// The default T1071.003 rule set in config/rules: it loads, it is large enough, every rule carries
// ATT&CK tags, references and both kinds of tests, and every embedded test passes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "rules/rule_tests.hpp"
#include "rules/transcript.hpp"
#include "rules_test_util.hpp"

namespace postern::rules {
namespace {

std::string rules_dir() {
    namespace fs = std::filesystem;
    if (const char *env = std::getenv("POSTERN_RULES_DIR")) return env;
    // __FILE__ is relative to the build directory; tests run from the repository or the build dir.
    const fs::path here = fs::path(__FILE__).parent_path();
    for (const fs::path &p : {here / ".." / ".." / ".." / "config" / "rules", fs::path("config/rules"),
                              fs::path("../config/rules"), fs::path("../../config/rules"),
                              fs::path("/work/main/config/rules")})
        if (fs::is_directory(p)) return p.string();
    return {};
}

class RulesDefaultSet : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const std::string dir = rules_dir();
        ASSERT_FALSE(dir.empty()) << "config/rules not found; set POSTERN_RULES_DIR";
        report_ = new LoadReport(load_rule_files({dir}));
    }
    static void TearDownTestSuite() {
        delete report_;
        report_ = nullptr;
    }
    static LoadReport *report_;
};
LoadReport *RulesDefaultSet::report_ = nullptr;

TEST_F(RulesDefaultSet, LoadsWithoutErrorsOrWarnings) {
    ASSERT_NE(report_, nullptr);
    EXPECT_TRUE(report_->ok()) << test::dump(*report_);
    EXPECT_EQ(report_->diagnostics.size(), 0u) << test::dump(*report_);
    EXPECT_GE(report_->files, 4u);
}

TEST_F(RulesDefaultSet, EveryEmbeddedTestPasses) {
    ASSERT_NE(report_, nullptr);
    for (const RuleStatus &r : report_->rules) {
        EXPECT_EQ(r.result, RuleStatus::Result::Passed) << r.id << " " << r.title;
        EXPECT_EQ(r.tests_passed, r.tests_total) << r.id;
    }
}

TEST_F(RulesDefaultSet, AtLeastTwentyDocumentedRules) {
    ASSERT_TRUE(report_ && report_->set);
    const auto &rules = report_->set->rules();
    EXPECT_GE(rules.size(), 20u);
    size_t transcripts = 0;
    for (const Rule &r : rules) {
        SCOPED_TRACE(std::to_string(r.id) + " " + r.title);
        EXPECT_FALSE(r.description.empty());
        EXPECT_FALSE(r.references.empty());
        EXPECT_NE(std::find(r.tags.begin(), r.tags.end(), "attack.t1071.003"), r.tags.end());
        EXPECT_NE(std::find(r.mitre_tactics.begin(), r.mitre_tactics.end(), "TA0011"), r.mitre_tactics.end());
        size_t positive = 0, negative = 0;
        for (const TestCase &t : r.tests) {
            (t.expect_match ? positive : negative)++;
            transcripts += t.protocol != proto::Protocol::Unknown;
        }
        EXPECT_GE(positive, 1u);
        EXPECT_GE(negative, 1u);
    }
    EXPECT_GE(transcripts, 5u);  // some tests go through the real parsers
}

TEST_F(RulesDefaultSet, BenignSessionRaisesNothing) {
    ASSERT_TRUE(report_ && report_->set);
    TestCase t;
    t.protocol = proto::Protocol::Smtp;
    for (const char *l : {"S: 220 mx.example.com ESMTP", "C: EHLO mail.example.org", "S: 250-mx.example.com",
                          "S: 250 8BITMIME", "C: MAIL FROM:<alice@example.org>", "S: 250 OK",
                          "C: RCPT TO:<bob@example.com>", "S: 250 OK", "C: DATA", "S: 354 go",
                          "C: From: Alice <alice@example.org>", "C: To: bob@example.com",
                          "C: Subject: Minutes of Tuesday's meeting", "C: Message-ID: <20240101.1234@example.org>",
                          "C: User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0",
                          "C: MIME-Version: 1.0", "C: Content-Type: multipart/mixed; boundary=b", "C:", "C: --b",
                          "C: Content-Type: text/plain", "C:", "C: Hi Bob, notes attached.", "C: --b",
                          "C: Content-Type: application/pdf; name=minutes.pdf",
                          "C: Content-Disposition: attachment; filename=minutes.pdf",
                          "C: Content-Transfer-Encoding: base64", "C:", "C: JVBERi0xLjQK", "C: --b--", "C: .",
                          "S: 250 queued", "C: QUIT", "S: 221 bye"})
        append_transcript_line(t.transcript, l);
    const Scratch scratch = report_->set->make_scratch();
    EXPECT_TRUE(rules_matching(*report_->set, scratch, t).empty());
}

}  // namespace
}  // namespace postern::rules
