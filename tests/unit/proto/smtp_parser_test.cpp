#include "proto/smtp/smtp_parser.hpp"

#include <gtest/gtest.h>

#include "recording_sink.hpp"
#include "transcripts.hpp"

namespace postern::proto {
namespace {

using stream::Direction;
using test::client;
using test::RecordingSink;
using test::server;
using test::Step;

RecordingSink run(const std::vector<Step> &steps, const SmtpLimits &limits = {}) {
    RecordingSink sink;
    SmtpParser parser(sink, limits);
    test::feed(parser, steps);
    return sink;
}

std::vector<Step> session(std::vector<Step> middle) {
    std::vector<Step> steps = {server("220 mx.example.com ESMTP\r\n"), client("EHLO c.example\r\n"),
                               server("250-mx.example.com\r\n250-PIPELINING\r\n250 CHUNKING\r\n")};
    steps.insert(steps.end(), middle.begin(), middle.end());
    return test::with_ends(std::move(steps));
}

TEST(ProtoSmtp, PipelinedAuthPlainSession) {
    const RecordingSink sink = run(test::pipelined_auth_plain_transcript());
    EXPECT_TRUE(sink.has("field smtp.helo=client.example.org"));
    EXPECT_TRUE(sink.has("field smtp.auth_mechanism=PLAIN"));
    EXPECT_TRUE(sink.has("field smtp.auth_user=alice"));
    EXPECT_TRUE(sink.has("auth PLAIN user=alice success"));
    EXPECT_TRUE(sink.has("field smtp.command_line=AUTH PLAIN"));
    EXPECT_TRUE(sink.has("field smtp.mail_from=alice@example.org"));
    EXPECT_TRUE(sink.has("field smtp.rcpt_to=carol@example.com"));
    EXPECT_TRUE(sink.has("field email.from=Alice \xC3\x89ve <alice@example.org>"));
    EXPECT_TRUE(sink.has("field email.to=\"Carol, C.\" <carol@example.com>"));
    EXPECT_TRUE(sink.has("field email.cc=Dav\xC3\xA9 <dave@example.com>"));
    EXPECT_TRUE(sink.has("field email.subject=Quarterly r\xC3\xA9port attached"));
    EXPECT_TRUE(sink.has("field email.x_mailer=PostMailer 1.0"));
    EXPECT_TRUE(sink.has("header X-Campaign=q4"));
    EXPECT_TRUE(sink.has("field email.attachment.filename=r\xC3\xA9port.bin"));
    EXPECT_TRUE(sink.has("field email.attachment.content_type=application/octet-stream"));
    EXPECT_TRUE(sink.has("field email.body_prefix=Hello Bob, caf\xC3\xA9 time\n.dot-stuffed line\n"));
    EXPECT_TRUE(sink.has("field email.body_prefix=Hello world!"));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 1u) << sink.dump();
    const std::string &tx = sink.transactions[0];
    EXPECT_NE(tx.find("\"rcpt_to\":[\"<bob@example.com>\",\"<carol@example.com>\",\"<nobody@example.com>\"]"),
              std::string::npos)
        << tx;
    EXPECT_NE(tx.find("\"rcpt_rejected\":1"), std::string::npos) << tx;
    EXPECT_NE(tx.find("\"reply_codes\":[250,235,250,250,250,550,354,250]"), std::string::npos) << tx;
    EXPECT_NE(tx.find("\"message_accepted\":true"), std::string::npos) << tx;
    EXPECT_NE(tx.find("\"end\":\"message_done\""), std::string::npos) << tx;
    // The secret is nowhere, neither decoded nor encoded.
    const std::string ir = test::base64(std::string("\0alice\0s3cr3t", 13));
    for (const auto &e : sink.events) {
        EXPECT_EQ(e.find("s3cr3t"), std::string::npos) << e;
        EXPECT_EQ(e.find(ir), std::string::npos) << e;
    }
}

TEST(ProtoSmtp, BdatChunksAndAuthLogin) {
    const RecordingSink sink = run(test::bdat_auth_login_transcript());
    EXPECT_TRUE(sink.has("auth LOGIN user=bob success"));
    EXPECT_TRUE(sink.has("field email.subject=chunked"));
    EXPECT_TRUE(sink.has("field email.x_mailer=bdat-test"));
    EXPECT_TRUE(sink.has("field email.body_prefix=body line\n"));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 1u) << sink.dump();
    EXPECT_NE(sink.transactions[0].find("\"data_mode\":\"bdat\",\"bdat_chunks\":2"), std::string::npos);
    EXPECT_NE(sink.transactions[0].find("\"message_accepted\":true"), std::string::npos);
    for (const auto &e : sink.events) EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
    EXPECT_FALSE(sink.has("command UNKNOWN")) << sink.dump();  // the LOGIN responses are not commands
}

TEST(ProtoSmtp, CramMd5UserAndFailure) {
    const RecordingSink sink = run(test::cram_md5_transcript());
    EXPECT_TRUE(sink.has("auth CRAM-MD5 user=tim failure"));
    ASSERT_EQ(sink.transactions.size(), 1u);
    EXPECT_NE(sink.transactions[0].find("\"auth\":{\"mechanism\":\"CRAM-MD5\",\"user\":\"tim\",\"result\":\"failure\","
                                        "\"secret_seen\":true}"),
              std::string::npos)
        << sink.transactions[0];
    for (const auto &e : sink.events) EXPECT_EQ(e.find("b913a602"), std::string::npos) << e;
}

TEST(ProtoSmtp, Xoauth2ThenStarttlsStopsParsing) {
    RecordingSink sink;
    SmtpParser parser(sink);
    test::feed(parser, test::xoauth2_starttls_transcript());
    EXPECT_TRUE(sink.has("auth XOAUTH2 user=someone@example.com failure"));
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_TRUE(parser.encrypted());
    EXPECT_FALSE(sink.has("field smtp.mail_from=hidden@example.com"));  // inside TLS
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 1u);
    EXPECT_NE(sink.transactions[0].find("\"starttls\":true"), std::string::npos);
    EXPECT_NE(sink.transactions[0].find("\"end\":\"starttls\""), std::string::npos);
    EXPECT_GT(parser.stats().opaque_bytes[0], 0u);
    EXPECT_GT(parser.stats().opaque_bytes[1], 0u);
    for (const auto &e : sink.events) EXPECT_EQ(e.find("ya29"), std::string::npos) << e;
}

// A server that says 220 to STARTTLS and carries on in cleartext must not blind us: reported, and
// what follows is parsed.
TEST(ProtoSmtp, CleartextAfterStarttlsIsReportedAndParsed) {
    RecordingSink sink;
    SmtpParser parser(sink);
    test::feed(parser, test::smtp_fake_starttls_transcript());
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_TRUE(sink.has("anomaly smtp.starttls_cleartext_continues")) << sink.dump();
    EXPECT_FALSE(parser.encrypted());
    EXPECT_TRUE(sink.has("field smtp.mail_from=task@c2.example")) << sink.dump();
    EXPECT_EQ(sink.count_prefix("anomaly smtp.starttls_cleartext_continues"), 1u);
}

TEST(ProtoSmtp, EhloCapabilitiesAreKept) {
    const RecordingSink sink = run(test::pipelined_auth_plain_transcript());
    ASSERT_EQ(sink.transactions.size(), 1u);
    EXPECT_NE(sink.transactions[0].find(
                  "\"capabilities\":[\"PIPELINING\",\"SIZE\",\"8BITMIME\",\"CHUNKING\",\"STARTTLS\",\"AUTH\"]"),
              std::string::npos)
        << sink.transactions[0];
}

TEST(ProtoSmtp, TwoMessagesGiveTwoTransactions) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
        server("250 ok\r\n250 ok\r\n354 go\r\n"),
        client("Subject: one\r\n\r\nbody\r\n.\r\n"),
        server("250 queued\r\n"),
        client("MAIL FROM:<c@x>\r\nRCPT TO:<d@y>\r\nDATA\r\n"),
        server("250 ok\r\n250 ok\r\n354 go\r\n"),
        client("Subject: two\r\n\r\nbody\r\n.\r\nQUIT\r\n"),
        server("250 queued\r\n221 bye\r\n"),
    }));
    ASSERT_EQ(sink.transactions.size(), 2u) << sink.dump();
    EXPECT_NE(sink.transactions[0].find("\"subject\":\"one\""), std::string::npos);
    EXPECT_NE(sink.transactions[1].find("\"subject\":\"two\""), std::string::npos);
    EXPECT_NE(sink.transactions[1].find("\"helo\":\"c.example\""), std::string::npos);
}

TEST(ProtoSmtp, RsetEndsTheTransaction) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRSET\r\n"),
        server("250 ok\r\n250 reset\r\n"),
    }));
    ASSERT_EQ(sink.transactions.size(), 1u) << sink.dump();
    EXPECT_NE(sink.transactions[0].find("\"end\":\"reset\""), std::string::npos);
}

TEST(ProtoSmtp, RefusedDataLeavesDataMode) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
        server("250 ok\r\n550 no\r\n554 no valid recipients\r\n"),
        client("QUIT\r\n"),
        server("221 bye\r\n"),
    }));
    EXPECT_TRUE(sink.has("command QUIT")) << sink.dump();
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
}

// ---- anomalies -------------------------------------------------------------------------------

TEST(ProtoSmtpAnomaly, CommandLineTooLong) {
    const RecordingSink sink = run(session({client("MAIL FROM:<" + std::string(600, 'a') + "@x>\r\nNOOP\r\n")}));
    EXPECT_TRUE(sink.has("anomaly smtp.command_line_too_long"));
    EXPECT_TRUE(sink.has("command NOOP"));  // still in sync
}

TEST(ProtoSmtpAnomaly, TextLineTooLong) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
        server("250 ok\r\n250 ok\r\n354 go\r\n"),
        client("Subject: x\r\n\r\n" + std::string(1500, 'A') + "\r\n.\r\nQUIT\r\n"),
        server("250 ok\r\n221 bye\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly smtp.text_line_too_long"));
    EXPECT_TRUE(sink.has("command QUIT"));
    ASSERT_EQ(sink.transactions.size(), 1u);
    EXPECT_NE(sink.transactions[0].find("\"message_accepted\":true"), std::string::npos);
}

TEST(ProtoSmtpAnomaly, LongHeaderLineIsAMimeAnomaly) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
        server("250 ok\r\n250 ok\r\n354 go\r\n"),
        client("Subject: " + std::string(1200, 'S') + "\r\n\r\nbody\r\n.\r\n"),
        server("250 ok\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly mime.header_too_long"));
    EXPECT_FALSE(sink.has("anomaly smtp.text_line_too_long"));
}

TEST(ProtoSmtpAnomaly, HeaderAndTextLineLimitsAreSeparate) {
    SmtpLimits limits;
    limits.header_line = 100;
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
        server("250 ok\r\n250 ok\r\n354 go\r\n"),
        client("Subject: " + std::string(150, 'S') + "\r\n\r\n" + std::string(150, 'b') + "\r\n.\r\n"),
        server("250 ok\r\n"),
    }), limits);
    EXPECT_TRUE(sink.has("anomaly mime.header_too_long"));
    EXPECT_FALSE(sink.has("anomaly smtp.text_line_too_long"));
    ASSERT_EQ(sink.transactions.size(), 1u);
    EXPECT_NE(sink.transactions[0].find("\"size\":" + std::to_string(161 + 2 + 152)), std::string::npos)
        << sink.transactions[0];
}

TEST(ProtoSmtpAnomaly, ReplyLineTooLong) {
    const RecordingSink sink = run(session({client("NOOP\r\n"), server("250 " + std::string(700, 'x') + "\r\n")}));
    EXPECT_TRUE(sink.has("anomaly smtp.reply_line_too_long"));
    EXPECT_FALSE(sink.has("anomaly smtp.reply_without_command"));
}

TEST(ProtoSmtpAnomaly, UnknownAndBinaryCommands) {
    const RecordingSink sink = run(session({client("XYZZY plugh\r\nNOOP \x01\x02\xff\r\n")}));
    EXPECT_TRUE(sink.has("anomaly smtp.unknown_command"));
    EXPECT_TRUE(sink.has("anomaly smtp.binary_in_command"));
    EXPECT_TRUE(sink.has("field smtp.command_line=XYZZY plugh"));
}

TEST(ProtoSmtpAnomaly, Utf8AddressIsNotBinary) {
    const RecordingSink sink = run(session({client("MAIL FROM:<j\xC3\xB6rg@example.de> SMTPUTF8\r\n")}));
    EXPECT_FALSE(sink.has("anomaly smtp.binary_in_command")) << sink.dump();
}

TEST(ProtoSmtpAnomaly, ReplyWithoutCommand) {
    const RecordingSink sink = run(test::with_ends({server("220 mx ESMTP\r\n250 surprise\r\n")}));
    EXPECT_TRUE(sink.has("anomaly smtp.reply_without_command"));
}

TEST(ProtoSmtpAnomaly, InvalidReplies) {
    const RecordingSink sink = run(session({client("NOOP\r\n"), server("hello there\r\n250-a\r\n251 b\r\n")}));
    EXPECT_TRUE(sink.has("anomaly smtp.invalid_reply"));
}

TEST(ProtoSmtpAnomaly, CommandsPipelinedAfterStarttls) {
    // CVE-2011-0411 style injection: commands sent in clear behind STARTTLS.
    const RecordingSink sink = run(session({
        client("STARTTLS\r\nMAIL FROM:<inject@x>\r\n"),
        server("220 go ahead\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly smtp.invalid_pipelined_sequence"));
    EXPECT_TRUE(sink.has("starttls"));
}

TEST(ProtoSmtpAnomaly, MessageSentBeforeDataReply) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nSubject: eager\r\n\r\nhi\r\n.\r\n"),
        server("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly smtp.invalid_pipelined_sequence"));
    EXPECT_TRUE(sink.has("field email.subject=eager"));
}

TEST(ProtoSmtpAnomaly, BdatSizeMismatch) {
    const RecordingSink longer = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 5\r\nhelloXX\r\nBDAT 3 LAST\r\nabc"),
    }));
    EXPECT_TRUE(longer.has("anomaly smtp.bdat_size_mismatch")) << longer.dump();
    const RecordingSink shorter = run(session({client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 100 LAST\r\nshort")}));
    EXPECT_TRUE(shorter.has("anomaly smtp.bdat_size_mismatch"));
}

TEST(ProtoSmtpAnomaly, NoGreeting) {
    const RecordingSink sink = run(test::with_ends({client("EHLO x\r\n"), server("250 hi\r\n")}));
    EXPECT_TRUE(sink.has("anomaly smtp.no_greeting"));
    EXPECT_FALSE(sink.has("anomaly smtp.reply_without_command"));  // the reply still matched EHLO
}

TEST(ProtoSmtpAnomaly, BareLfInCommandsAndData) {
    const RecordingSink in_command = run(session({client("NOOP\n")}));
    EXPECT_TRUE(in_command.has("anomaly smtp.bare_lf"));
    // SMTP smuggling: "\n.\n" inside DATA.
    const RecordingSink in_data = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
        server("250 ok\r\n250 ok\r\n354 go\r\n"),
        client("Subject: x\r\n\r\nhi\n.\nMAIL FROM:<smuggled@x>\r\n"),
    }));
    EXPECT_TRUE(in_data.has("anomaly smtp.bare_lf"));
    EXPECT_TRUE(in_data.has("field smtp.mail_from=smuggled@x")) << in_data.dump();
}

TEST(ProtoSmtpAnomaly, GapResynchronisesAtNextLine) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@"),
        test::gap(Direction::ToServer, 40),
        client("lost tail\r\nRCPT TO:<c@y>\r\n"),
        server("250 ok\r\n"),
        test::gap(Direction::ToClient, 10),
        server("250 ok\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly stream.gap"));
    EXPECT_TRUE(sink.has("field smtp.rcpt_to=c@y"));
    EXPECT_FALSE(sink.has("anomaly smtp.unknown_command")) << sink.dump();
    EXPECT_FALSE(sink.has("anomaly smtp.reply_without_command")) << sink.dump();
}

TEST(ProtoSmtpAnomaly, ServerReplyEndsDataWhoseEndWasLost) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
        server("250 ok\r\n250 ok\r\n354 go\r\n"),
        client("Subject: lossy\r\n\r\nbody "),
        test::gap(Direction::ToServer, 100),  // the rest of the body and the "." are gone
        server("250 queued\r\n"),
        client("MAIL FROM:<next@x>\r\n"),
    }));
    EXPECT_TRUE(sink.has("field smtp.mail_from=next@x")) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 2u) << sink.dump();
    EXPECT_NE(sink.transactions[0].find("\"message_accepted\":true"), std::string::npos);
    EXPECT_NE(sink.transactions[0].find("\"gap\":true"), std::string::npos);
}

TEST(ProtoSmtpAnomaly, GapInsideBdatChunkKeepsFraming) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 20 LAST\r\nSubject: hi\r\n"),
        test::gap(Direction::ToServer, 7),
        client("NOOP\r\n"),
    }));
    EXPECT_TRUE(sink.has("command NOOP")) << sink.dump();
    EXPECT_FALSE(sink.has("anomaly smtp.bdat_size_mismatch"));
}

TEST(ProtoSmtpAnomaly, TooManyPendingCommands) {
    SmtpLimits limits;
    limits.pending_commands = 2;
    RecordingSink sink = run(session({client("NOOP\r\nNOOP\r\nNOOP\r\n"), server("250 a\r\n250 b\r\n250 c\r\n")}), limits);
    EXPECT_TRUE(sink.has("anomaly smtp.too_many_pending_commands"));
    EXPECT_FALSE(sink.has("anomaly smtp.reply_without_command"));
}

TEST(ProtoSmtpAnomaly, TooManyRecipients) {
    SmtpLimits limits;
    limits.recipients_kept = 2;
    RecordingSink sink = run(session({client("MAIL FROM:<a@x>\r\nRCPT TO:<1@y>\r\nRCPT TO:<2@y>\r\nRCPT TO:<3@y>\r\n")}),
                             limits);
    EXPECT_TRUE(sink.has("anomaly smtp.too_many_recipients"));
    EXPECT_TRUE(sink.has("field smtp.rcpt_to=3@y"));  // still reported, only not kept
    ASSERT_EQ(sink.transactions.size(), 1u);
    EXPECT_NE(sink.transactions[0].find("\"rcpt_count\":3"), std::string::npos) << sink.transactions[0];
}

TEST(ProtoSmtpAnomaly, CommandOutOfSequenceAndSyntax) {
    const RecordingSink sink = run(session({client("RCPT TO:<b@y>\r\nMAIL <a@x>\r\n")}));
    EXPECT_TRUE(sink.has("anomaly smtp.command_out_of_sequence"));
    EXPECT_TRUE(sink.has("anomaly smtp.invalid_command_syntax"));
}

TEST(ProtoSmtpAnomaly, InvalidAuthEncoding) {
    const RecordingSink sink = run(session({client("AUTH PLAIN !!not-base64!!\r\n"), server("501 bad\r\n")}));
    EXPECT_TRUE(sink.has("anomaly smtp.invalid_auth_encoding"));
    EXPECT_TRUE(sink.has("auth PLAIN user= failure"));
}

TEST(ProtoSmtpAnomaly, DataIncompleteAtEnd) {
    const RecordingSink sink = run(session({
        client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
        server("250 ok\r\n250 ok\r\n354 go\r\n"),
        client("Subject: cut\r\n\r\npartial"),
    }));
    EXPECT_TRUE(sink.has("anomaly smtp.data_incomplete"));
    ASSERT_EQ(sink.transactions.size(), 1u);
    EXPECT_NE(sink.transactions[0].find("\"message_complete\":false"), std::string::npos);
}

TEST(ProtoSmtpAnomaly, EachAnomalyOncePerTransaction) {
    SmtpStats stats;
    RecordingSink sink;
    {
        SmtpParser parser(sink);
        test::feed(parser, session({client("XA\r\nXB\r\nXC\r\n")}));
        stats = parser.stats();
    }
    EXPECT_EQ(sink.count_prefix("anomaly smtp.unknown_command"), 1u);
    EXPECT_EQ(stats.anomalies[static_cast<size_t>(SmtpAnomaly::UnknownCommand)], 3u);
}

TEST(ProtoSmtp, ClientOnlyCaptureStaysQuietAndKeepsSecrets) {
    // Asymmetric routing: only the client side is seen.
    const RecordingSink sink = run(test::with_ends({
        client("EHLO c\r\nAUTH LOGIN\r\n" + test::base64("mallory") + "\r\n" + test::base64("pa55word") +
               "\r\nMAIL FROM:<m@x>\r\nRCPT TO:<v@y>\r\nDATA\r\nSubject: one-sided\r\n\r\nhi\r\n.\r\nQUIT\r\n"),
    }));
    EXPECT_TRUE(sink.has("field smtp.auth_user=mallory"));
    EXPECT_TRUE(sink.has("field email.subject=one-sided"));
    EXPECT_TRUE(sink.has("command QUIT"));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    for (const auto &e : sink.events) {
        EXPECT_EQ(e.find("pa55word"), std::string::npos) << e;
        EXPECT_EQ(e.find(test::base64("pa55word")), std::string::npos) << e;
    }
}

TEST(ProtoSmtp, SessionObjectHasFixedBoundedSize) {
    // Kept in a preallocated pool per worker: keep an eye on it.
    EXPECT_LT(sizeof(SmtpParser), 64u * 1024u);
}

// The rest of a cut accepting line is still text: TLS starts after it, so no cleartext is claimed.
TEST(ProtoSmtp, StarttlsAcceptedByALongLineStartsTlsAfterIt) {
    RecordingSink sink;
    SmtpParser parser(sink);
    test::feed(parser, test::smtp_starttls_by_long_line_transcript());
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_TRUE(parser.encrypted());
    EXPECT_FALSE(sink.has("anomaly smtp.starttls_cleartext_continues")) << sink.dump();
    EXPECT_FALSE(sink.has("command MAIL")) << sink.dump();
    EXPECT_GT(parser.stats().opaque_bytes[0], 0u);
    EXPECT_GT(parser.stats().opaque_bytes[1], 0u);
}

}  // namespace
}  // namespace postern::proto
