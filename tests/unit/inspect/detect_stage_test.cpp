// Detectors in the worker's application layer: parsers → DetectingSink → EveEventSink, with the
// session's state in its slot. Alerts are EVE records for the flow (alerted set), message alerts
// carry their transaction, port anomalies become alerts (not for mid-stream pickups), and the
// session's summary is handed out when the flow is released.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inspect/app_layer.hpp"
#include "inspect/detector_alerts.hpp"
#include "vector_output.hpp"

namespace postern::inspect {
namespace {

using stream::Direction;

struct Summaries final : SummaryOutput {
    std::vector<detect::SessionSummary> got;
    void push_summary(const detect::SessionSummary &s) override { got.push_back(s); }
};

struct Harness {
    test::VectorOutput out;
    FlowContext ctx;
    EveEventSink sink{out, ctx};
    AlertCounters counts;
    Summaries summaries;
    DetectorAlerts alerts{out, counts, ctx, &summaries};
    detect::DetectConfig config;
    detect::DetectingSink stage{config, alerts, &sink};
    AppLayer app{AppLimits{}, sink, stage, nullptr, &stage};

    explicit Harness(uint16_t port, bool midstream = false) {
        ctx.flow_id = 9;
        ctx.endpoints.src_port = 40000, ctx.endpoints.dest_port = port, ctx.endpoints.proto = 6;
        ctx.midstream = midstream;
    }
    void feed(AppFlowState &f, Direction d, std::string_view s) {
        app.on_data(f, d, reinterpret_cast<const uint8_t *>(s.data()), s.size());
    }
    void release(AppFlowState &f) {
        detect::SessionEnd end;
        end.flow_id = ctx.flow_id, end.protocol = f.protocol, end.handshake = !ctx.midstream;
        end.bytes_toserver = 100, end.bytes_toclient = 200;
        app.release(f, &end);
    }
};

TEST(InspectDetectStage, MessageAlertCarriesItsTransactionAndFlowIsAlerted) {
    Harness h(25);
    AppFlowState f;
    h.feed(f, Direction::ToClient, "220 mx.example.com ESMTP\r\n");
    h.feed(f, Direction::ToServer, "EHLO a.example\r\n");
    h.feed(f, Direction::ToClient, "250 ok\r\n");
    h.feed(f, Direction::ToServer, "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    h.feed(f, Direction::ToClient, "250 ok\r\n250 ok\r\n354 go\r\n");
    h.feed(f, Direction::ToServer,
           "From: a@example.com\r\nSubject: U2VjcmV0IGNvbW1hbmQ6IHdob2FtaSAmJiBpcGNvbmZpZyAvYWxsIHw=\r\n\r\nx\r\n.\r\n");
    h.feed(f, Direction::ToClient, "250 queued\r\n");
    const auto alerts = h.out.of_type("alert");
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["alert"]["signature_id"], 9200008);
    EXPECT_EQ(alerts[0]["evidence"]["field"], "email.subject");
    EXPECT_TRUE(alerts[0].contains("smtp"));
    EXPECT_EQ(alerts[0]["flow_id"], 9);
    EXPECT_TRUE(h.ctx.alerted);
    h.release(f);
    ASSERT_EQ(h.summaries.got.size(), 1u);
    EXPECT_EQ(h.summaries.got[0].protocol, proto::Protocol::Smtp);
    EXPECT_EQ(h.summaries.got[0].smtp_messages, 1);
}

TEST(InspectDetectStage, NonMailOnAMailPortAlertsUnlessPickedUpMidStream) {
    for (bool midstream : {false, true}) {
        Harness h(25, midstream);
        AppFlowState f;
        std::string junk(600, '\x01');
        h.feed(f, Direction::ToServer, junk);
        h.feed(f, Direction::ToClient, junk);
        h.release(f);
        EXPECT_EQ(h.out.of_type("anomaly").size(), 1u);
        EXPECT_EQ(h.out.of_type("alert").size(), midstream ? 0u : 1u) << midstream;
        EXPECT_TRUE(h.summaries.got.empty());  // nothing identified: no history
    }
}

}  // namespace
}  // namespace postern::inspect
