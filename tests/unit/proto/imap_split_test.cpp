// Every IMAP transcript must give the same events however the stream is cut into segments.
#include <gtest/gtest.h>

#include "imap_recording_sink.hpp"
#include "imap_transcripts.hpp"
#include "proto/imap/imap_parser.hpp"

namespace postern::proto {
namespace {

void expect_split_invariant(const std::vector<test::Step> &steps, const ImapLimits &limits = {}) {
    test::ImapRecordingSink whole;
    {
        ImapParser parser(whole, limits);
        test::feed(parser, steps);
    }
    ASSERT_FALSE(whole.events.empty());
    const size_t total = test::total_bytes(steps);
    for (size_t split = 1; split < total; ++split) {
        test::ImapRecordingSink sink;
        ImapParser parser(sink, limits);
        test::feed(parser, steps, split);
        ASSERT_EQ(sink.events, whole.events) << "split at byte " << split;
    }
    test::ImapRecordingSink bytewise;
    ImapParser parser(bytewise, limits);
    test::feed(parser, steps, SIZE_MAX, true);
    ASSERT_EQ(bytewise.events, whole.events) << "one byte at a time";
}

TEST(ProtoImapSplit, LoginSession) { expect_split_invariant(test::imap_login_session_transcript()); }
// Digests of the APPENDed draft and its attachment, however the segments fall.
TEST(ProtoImapSplit, FileHashes) {
    ImapLimits limits;
    limits.mime.file_hashes = kMd5 | kSha1 | kSha256;
    expect_split_invariant(test::imap_login_session_transcript(), limits);
}
TEST(ProtoImapSplit, AuthenticateCompress) { expect_split_invariant(test::imap_authenticate_compress_transcript()); }
TEST(ProtoImapSplit, Starttls) { expect_split_invariant(test::imap_starttls_transcript()); }
TEST(ProtoImapSplit, FakeStarttls) { expect_split_invariant(test::imap_fake_starttls_transcript()); }
TEST(ProtoImapSplit, FetchMany) { expect_split_invariant(test::imap_fetch_many_transcript()); }
TEST(ProtoImapSplit, LoginLiterals) { expect_split_invariant(test::imap_login_literals_transcript()); }
TEST(ProtoImapSplit, AuthenticateLoginXoauth2) {
    expect_split_invariant(test::imap_authenticate_login_xoauth2_transcript());
}

// A line just past the parse limit: its literal marker is still in the line assembler's carry
// when the line turns out too long (found by fuzz_imap).
TEST(ProtoImapSplit, LiteralAtTheEndOfALineJustPastTheLimit) {
    using test::client;
    using test::server;
    ImapLimits limits;
    limits.parse_line = 64;
    const std::string fetch = "* 1 FETCH (UID 9 FLAGS (\\Seen \\Answered) RFC822.SIZE 44 BODY[] {44}";
    ASSERT_GT(fetch.size(), 64u);
    ASSERT_LT(fetch.size(), 80u);
    expect_split_invariant(test::with_ends({
        server("* OK\r\n"),
        client("a1 FETCH 1 (UID FLAGS RFC822.SIZE BODY[])\r\n"),
        server(fetch + "\r\nSubject: split at the limit\r\n\r\nbody 12345678)\r\na1 OK\r\n"),
    }), limits);
}

TEST(ProtoImapSplit, MalformedSession) {
    using test::client;
    using test::server;
    ImapLimits limits;
    limits.command_line = 120;
    limits.response_line = 300;
    limits.literal = 64;
    expect_split_invariant(test::with_ends({
        server("* 1 EXISTS\r\n"),
        client("a1 NOOP \x01\nXYZZY\r\n+bad NOOP\r\na2 APPEND x {70+}\r\n" + std::string(70, 'l') + " (\\Seen) " +
               "{3}\r\nabc\r\na3 SELECT \"&Jjo\"\r\na1 NOOP\r\na4 LOGIN " + std::string(200, 'u') + " pw\r\n"),
        server("+ huh\r\nzz OK\r\n* 2 FETCH (ENVELOPE (\"" + std::string(3000, 'e') + "\") BODY[] {30}\r\n" +
               "Subject: s\r\n\r\nbody bytes..\r\n)\r\nnonsense\r\na2 OK\r\n* 3 FETCH (BODY[] {5}\r\n"),
        test::gap(stream::Direction::ToClient, 3),
        client("a5 IDLE\r\nDONE\r\na6 LOGOUT\r\na7 NOOP\r\n"),
        server("12345 a1 OK\r\n"),
    }), limits);
}

TEST(ProtoImapSplit, StarttlsByLongLine) { expect_split_invariant(test::imap_starttls_by_long_line_transcript()); }

}  // namespace
}  // namespace postern::proto
