// The worker's application layer without DPDK: identification by content, replay of the kept
// bytes into the parser, EVE records through EveEventSink, slot accounting and its bound.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inspect/app_layer.hpp"
#include "vector_output.hpp"
#include "inspect/eve_event_sink.hpp"
#include "../proto/transcripts.hpp"

namespace postern::inspect {
namespace {

using stream::Direction;

using test::VectorOutput;

AppLimits limits(uint32_t slots) {
    AppLimits l;
    l.max_sessions = slots;
    return l;
}

struct Harness {
    VectorOutput out;
    FlowContext ctx;
    EveEventSink sink{out, ctx};
    AppLayer app;
    explicit Harness(uint32_t slots = 4) : app(limits(slots), sink) {
        ctx.flow_id = 42;
        ctx.ts_ns = 1700000000ull * 1000000000ull;
        ctx.endpoints.src_port = 40000;
        ctx.endpoints.dest_port = 2525;
        ctx.endpoints.proto = 6;
    }
    void feed(AppFlowState &f, Direction d, std::string_view s) {
        app.on_data(f, d, reinterpret_cast<const uint8_t *>(s.data()), s.size());
    }
};

void feed_transcript(Harness &h, AppFlowState &f, const std::vector<proto::test::Step> &steps) {
    for (const auto &s : steps) {
        if (s.kind == proto::test::Step::Data) h.feed(f, s.dir, s.bytes);
        else if (s.kind == proto::test::Step::Gap) h.app.on_gap(f, s.dir, s.gap);
        else h.app.on_end(f, s.dir);
    }
}

TEST(InspectAppLayer, SmtpIdentifiedOnAnyPortAndRecorded) {
    Harness h;
    AppFlowState f;
    feed_transcript(h, f, proto::test::pipelined_auth_plain_transcript());
    EXPECT_EQ(f.protocol, proto::Protocol::Smtp);
    EXPECT_EQ(f.status, AppStatus::Parsing);
    EXPECT_EQ(h.app.slots_in_use(), 1u);
    h.app.release(f);
    EXPECT_EQ(h.app.slots_in_use(), 0u);
    const auto smtp = h.out.of_type("smtp");
    ASSERT_FALSE(smtp.empty());
    EXPECT_EQ(smtp[0]["app_proto"], "smtp");
    EXPECT_EQ(smtp[0]["flow_id"], 42);
    EXPECT_TRUE(smtp[0]["smtp"].contains("mail_from"));
    EXPECT_EQ(h.sink.counters().sessions[static_cast<size_t>(proto::Protocol::Smtp)].get(), 1u);
}

TEST(InspectAppLayer, ClientSpeakingFirstIsReplayedFirst) {
    // A capture that starts after the greeting: the client's EHLO is the first payload.
    Harness h;
    AppFlowState f;
    h.feed(f, Direction::ToServer, "EHLO client.example.com\r\n");
    h.feed(f, Direction::ToClient, "250-mail.example.com\r\n250 PIPELINING\r\n");
    h.feed(f, Direction::ToServer, "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nQUIT\r\n");
    h.feed(f, Direction::ToClient, "250 ok\r\n250 ok\r\n221 bye\r\n");
    h.app.release(f);
    ASSERT_EQ(f.protocol, proto::Protocol::Smtp);
    const auto smtp = h.out.of_type("smtp");
    ASSERT_FALSE(smtp.empty());
    EXPECT_EQ(smtp[0]["smtp"]["helo"], "client.example.com");
    EXPECT_EQ(smtp[0]["smtp"]["mail_from"], "<a@example.com>");
}

TEST(InspectAppLayer, UnknownPayloadFailsAndFreesTheSlot) {
    Harness h;
    AppFlowState f;
    h.feed(f, Direction::ToServer, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
    h.feed(f, Direction::ToClient, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    h.app.release(f);
    EXPECT_EQ(f.status, AppStatus::Failed);
    EXPECT_EQ(h.app.slots_in_use(), 0u);
    EXPECT_EQ(h.sink.counters().detection_failed.get(), 1u);
    // The harness flow goes to port 2525, a mail port: the mismatch is reported.
    ASSERT_EQ(h.out.records.size(), 1u);
    EXPECT_EQ(h.out.records[0]["anomaly"]["event"], "applayer.non_mail_on_mail_port");
}

TEST(InspectAppLayer, SlotBoundIsCountedAndTheFlowIsNotInspected) {
    Harness h(1);
    AppFlowState a, b;
    h.feed(a, Direction::ToClient, "220 mail.example.com ESMTP\r\n");
    h.feed(b, Direction::ToClient, "220 mail.example.com ESMTP\r\n");
    EXPECT_EQ(a.status, AppStatus::Parsing);
    EXPECT_EQ(b.status, AppStatus::NotInspected);
    EXPECT_EQ(h.sink.counters().sessions_exhausted.get(), 1u);
    h.app.release(a);
    h.app.release(b);
    AppFlowState c;  // the slot is back
    h.feed(c, Direction::ToClient, "220 mail.example.com ESMTP\r\n");
    EXPECT_EQ(c.status, AppStatus::Parsing);
    h.app.release(c);
}

// Idle or one-sided sessions must not hold every slot: a new session takes the stalest one's slot
// once it has been idle for idle_timeout (or one-sided for one_sided_timeout).
TEST(InspectAppLayer, IdleAndOneSidedSessionsGiveTheirSlotsUp) {
    AppLimits l = limits(2);
    l.idle_timeout_ns = 100;
    l.one_sided_timeout_ns = 30;
    VectorOutput out;
    FlowContext ctx;
    ctx.ts_ns = 1000;
    EveEventSink sink{out, ctx};
    AppLayer app(l, sink);
    auto feed = [&](AppFlowState &f, Direction d, std::string_view s) {
        app.on_data(f, d, reinterpret_cast<const uint8_t *>(s.data()), s.size());
    };
    AppFlowState silent, chatty, late;
    feed(silent, Direction::ToServer, "EHLO x\r\n");          // one-sided from t=1000
    feed(chatty, Direction::ToClient, "220 mx ESMTP\r\n");      // both sides speak
    feed(chatty, Direction::ToServer, "EHLO y\r\n");
    ctx.ts_ns = 1020;
    feed(late, Direction::ToClient, "220 mx ESMTP\r\n");        // too early: nothing to take
    EXPECT_EQ(late.status, AppStatus::NotInspected);
    EXPECT_EQ(sink.counters().sessions_exhausted.get(), 1u);
    ctx.ts_ns = 1031;
    AppFlowState next;
    feed(next, Direction::ToClient, "220 mx ESMTP\r\n");        // the one-sided session's slot
    EXPECT_NE(next.slot, kNoSlot);
    EXPECT_EQ(silent.status, AppStatus::Reclaimed);
    EXPECT_EQ(silent.slot, kNoSlot);
    EXPECT_NE(chatty.slot, kNoSlot);
    EXPECT_EQ(sink.counters().slots_reclaimed.get(), 1u);
    EXPECT_EQ(sink.counters().slots_in_use.get(), 2u);
    feed(silent, Direction::ToServer, "MAIL FROM:<a@b>\r\n");  // a reclaimed session stays uninspected
    EXPECT_EQ(silent.slot, kNoSlot);
    ctx.ts_ns = 1200;  // chatty idle since 1000: past idle_timeout
    AppFlowState third;
    feed(third, Direction::ToClient, "220 mx ESMTP\r\n");
    EXPECT_EQ(chatty.status, AppStatus::Reclaimed);
    EXPECT_NE(third.slot, kNoSlot);
    app.release(next);
    app.release(third);
    app.release(silent);
    app.release(chatty);
    EXPECT_EQ(app.slots_in_use(), 0u);
}

TEST(InspectAppLayer, GapWhileIdentifyingDoesNotJoinBytes) {
    Harness h;
    AppFlowState f;
    h.feed(f, Direction::ToServer, "EHLO a.example.com\r\n");
    h.app.on_gap(f, Direction::ToServer, 100);
    h.feed(f, Direction::ToServer, "QUIT\r\n");
    h.app.release(f);
    EXPECT_EQ(f.protocol, proto::Protocol::Smtp);
    bool gap_anomaly = false;
    for (const auto &a : h.out.of_type("anomaly")) gap_anomaly |= a["anomaly"]["event"] == "stream.gap";
    EXPECT_TRUE(gap_anomaly);
}

TEST(InspectAppLayer, AnomaliesAreCountedByName) {
    Harness h;
    AppFlowState f;
    h.feed(f, Direction::ToClient, "220 mail.example.com ESMTP\r\n");
    h.feed(f, Direction::ToServer, std::string(700, 'A') + "\r\n");
    h.feed(f, Direction::ToServer, std::string(700, 'B') + "\r\n");
    h.app.release(f);
    const auto &an = h.sink.counters().anomalies;
    bool found = false;
    for (size_t i = 0; i < an.used.load(); ++i)
        if (an.names[i] == "smtp.command_line_too_long") found = an.counts[i].get() >= 1;
    EXPECT_TRUE(found);
    EXPECT_FALSE(h.out.of_type("anomaly").empty());
}

}  // namespace
}  // namespace postern::inspect
