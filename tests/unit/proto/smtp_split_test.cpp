// Every transcript must give the same events however the stream is cut into segments.
#include <gtest/gtest.h>

#include "proto/smtp/smtp_parser.hpp"
#include "recording_sink.hpp"
#include "transcripts.hpp"

namespace postern::proto {
namespace {

void expect_split_invariant(const std::vector<test::Step> &steps, const SmtpLimits &limits = {}) {
    test::RecordingSink whole;
    {
        SmtpParser parser(whole, limits);
        test::feed(parser, steps);
    }
    ASSERT_FALSE(whole.events.empty());
    const size_t total = test::total_bytes(steps);
    for (size_t split = 1; split < total; ++split) {
        test::RecordingSink sink;
        SmtpParser parser(sink, limits);
        test::feed(parser, steps, split);
        ASSERT_EQ(sink.events, whole.events) << "split at byte " << split;
    }
    test::RecordingSink bytewise;
    SmtpParser parser(bytewise, limits);
    test::feed(parser, steps, SIZE_MAX, true);
    ASSERT_EQ(bytewise.events, whole.events) << "one byte at a time";
}

TEST(ProtoSmtpSplit, PipelinedAuthPlainMultipart) { expect_split_invariant(test::pipelined_auth_plain_transcript()); }
TEST(ProtoSmtpSplit, BdatAuthLogin) { expect_split_invariant(test::bdat_auth_login_transcript()); }
// Digests of the attachment and the message (DATA and BDAT), however the segments fall.
TEST(ProtoSmtpSplit, FileHashes) {
    SmtpLimits limits;
    limits.mime.file_hashes = kMd5 | kSha1 | kSha256;
    expect_split_invariant(test::pipelined_auth_plain_transcript(), limits);
    expect_split_invariant(test::bdat_auth_login_transcript(), limits);
}
TEST(ProtoSmtpSplit, CramMd5) { expect_split_invariant(test::cram_md5_transcript()); }
TEST(ProtoSmtpSplit, Xoauth2Starttls) { expect_split_invariant(test::xoauth2_starttls_transcript()); }
TEST(ProtoSmtpSplit, FakeStarttls) { expect_split_invariant(test::smtp_fake_starttls_transcript()); }

TEST(ProtoSmtpSplit, TinyLimitsEverywhere) {
    // Every line is overlong and every bound is hit: heads and tails must not depend on cuts.
    SmtpLimits limits;
    limits.command_line = 12, limits.reply_line = 10, limits.header_line = 20, limits.text_line = 16;
    limits.pending_commands = 2, limits.recipients_kept = 1;
    limits.mime.header_field = 24, limits.mime.headers_per_message = 3, limits.mime.mime_depth = 1;
    limits.mime.body_prefix = 8;
    expect_split_invariant(test::pipelined_auth_plain_transcript(), limits);
    expect_split_invariant(test::bdat_auth_login_transcript(), limits);
}

TEST(ProtoSmtpSplit, MalformedSession) {
    using test::client;
    using test::server;
    expect_split_invariant(test::with_ends({
        server("250 no greeting\r\n"),
        client("EHLO \x01x\nXYZZY\r\nMAIL FROM:<" + std::string(600, 'a') + ">\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
        server("250-a\r\n251 b\r\n" + std::string(700, 'r') + "\r\n354 go\r\n"),
        client("Subject: " + std::string(1100, 's') + "\r\n\r\n" + std::string(1500, 'b') + "\r\n" +
               "Content-Type: text/plain\r\n..x\n.\r\nBDAT 3\r\nabcdNOOP\r\n"),
    }));
}

TEST(ProtoSmtpSplit, StarttlsByLongLine) { expect_split_invariant(test::smtp_starttls_by_long_line_transcript()); }

}  // namespace
}  // namespace postern::proto
