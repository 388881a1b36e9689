// Rules over real parser output: transcripts through the SMTP and POP3 parsers, the MatchingSink
// in front of another sink, and the EVE alert object.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "output/json_writer.hpp"
#include "proto/smtp/smtp_transaction.hpp"
#include "rules/alert_eve.hpp"
#include "rules/matching_sink.hpp"
#include "rules/rule_tests.hpp"
#include "rules/transcript.hpp"
#include "rules_test_util.hpp"

namespace postern::rules {
namespace {

using test::compile;
using test::rule;

TranscriptChunks transcript(std::initializer_list<std::string_view> lines) {
    TranscriptChunks chunks;
    for (auto l : lines) EXPECT_TRUE(append_transcript_line(chunks, l)) << l;
    return chunks;
}

const TranscriptChunks kStealerSession = transcript({
    "S: 220 mx.example.net ESMTP",
    "C: EHLO DESKTOP-7QK2M1A",
    "S: 250-mx.example.net",
    "S: 250 AUTH LOGIN PLAIN",
    "C: MAIL FROM:<sales@victim.example>",
    "S: 250 OK",
    "C: RCPT TO:<drop.box@gmail.com>",
    "S: 250 OK",
    "C: RCPT TO:<second@gmail.com>",
    "S: 250 OK",
    "C: DATA",
    "S: 354 go ahead",
    "C: From: sales@victim.example",
    "C: To: drop.box@gmail.com",
    "C: Subject: PW_jdoe/DESKTOP-7QK2M1A",
    "C: X-Mailer: Bulk Sender",
    "C: MIME-Version: 1.0",
    "C: Content-Type: text/html",
    "C:",
    "C: <html>Time: 2024-01-01<br>User Name: jdoe</html>",
    "C: .",
    "S: 250 queued",
    "C: QUIT",
    "S: 221 bye",
});

TEST(RulesTranscript, LinesBecomeChunksPerDirection) {
    const TranscriptChunks c = transcript({"S: 220 hi", "C: EHLO x", "C:", "C:  two spaces", "S:250 ok"});
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].first, stream::Direction::ToClient);
    EXPECT_EQ(c[1].second, "EHLO x\r\n\r\n two spaces\r\n");
    EXPECT_EQ(c[2].second, "250 ok\r\n");
    TranscriptChunks bad;
    EXPECT_FALSE(append_transcript_line(bad, "X: nope"));
    EXPECT_FALSE(append_transcript_line(bad, "C"));
}

// Records what reaches the next sink, in order, to check alerts come before the transaction.
class OrderSink final : public proto::NullEventSink, public MatchSink {
public:
    std::vector<std::string> events;
    void on_field(proto::Field f, std::string_view) override { events.push_back(std::string(proto::field_name(f))); }
    void on_transaction(const proto::SmtpTransaction &) override { events.push_back("transaction"); }
    void on_match(const RuleMatch &m) override { events.push_back("alert " + std::to_string(m.rule.id)); }
};

TEST(RulesTranscript, SmtpSessionThroughTheParserAndMatchingSink) {
    const auto set = compile(
        rule(1, R"({"all": [{"field": "email.subject", "patterns": ["\\APW_"]}]})") + "," +
        rule(2, R"({"all": [{"field": "smtp.helo", "patterns": ["\\ADESKTOP-[A-Z0-9]{7}\\z"]},
                            {"field": "smtp.rcpt_to", "patterns": ["@gmail\\.com\\z"]}]})") + "," +
        rule(3, R"({"all": [{"metric": "smtp.rcpt_count", "min": 2}, {"field": "email.x_mailer", "patterns": ["Bulk"]}]})") + "," +
        rule(4, R"({"all": [{"field": "email.body_prefix", "patterns": ["User Name:"]}]})"));
    ASSERT_TRUE(set);
    const Scratch scratch = set->make_scratch();
    Matcher matcher;
    matcher.bind(set.get(), scratch.get());
    MatchState state;
    state.begin(proto::Protocol::Smtp);
    OrderSink order;
    MatchingSink sink(matcher, order, &order);
    sink.set_session(&state);
    run_transcript(proto::Protocol::Smtp, kStealerSession, sink);
    std::vector<std::string> alerts_and_tx;
    for (const auto &e : order.events)
        if (e.rfind("alert", 0) == 0 || e == "transaction") alerts_and_tx.push_back(e);
    EXPECT_EQ(alerts_and_tx, (std::vector<std::string>{"alert 2", "alert 1", "alert 4", "alert 3", "transaction"}));
    // Every event still reaches the next sink.
    EXPECT_NE(std::find(order.events.begin(), order.events.end(), "smtp.helo"), order.events.end());
}

TEST(RulesTranscript, Pop3RetrievedMessage) {
    const auto set = compile(rule(1, R"({"all": [{"field": "pop3.user", "patterns": ["bot"]},
        {"field": "email.subject", "patterns": ["\\Acmd:"]}]})"));
    ASSERT_TRUE(set);
    TestCase t;
    t.protocol = proto::Protocol::Pop3;
    t.transcript = transcript({"S: +OK POP3 ready", "C: USER bot7", "S: +OK", "C: PASS secret", "S: +OK logged in",
                               "C: RETR 1", "S: +OK 60 octets", "S: Subject: cmd: download http://x/y",
                               "S:", "S: go", "S: .", "C: QUIT", "S: +OK bye"});
    std::string seen;
    EXPECT_EQ(rules_matching(*set, set->make_scratch(), t, &seen), std::vector<uint32_t>{1}) << seen;
    EXPECT_EQ(seen.find("secret"), std::string::npos);  // passwords never reach a rule
}

TEST(RulesTranscript, ImapMailboxAndFetchedMessage) {
    const auto set = compile(
        rule(1, R"({"all": [{"field": "imap.mailbox", "patterns": ["(?:\\A|/)DESKTOP-[A-Z0-9]{7}\\z"]}]})") + "," +
        rule(2, R"({"all": [{"field": "imap.user", "patterns": ["\\Abot"]},
                            {"field": "email.subject", "patterns": ["\\Acmd:"]},
                            {"metric": "email.size", "max": 1000}]})"));
    ASSERT_TRUE(set);
    const std::string message = "Subject: cmd: whoami\r\n\r\nx\r\n";
    TestCase t;
    t.protocol = proto::Protocol::Imap;
    t.transcript = transcript({"S: * OK ready", "C: a1 LOGIN bot7 secret", "S: a1 OK done",
                               "C: a2 CREATE INBOX/DESKTOP-7QK2M1A", "S: a2 OK done", "C: a3 SELECT INBOX",
                               "S: * 1 EXISTS", "S: a3 OK done", "C: a4 FETCH 1 BODY[]",
                               "S: * 1 FETCH (BODY[] {" + std::to_string(message.size()) + "}",
                               "S: Subject: cmd: whoami", "S:", "S: x", "S: )", "S: a4 OK done"});
    std::string seen;
    EXPECT_EQ(rules_matching(*set, set->make_scratch(), t, &seen), (std::vector<uint32_t>{1, 2})) << seen;
    EXPECT_EQ(seen.find("secret"), std::string::npos);
}

TEST(RulesTranscript, EveAlertObject) {
    const auto set = compile(rule(9, R"({"all": [{"field": "email.subject", "patterns": ["PW_"]}]})",
                                  R"(, "tags": ["attack.command-and-control", "attack.t1071.003"],
                                      "references": ["https://attack.mitre.org/techniques/T1071/003/"])"));
    ASSERT_TRUE(set);
    const Evidence ev[] = {{"email.subject", "PW_a\"b"}};
    const RuleMatch m{*set->find(9), set->version(), ev};
    output::FixedJsonWriter<4096> w;
    w.begin_object();
    write_alert(w, m);
    write_evidence(w, m);
    w.end_object();
    const auto j = nlohmann::json::parse(w.view());
    EXPECT_EQ(j["alert"]["action"], "allowed");
    EXPECT_EQ(j["alert"]["signature_id"], 9);
    EXPECT_EQ(j["alert"]["rev"], 1);
    EXPECT_EQ(j["alert"]["signature"], "rule 9");
    EXPECT_EQ(j["alert"]["category"], "Command and Control");
    EXPECT_EQ(j["alert"]["severity"], 1);
    EXPECT_EQ(j["alert"]["metadata"]["mitre_technique_id"], nlohmann::json::array({"T1071.003"}));
    EXPECT_EQ(j["alert"]["metadata"]["mitre_tactic_id"], nlohmann::json::array({"TA0011"}));
    EXPECT_EQ(j["alert"]["metadata"]["rule_set_version"], nlohmann::json::array({std::to_string(set->version())}));
    EXPECT_EQ(j["evidence"]["email.subject"], "PW_a\"b");
}

}  // namespace
}  // namespace postern::rules
