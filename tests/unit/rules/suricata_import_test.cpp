// postern rules import: how each Suricata keyword becomes a Postern condition, and what is
// refused. The dataplane test (test_rules_import.py) shows the results fire on real traffic.
#include <gtest/gtest.h>

#include "rules/import/suricata_import.hpp"
#include "rules/import/suricata_rule_text.hpp"

namespace {

using namespace postern::rules::import;
using nlohmann::json;

std::string rule(const std::string &options, const std::string &header = "alert smtp any any -> any any") {
    return header + " (msg:\"m\"; " + options + " sid:1; rev:1;)";
}

// The converted rule's match.all, or the refusal's reason.
json conditions(const std::string &text) {
    const ImportResult r = import_suricata_rules(text, "t.rules");
    if (!r.refused.empty()) return r.refused[0].reason;
    return r.rules.at(0).rule["match"]["all"];
}

std::string refusal(const std::string &text) {
    const ImportResult r = import_suricata_rules(text, "t.rules");
    return r.refused.empty() ? "" : r.refused[0].reason;
}

TEST(SuricataRuleText, QuotesEscapesContinuationsAndComments) {
    const auto rules = split_suricata_rules(
        "# a comment\n\n#alert smtp any any -> any any (msg:\"off\"; sid:9;)\n"
        "alert smtp any any -> any any (msg:\"a \\\"quoted\\\" msg\\; with semicolon\"; \\\n"
        "  email.subject; content:\"x\"; sid:2;)\n");
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0].line, 4u);
    EXPECT_EQ(rules[0].error, "");
    ASSERT_EQ(rules[0].options.size(), 4u);
    std::string msg;
    bool negated = true;
    ASSERT_TRUE(unquote_option(rules[0].options[0].value, msg, negated));
    EXPECT_EQ(msg, "a \"quoted\" msg; with semicolon");
    EXPECT_FALSE(negated);
    std::string re;
    ASSERT_TRUE(unquote_option("\"/\\s+x/i\"", re, negated));
    EXPECT_EQ(re, "/\\s+x/i");  // a pcre's backslashes stay
}

TEST(SuricataRuleText, BrokenRulesSayWhy) {
    EXPECT_NE(split_suricata_rules("alert smtp any any -> any any msg")[0].error.find("no '('"), std::string::npos);
    EXPECT_NE(split_suricata_rules("alert smtp any -> any (sid:1;)")[0].error.find("the header is not"), std::string::npos);
    EXPECT_NE(split_suricata_rules("alert smtp a 1 <- b 2 (sid:1;)")[0].error.find("direction"), std::string::npos);
    EXPECT_NE(split_suricata_rules("alert smtp a 1 -> b 2 (msg:\"x; sid:1;)")[0].error.find("not closed"), std::string::npos);
    EXPECT_NE(split_suricata_rules("alert smtp a 1 -> b 2 (sid:1)")[0].error.find("does not end with ';'"), std::string::npos);
}

TEST(SuricataImport, ContentModifiersBecomeAnchorsAndCase) {
    EXPECT_EQ(conditions(rule("smtp.helo; content:\"DESKTOP-\"; startswith; nocase;"))[0]["patterns"][0], "\\A(?i:DESKTOP-)");
    EXPECT_EQ(conditions(rule("email.subject; content:\"a.b|0d 0a|\"; endswith;"))[0]["patterns"][0],
              "(?:a\\x2eb\\x0d\\x0a)\\z");
    EXPECT_EQ(conditions(rule("email.subject; content:\"PW_\"; depth:10;"))[0]["patterns"][0], "\\A[\\s\\S]{0,7}(?:PW_)");
    EXPECT_EQ(conditions(rule("email.subject; content:\"PW_\"; depth:3;"))[0]["patterns"][0], "\\A(?:PW_)");
    EXPECT_EQ(conditions(rule("email.subject; content:\"PW_\"; offset:2;"))[0]["patterns"][0], "\\A[\\s\\S]{2,}(?:PW_)");
    EXPECT_EQ(conditions(rule("email.subject; content:\"x\"; isdataat:!1,relative;"))[0]["patterns"][0], "(?:x)\\z");
    EXPECT_EQ(conditions(rule("email.subject; content:\"x\"; isdataat:4,relative;"))[0]["patterns"][0],
              "(?:x)[\\s\\S]{4}");
}

TEST(SuricataImport, LengthsNegationsAndPcre) {
    const json c = conditions(rule("smtp.helo; bsize:<16; content:\"a\"; content:!\"b\"; nocase; isdataat:3;"));
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0]["exclude"][0], "(?i:b)");
    EXPECT_EQ(c[0]["length"], (json{{"min", 4}, {"max", 15}}));
    EXPECT_EQ(conditions(rule("email.subject; content:!\"x\";"))[0], (json{{"field", "email.subject"}, {"exclude", {"(?:x)"}}}));
    EXPECT_EQ(conditions(rule("email.subject; pcre:\"/^PW_\\S+/si\";"))[0]["patterns"][0], "(?si)^PW_\\S+");
    EXPECT_NE(refusal(rule("email.subject; pcre:\"/x/R\";")).find("modifier 'R'"), std::string::npos);
}

TEST(SuricataImport, ContentsOfAMultiValuedBufferHoldInOneValue) {
    // Two recipients cannot satisfy one rule's two contents: every order within one value, and an
    // order that puts an anchored content away from its end is left out.
    const json c = conditions(rule("smtp.rcpt_to; content:\"backup\"; content:\".net\"; endswith;"));
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0]["patterns"][0], "(?:(?:backup)[\\s\\S]*(?:\\x2enet)\\z)");
    // A single-valued buffer: one condition each (equivalent, and simpler to read).
    EXPECT_EQ(conditions(rule("email.subject; content:\"a\"; content:\"b\";")).size(), 2u);
}

TEST(SuricataImport, MetadataClasstypePriorityAndThreshold) {
    const ImportResult r = import_suricata_rules(
        rule("email.subject; content:\"x\"; classtype:trojan-activity; priority:3; reference:cve,2024-1234; "
             "metadata:mitre_technique_id T1048_003, mitre_tactic_id TA0010, deployment Perimeter; "
             "threshold: type threshold, track by_dst, count 5, seconds 60;"),
        "t.rules");
    ASSERT_EQ(r.rules.size(), 1u);
    const json &j = r.rules[0].rule;
    EXPECT_EQ(j["category"], "A Network Trojan was detected");
    EXPECT_EQ(j["level"], "low");  // priority:3 over trojan-activity's 1
    EXPECT_EQ(j["tags"], (json{"attack.t1048.003", "attack.exfiltration"}));
    EXPECT_EQ(j["references"][0], "https://www.cve.org/CVERecord?id=CVE-2024-1234");
    EXPECT_NE(j["description"].get<std::string>().find("deployment Perimeter"), std::string::npos);
    EXPECT_EQ(j["threshold"], (json{{"count", 5}, {"seconds", 60}, {"track", "by_dst"}}));
    EXPECT_EQ(j["protocols"], json{"smtp"});
}

TEST(SuricataImport, RefusedWithTheReason) {
    EXPECT_NE(refusal(rule("email.subject; content:\"a\"; content:\"b\"; within:5;")).find("within"), std::string::npos);
    EXPECT_NE(refusal(rule("http.uri; content:\"a\";")).find("keyword \"http.uri\""), std::string::npos);
    EXPECT_NE(refusal(rule("nocase;")).find("nocase: not after a content"), std::string::npos);
    EXPECT_NE(refusal(rule("file.data; content:\"MZ\";")).find("file.data"), std::string::npos);
    EXPECT_EQ(refusal(rule("file.data; content:\"MZ\"; startswith;")), "");
    EXPECT_NE(refusal(rule("file.data; content:\"MZ\"; offset:300; depth:2;")).find("first 256"), std::string::npos);
    EXPECT_NE(refusal(rule("email.subject; content:\"|4|\";")).find("bad hex"), std::string::npos);
    EXPECT_NE(refusal(rule("email.subject; content:\"x\";", "alert dns any any -> any any")).find("protocol \"dns\""),
              std::string::npos);
    EXPECT_NE(refusal("alert smtp any any -> any any (msg:\"m\"; email.subject; content:\"x\";)").find("sid: missing"),
              std::string::npos);
    EXPECT_NE(refusal(rule("email.subject; pcre:\"/.*/\";")).find("loader refuses"), std::string::npos);
}

TEST(SuricataImport, AddressesAndPortsAreANote) {
    const ImportResult r =
        import_suricata_rules(rule("email.subject; content:\"x\";", "alert smtp $HOME_NET any -> any 25"), "t.rules");
    ASSERT_EQ(r.rules.size(), 1u);
    ASSERT_EQ(r.rules[0].notes.size(), 1u);
    EXPECT_NE(r.rules[0].notes[0].find("not converted"), std::string::npos);
}

}  // namespace
