// The core the mail parsers share (lib/proto/common/line_session.hpp), on a toy protocol whose
// hooks only record what they are called with: routing per direction, gaps, ends, anomalies once
// per transaction, and STARTTLS up to where TLS breaks.
#include "proto/common/line_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/common/anomaly_table.hpp"
#include "proto/smtp/smtp_transaction.hpp"
#include "recording_sink.hpp"

namespace postern::proto {
namespace {

using stream::Direction;

#define TOY_ANOMALIES(X) \
    X(Odd, "toy.odd", Other) X(StarttlsCleartextContinues, "toy.cleartext", StarttlsCleartext) X(StreamGap, "stream.gap", StreamGap)
enum class ToyAnomaly : uint8_t { TOY_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<ToyAnomaly> kToyAnomalies{
    AnomalySource::Smtp, "toy.unknown", {TOY_ANOMALIES(POSTERN_ANOMALY_NAME)}, {TOY_ANOMALIES(POSTERN_ANOMALY_KIND)}};
constexpr std::string_view anomaly_name(ToyAnomaly a) { return kToyAnomalies.name(a); }
constexpr AnomalyEvent anomaly_event(ToyAnomaly a) { return kToyAnomalies.event(a); }

struct ToyStats : LineSessionStats<ToyAnomaly> {};

class ToyParser : public LineSession<ToyParser, ToyAnomaly, ToyStats> {
public:
    explicit ToyParser(EventSink &sink) : LineSession(sink) {}

    std::vector<std::string> calls;
    bool line_open = false;  // what the parser says of its server line
    using LineSession::anomaly;
    using LineSession::server_line_done;
    void upgrade() { start_tls(Protocol::Smtp); }
    void compress() { start_compression(); }
    uint32_t emit() {
        SmtpTransaction tx;  // the sink takes the mail protocols' transactions
        emit_transaction(tx);
        return tx.id;
    }

private:
    friend LineSession;
    void client_data(ByteSpan in) { calls.push_back("client:" + text(in)); }
    void server_data(ByteSpan in) { calls.push_back("server:" + text(in)); }
    void after_gap(Direction dir, uint32_t len) {
        calls.push_back(std::string(dir == Direction::ToServer ? "gap client " : "gap server ") + std::to_string(len));
    }
    void after_end(Direction dir) { calls.push_back(dir == Direction::ToServer ? "end client" : "end server"); }
    bool server_line_open() const { return line_open; }
    void input_done() {}  // no message parser
    static std::string text(ByteSpan in) { return {reinterpret_cast<const char *>(in.data), in.size}; }
};

std::vector<std::string> anomalies(const test::RecordingSink &sink) {
    std::vector<std::string> out;
    for (const auto &e : sink.events)
        if (e.rfind("anomaly ", 0) == 0) out.push_back(e.substr(8));
    return out;
}

void feed(ToyParser &p, Direction dir, const std::string &bytes) {
    p.on_data(dir, reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
}

TEST(ProtoLineSession, RoutesEachDirectionAndCountsBytes) {
    test::RecordingSink sink;
    ToyParser p(sink);
    feed(p, Direction::ToServer, "EHLO a\r\n");
    feed(p, Direction::ToClient, "250 ok\r\n");
    EXPECT_EQ(p.calls, (std::vector<std::string>{"client:EHLO a\r\n", "server:250 ok\r\n"}));
    EXPECT_EQ(p.stats().bytes[stream::index(Direction::ToServer)], 8u);
    EXPECT_EQ(p.stats().bytes[stream::index(Direction::ToClient)], 8u);
}

TEST(ProtoLineSession, EachSideEndsOnce) {
    test::RecordingSink sink;
    ToyParser p(sink);
    p.on_end(Direction::ToServer);
    p.on_end(Direction::ToServer);  // FIN, then RST
    p.on_end(Direction::ToClient);
    EXPECT_EQ(p.calls, (std::vector<std::string>{"end client", "end server"}));
}

TEST(ProtoLineSession, GapsAreFlaggedOnlyWhileParsing) {
    test::RecordingSink sink;
    ToyParser p(sink);
    p.on_gap(Direction::ToClient, 10);
    p.upgrade();
    p.on_gap(Direction::ToServer, 5);  // a lost TLS record changes nothing
    EXPECT_EQ(p.calls, (std::vector<std::string>{"gap server 10"}));
    EXPECT_EQ(p.stats().gaps, 2u);
    EXPECT_EQ(p.stats().gap_bytes, 15u);
    EXPECT_EQ(p.stats().anomalies[static_cast<size_t>(ToyAnomaly::StreamGap)], 1u);
}

TEST(ProtoLineSession, AnomaliesReportedOncePerTransactionCountedAlways) {
    test::RecordingSink sink;
    ToyParser p(sink);
    p.anomaly(ToyAnomaly::Odd);
    p.anomaly(ToyAnomaly::Odd);
    EXPECT_EQ(p.emit(), 0u);
    p.anomaly(ToyAnomaly::Odd);
    EXPECT_EQ(p.emit(), 1u);
    EXPECT_EQ(anomalies(sink), (std::vector<std::string>{"toy.odd", "toy.odd"}));
    EXPECT_EQ(p.stats().anomalies[static_cast<size_t>(ToyAnomaly::Odd)], 3u);
    EXPECT_EQ(p.stats().transactions, 2u);
}

TEST(ProtoLineSession, TlsRecordsAreNotParsedUntilTlsBreaks) {
    test::RecordingSink sink;
    ToyParser p(sink);
    p.upgrade();
    EXPECT_TRUE(p.encrypted());
    const std::string record = test::tls_record(23, std::string(20, 'x'));
    feed(p, Direction::ToServer, record);
    EXPECT_TRUE(p.calls.empty());
    EXPECT_EQ(p.stats().opaque_bytes[stream::index(Direction::ToServer)], record.size());
    feed(p, Direction::ToServer, "QUIT\r\n");  // cleartext after the upgrade
    EXPECT_FALSE(p.encrypted());
    EXPECT_EQ(p.calls, (std::vector<std::string>{"client:QUIT\r\n"}));
    EXPECT_EQ(sink.events, (std::vector<std::string>{"starttls", "anomaly toy.cleartext"}));
}

TEST(ProtoLineSession, NothingIsParsedAfterCompression) {
    test::RecordingSink sink;
    ToyParser p(sink);
    p.compress();
    feed(p, Direction::ToClient, "\x78\x9c garbage");
    EXPECT_TRUE(p.compressed());
    EXPECT_TRUE(p.calls.empty());
    EXPECT_EQ(p.stats().opaque_bytes[stream::index(Direction::ToClient)], 10u);
}

TEST(ProtoAnomalyTable, NamesInEnumOrder) {
    EXPECT_EQ(anomaly_name(ToyAnomaly::Odd), "toy.odd");
    EXPECT_EQ(anomaly_name(ToyAnomaly::StreamGap), "stream.gap");
    EXPECT_EQ(anomaly_name(ToyAnomaly::Count), "toy.unknown");
}

// A real client starts TLS after it has read the whole accepting line; a line cut at the limit
// goes on as text until it ends (or its end is lost in a gap).
TEST(ProtoLineSession, UpgradeWaitsForTheEndOfTheAcceptingLine) {
    test::RecordingSink sink;
    ToyParser p(sink);
    p.line_open = true;
    p.upgrade();
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_FALSE(p.encrypted());
    feed(p, Direction::ToClient, "rest of the line\r\n");
    EXPECT_EQ(p.calls.back(), "server:rest of the line\r\n");
    p.server_line_done();  // still open
    EXPECT_FALSE(p.encrypted());
    p.line_open = false;
    p.server_line_done();
    EXPECT_TRUE(p.encrypted());

    ToyParser q(sink);
    q.line_open = true;
    q.compress();
    q.on_gap(Direction::ToServer, 5);
    EXPECT_FALSE(q.compressed());
    q.on_gap(Direction::ToClient, 5);
    EXPECT_TRUE(q.compressed());
}

}  // namespace
}  // namespace postern::proto
