// Rules in the worker's application layer: parsers → MatchingSink → EveEventSink. Alerts are EVE
// records with the flow's fields, the rule and its evidence; they are the same whatever the
// segmentation; each session keeps its own partial matches; end-of-transaction rules carry the
// transaction's app-layer object.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inspect/app_layer.hpp"
#include "vector_output.hpp"
#include "inspect/rule_alerts.hpp"
#include "rules/matching_sink.hpp"
#include "rules/scratch.hpp"
#include "../rules/rules_test_util.hpp"

namespace postern::inspect {
namespace {

using stream::Direction;

using test::VectorOutput;

const char *kRules = R"(
  {"id": 11, "rev": 1, "title": "PW_ subject", "level": "high",
   "match": {"all": [{"field": "email.subject", "patterns": ["PW_"], "flags": ["start"]}]}},
  {"id": 12, "rev": 2, "title": "NetBIOS HELO and a freemail recipient", "level": "medium",
   "match": {"all": [{"field": "smtp.helo", "patterns": ["DESKTOP-[A-Z0-9]+"], "flags": ["start", "end"]},
                     {"field": "smtp.rcpt_to", "patterns": ["@gmail\\.com>?$"]}]}},
  {"id": 13, "rev": 1, "title": "many recipients", "level": "low",
   "match": {"all": [{"field": "smtp.mail_from", "patterns": ["."]}, {"metric": "smtp.rcpt_count", "min": 3}]}})";

struct Harness {
    VectorOutput out;
    FlowContext ctx;
    EveEventSink sink{out, ctx};
    AlertCounters alert_counts;
    rules::ThresholdTable thresholds{64};
    rules::Matcher matcher{&thresholds};
    RuleAlerts alerts{out, alert_counts, ctx};
    rules::MatchingSink stage{matcher, alerts, &sink, &ctx.match};
    AppLayer app;
    std::shared_ptr<const rules::RuleSet> set;
    rules::Scratch scratch;

    Harness() : app(AppLimits{}, sink, stage, &stage) {
        set = rules::test::compile(kRules);
        scratch = set->make_scratch();
        matcher.bind(set.get(), scratch.get());
        ctx.flow_id = 7;
        ctx.ts_ns = 1700000000ull * 1000000000ull;
        ctx.endpoints.src_port = 40000;
        ctx.endpoints.dest_port = 25;
        ctx.endpoints.proto = 6;
    }
    void feed(AppFlowState &f, Direction d, std::string_view s) {
        app.on_data(f, d, reinterpret_cast<const uint8_t *>(s.data()), s.size());
    }
};

std::string session(const std::string &helo, const std::string &rcpts, const std::string &subject) {
    return "EHLO " + helo + "\r\nMAIL FROM:<a@victim.example>\r\n" + rcpts + "DATA\r\n" + "Subject: " + subject +
           "\r\nFrom: a@victim.example\r\n\r\nbody\r\n.\r\nQUIT\r\n";
}

const std::string kServer = "220 mx ESMTP\r\n250 mx\r\n250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n221 bye\r\n";

std::vector<uint32_t> alert_ids(const VectorOutput &out) {
    std::vector<uint32_t> ids;
    for (const auto &a : out.of_type("alert")) ids.push_back(a["alert"]["signature_id"].get<uint32_t>());
    return ids;
}

TEST(InspectRules, AlertsCarryFlowRuleAndEvidence) {
    Harness h;
    AppFlowState f;
    h.feed(f, Direction::ToClient, kServer);
    h.feed(f, Direction::ToServer,
           session("DESKTOP-7QK2M1A", "RCPT TO:<x@gmail.com>\r\nRCPT TO:<y@b.example>\r\nRCPT TO:<z@c.example>\r\n",
                   "PW_jdoe/DESKTOP-7QK2M1A"));
    h.app.release(f);
    const auto alerts = h.out.of_type("alert");
    ASSERT_EQ(alerts.size(), 3u);
    std::vector<uint32_t> ids = alert_ids(h.out);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<uint32_t>{11, 12, 13}));
    for (const auto &a : alerts) {
        EXPECT_EQ(a["flow_id"], 7);
        EXPECT_EQ(a["app_proto"], "smtp");
        EXPECT_EQ(a["alert"]["metadata"]["rule_set_version"][0], std::to_string(h.set->version()));
        const auto id = a["alert"]["signature_id"].get<uint32_t>();
        if (id == 11) {
            EXPECT_EQ(a["evidence"]["email.subject"], "PW_jdoe/DESKTOP-7QK2M1A");
        }
        if (id == 12) {
            EXPECT_EQ(a["evidence"]["smtp.helo"], "DESKTOP-7QK2M1A");
            EXPECT_TRUE(a["evidence"].contains("smtp.rcpt_to"));
        }
        // Decided at the end of the transaction: the alert carries the transaction.
        if (id == 13) {
            EXPECT_EQ(a["smtp"]["rcpt_to"].size(), 3u);
        }
    }
    EXPECT_TRUE(h.ctx.alerted);
    EXPECT_EQ(h.alert_counts.by_severity[1].get(), 1u);
    EXPECT_EQ(h.alert_counts.used.load(), 3u);
}

TEST(InspectRules, SameAlertsAtEverySplit) {
    const std::string client =
        session("DESKTOP-7QK2M1A", "RCPT TO:<x@gmail.com>\r\n", "PW_jdoe/DESKTOP-7QK2M1A");
    std::vector<uint32_t> whole;
    {
        Harness h;
        AppFlowState f;
        h.feed(f, Direction::ToClient, kServer);
        h.feed(f, Direction::ToServer, client);
        h.app.release(f);
        whole = alert_ids(h.out);
    }
    ASSERT_EQ(whole.size(), 2u);
    for (size_t cut = 1; cut < client.size(); ++cut) {
        Harness h;
        AppFlowState f;
        h.feed(f, Direction::ToClient, kServer);
        h.feed(f, Direction::ToServer, std::string_view(client).substr(0, cut));
        h.feed(f, Direction::ToServer, std::string_view(client).substr(cut));
        h.app.release(f);
        ASSERT_EQ(alert_ids(h.out), whole) << "split at " << cut;
    }
}

TEST(InspectRules, SessionsKeepTheirOwnPartialMatches) {
    // Rule 12 needs the HELO and a freemail recipient of the same session: interleaving two
    // sessions, each with half of it, must not alert.
    Harness h;
    AppFlowState a, b;
    h.feed(a, Direction::ToClient, "220 mx ESMTP\r\n");
    h.feed(b, Direction::ToClient, "220 mx ESMTP\r\n");
    h.feed(a, Direction::ToServer, "EHLO DESKTOP-7QK2M1A\r\n");
    h.feed(b, Direction::ToServer, "EHLO mail.example.com\r\n");
    h.feed(a, Direction::ToServer, "MAIL FROM:<a@x.example>\r\nRCPT TO:<q@corp.example>\r\nQUIT\r\n");
    h.feed(b, Direction::ToServer, "MAIL FROM:<a@x.example>\r\nRCPT TO:<q@gmail.com>\r\nQUIT\r\n");
    h.app.release(a);
    h.app.release(b);
    for (uint32_t id : alert_ids(h.out)) EXPECT_NE(id, 12u);
}

TEST(InspectRules, NoRuleSetMatchesNothing) {
    Harness h;
    h.matcher.bind(nullptr, nullptr);
    AppFlowState f;
    h.feed(f, Direction::ToClient, kServer);
    h.feed(f, Direction::ToServer, session("DESKTOP-1", "RCPT TO:<x@gmail.com>\r\n", "PW_a/b"));
    h.app.release(f);
    EXPECT_TRUE(h.out.of_type("alert").empty());
    EXPECT_FALSE(h.out.of_type("smtp").empty());  // records still flow
}

}  // namespace
}  // namespace postern::inspect
