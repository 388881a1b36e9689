// Metric conditions: decided at the end of a transaction from the parser's transaction record.
#include <gtest/gtest.h>

#include "proto/smtp/smtp_transaction.hpp"
#include "rules_test_util.hpp"

namespace postern::rules {
namespace {

using proto::Field;
using test::compile;
using test::rule;
using test::Session;

TransactionFacts facts(std::initializer_list<std::pair<Metric, uint64_t>> values) {
    TransactionFacts f;
    for (auto [m, v] : values) f.set(m, v);
    return f;
}

TEST(RulesMetrics, MetricOnlyRuleIsDecidedAtTheEnd) {
    const auto set = compile(rule(1, R"({"all": [{"metric": "smtp.rcpt_count", "min": 20}]})"));
    ASSERT_TRUE(set);
    Session s(set, proto::Protocol::Smtp);
    s.end(facts({{Metric::SmtpRcptCount, 19}})).end().end(facts({{Metric::SmtpRcptCount, 20}}));
    ASSERT_EQ(s.sink.ids(), std::vector<uint32_t>{1});
    EXPECT_EQ(s.sink.matches[0].evidence[0], (std::pair<std::string, std::string>{"smtp.rcpt_count", "20"}));
}

TEST(RulesMetrics, AllNeedsFieldsAndMetricsOfTheSameTransaction) {
    const auto set = compile(rule(1, R"({"all": [{"field": "smtp.helo", "patterns": ["\\ADESKTOP-"]},
        {"metric": "email.attachment_count", "min": 1}, {"metric": "email.size", "max": 100000}]})"));
    ASSERT_TRUE(set);
    Session s(set, proto::Protocol::Smtp);
    s.end(facts({{Metric::EmailAttachmentCount, 1}, {Metric::EmailSize, 500}}));  // no HELO yet
    s.field(Field::SmtpHelo, "DESKTOP-1234567");
    s.end(facts({{Metric::EmailAttachmentCount, 0}, {Metric::EmailSize, 500}}));
    s.end(facts({{Metric::EmailAttachmentCount, 2}, {Metric::EmailSize, 500000}}));
    s.end(facts({{Metric::EmailAttachmentCount, 2}}));  // size unknown: not satisfied
    EXPECT_TRUE(s.sink.matches.empty());
    s.end(facts({{Metric::EmailAttachmentCount, 2}, {Metric::EmailSize, 800}}));
    ASSERT_EQ(s.sink.ids(), std::vector<uint32_t>{1});
    const auto &ev = s.sink.matches[0].evidence;
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[2], (std::pair<std::string, std::string>{"smtp.helo", "DESKTOP-1234567"}));
}

TEST(RulesMetrics, AnyFiresOnAFieldAtOnceOrOnAMetricAtTheEnd) {
    const auto set = compile(rule(1, R"({"any": [{"field": "email.subject", "patterns": ["PW_"]},
        {"metric": "email.x_header_count", "min": 10}]})"));
    ASSERT_TRUE(set);
    Session s(set);
    s.field(Field::EmailSubject, "PW_x");
    EXPECT_EQ(s.sink.matches.size(), 1u);
    s.end(facts({{Metric::EmailXHeaderCount, 12}}));
    EXPECT_EQ(s.sink.matches.size(), 1u);  // already fired in this transaction
    s.end(facts({{Metric::EmailXHeaderCount, 12}}));
    EXPECT_EQ(s.sink.matches.size(), 2u);
}

TEST(RulesMetrics, FactsFromAnSmtpTransaction) {
    auto tx = std::make_unique<proto::SmtpTransaction>();
    tx->rcpt_to.push("a@x"), tx->rcpt_to.push("b@x"), tx->rcpt_to.push("c@x");
    tx->rcpt_rejected = 1;
    tx->has_message = true;
    tx->message.size = 4242;
    tx->message.header_count = 9;
    tx->message.x_header_count = 3;
    tx->message.to.push("a@x");
    proto::MimePartInfo body, attachment;
    attachment.filename = "a.exe";
    tx->message.parts.push(body), tx->message.parts.push(attachment);
    const TransactionFacts f = facts_for(*tx);
    EXPECT_EQ(f.get(Metric::SmtpRcptCount), 3u);
    EXPECT_EQ(f.get(Metric::SmtpRcptRejected), 1u);
    EXPECT_FALSE(f.get(Metric::SmtpDeclaredSize));  // no SIZE= given
    EXPECT_EQ(f.get(Metric::EmailSize), 4242u);
    EXPECT_EQ(f.get(Metric::EmailHeaderCount), 9u);
    EXPECT_EQ(f.get(Metric::EmailXHeaderCount), 3u);
    EXPECT_EQ(f.get(Metric::EmailToCount), 1u);
    EXPECT_EQ(f.get(Metric::EmailCcCount), 0u);
    EXPECT_EQ(f.get(Metric::EmailPartCount), 2u);
    EXPECT_EQ(f.get(Metric::EmailAttachmentCount), 1u);
    tx->has_message = false;
    EXPECT_FALSE(facts_for(*tx).get(Metric::EmailSize));
}

TEST(RulesMetrics, NamesRoundTrip) {
    for (size_t i = 0; i < kMetricCount; ++i) {
        const auto m = static_cast<Metric>(i);
        EXPECT_EQ(parse_metric(metric_name(m)), m);
        EXPECT_NE(known_metric_names().find(metric_name(m)), std::string_view::npos);
    }
}

}  // namespace
}  // namespace postern::rules
