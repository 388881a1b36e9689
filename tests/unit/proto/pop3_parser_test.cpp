#include "proto/pop3/pop3_parser.hpp"

#include <gtest/gtest.h>

#include "pop3_recording_sink.hpp"
#include "pop3_transcripts.hpp"

namespace postern::proto {
namespace {

using stream::Direction;
using test::client;
using test::Pop3RecordingSink;
using test::server;
using test::Step;

Pop3RecordingSink run(const std::vector<Step> &steps, const Pop3Limits &limits = {}) {
    Pop3RecordingSink sink;
    Pop3Parser parser(sink, limits);
    test::feed(parser, steps);
    return sink;
}

// Greeting and USER/PASS, then `middle`.
std::vector<Step> session(std::vector<Step> middle) {
    std::vector<Step> steps = {server("+OK ready\r\n"), client("USER u\r\n"), server("+OK\r\n"), client("PASS p\r\n"),
                               server("+OK in\r\n")};
    steps.insert(steps.end(), middle.begin(), middle.end());
    return test::with_ends(std::move(steps));
}

bool contains(const std::string &s, std::string_view part) { return s.find(part) != std::string::npos; }

TEST(ProtoPop3, UserPassSession) {
    const Pop3RecordingSink sink = run(test::pop3_user_pass_transcript());
    EXPECT_TRUE(sink.has("field pop3.user=alice"));
    EXPECT_TRUE(sink.has("field pop3.command_line=USER alice"));
    EXPECT_TRUE(sink.has("field pop3.command_line=PASS"));
    EXPECT_TRUE(sink.has("auth USER user=alice success"));
    EXPECT_TRUE(sink.has("command RETR"));
    EXPECT_TRUE(sink.has("reply +OK"));
    // The RETR message went through the MIME parser, dot-unstuffed.
    EXPECT_TRUE(sink.has("field email.from=Alice \xC3\x89ve <alice@example.org>"));
    EXPECT_TRUE(sink.has("field email.subject=Quarterly r\xC3\xA9port attached"));
    EXPECT_TRUE(sink.has("field email.attachment.filename=r\xC3\xA9port.bin"));
    EXPECT_TRUE(sink.has("field email.body_prefix=Hello Bob, caf\xC3\xA9 time\n.dot-stuffed line\n"));
    EXPECT_TRUE(sink.has("field email.subject=second"));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 11u) << sink.dump();  // greeting + 10 commands

    const std::string &greeting = sink.transactions[0];
    EXPECT_TRUE(contains(greeting, "\"greeting\":true")) << greeting;
    EXPECT_TRUE(contains(greeting, "\"apop_timestamp\":\"<1896.697170952@dbc.mtview.ca.us>\"")) << greeting;
    EXPECT_FALSE(contains(greeting, "\"request\"")) << greeting;

    const std::string &capa = sink.transactions[1];
    EXPECT_TRUE(contains(capa, "\"request\":{\"command\":\"CAPA\"}")) << capa;
    EXPECT_TRUE(contains(capa, "\"data\":[\"TOP\",\"USER\",\"SASL PLAIN LOGIN\",\"RESP-CODES\",\"PIPELINING\","
                               "\"UIDL\",\"STLS\",\"IMPLEMENTATION Example-POP3\"]"))
        << capa;
    EXPECT_TRUE(contains(capa, "\"capabilities\":[\"TOP\",\"USER\",\"SASL\",\"RESP-CODES\",\"PIPELINING\",\"UIDL\","
                               "\"IMPLEMENTATION\",\"STLS\"]"))
        << capa;

    const std::string &pass = sink.transactions[3];
    EXPECT_TRUE(contains(pass, "\"request\":{\"command\":\"PASS\",\"redacted\":true}")) << pass;
    EXPECT_TRUE(contains(pass, "\"auth\":{\"mechanism\":\"USER\",\"user\":\"alice\",\"result\":\"success\","
                               "\"secret_seen\":true}"))
        << pass;

    const std::string &list = sink.transactions[5];
    EXPECT_TRUE(contains(list, "\"response\":{\"success\":true,\"status\":\"OK\",\"header\":\"2 messages (1820 "
                               "octets)\",\"data\":[\"1 1500\",\"2 320\"],\"multiline\":true,\"lines\":2,"
                               "\"complete\":true}"))
        << list;
    const std::string &uidl = sink.transactions[6];  // with an argument: one line
    EXPECT_TRUE(contains(uidl, "\"request\":{\"command\":\"UIDL\",\"args\":[\"2\"]}")) << uidl;
    EXPECT_FALSE(contains(uidl, "\"multiline\"")) << uidl;

    const std::string &retr = sink.transactions[7];
    EXPECT_TRUE(contains(retr, "\"request\":{\"command\":\"RETR\",\"args\":[\"1\"]}")) << retr;
    EXPECT_TRUE(contains(retr, "\"declared_size\":1500")) << retr;
    EXPECT_TRUE(contains(retr, "\"email\":{\"from\":\"Alice \xC3\x89ve <alice@example.org>\"")) << retr;
    EXPECT_TRUE(contains(retr, "\"attachment\":[\"r\xC3\xA9port.bin\"]")) << retr;
    EXPECT_TRUE(contains(retr, "\"status\":\"PARSE_DONE\"")) << retr;

    const std::string &top = sink.transactions[8];
    EXPECT_TRUE(contains(top, "\"args\":[\"2\",\"1\"]")) << top;
    EXPECT_TRUE(contains(top, "\"subject\":\"second\"")) << top;
    EXPECT_TRUE(contains(sink.transactions[10], "\"command\":\"QUIT\"")) << sink.transactions[10];

    for (const auto &e : sink.events) EXPECT_FALSE(contains(e, "s3cr3t")) << e;
}

TEST(ProtoPop3, ApopAndPipelinedCommands) {
    const Pop3RecordingSink sink = run(test::pop3_apop_pipelined_transcript());
    EXPECT_TRUE(sink.has("field pop3.user=mrose"));
    EXPECT_TRUE(sink.has("field pop3.command_line=APOP mrose"));
    EXPECT_TRUE(sink.has("auth APOP user=mrose success"));
    EXPECT_TRUE(sink.has("field email.subject=pipelined"));
    EXPECT_TRUE(sink.has("field email.body_prefix=.leading dot\n"));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 8u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[1], "\"args\":[\"mrose\"],\"redacted\":true")) << sink.transactions[1];
    EXPECT_FALSE(contains(sink.transactions[2], "\"pipelined\"")) << sink.transactions[2];  // STAT: first of burst
    EXPECT_TRUE(contains(sink.transactions[3], "\"args\":[\"1\"],\"pipelined\":true")) << sink.transactions[3];
    EXPECT_TRUE(contains(sink.transactions[3], "\"header\":\"1 120\"")) << sink.transactions[3];
    EXPECT_TRUE(contains(sink.transactions[4], "\"data\":[\"1 whqtswO00WBw418f9t5JxYwZ\",\"2 QhdPYR:00WBw1Ph7x7\"]"))
        << sink.transactions[4];
    EXPECT_TRUE(contains(sink.transactions[5], "\"x_mailer\":\"pipe 1.0\"")) << sink.transactions[5];
    EXPECT_TRUE(contains(sink.transactions[6], "\"command\":\"NOOP\"")) << sink.transactions[6];
    for (const auto &e : sink.events) EXPECT_FALSE(contains(e, "c4c9334bac560ecc979e58001b3e22fb")) << e;
}

TEST(ProtoPop3, AuthPlainWithContinuation) {
    const Pop3RecordingSink sink = run(test::pop3_auth_plain_transcript());
    EXPECT_TRUE(sink.has("field pop3.user=bob"));
    EXPECT_TRUE(sink.has("field pop3.command_line=AUTH PLAIN"));
    EXPECT_TRUE(sink.has("auth PLAIN user=bob success"));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    EXPECT_EQ(sink.count_prefix("command UNKNOWN"), 0u) << sink.dump();  // the SASL response is no command
    ASSERT_EQ(sink.transactions.size(), 4u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[1], "\"continuations\":1")) << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[1], "\"auth\":{\"mechanism\":\"PLAIN\",\"user\":\"bob\","
                                               "\"result\":\"success\",\"secret_seen\":true}"))
        << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[2], "\"user\":\"bob\"")) << sink.transactions[2];
    for (const auto &e : sink.events) EXPECT_FALSE(contains(e, "hunter2")) << e;
}

TEST(ProtoPop3, StlsStopsParsing) {
    Pop3RecordingSink sink;
    Pop3Parser parser(sink);
    test::feed(parser, test::pop3_stls_transcript());
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_TRUE(parser.encrypted());
    EXPECT_FALSE(sink.has("command USER"));  // inside TLS
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 3u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[1], "\"capabilities\":[\"TOP\",\"SASL\",\"RESP-CODES\","
                                               "\"PIPELINING\",\"UIDL\",\"STLS\",\"OTHER\"]"))
        << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[2], "\"command\":\"STLS\"")) << sink.transactions[2];
    EXPECT_TRUE(contains(sink.transactions[2], "\"starttls\":true")) << sink.transactions[2];
    EXPECT_GT(parser.stats().opaque_bytes[0], 0u);
    EXPECT_GT(parser.stats().opaque_bytes[1], 0u);
}

TEST(ProtoPop3, CleartextAfterStlsIsReportedAndParsed) {
    Pop3RecordingSink sink;
    Pop3Parser parser(sink);
    test::feed(parser, test::pop3_fake_stls_transcript());
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_TRUE(sink.has("anomaly pop3.starttls_cleartext_continues")) << sink.dump();
    EXPECT_TRUE(sink.has("command USER")) << sink.dump();
    EXPECT_FALSE(parser.encrypted());
}

TEST(ProtoPop3, AuthLoginFailureThenPlainInitialResponse) {
    const Pop3RecordingSink sink = run(test::pop3_auth_login_transcript());
    EXPECT_TRUE(sink.has("auth LOGIN user=carol failure"));
    EXPECT_TRUE(sink.has("auth PLAIN user=carol success"));
    EXPECT_TRUE(sink.has("field pop3.command_line=AUTH PLAIN"));  // initial response cut off
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 5u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[1], "\"continuations\":2")) << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[2], "\"args\":[\"PLAIN\"],\"redacted\":true")) << sink.transactions[2];
    for (const auto &e : sink.events) {
        EXPECT_FALSE(contains(e, "right")) << e;
        EXPECT_FALSE(contains(e, test::base64(std::string("\0carol\0right", 12)))) << e;
    }
}

TEST(ProtoPop3, ErrIsAlwaysSingleLine) {
    const Pop3RecordingSink sink = run(session({
        client("RETR 9\r\nLIST\r\n"),
        server("-ERR no such message\r\n+OK 1 messages\r\n1 100\r\n.\r\n"),
    }));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 5u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[3], "\"success\":false,\"status\":\"ERR\",\"header\":\"no such message\""))
        << sink.transactions[3];
    EXPECT_FALSE(contains(sink.transactions[3], "\"email\"")) << sink.transactions[3];
    EXPECT_TRUE(contains(sink.transactions[4], "\"data\":[\"1 100\"]")) << sink.transactions[4];
}

TEST(ProtoPop3, RsetNoopAndListWithoutMessages) {
    const Pop3RecordingSink sink = run(session({
        client("DELE 1\r\nRSET\r\nNOOP\r\nLIST\r\n"),
        server("+OK deleted\r\n+OK maildrop has 1 message\r\n+OK\r\n+OK 0 messages\r\n.\r\n"),
    }));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 7u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[4], "\"request\":{\"command\":\"RSET\",\"pipelined\":true}"))
        << sink.transactions[4];
    EXPECT_TRUE(contains(sink.transactions[6], "\"multiline\":true,\"lines\":0,\"complete\":true"))
        << sink.transactions[6];
}

TEST(ProtoPop3, UnansweredCommandsAreEmittedAtEnd) {
    const Pop3RecordingSink sink = run(session({client("RETR 1\r\n"), server("+OK\r\nSubject: cut\r\n\r\nbody")}));
    EXPECT_TRUE(sink.has("anomaly pop3.response_incomplete"));
    ASSERT_EQ(sink.transactions.size(), 4u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[3], "\"complete\":false")) << sink.transactions[3];
    EXPECT_TRUE(contains(sink.transactions[3], "\"end\":\"session_end\"")) << sink.transactions[3];
    EXPECT_TRUE(contains(sink.transactions[3], "\"subject\":\"cut\"")) << sink.transactions[3];
}

// ---- anomalies -------------------------------------------------------------------------------

TEST(ProtoPop3Anomaly, CommandTooLong) {
    // 255 octets with CRLF is the limit (RFC 2449 4).
    const Pop3RecordingSink at_limit = run(session({client("USER " + std::string(248, 'a') + "\r\n")}));
    EXPECT_FALSE(at_limit.has("anomaly pop3.command_too_long"));
    const Pop3RecordingSink over = run(session({client("USER " + std::string(249, 'a') + "\r\nNOOP\r\n")}));
    EXPECT_TRUE(over.has("anomaly pop3.command_too_long"));
    const Pop3RecordingSink way_over = run(session({client("USER " + std::string(3000, 'a') + "\r\nNOOP\r\n")}));
    EXPECT_TRUE(way_over.has("anomaly pop3.command_too_long"));
    EXPECT_TRUE(way_over.has("command NOOP"));  // still in sync
}

TEST(ProtoPop3Anomaly, ResponseTooLong) {
    const Pop3RecordingSink at_limit = run(session({client("NOOP\r\n"), server("+OK " + std::string(506, 'x') + "\r\n")}));
    EXPECT_FALSE(at_limit.has("anomaly pop3.response_too_long"));
    const Pop3RecordingSink over =
        run(session({client("NOOP\r\nSTAT\r\n"), server("+OK " + std::string(5000, 'x') + "\r\n+OK 1 2\r\n")}));
    EXPECT_TRUE(over.has("anomaly pop3.response_too_long"));
    EXPECT_FALSE(over.has("anomaly pop3.response_without_command"));
    ASSERT_EQ(over.transactions.size(), 5u) << over.dump();
    EXPECT_TRUE(contains(over.transactions[4], "\"header\":\"1 2\"")) << over.transactions[4];
}

TEST(ProtoPop3Anomaly, LongMessageLinesAreNotResponseLines) {
    const Pop3RecordingSink sink = run(session({
        client("RETR 1\r\n"),
        server("+OK\r\nSubject: x\r\n\r\n" + std::string(3000, 'b') + "\r\n.\r\n"),
    }));
    EXPECT_FALSE(sink.has("anomaly pop3.response_too_long")) << sink.dump();
    EXPECT_FALSE(sink.has("anomaly pop3.invalid_response")) << sink.dump();
}

TEST(ProtoPop3Anomaly, UnknownCommandAndBinary) {
    const Pop3RecordingSink sink = run(session({client("XTND XMIT\r\nNOOP \x01\x02\xff\r\n")}));
    EXPECT_TRUE(sink.has("anomaly pop3.unknown_command"));
    EXPECT_TRUE(sink.has("anomaly pop3.binary_in_command"));
    EXPECT_TRUE(sink.has("command UNKNOWN"));
    EXPECT_TRUE(sink.has("field pop3.command_line=XTND XMIT"));
    const Pop3RecordingSink utf8 = run(session({client("UTF8\r\n"), server("+OK\r\n")}));
    EXPECT_FALSE(utf8.has("anomaly pop3.binary_in_command"));
}

TEST(ProtoPop3Anomaly, InvalidResponse) {
    const Pop3RecordingSink sink = run(session({client("STAT\r\nNOOP\r\n"), server("OK 1 2\r\n+OK\r\n")}));
    EXPECT_TRUE(sink.has("anomaly pop3.invalid_response"));
    EXPECT_FALSE(sink.has("anomaly pop3.response_without_command"));
    ASSERT_EQ(sink.transactions.size(), 5u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[3], "\"success\":false,\"status\":\"INVALID\",\"header\":\"OK 1 2\""))
        << sink.transactions[3];
}

TEST(ProtoPop3Anomaly, ResponseWithoutCommand) {
    const Pop3RecordingSink sink = run(session({server("+OK surprise\r\n")}));
    EXPECT_TRUE(sink.has("anomaly pop3.response_without_command"));
}

TEST(ProtoPop3Anomaly, CommandsAfterQuit) {
    const Pop3RecordingSink sink = run(session({client("QUIT\r\nRETR 1\r\n"), server("+OK bye\r\n")}));
    EXPECT_TRUE(sink.has("anomaly pop3.commands_after_quit"));
}

TEST(ProtoPop3Anomaly, InvalidArguments) {
    for (const char *cmd : {"RETR\r\n", "RETR one\r\n", "TOP 1\r\n", "STAT 1\r\n", "LIST 1 2\r\n", "APOP x\r\n"}) {
        const Pop3RecordingSink sink = run(session({client(cmd)}));
        EXPECT_TRUE(sink.has("anomaly pop3.invalid_arguments")) << cmd;
    }
    const Pop3RecordingSink ok = run(session({client("LIST\r\nLIST 2\r\nTOP 1 0\r\n")}));
    EXPECT_FALSE(ok.has("anomaly pop3.invalid_arguments")) << ok.dump();
}

TEST(ProtoPop3Anomaly, CommandOutOfSequence) {
    const Pop3RecordingSink before_auth = run(test::with_ends({server("+OK\r\n"), client("RETR 1\r\n")}));
    EXPECT_TRUE(before_auth.has("anomaly pop3.command_out_of_sequence"));
    const Pop3RecordingSink pass_alone = run(test::with_ends({server("+OK\r\n"), client("PASS x\r\n")}));
    EXPECT_TRUE(pass_alone.has("anomaly pop3.command_out_of_sequence"));
    const Pop3RecordingSink user_again = run(session({client("USER other\r\n")}));
    EXPECT_TRUE(user_again.has("anomaly pop3.command_out_of_sequence"));
    // Pipelined behind PASS is fine (RFC 2449 PIPELINING).
    const Pop3RecordingSink pipelined =
        run(test::with_ends({server("+OK\r\n"), client("USER u\r\nPASS p\r\nSTAT\r\n"), server("+OK\r\n+OK\r\n+OK 0 0\r\n")}));
    EXPECT_FALSE(pipelined.has("anomaly pop3.command_out_of_sequence")) << pipelined.dump();
    // A session picked up mid-way has no greeting: no state to check against.
    const Pop3RecordingSink midway =
        run(test::with_ends({client("STAT\r\n"), server("+OK 1 2\r\n"), client("RETR 1\r\n")}));
    EXPECT_FALSE(midway.has("anomaly pop3.command_out_of_sequence")) << midway.dump();
}

TEST(ProtoPop3Anomaly, CommandsPipelinedAfterStls) {
    const Pop3RecordingSink sink = run(test::with_ends({
        server("+OK\r\n"),
        client("STLS\r\nUSER injected\r\n"),
        server("+OK begin TLS\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly pop3.invalid_pipelined_sequence"));
    EXPECT_TRUE(sink.has("starttls"));
    ASSERT_EQ(sink.transactions.size(), 3u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[2], "\"command\":\"USER\"")) << sink.transactions[2];
    EXPECT_TRUE(contains(sink.transactions[2], "\"end\":\"starttls\"")) << sink.transactions[2];
}

TEST(ProtoPop3Anomaly, TooManyPendingCommands) {
    Pop3Limits limits;
    limits.pending_commands = 2;
    const Pop3RecordingSink sink =
        run(session({client("NOOP\r\nNOOP\r\nNOOP\r\n"), server("+OK\r\n+OK\r\n+OK\r\n")}), limits);
    EXPECT_TRUE(sink.has("anomaly pop3.too_many_pending_commands"));
    EXPECT_FALSE(sink.has("anomaly pop3.response_without_command"));
}

TEST(ProtoPop3Anomaly, NoGreeting) {
    const Pop3RecordingSink sink = run(test::with_ends({client("CAPA\r\n"), server("+OK\r\nTOP\r\n.\r\n")}));
    EXPECT_TRUE(sink.has("anomaly pop3.no_greeting"));
    ASSERT_EQ(sink.transactions.size(), 1u);
    EXPECT_TRUE(contains(sink.transactions[0], "\"data\":[\"TOP\"]")) << sink.transactions[0];
}

TEST(ProtoPop3Anomaly, BareLf) {
    const Pop3RecordingSink sink = run(session({client("NOOP\n")}));
    EXPECT_TRUE(sink.has("anomaly pop3.bare_lf"));
}

TEST(ProtoPop3Anomaly, InvalidAuthEncoding) {
    const Pop3RecordingSink sink = run(test::with_ends({
        server("+OK\r\n"),
        client("AUTH PLAIN !!not-base64!!\r\n"),
        server("-ERR bad\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly pop3.invalid_auth_encoding"));
    EXPECT_TRUE(sink.has("auth PLAIN user= failure"));
}

TEST(ProtoPop3Anomaly, ClientGapAbsorbsOneResponse) {
    const Pop3RecordingSink sink = run(session({
        client("STAT\r\nDE"),
        test::gap(Direction::ToServer, 5),
        client("E 1\r\nNOOP\r\n"),
        server("+OK 1 2\r\n+OK deleted\r\n+OK\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly stream.gap"));
    EXPECT_TRUE(sink.has("command NOOP"));
    EXPECT_FALSE(sink.has("anomaly pop3.unknown_command")) << sink.dump();
    EXPECT_FALSE(sink.has("anomaly pop3.response_without_command")) << sink.dump();
}

TEST(ProtoPop3Anomaly, ServerGapInsideMessageResynchronises) {
    const Pop3RecordingSink sink = run(session({
        client("RETR 1\r\n"),
        server("+OK 900 octets\r\nSubject: gap\r\n\r\nfirst"),
        test::gap(Direction::ToClient, 300),
        server(" lost\r\n+OK looks like a status line\r\nmore body\r\n.\r\n"),
        client("NOOP\r\n"),
        server("+OK noop\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly stream.gap"));
    EXPECT_FALSE(sink.has("anomaly pop3.invalid_response")) << sink.dump();
    EXPECT_FALSE(sink.has("anomaly pop3.response_without_command")) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 5u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[3], "\"end\":\"gap\"")) << sink.transactions[3];
    EXPECT_TRUE(contains(sink.transactions[3], "\"gap\":true")) << sink.transactions[3];
    EXPECT_TRUE(contains(sink.transactions[4], "\"header\":\"noop\"")) << sink.transactions[4];
}

TEST(ProtoPop3Anomaly, EachAnomalyOncePerTransaction) {
    Pop3Stats stats;
    Pop3RecordingSink sink;
    {
        Pop3Parser parser(sink);
        test::feed(parser, session({client("XA\r\nXB\r\nXC\r\n")}));
        stats = parser.stats();
    }
    EXPECT_EQ(sink.count_prefix("anomaly pop3.unknown_command"), 1u) << sink.dump();
    EXPECT_EQ(stats.anomalies[static_cast<size_t>(Pop3Anomaly::UnknownCommand)], 3u);
}

TEST(ProtoPop3, OneSidedCapturesStayQuietAndKeepSecrets) {
    // Asymmetric routing: only one side is seen.
    const Pop3RecordingSink client_only = run(test::with_ends({
        client("AUTH LOGIN\r\n" + test::base64("mallory") + "\r\n" + test::base64("pa55word") +
               "\r\nSTAT\r\nRETR 1\r\nSTLS\r\nQUIT\r\n"),
    }));
    EXPECT_TRUE(client_only.has("field pop3.user=mallory"));
    EXPECT_TRUE(client_only.has("command QUIT"));
    EXPECT_EQ(client_only.count_prefix("anomaly "), 0u) << client_only.dump();
    EXPECT_EQ(client_only.transactions.size(), 5u) << client_only.dump();
    for (const auto &e : client_only.events) {
        EXPECT_FALSE(contains(e, "pa55word")) << e;
        EXPECT_FALSE(contains(e, test::base64("pa55word"))) << e;
    }
    const Pop3RecordingSink server_only =
        run(test::with_ends({server("+OK ready\r\n+OK 2 200\r\n+OK 1 octets\r\n-ERR no\r\n")}));
    EXPECT_EQ(server_only.count_prefix("anomaly "), 0u) << server_only.dump();
}

TEST(ProtoPop3, ManyDataLinesAreBounded) {
    std::string listing = "+OK\r\n";
    for (int i = 1; i <= 100; ++i) listing += std::to_string(i) + " 100\r\n";
    listing += ".\r\n";
    Pop3Stats stats;
    Pop3RecordingSink sink;
    {
        Pop3Parser parser(sink);
        test::feed(parser, session({client("LIST\r\n"), server(listing)}));
        stats = parser.stats();
    }
    ASSERT_EQ(sink.transactions.size(), 4u);
    EXPECT_TRUE(contains(sink.transactions[3], "\"data_count\":100")) << sink.transactions[3];
    EXPECT_TRUE(contains(sink.transactions[3], "\"lines\":100")) << sink.transactions[3];
    EXPECT_EQ(stats.data_lines_dropped, 84u);
}

TEST(ProtoPop3, SessionObjectHasFixedBoundedSize) {
    // Kept in a preallocated pool per worker: keep an eye on it.
    EXPECT_LT(sizeof(Pop3Parser), 64u * 1024u);
}

// The rest of a cut accepting line is still text: TLS starts after it, so no cleartext is claimed.
TEST(ProtoPop3, StarttlsAcceptedByALongLineStartsTlsAfterIt) {
    Pop3RecordingSink sink;
    Pop3Parser parser(sink);
    test::feed(parser, test::pop3_stls_by_long_line_transcript());
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_TRUE(parser.encrypted());
    EXPECT_FALSE(sink.has("anomaly pop3.starttls_cleartext_continues")) << sink.dump();
    EXPECT_FALSE(sink.has("command USER")) << sink.dump();
    EXPECT_GT(parser.stats().opaque_bytes[0], 0u);
    EXPECT_GT(parser.stats().opaque_bytes[1], 0u);
}

}  // namespace
}  // namespace postern::proto
