#include "proto/mime/mime_parser.hpp"

#include <gtest/gtest.h>

#include "proto/mime/encoded_words.hpp"
#include "proto/mime/header_params.hpp"
#include "recording_sink.hpp"
#include "transcripts.hpp"

namespace postern::proto {
namespace {

using test::RecordingSink;

struct Parsed {
    RecordingSink sink;
    FixedStringArena<8192> arena;
    EmailMessage msg;
    MimeStats stats;
};

// Feeds a message in chunks of `chunk` bytes (0: whole).
void parse(Parsed &p, std::string_view message, size_t chunk = 0, const MimeLimits &limits = {}) {
    MimeStreamParser parser(limits, p.sink, p.arena);
    parser.begin(p.msg);
    if (chunk == 0) chunk = message.empty() ? 1 : message.size();
    for (size_t i = 0; i < message.size(); i += chunk) {
        const std::string piece(message.substr(i, chunk));
        parser.feed(reinterpret_cast<const uint8_t *>(piece.data()), piece.size());
    }
    parser.end();
    p.stats = parser.parser().stats();
}

std::string unstuffed(std::string s) {
    for (size_t pos = 0; (pos = s.find("\r\n..", pos)) != std::string::npos; pos += 3) s.erase(pos + 2, 1);
    return s;
}

std::string decode(std::string_view in) {
    FixedStringArena<1024> arena;
    arena.open();
    append_decoded_words(in, arena);
    return std::string(arena.close());
}

TEST(ProtoMimeEncodedWords, DecodesBAndQInUtf8AndLatin1) {
    EXPECT_EQ(decode("=?UTF-8?B?w6lsw6h2ZQ==?="), "\xC3\xA9l\xC3\xA8ve");
    EXPECT_EQ(decode("=?iso-8859-1?q?caf=E9_cr=E8me?="), "caf\xC3\xA9 cr\xC3\xA8me");
    EXPECT_EQ(decode("=?windows-1252?Q?=80?="), "\xE2\x82\xAC");
    EXPECT_EQ(decode("a =?UTF-8?Q?b?= =?UTF-8?Q?c?= d"), "a bc d");  // blanks between words dropped
    EXPECT_EQ(decode("plain text"), "plain text");
    EXPECT_EQ(decode("=?UTF-8?X?bad?="), "=?UTF-8?X?bad?=");
}

TEST(ProtoMimeEncodedWords, MalformedWordIsFlagged) {
    FixedStringArena<256> arena;
    arena.open();
    EXPECT_FALSE(append_decoded_words("=?utf-8?Q?unterminated", arena));
    arena.close();
    arena.open();
    EXPECT_TRUE(append_decoded_words("=?utf-8?Q?fine?=", arena));
}

TEST(ProtoMimeParams, Rfc2231Continuations) {
    unsigned segment = 0;
    bool extended = false;
    EXPECT_TRUE(match_param_name("filename*1*", "filename", segment, extended));
    EXPECT_EQ(segment, 1u);
    EXPECT_TRUE(extended);
    EXPECT_FALSE(match_param_name("filenames", "filename", segment, extended));

    Parsed p;
    parse(p, "Content-Type: text/plain\r\nContent-Disposition: attachment;\r\n filename*0*=utf-8''na%C3%AF;\r\n"
             " filename*1=\"ve.txt\"\r\n\r\nx\r\n");
    ASSERT_EQ(p.msg.parts.kept, 1u);
    EXPECT_EQ(p.msg.parts.items[0].filename, "na\xC3\xAFve.txt");
}

TEST(ProtoMime, NestedMultipartTree) {
    Parsed p;
    parse(p, unstuffed(test::kMultipartMessage));
    const EmailMessage &m = p.msg;
    EXPECT_EQ(m.subject, "Quarterly r\xC3\xA9port attached");
    EXPECT_EQ(m.from, "Alice \xC3\x89ve <alice@example.org>");
    ASSERT_EQ(m.to.kept, 2u);
    EXPECT_EQ(m.to.items[0], "bob@example.com");
    EXPECT_EQ(m.to.items[1], "\"Carol, C.\" <carol@example.com>");
    EXPECT_EQ(m.message_id, "<1234@example.org>");
    EXPECT_EQ(m.date, "Fri, 27 Nov 2026 08:00:00 +0000");
    EXPECT_EQ(m.x_header_count, 2u);
    EXPECT_TRUE(m.multipart);
    EXPECT_TRUE(m.complete);
    ASSERT_EQ(m.parts.kept, 3u);
    EXPECT_EQ(m.parts.items[0].content_type, "text/plain");
    EXPECT_EQ(m.parts.items[0].charset, "utf-8");
    EXPECT_EQ(m.parts.items[0].encoding, TransferEncoding::QuotedPrintable);
    EXPECT_EQ(m.parts.items[0].depth, 2);
    EXPECT_EQ(m.parts.items[1].content_type, "text/html");
    EXPECT_EQ(m.parts.items[2].filename, "r\xC3\xA9port.bin");
    EXPECT_EQ(m.parts.items[2].disposition, "attachment");
    EXPECT_EQ(m.parts.items[2].size, 18u);
    EXPECT_EQ(m.parts.items[2].depth, 1);
    EXPECT_EQ(m.attachment_count(), 1u);
    EXPECT_EQ(p.sink.count_prefix("anomaly"), 0u) << p.sink.dump();
}

TEST(ProtoMime, SameEventsForEveryChunkSize) {
    const std::string msg = unstuffed(test::kMultipartMessage);
    Parsed whole;
    parse(whole, msg);
    for (size_t chunk = 1; chunk < msg.size(); chunk += 7) {
        Parsed p;
        parse(p, msg, chunk);
        ASSERT_EQ(p.sink.events, whole.sink.events) << chunk;
    }
}

TEST(ProtoMime, MissingBoundary) {
    Parsed p;
    parse(p, "Content-Type: multipart/mixed\r\n\r\n--x\r\nhello\r\n");
    EXPECT_TRUE(p.sink.has("anomaly mime.missing_boundary"));
    EXPECT_TRUE(p.msg.boundary_missing);
}

TEST(ProtoMime, MissingCloseBoundary) {
    Parsed p;
    parse(p, "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\npart\r\n");
    EXPECT_TRUE(p.sink.has("anomaly mime.missing_close_boundary"));
}

TEST(ProtoMime, InvalidBase64AndQuotedPrintable) {
    Parsed p;
    parse(p, "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n"
             "SGVs!!bG8=\r\n--b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nbad =ZZ here\r\n--b--\r\n");
    EXPECT_TRUE(p.sink.has("anomaly mime.invalid_base64"));
    EXPECT_TRUE(p.sink.has("anomaly mime.invalid_quoted_printable"));
}

TEST(ProtoMime, HeaderLimits) {
    MimeLimits limits;
    limits.headers_per_message = 3;
    limits.header_field = 64;
    Parsed p;
    parse(p, "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nSubject: " + std::string(100, 'x') + "\r\n\r\nbody\r\n", 0, limits);
    EXPECT_TRUE(p.sink.has("anomaly mime.too_many_headers"));
    EXPECT_TRUE(p.sink.has("anomaly mime.header_too_long"));
    EXPECT_FALSE(p.sink.has("header D=4"));
    EXPECT_EQ(p.stats.headers_dropped, 2u);
}

TEST(ProtoMime, FoldedHeaderIsUnfolded) {
    Parsed p;
    parse(p, "Subject: first\r\n\tsecond\r\n third\r\n\r\n");
    EXPECT_EQ(p.msg.subject, "first\tsecond third");
}

TEST(ProtoMime, DuplicateFromAndInvalidHeaderLine) {
    Parsed p;
    parse(p, "From: a@x\r\nFrom: b@y\r\nthis is not a header\r\nmore body\r\n");
    EXPECT_TRUE(p.sink.has("anomaly mime.duplicate_header"));
    EXPECT_TRUE(p.sink.has("anomaly mime.invalid_header_line"));
    EXPECT_EQ(p.msg.from, "a@x");
    EXPECT_TRUE(p.sink.has("field email.body_prefix=this is not a header\nmore body\n"));
}

TEST(ProtoMime, DepthIsBounded) {
    MimeLimits limits;
    limits.mime_depth = 2;
    std::string msg;
    for (int i = 0; i < 5; ++i) msg += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
                                       std::to_string(i) + "\r\n";
    msg += "\r\nleaf\r\n";
    Parsed p;
    parse(p, msg, 0, limits);
    EXPECT_TRUE(p.sink.has("anomaly mime.depth_exceeded"));
}

TEST(ProtoMime, EmbeddedMessageKeepsOuterFields) {
    Parsed p;
    parse(p, "Subject: outer\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
             "Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename=fwd.eml\r\n\r\n"
             "Subject: inner\r\nFrom: x@y\r\n\r\ninner body\r\n--b--\r\n");
    EXPECT_EQ(p.msg.subject, "outer");
    EXPECT_TRUE(p.sink.has("header Subject=inner"));
    EXPECT_TRUE(p.sink.has("field email.attachment.filename=fwd.eml"));
    EXPECT_TRUE(p.sink.has("field email.body_prefix=inner body\n"));
}

TEST(ProtoMime, UnknownTransferEncodingAndLongBoundary) {
    Parsed p;
    parse(p, "Content-Type: multipart/mixed; boundary=" + std::string(80, 'b') + "\r\n\r\n--" + std::string(80, 'b') +
                 "\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\n--" + std::string(80, 'b') +
                 "--\r\n");
    EXPECT_TRUE(p.sink.has("anomaly mime.unknown_transfer_encoding"));
    EXPECT_TRUE(p.sink.has("anomaly mime.invalid_boundary"));
    EXPECT_FALSE(p.sink.has("anomaly mime.missing_close_boundary"));  // still followed
}

TEST(ProtoMime, ArenaExhaustionTruncatesButReportsFully) {
    RecordingSink sink;
    FixedStringArena<16> arena;
    EmailMessage msg;
    MimeStreamParser parser({}, sink, arena);
    parser.begin(msg);
    const std::string m = "Subject: a subject longer than sixteen bytes\r\n\r\n";
    parser.feed(reinterpret_cast<const uint8_t *>(m.data()), m.size());
    parser.end();
    EXPECT_TRUE(sink.has("field email.subject=a subject longer than sixteen bytes"));
    EXPECT_EQ(msg.subject.size(), 16u);
    EXPECT_TRUE(msg.truncated);
}

TEST(ProtoMime, GapMarksMessageIncomplete) {
    RecordingSink sink;
    FixedStringArena<1024> arena;
    EmailMessage msg;
    MimeStreamParser parser({}, sink, arena);
    parser.begin(msg);
    const std::string a = "Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8g";
    parser.feed(reinterpret_cast<const uint8_t *>(a.data()), a.size());
    parser.on_gap();
    const std::string b = "xx\r\nd29ybGQ=\r\n";
    parser.feed(reinterpret_cast<const uint8_t *>(b.data()), b.size());
    parser.end();
    EXPECT_TRUE(msg.gap);
    EXPECT_FALSE(msg.complete);
    EXPECT_FALSE(sink.has("anomaly mime.invalid_base64"));
}

}  // namespace
}  // namespace postern::proto
