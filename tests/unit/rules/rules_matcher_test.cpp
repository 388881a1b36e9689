// The matcher: field routing, all/any over separate events, session versus transaction values,
// lengths, excludes, flags, protocols, evidence and rule-set switches.
#include <gtest/gtest.h>

#include "rules_test_util.hpp"

namespace postern::rules {
namespace {

using proto::Field;
using test::compile;
using test::rule;
using test::Session;

std::string cond(const std::string &field, const std::string &pattern, const std::string &extra = "") {
    return R"({"field": ")" + field + R"(", "patterns": [")" + pattern + R"("])" + extra + "}";
}
std::string all(const std::string &conds) { return R"({"all": [)" + conds + "]}"; }
std::string any(const std::string &conds) { return R"({"any": [)" + conds + "]}"; }

TEST(RulesMatcher, EveryFieldIsRoutedToItsOwnDatabase) {
    std::string rules;
    std::vector<Field> fields;
    for (size_t i = 0; i < static_cast<size_t>(Field::Count); ++i) {
        const auto f = static_cast<Field>(i);
        if (f == Field::EmailHeader) continue;
        fields.push_back(f);
        rules += (rules.empty() ? "" : ",") + rule(100 + static_cast<uint32_t>(i), all(cond(std::string(proto::field_name(f)), "needle")));
    }
    const auto set = compile(rules);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->database_count(), fields.size());
    for (Field f : fields) {
        Session s(set);
        s.field(f, "a needle in a haystack").field(f, "no match here");
        EXPECT_EQ(s.sink.ids(), std::vector<uint32_t>{100 + static_cast<uint32_t>(f)}) << proto::field_name(f);
    }
}

TEST(RulesMatcher, HeadersByNameNamesAndLines) {
    const auto set = compile(rule(1, all(cond("email.header.X-Campaign", "q4"))) + "," +
                             rule(2, all(cond("email.header_names", "\\\\AX-Ctrl\\\\z", R"(, "flags": ["caseless"])"))) + "," +
                             rule(3, all(cond("email.header_line", "\\\\AX-[A-Za-z-]+: [0-9a-f]{16,}\\\\z"))));
    ASSERT_TRUE(set);
    Session s(set);
    s.header("x-campaign", "Q4 q4").header("X-Other", "q4").header("x-ctrl", "1").header("X-Ctrl-2", "1");
    s.header("X-Id", "0123456789abcdef01").header("Subject", "0123456789abcdef01");
    EXPECT_EQ(s.sink.ids(), (std::vector<uint32_t>{1, 2, 3}));
    EXPECT_EQ(s.sink.matches[0].evidence[0], (std::pair<std::string, std::string>{"email.header.x-campaign", "Q4 q4"}));
    EXPECT_EQ(s.sink.matches[1].evidence[0].second, "x-ctrl");
    EXPECT_EQ(s.sink.matches[2].evidence[0].second, "X-Id: 0123456789abcdef01");
}

TEST(RulesMatcher, AllCombinesSessionAndTransactionValues) {
    const auto set = compile(rule(1, all(cond("smtp.helo", "\\\\ADESKTOP-") + "," + cond("smtp.rcpt_to", "@gmail\\\\.com\\\\z"))));
    ASSERT_TRUE(set);
    Session s(set, proto::Protocol::Smtp);
    s.field(Field::SmtpHelo, "DESKTOP-AB12CDE");
    EXPECT_TRUE(s.sink.matches.empty());
    s.field(Field::SmtpRcptTo, "drop@gmail.com").field(Field::SmtpRcptTo, "drop2@gmail.com").end();
    ASSERT_EQ(s.sink.count(1), 1u);  // once per transaction
    EXPECT_EQ(s.sink.matches[0].evidence,
              (std::vector<std::pair<std::string, std::string>>{{"smtp.helo", "DESKTOP-AB12CDE"},
                                                                {"smtp.rcpt_to", "drop@gmail.com"}}));
    s.field(Field::SmtpRcptTo, "again@gmail.com").end();  // the HELO still holds for the next message
    EXPECT_EQ(s.sink.count(1), 2u);
    s.field(Field::SmtpRcptTo, "boss@example.com").end();
    EXPECT_EQ(s.sink.count(1), 2u);
}

TEST(RulesMatcher, TransactionValuesAreForgottenAtTheEnd) {
    const auto set = compile(rule(1, all(cond("email.subject", "invoice") + "," + cond("email.x_mailer", "Bulk"))));
    ASSERT_TRUE(set);
    Session s(set);
    s.field(Field::EmailSubject, "invoice 42").end();
    s.field(Field::EmailXMailer, "Bulk 1.0").end();
    EXPECT_TRUE(s.sink.matches.empty());
    s.field(Field::EmailXMailer, "Bulk 1.0").field(Field::EmailSubject, "your invoice").end();
    EXPECT_EQ(s.sink.count(1), 1u);
    EXPECT_EQ(s.state().pending(), 0u);
}

TEST(RulesMatcher, AnyFiresOnTheFirstConditionOncePerTransaction) {
    const auto set = compile(rule(1, any(cond("email.subject", "PW_") + "," + cond("email.body_prefix", "Passwords"))));
    ASSERT_TRUE(set);
    Session s(set);
    s.field(Field::EmailSubject, "PW_bob").field(Field::EmailBodyPrefix, "Passwords:").end();
    ASSERT_EQ(s.sink.count(1), 1u);
    EXPECT_EQ(s.sink.matches[0].evidence[0].first, "email.subject");
    s.field(Field::EmailBodyPrefix, "Passwords:").end();
    EXPECT_EQ(s.sink.count(1), 2u);
}

TEST(RulesMatcher, LengthConditions) {
    const auto set = compile(rule(1, all(R"({"field": "email.subject", "length": {"min": 10}})")) + "," +
                             rule(2, all(cond("email.message_id", "[A-Za-z0-9+/]{8}", R"(, "length": {"max": 20})"))) +
                             "," + rule(3, all(R"({"field": "email.header.x-id"})")));
    ASSERT_TRUE(set);
    Session s(set);
    s.field(Field::EmailSubject, "short").field(Field::EmailMessageId, "<AAAAAAAAAAAAAAAAAAAAAAAAAAA@x>");
    EXPECT_TRUE(s.sink.matches.empty());
    s.field(Field::EmailSubject, "long enough").field(Field::EmailMessageId, "<AAAAAAAA@x>").header("X-ID", "");
    EXPECT_EQ(s.sink.ids(), (std::vector<uint32_t>{1, 2, 3}));
}

TEST(RulesMatcher, ExcludesVetoTheSameValue) {
    const auto set = compile(
        rule(1, all(R"({"field": "email.header_line", "patterns": ["\\AX-[A-Za-z-]+: [A-Za-z0-9+/]{40,}"],
            "exclude": ["\\AX-(MS|Gm)-"], "flags": ["caseless"]})")) + "," +
        rule(2, all(R"({"field": "email.x_mailer", "exclude": ["\\AMicrosoft Outlook 16\\."]})")));
    ASSERT_TRUE(set);
    const std::string blob(48, 'Q');
    Session s(set);
    s.header("X-MS-Exchange-Blob", blob).header("X-Gm-Message-State", blob).field(Field::EmailXMailer, "Microsoft Outlook 16.0");
    EXPECT_TRUE(s.sink.matches.empty());
    s.header("X-Payload", blob).field(Field::EmailXMailer, "Bulk Mailer");
    EXPECT_EQ(s.sink.ids(), (std::vector<uint32_t>{1, 2}));
}

TEST(RulesMatcher, FlagsAndAnchors) {
    const auto set = compile(
        rule(1, all(cond("smtp.helo", "desktop-", R"(, "flags": ["caseless", "start"])"))) + "," +
        rule(2, all(cond("email.subject", "\\\\.exe", R"(, "flags": ["end"])"))) + "," +
        rule(3, all(cond("email.body_prefix", "^cmd:", R"(, "flags": ["multiline"])"))) + "," +
        rule(4, all(cond("email.body_prefix", "BEGIN.END", R"(, "flags": ["dotall"])"))) + "," +
        rule(5, all(cond("email.subject", "\\\\x{0410}\\\\w+", R"(, "flags": ["utf8", "ucp"])"))));
    ASSERT_TRUE(set);
    Session a(set);
    a.field(Field::SmtpHelo, "my-desktop-1").field(Field::EmailSubject, "a.exe.txt")
        .field(Field::EmailBodyPrefix, "hello cmd: x").field(Field::EmailBodyPrefix, "BEGINxxEND");
    EXPECT_TRUE(a.sink.matches.empty());
    Session b(set);
    b.field(Field::SmtpHelo, "Desktop-1").field(Field::EmailSubject, "a.txt.exe")
        .field(Field::EmailBodyPrefix, "hello\ncmd: x").field(Field::EmailBodyPrefix, "BEGIN\nEND")
        .field(Field::EmailSubject, "\xD0\x90\xD0\x91\xD0\x92");  // АБВ
    EXPECT_EQ(b.sink.ids(), (std::vector<uint32_t>{1, 2, 3, 4, 5}));
    // Invalid UTF-8 is never scanned with utf8 expressions.
    Session c(set);
    c.field(Field::EmailSubject, "\xD0\x90\xD0\x91\xFF");
    EXPECT_TRUE(c.sink.matches.empty());
    EXPECT_EQ(c.matcher().stats().invalid_utf8, 1u);
}

TEST(RulesMatcher, ProtocolsLimitWhereARuleApplies) {
    const auto set = compile(rule(1, all(cond("email.subject", "x")), R"(, "protocols": ["pop3"])"));
    ASSERT_TRUE(set);
    Session smtp(set, proto::Protocol::Smtp), pop3(set, proto::Protocol::Pop3);
    smtp.field(Field::EmailSubject, "x");
    pop3.field(Field::EmailSubject, "x");
    EXPECT_TRUE(smtp.sink.matches.empty());
    EXPECT_EQ(pop3.sink.ids(), std::vector<uint32_t>{1});
}

TEST(RulesMatcher, EvidenceOfEarlierEventsIsCopiedAndBounded) {
    const auto set = compile(rule(1, all(cond("email.subject", "a") + "," + cond("email.x_mailer", "b"))));
    ASSERT_TRUE(set);
    Session s(set);
    const std::string long_subject = "a" + std::string(300, 'z');
    std::string subject = long_subject;
    s.field(Field::EmailSubject, subject);
    subject.assign(subject.size(), '#');  // the parser's buffer is reused after the call
    s.field(Field::EmailXMailer, "b");
    ASSERT_EQ(s.sink.matches.size(), 1u);
    EXPECT_EQ(s.sink.matches[0].evidence[0].second, long_subject.substr(0, MatchState::kMaxEvidenceValue));
    EXPECT_EQ(s.sink.matches[0].evidence[1].second, "b");
}

TEST(RulesMatcher, PendingEntriesAreBoundedAndCounted) {
    std::string rules;
    for (uint32_t i = 0; i < MatchState::kMaxPending + 4; ++i)
        rules += (i ? "," : "") + rule(1 + i, all(cond("email.subject", "s") + "," + cond("email.x_mailer", "m")));
    const auto set = compile(rules);
    ASSERT_TRUE(set);
    Session s(set);
    s.field(Field::EmailSubject, "s").field(Field::EmailXMailer, "m");
    EXPECT_EQ(s.sink.matches.size(), MatchState::kMaxPending);
    EXPECT_EQ(s.matcher().stats().pending_full, 8u);  // 4 rules × 2 events
}

TEST(RulesMatcher, SwitchingSetsStartsPartialMatchesOverAndVersionsTheAlerts) {
    const std::string rules = rule(1, all(cond("smtp.helo", "WIN-") + "," + cond("email.subject", "PW_")));
    const auto v1 = compile(rules);
    const auto v2 = compile(rules);
    ASSERT_TRUE(v1 && v2);
    ASSERT_NE(v1->version(), v2->version());
    EXPECT_EQ(v1->content_hash(), v2->content_hash());
    Session s(v1, proto::Protocol::Smtp);
    s.field(Field::SmtpHelo, "WIN-ABCDEFGHIJK");
    s.rebind(v2);
    s.field(Field::EmailSubject, "PW_x").end();
    EXPECT_TRUE(s.sink.matches.empty());  // the HELO was seen under v1
    EXPECT_EQ(s.matcher().stats().stale_states, 1u);
    s.field(Field::SmtpHelo, "WIN-ABCDEFGHIJK").field(Field::EmailSubject, "PW_x");
    ASSERT_EQ(s.sink.matches.size(), 1u);
    EXPECT_EQ(s.sink.matches[0].version, v2->version());
}

TEST(RulesMatcher, NoSetMatchesNothing) {
    Matcher m;
    MatchState st;
    st.begin(proto::Protocol::Smtp);
    test::RecordingMatchSink sink;
    m.on_field(st, {}, Field::EmailSubject, "PW_x", sink);
    m.end_transaction(st, {}, {}, sink);
    EXPECT_TRUE(sink.matches.empty());
}

}  // namespace
}  // namespace postern::rules

namespace postern::rules {
namespace {

// "filestore": the session state names the first such rule that fired in the transaction, for
// the file extraction, and forgets it with the transaction; a set says whether it has any.
TEST(RulesMatcher, FilestoreRuleSelectsItsTransactionOnly) {
    const auto set = compile(rule(1, all(cond("email.subject", "invoice"))) + "," +
                             rule(2, all(cond("email.subject", "loot")), R"(, "filestore": true)"));
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->has_filestore_rules());
    test::Session s(set);
    s.field(proto::Field::EmailSubject, "invoice");
    EXPECT_EQ(s.state().filestore_rule(), 0u);
    s.field(proto::Field::EmailSubject, "loot 7");
    EXPECT_EQ(s.state().filestore_rule(), 2u);
    s.end();
    EXPECT_EQ(s.state().filestore_rule(), 0u);
    EXPECT_FALSE(compile(rule(1, all(cond("email.subject", "x"))))->has_filestore_rules());
    const auto bad = test::load(test::file_with(rule(3, all(cond("email.subject", "x")), R"(, "filestore": "yes")")), false);
    EXPECT_FALSE(bad.ok());
    EXPECT_TRUE(test::mentions(bad, "filestore")) << bad.diagnostics.size();
}

}  // namespace
}  // namespace postern::rules
