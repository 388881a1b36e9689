// Per-session detectors through the DetectingSink, driven by the real parsers.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "detect/detecting_sink.hpp"
#include "detect/detector_alert_eve.hpp"
#include "output/json_writer.hpp"
#include "proto/imap/imap_parser.hpp"
#include "proto/session_anomaly.hpp"
#include "proto/smtp/smtp_parser.hpp"

namespace postern::detect {
namespace {

struct Out final : DetectorOutput {
    std::vector<DetectorId> ids;
    std::vector<bool> with_tx;
    std::vector<SessionSummary> summaries;
    std::string last_json;
    void on_detector_alert(const DetectorAlert &a, const AppObject &app) override {
        ids.push_back(a.id);
        with_tx.push_back(app.smtp || app.pop3 || app.imap);
        output::FixedJsonWriter<4096> w;
        w.begin_object();
        write_detector_alert(w, a);
        w.end_object();
        last_json.assign(w.view());
    }
    void on_session_summary(const SessionSummary &s) override { summaries.push_back(s); }
    bool has(DetectorId id) const {
        for (auto i : ids)
            if (i == id) return true;
        return false;
    }
};

using Turn = std::pair<bool, std::string>;  // (from client, bytes)

template <class Parser>
void run(Parser &p, const std::vector<Turn> &turns) {
    for (const auto &[client, text] : turns)
        p.on_data(client ? stream::Direction::ToServer : stream::Direction::ToClient,
                  reinterpret_cast<const uint8_t *>(text.data()), text.size());
    p.on_end(stream::Direction::ToServer);
    p.on_end(stream::Direction::ToClient);
}

// One mail over SMTP: greeting, EHLO, envelope, DATA, QUIT.
std::vector<Turn> smtp_mail(const std::string &helo, const std::string &from, const std::string &rcpt,
                            const std::string &message) {
    return {{false, "220 mx.example.com ESMTP\r\n"}, {true, "EHLO " + helo + "\r\n"},
            {false, "250 mx.example.com\r\n"},       {true, "MAIL FROM:<" + from + ">\r\n"},
            {false, "250 OK\r\n"},                   {true, "RCPT TO:<" + rcpt + ">\r\n"},
            {false, "250 OK\r\n"},                   {true, "DATA\r\n"},
            {false, "354 go\r\n"},                   {true, message + ".\r\n"},
            {false, "250 queued\r\n"},               {true, "QUIT\r\n"},
            {false, "221 bye\r\n"}};
}

SessionEnd end_of(proto::Protocol p, uint64_t up, uint64_t down) {
    SessionEnd e;
    e.protocol = p, e.bytes_toserver = up, e.bytes_toclient = down, e.handshake = true;
    e.start_ns = 1'000'000'000, e.end_ns = 2'000'000'000;
    return e;
}

// A DetectingSink pointed at one session's state, collecting into `out`.
struct Session {
    DetectConfig cfg;
    Out out;
    DetectingSink sink{cfg, out};
    SessionState st;
    Session(proto::Protocol p, uint16_t port) {
        st.reset(p, port);
        sink.set_session(&st);
    }
};

TEST(DetectSession, ToolEnvelopeAndSmuggledHeaderAlertWithTheirTransaction) {
    Session x(proto::Protocol::Smtp, 25);
    auto &[cfg, out, sink, st] = x;
    proto::SmtpParser parser(sink);
    run(parser, smtp_mail("DESKTOP-7QK2M1A", "bot@example.net", "bot@example.net",
                          "From: bot@example.net\r\nSubject: status\r\n"
                          "X-Session-Data: U2VjcmV0IGNvbW1hbmQ6IHdob2FtaSAmJiBpcGNvbmZpZyAvYWxsIHw=\r\n\r\nok\r\n"));
    EXPECT_TRUE(out.has(DetectorId::ToolEnvelope));
    EXPECT_TRUE(out.has(DetectorId::EncodedHumanField));
    for (bool t : out.with_tx) EXPECT_TRUE(t);
    sink.finish_session(&st, end_of(proto::Protocol::Smtp, 500, 300));
    ASSERT_EQ(out.summaries.size(), 1u);
    EXPECT_EQ(out.summaries[0].smtp_messages, 1);
    EXPECT_NE(out.last_json.find("\"signature_id\":92000"), std::string::npos);
    EXPECT_NE(out.last_json.find("\"mitre_technique_id\":[\"T1071.003\"]"), std::string::npos);
}

TEST(DetectSession, OrdinaryClientMailDoesNotAlert) {
    Session x(proto::Protocol::Smtp, 587);
    auto &[cfg, out, sink, st] = x;
    proto::SmtpParser parser(sink);
    run(parser, smtp_mail("laptop.corp.example", "alice@example.com", "bob@example.org",
                          "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nDate: Tue, 14 Nov 2023 10:00:00 "
                          "+0000\r\nMessage-ID: <1@example.com>\r\nSubject: =?UTF-8?B?0J/RgNC40LLQtdGC?= "
                          "=?UTF-8?B?0JLRgdC10Lwg0LrQsNC6INC00LXQu9CwPw==?=\r\n\r\nhi\r\n"));
    sink.finish_session(&st, end_of(proto::Protocol::Smtp, 600, 300));
    EXPECT_TRUE(out.ids.empty()) << out.last_json;
}

TEST(DetectSession, NonConformanceCountsUnknownCommandsAndCommandsAfterQuit) {
    Session x(proto::Protocol::Smtp, 25);
    auto &[cfg, out, sink, st] = x;
    proto::SmtpParser parser(sink);
    run(parser, {{false, "220 mx ESMTP\r\n"},
                 {true, "EHLO a.example\r\nXCMD ls\r\nXCMD id\r\nXCMD whoami\r\nQUIT\r\nNOOP\r\n"},
                 {false, "250 ok\r\n500 no\r\n500 no\r\n500 no\r\n221 bye\r\n"}});
    sink.finish_session(&st, end_of(proto::Protocol::Smtp, 100, 100));
    EXPECT_TRUE(out.has(DetectorId::NonConformance));
    EXPECT_GE(st.unknown_commands, 3u);
}

TEST(DetectSession, ImapAppendUploadIsAsymmetricAndCountsDrafts) {
    Session x(proto::Protocol::Imap, 143);
    auto &[cfg, out, sink, st] = x;
    proto::ImapParser parser(sink);
    const std::string body = "Subject: d\r\n\r\nxx\r\n";
    run(parser, {{false, "* OK IMAP4rev1 ready\r\n"},
                 {true, "a1 LOGIN \"op\" \"pw\"\r\n"},
                 {false, "a1 OK done\r\n"},
                 {true, "a2 APPEND Drafts (\\Draft) {" + std::to_string(body.size()) + "}\r\n"},
                 {false, "+ go\r\n"},
                 {true, body + "\r\n"},
                 {false, "a2 OK appended\r\n"},
                 {true, "a3 LOGOUT\r\n"},
                 {false, "* BYE\r\na3 OK\r\n"}});
    EXPECT_EQ(st.drafts_appends, 1);
    EXPECT_EQ(st.sent_appends, 0);
    EXPECT_EQ(st.other_mailbox_ops, 0);
    EXPECT_EQ(st.user_name(), "op");
    sink.finish_session(&st, end_of(proto::Protocol::Imap, 3u << 20, 2000));
    EXPECT_TRUE(out.has(DetectorId::UploadAsymmetry));
    ASSERT_EQ(out.summaries.size(), 1u);
    EXPECT_EQ(out.summaries[0].drafts_appends, 1);
    EXPECT_TRUE(out.summaries[0].quit);
}

// APPENDs (LITERAL+, as an implant sends them) of `messages`, through the real IMAP parser.
uint64_t opaque_after_appends(Session &x, const std::vector<std::string> &messages) {
    proto::ImapParser parser(x.sink);
    std::vector<Turn> turns = {{false, "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n"},
                               {true, "a1 LOGIN \"op\" \"pw\"\r\n"},
                               {false, "a1 OK done\r\n"}};
    for (size_t i = 0; i < messages.size(); ++i) {
        const std::string tag = "b" + std::to_string(i);
        turns.push_back({true, tag + " APPEND Sent (\\Seen) {" + std::to_string(messages[i].size()) + "+}\r\n" +
                                   messages[i] + "\r\n"});
        turns.push_back({false, tag + " OK appended\r\n"});
    }
    run(parser, turns);
    return x.st.opaque_append_bytes;
}

std::string b64_lines(size_t lines, uint32_t seed) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t l = 0; l < lines; ++l, out += "\r\n")
        for (int i = 0; i < 76; ++i) out += kAlphabet[(seed = seed * 1103515245 + 12345) >> 16 & 63];
    return out;
}

TEST(DetectSession, OpaqueAppendsWithNoHumanTextAreExfiltration) {
    const std::string blob = "From: a@b\r\nSubject: sync\r\n\r\n" + b64_lines(700, 1);  // ~54 KB
    const std::string human = "From: a@b\r\nSubject: notes\r\n\r\nHi Bob, the minutes of the meeting are below, see you on Tuesday.\r\n" +
                              b64_lines(700, 2);  // a person's text first, then whatever
    const std::string attachment =
        "From: a@b\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"q\"\r\n\r\n"
        "--q\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        b64_lines(700, 3) + "--q--\r\n";  // decodes to high-entropy bytes
    {
        Session x(proto::Protocol::Imap, 143);
        EXPECT_EQ(opaque_after_appends(x, {blob, attachment}), blob.size() + attachment.size());
        EXPECT_EQ(x.st.sent_appends, 2);  // APPEND Sent: the program's own copies, not other mailbox work
        EXPECT_EQ(x.st.other_mailbox_ops, 0);
        x.sink.finish_session(&x.st, end_of(proto::Protocol::Imap, 120000, 2000));
        EXPECT_TRUE(x.out.has(DetectorId::UploadAsymmetry));  // ~110 KB, far below the 1 MiB rule
        ASSERT_EQ(x.out.summaries.size(), 1u);
        EXPECT_EQ(x.out.summaries[0].opaque_append_bytes, blob.size() + attachment.size());
    }
    {
        Session x(proto::Protocol::Imap, 143);
        EXPECT_EQ(opaque_after_appends(x, {human, human}), 0u);
        x.sink.finish_session(&x.st, end_of(proto::Protocol::Imap, 120000, 2000));
        EXPECT_FALSE(x.out.has(DetectorId::UploadAsymmetry));
    }
}

// An implant's APPEND: no Date, no Message-ID, its loot base64-encoded as one 8,000-character
// line. A mail program's draft has the headers and 76-character lines.
TEST(DetectSession, ToolMadeAppendedMessageAlertsAndAClientsDraftDoesNot) {
    std::string line = b64_lines(106, 4);
    std::erase(line, '\r');
    std::erase(line, '\n');
    const std::string tool = "From: drop@partner.example\r\nSubject: notes\r\nMIME-Version: 1.0\r\n"
                             "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                             line + "\r\n";
    const std::string draft = "From: Carol <carol@corp.example>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
                              "Message-ID: <1@corp.example>\r\nSubject: notes\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                              b64_lines(106, 4);
    {
        Session x(proto::Protocol::Imap, 143);
        opaque_after_appends(x, {tool});
        ASSERT_TRUE(x.out.has(DetectorId::ToolEnvelope));
        EXPECT_NE(x.out.last_json.find("\"encoded_line_over_998\":true"), std::string::npos) << x.out.last_json;
        EXPECT_NE(x.out.last_json.find("\"missing_date\":true"), std::string::npos);
    }
    {
        Session x(proto::Protocol::Imap, 143);
        opaque_after_appends(x, {draft});
        EXPECT_FALSE(x.out.has(DetectorId::ToolEnvelope)) << x.out.last_json;
    }
}

TEST(DetectSession, PortAnomaliesBecomeAlertsOnce) {
    Session x(proto::Protocol::Unknown, 25);
    auto &[cfg, out, sink, st] = x;
    sink.on_anomaly(anomaly_event(proto::AppLayerAnomaly::NonMailOnMailPort));
    sink.on_anomaly(anomaly_event(proto::AppLayerAnomaly::NonMailOnMailPort));
    ASSERT_EQ(out.ids.size(), 1u);
    EXPECT_EQ(out.ids[0], DetectorId::NonMailOnMailPort);
    EXPECT_NE(out.last_json.find("\"server_port\":25"), std::string::npos);
}

}  // namespace
}  // namespace postern::detect

namespace postern::detect {
namespace {

TEST(DetectSession, SessionsThatLostBytesAreNotEvidence) {
    Session x(proto::Protocol::Smtp, 25);
    auto &[cfg, out, sink, st] = x;
    sink.on_anomaly(anomaly_event(proto::SmtpAnomaly::StreamGap));  // as a parser reports a hole in the stream
    proto::SmtpParser parser(sink);
    run(parser, {{false, "220 mx ESMTP\r\n"},
                 {true, "EHLO DESKTOP-7QK2M1A\r\nXCMD a\r\nXCMD b\r\nXCMD c\r\n"},
                 {false, "250 ok\r\n500 no\r\n500 no\r\n500 no\r\n"}});
    run(parser, smtp_mail("DESKTOP-7QK2M1A", "bot@example.net", "bot@example.net", "Subject: x\r\n\r\nok\r\n"));
    sink.finish_session(&st, end_of(proto::Protocol::Smtp, 100, 100));
    EXPECT_TRUE(out.ids.empty());
    EXPECT_GE(st.suppressed_by_gap, 1u);
}

}  // namespace
}  // namespace postern::detect
