// Verdicts and flow bypass in the inspection engine, without EAL: a drop or reject (from a rule or
// a detector) blocks its flow from the packet that completed the match, in both directions; tap
// mode only reports; the exception policy blocks a flow whose state was lost; flows that can
// yield nothing more are bypassed. Each case also checks the EVE records that say so.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_harness.hpp"

namespace postern::engine {
namespace {

using test::Engine;
using test::Fed;

using test::plan;
using test::smtp;

std::string subject_rule(uint32_t id, const std::string &action) {
    return R"({"id": )" + std::to_string(id) + R"(, "rev": 1, "title": "exfil subject", "level": "high",
              "action": ")" + action + R"(", "match": {"all": [{"field": "email.subject", "patterns": ["exfil-[0-9]+"]}]}})";
}

config::Config inline_config() {
    config::Config c;
    c.mode = config::Mode::Inline;
    return c;
}

size_t index_of(const std::vector<Fed> &fed, Verdict v) {
    for (size_t i = 0; i < fed.size(); ++i)
        if (fed[i].verdict == v) return i;
    return fed.size();
}

size_t count(const std::vector<Fed> &fed, Verdict v) {
    size_t n = 0;
    for (const auto &f : fed) n += f.verdict == v;
    return n;
}

// The packet that carries the end of the DATA section: it must never reach the server.
size_t end_of_data(const std::vector<Fed> &fed) {
    for (size_t i = 0; i < fed.size(); ++i)
        if (fed[i].from_client() && fed[i].payload.find(".\r\n") != std::string::npos &&
            fed[i].payload.find("QUIT") == std::string::npos)
            return i;
    return fed.size();
}

TEST(InspectorVerdict, DropRuleBlocksTheFlowBothWaysFromTheMatchingPacket) {
    Engine e(inline_config(), subject_rule(1, "drop"));
    const auto bad = plan(smtp("exfil-4242"), 40001);
    const auto good = plan(smtp("quarterly report"), 40002, 25, 1'700'000'000'000'500);
    const auto fed = e.feed({&bad, &good});

    std::vector<Fed> of_bad, of_good;
    for (const auto &f : fed) (f.plan == &bad ? of_bad : of_good).push_back(f);
    const size_t first = index_of(of_bad, Verdict::Drop);
    ASSERT_LT(first, of_bad.size());
    EXPECT_TRUE(of_bad[first].from_client());
    EXPECT_NE(of_bad[first].payload.find("exfil-4242"), std::string::npos) << "the match completes in the subject";
    for (size_t i = 0; i < of_bad.size(); ++i)
        EXPECT_EQ(of_bad[i].verdict, i < first ? Verdict::Forward : Verdict::Drop) << "packet " << i;
    EXPECT_GE(first, 0u);
    EXPECT_LE(first, end_of_data(of_bad));
    // The server's replies after the match are dropped too: the client never hears "queued".
    bool server_dropped = false;
    for (size_t i = first; i < of_bad.size(); ++i) server_dropped |= !of_bad[i].from_client();
    EXPECT_TRUE(server_dropped);
    EXPECT_EQ(count(of_good, Verdict::Drop), 0u) << "the other session is untouched";
    e.finish();

    const auto alerts = e.out.of_type("alert");
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["alert"]["action"], "blocked");
    EXPECT_EQ(alerts[0]["src_port"], 40001);
    const auto drops = e.out.of_type("drop");
    ASSERT_EQ(drops.size(), 1u) << "one drop record per blocked flow";
    EXPECT_EQ(drops[0]["drop"]["reason"], "rules");
    EXPECT_EQ(drops[0]["drop"]["ack"], true);
    for (const auto &f : e.out.of_type("flow")) {
        if (f["src_port"] == 40001) {
            EXPECT_EQ(f["flow"]["action"], "drop");
            EXPECT_EQ(f["flow"]["dropped_pkts"], of_bad.size() - first);
        } else {
            EXPECT_FALSE(f["flow"].contains("action")) << f.dump();
        }
    }
    EXPECT_EQ(e.counters.flows_blocked.get(), 1u);
    EXPECT_EQ(e.counters.verdict_blocked.get(), of_bad.size() - first);
    EXPECT_EQ(e.counters.verdict_accepted.get(), first + of_good.size());
}

TEST(InspectorVerdict, DropAtTheDotLineStopsDelivery) {
    // A rule that can only decide at the end of the message (a body word): the packet with the
    // terminating dot is dropped, so the server never answers 250 and never stores it.
    Engine e(inline_config(), R"({"id": 2, "rev": 1, "title": "body", "level": "high", "action": "drop",
              "match": {"all": [{"field": "email.body_prefix", "patterns": ["dot line"]}]}})");
    const auto s = plan(smtp("hello"), 40003);
    const auto fed = e.feed(s);
    const size_t first = index_of(fed, Verdict::Drop), dot = end_of_data(fed);
    ASSERT_LT(dot, fed.size());
    EXPECT_LE(first, dot);
    for (size_t i = dot; i < fed.size(); ++i) EXPECT_EQ(fed[i].verdict, Verdict::Drop) << i;
}

TEST(InspectorVerdict, RejectAnswersTheMatchingPacketWithResetsThenDrops) {
    Engine e(inline_config(), subject_rule(3, "reject"));
    const auto fed = e.feed(plan(smtp("exfil-7"), 40004));
    const size_t first = index_of(fed, Verdict::Reject);
    ASSERT_LT(first, fed.size());
    EXPECT_EQ(count(fed, Verdict::Reject), 1u) << "one pair of RSTs, for the packet that matched";
    for (size_t i = first + 1; i < fed.size(); ++i) EXPECT_EQ(fed[i].verdict, Verdict::Drop) << i;
    e.finish();
    EXPECT_EQ(e.out.of_type("alert").at(0)["alert"]["action"], "blocked");
    EXPECT_EQ(e.counters.verdict_rejected.get(), 1u);
}

TEST(InspectorVerdict, TapModeOnlyReports) {
    Engine e(config::Config{}, subject_rule(4, "drop"));
    const auto fed = e.feed(plan(smtp("exfil-1"), 40005));
    EXPECT_EQ(count(fed, Verdict::Forward), fed.size());
    e.finish();
    EXPECT_EQ(e.out.of_type("alert").at(0)["alert"]["action"], "allowed");
    EXPECT_TRUE(e.out.of_type("drop").empty());
    EXPECT_EQ(e.counters.verdict_accepted.get(), 0u) << "tap mode counts no verdicts";
}

TEST(InspectorVerdict, SimulatedIpsSaysBlockedAsInline) {
    config::Config c;
    c.simulate_ips = true;
    Engine e(c, subject_rule(5, "drop"));
    const auto fed = e.feed(plan(smtp("exfil-2"), 40006));
    EXPECT_GT(count(fed, Verdict::Drop), 0u);
    e.finish();
    EXPECT_EQ(e.out.of_type("alert").at(0)["alert"]["action"], "blocked");
    EXPECT_EQ(e.out.of_type("drop").size(), 1u);
}

// An SMTP session up to the server's "220" to STARTTLS.
synth::Conversation up_to_starttls() {
    synth::Conversation c;
    c.server("220 mx.example ESMTP\r\n");
    c.client("EHLO pc\r\n");
    c.server("250-mx.example\r\n250 STARTTLS\r\n");
    c.client("STARTTLS\r\n");
    c.server("220 ready\r\n");
    return c;
}

TEST(InspectorVerdict, DetectorActionBlocksAndAlertIsTheDefault) {
    // Cleartext after the server accepted STARTTLS: detector starttls_cleartext.
    synth::Conversation c = up_to_starttls();
    c.client("EHLO pc\r\n");
    c.server("250 mx.example\r\n");
    c.client("MAIL FROM:<implant@example.org>\r\n");
    c.server("250 OK\r\n");
    const auto s = plan(c, 40007);
    for (const auto action : {detect::AlertAction::Alert, detect::AlertAction::Drop}) {
        config::Config cfg = inline_config();
        cfg.detect.actions[static_cast<size_t>(detect::DetectorId::StarttlsCleartext)] = action;
        Engine e(cfg);
        const auto fed = e.feed(s);
        e.finish();
        bool alerted = false;
        for (const auto &a : e.out.of_type("alert"))
            if (a["alert"]["signature_id"] == 9200019) {
                alerted = true;
                EXPECT_EQ(a["alert"]["action"], action == detect::AlertAction::Drop ? "blocked" : "allowed");
            }
        EXPECT_TRUE(alerted);
        if (action == detect::AlertAction::Alert) {
            EXPECT_EQ(count(fed, Verdict::Drop), 0u);
        } else {
            const size_t first = index_of(fed, Verdict::Drop);
            ASSERT_LT(first, fed.size());
            EXPECT_NE(fed[first].payload.find("EHLO"), std::string::npos) << "the cleartext after 220 ready";
        }
    }
}

TEST(InspectorVerdict, ExceptionPolicyBlocksAFlowWithoutParserState) {
    // One parser slot: the second concurrent session gets none (its state is lost).
    for (const auto policy : {config::ExceptionPolicy::Forward, config::ExceptionPolicy::DropFlow}) {
        config::Config c = inline_config();
        c.max_app_sessions_per_worker = 1;
        c.inline_mode.on_exception = policy;
        Engine e(c);
        const auto first = plan(smtp("one"), 40008);
        const auto second = plan(smtp("two"), 40009, 25, 1'700'000'000'000'200);
        const auto fed = e.feed({&first, &second});
        size_t dropped_first = 0, dropped_second = 0;
        for (const auto &f : fed) (f.plan == &first ? dropped_first : dropped_second) += f.verdict == Verdict::Drop;
        EXPECT_EQ(dropped_first, 0u);
        e.finish();
        if (policy == config::ExceptionPolicy::Forward) {
            EXPECT_EQ(dropped_second, 0u);
            EXPECT_TRUE(e.out.of_type("drop").empty());
        } else {
            EXPECT_GT(dropped_second, 0u);
            ASSERT_EQ(e.out.of_type("drop").size(), 1u);
            EXPECT_EQ(e.out.of_type("drop")[0]["drop"]["reason"], "exception");
            EXPECT_EQ(e.counters.flows_blocked_exception.get(), 1u);
        }
    }
}

// Bytes shaped as TLS records (type, version, length, body): what the TLS walker follows.
std::string tls_records(uint8_t type, size_t n, size_t len) {
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += static_cast<char>(type), s += '\x03', s += '\x03';
        s += static_cast<char>(len >> 8), s += static_cast<char>(len & 0xFF);
        s += std::string(len, static_cast<char>(0xA5 + i));
    }
    return s;
}

// A minimal ClientHello (1) or ServerHello (2) in one handshake record: what identifies TLS.
std::string hello(uint8_t type) {
    std::string body;
    body += '\x03', body += '\x03';
    body += std::string(32, '\x11');           // random
    body += '\x00';                             // session id
    if (type == 1) body += std::string("\x00\x02\x13\x01", 4), body += std::string("\x01\x00", 2);
    else body += std::string("\x13\x01\x00", 3);  // the chosen suite, no compression
    std::string hs;
    hs += static_cast<char>(type), hs += '\x00', hs += static_cast<char>(body.size() >> 8), hs += static_cast<char>(body.size());
    hs += body;
    std::string rec("\x16\x03\x01", 3);
    rec += static_cast<char>(hs.size() >> 8), rec += static_cast<char>(hs.size());
    return rec + hs;
}

const nlohmann::json &flow_record(const Engine &e, int src_port) {
    for (const auto &f : e.out.records)
        if (f["event_type"] == "flow" && f["src_port"] == src_port) return f;
    static const nlohmann::json none;
    ADD_FAILURE() << "no flow record for " << src_port;
    return none;
}

TEST(InspectorBypass, StarttlsIsBypassedOnceBothSidesSpeakTls) {
    synth::Conversation c = up_to_starttls();
    c.client(tls_records(0x16, 1, 200));
    c.server(tls_records(0x16, 2, 300));
    for (int i = 0; i < 5; ++i) c.client(tls_records(0x17, 1, 500)), c.server(tls_records(0x17, 1, 500));
    const auto s = plan(c, 40010, 587);
    for (const bool on : {false, true}) {
        config::Config cfg;
        cfg.bypass.tls = on;
        Engine e(cfg);
        const auto fed = e.feed(s);
        e.finish();
        const auto &f = flow_record(e, 40010)["flow"];
        if (!on) {
            EXPECT_FALSE(f.contains("bypassed"));
            continue;
        }
        EXPECT_EQ(f["bypass"], "local");
        EXPECT_EQ(f["bypass_reason"], "tls");
        EXPECT_GT(f["bypassed"]["pkts_toserver"].get<uint64_t>(), 5u);
        EXPECT_GT(f["bypassed"]["pkts_toclient"].get<uint64_t>(), 5u);
        EXPECT_EQ(e.counters.bypassed_flows[static_cast<size_t>(BypassReason::Tls)].get(), 1u);
        EXPECT_EQ(e.counters.bypassed_packets.get(),
                  f["bypassed"]["pkts_toserver"].get<uint64_t>() + f["bypassed"]["pkts_toclient"].get<uint64_t>());
        // The smtp record still has the session up to STARTTLS.
        ASSERT_FALSE(e.out.of_type("smtp").empty());
    }
}

TEST(InspectorBypass, ImplicitTlsAndFailedDetection) {
    synth::Conversation tls;
    tls.client(hello(1));
    tls.server(hello(2) + tls_records(0x16, 2, 300));
    for (int i = 0; i < 4; ++i) tls.client(tls_records(0x17, 1, 400)), tls.server(tls_records(0x17, 1, 400));
    synth::Conversation junk;
    for (int i = 0; i < 4; ++i) junk.client(std::string(300, static_cast<char>(0x80 + i))), junk.server("\x01\x02\x03 binary\r\n");
    const auto a = plan(tls, 40011, 465);
    const auto b = plan(junk, 40012, 8080, 1'700'000'000'000'100);
    Engine e(config::Config{});
    e.feed({&a, &b});
    e.finish();
    EXPECT_EQ(flow_record(e, 40011)["flow"]["bypass_reason"], "tls");
    EXPECT_EQ(flow_record(e, 40011)["app_proto"], "tls");
    EXPECT_EQ(flow_record(e, 40012)["flow"]["bypass_reason"], "failed_detection");
    EXPECT_GT(flow_record(e, 40012)["flow"]["bypassed"]["pkts_toserver"].get<uint64_t>(), 0u);
}

TEST(InspectorBypass, InspectionDepthStopsOnceBothDirectionsReachIt) {
    config::Config c;
    c.bypass.inspection_depth = 60;
    Engine e(c);
    const auto fed = e.feed(plan(smtp("a long session"), 40013));
    e.finish();
    const auto &f = flow_record(e, 40013)["flow"];
    EXPECT_EQ(f["bypass_reason"], "depth");
    EXPECT_GT(f["bypassed"]["pkts_toserver"].get<uint64_t>(), 0u);
    // Nothing past the depth was parsed: the message's subject was never seen.
    for (const auto &s : e.out.of_type("smtp")) EXPECT_EQ(s.dump().find("a long session"), std::string::npos);
}

TEST(InspectorBypass, PassRuleBypassesSilently) {
    Engine e(inline_config(), R"({"id": 6, "rev": 1, "title": "trusted relay", "level": "low", "action": "pass",
              "match": {"all": [{"field": "smtp.helo", "patterns": ["pc\\.example"]}]}})");
    const auto fed = e.feed(plan(smtp("exfil-9"), 40014));
    EXPECT_EQ(count(fed, Verdict::Forward), fed.size());
    e.finish();
    EXPECT_TRUE(e.out.of_type("alert").empty()) << "pass writes no alert";
    EXPECT_EQ(flow_record(e, 40014)["flow"]["bypass_reason"], "pass");
}

}  // namespace
}  // namespace postern::engine
