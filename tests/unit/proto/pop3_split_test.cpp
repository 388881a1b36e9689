// Every POP3 transcript must give the same events however the stream is cut into segments.
#include <gtest/gtest.h>

#include "pop3_recording_sink.hpp"
#include "pop3_transcripts.hpp"
#include "proto/pop3/pop3_parser.hpp"

namespace postern::proto {
namespace {

void expect_split_invariant(const std::vector<test::Step> &steps, const Pop3Limits &limits = {}) {
    test::Pop3RecordingSink whole;
    {
        Pop3Parser parser(whole, limits);
        test::feed(parser, steps);
    }
    ASSERT_FALSE(whole.events.empty());
    const size_t total = test::total_bytes(steps);
    for (size_t split = 1; split < total; ++split) {
        test::Pop3RecordingSink sink;
        Pop3Parser parser(sink, limits);
        test::feed(parser, steps, split);
        ASSERT_EQ(sink.events, whole.events) << "split at byte " << split;
    }
    test::Pop3RecordingSink bytewise;
    Pop3Parser parser(bytewise, limits);
    test::feed(parser, steps, SIZE_MAX, true);
    ASSERT_EQ(bytewise.events, whole.events) << "one byte at a time";
}

TEST(ProtoPop3Split, UserPassRetrTop) { expect_split_invariant(test::pop3_user_pass_transcript()); }
// Digests of the attachment and the message, however the segments fall.
TEST(ProtoPop3Split, FileHashes) {
    Pop3Limits limits;
    limits.mime.file_hashes = kMd5 | kSha1 | kSha256;
    expect_split_invariant(test::pop3_user_pass_transcript(), limits);
}
TEST(ProtoPop3Split, ApopPipelined) { expect_split_invariant(test::pop3_apop_pipelined_transcript()); }
TEST(ProtoPop3Split, AuthPlain) { expect_split_invariant(test::pop3_auth_plain_transcript()); }
TEST(ProtoPop3Split, Stls) { expect_split_invariant(test::pop3_stls_transcript()); }
TEST(ProtoPop3Split, FakeStls) { expect_split_invariant(test::pop3_fake_stls_transcript()); }
TEST(ProtoPop3Split, AuthLogin) { expect_split_invariant(test::pop3_auth_login_transcript()); }

TEST(ProtoPop3Split, MalformedSession) {
    using test::client;
    using test::server;
    expect_split_invariant(test::with_ends({
        server("+OK hi\r\n"),
        client("RETR 1\r\nUSER " + std::string(300, 'u') + "\nXYZZY \x01\r\nPASS\r\nLIST\r\nTOP 1\r\n"),
        server("+OK " + std::string(700, 'r') + "\r\n.\r\nbogus\r\n+OK\r\n-ERR no\r\n+OK\r\n1 2\r\n..x\r\n.\r\n"
               "+OK\r\nSubject: " + std::string(1200, 's') + "\r\n\r\n" + std::string(2500, 'b') + "\r\n.\r\n+OK extra\r\n"),
        test::gap(stream::Direction::ToServer, 7),
        client("QUIT\r\nNOOP\r\n"),
        server("+OK bye\r\n"),
    }));
}

TEST(ProtoPop3Split, StarttlsByLongLine) { expect_split_invariant(test::pop3_stls_by_long_line_transcript()); }

}  // namespace
}  // namespace postern::proto
