// What the MIME parser hands out for extraction (MimeLimits::file_store): the decoded bytes of
// each attachment and the transferred bytes of the message, identical at every split of the
// input; nothing when extraction is off; a gap leaves the file without a digest (so unstored).
// Each attachment's magic is reported as the file.magic field.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "proto/mime/mime_parser.hpp"
#include "recording_sink.hpp"

namespace postern::proto {
namespace {

struct Extracted {
    bool message = false;
    std::string name, bytes;
    bool closed = false, digest = false;
};

struct ExtractSink : test::RecordingSink {
    std::map<uint32_t, Extracted> files;
    uint32_t next = 1;
    uint32_t on_file_begin(const FileBegin &f) override {
        files[next] = Extracted{f.message, std::string(f.filename), {}, false, false};
        return next++;
    }
    void on_file_data(uint32_t h, const uint8_t *p, size_t n) override {
        files.at(h).bytes.append(reinterpret_cast<const char *>(p), n);
    }
    void on_file(const FileEvent &f) override {
        if (f.store_handle == 0) return;
        Extracted &e = files.at(f.store_handle);
        e.closed = true;
        e.digest = (f.digests.present & kSha256) != 0;
    }
};

const std::string kPdf = [] {
    std::string b = "%PDF-1.4\n";
    for (int i = 0; i < 2000; ++i) b += static_cast<char>((i * 37 + 5) & 0xFF);
    return b;
}();
// The same PDF, base64 in 76-character lines, after a quoted-printable text part.
const std::string kPdfBase64 = [] {
    static const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out, line;
    for (size_t i = 0; i < kPdf.size(); i += 3) {
        const uint32_t v = (uint8_t(kPdf[i]) << 16) | (i + 1 < kPdf.size() ? uint8_t(kPdf[i + 1]) << 8 : 0) |
                           (i + 2 < kPdf.size() ? uint8_t(kPdf[i + 2]) : 0);
        line += a[v >> 18 & 63], line += a[v >> 12 & 63];
        line += i + 1 < kPdf.size() ? a[v >> 6 & 63] : '=';
        line += i + 2 < kPdf.size() ? a[v & 63] : '=';
        if (line.size() == 76) out += line + "\r\n", line.clear();
    }
    return out + (line.empty() ? "" : line + "\r\n");
}();
const std::string kMessage = "From: a@example.org\r\nSubject: q\r\nMIME-Version: 1.0\r\n"
                             "Content-Type: multipart/mixed; boundary=b1\r\n\r\n"
                             "--b1\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                             "caf=C3=A9 soft=\r\nbreak\r\n"
                             "--b1\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=a.csv\r\n\r\n"
                             "x,y\r\n1,2\n"
                             "--b1\r\nContent-Type: application/pdf; name=r.pdf\r\nContent-Transfer-Encoding: base64\r\n"
                             "Content-Disposition: attachment\r\n\r\n" +
                             kPdfBase64 + "--b1--\r\n";

MimeLimits storing(uint8_t kinds) {
    MimeLimits l;
    l.file_store = kinds;
    return l;
}

std::vector<Extracted> extract(const std::string &input, uint8_t kinds, size_t split) {
    ExtractSink sink;
    FixedStringArena<65536> arena;
    MimeStreamParser p(storing(kinds), sink, arena);
    EmailMessage msg;
    p.begin(msg);
    p.feed(reinterpret_cast<const uint8_t *>(input.data()), split);
    p.feed(reinterpret_cast<const uint8_t *>(input.data()) + split, input.size() - split);
    p.end();
    std::vector<Extracted> out;
    for (auto &[h, e] : sink.files) out.push_back(e);
    return out;
}

TEST(FileExtract, AttachmentsDecodedAndMessageAsTransferredAtEverySplit) {
    for (size_t split = 0; split <= kMessage.size(); ++split) {
        const auto files = extract(kMessage, kStoreAttachments | kStoreMessages, split);
        ASSERT_EQ(files.size(), 3u) << split;
        EXPECT_TRUE(files[0].message && files[0].closed && files[0].digest) << split;
        ASSERT_EQ(files[0].bytes, kMessage) << "split at " << split;
        EXPECT_EQ(files[1].name, "a.csv");
        ASSERT_EQ(files[1].bytes, "x,y\n1,2\n") << "split at " << split;  // line ends as decoded text
        EXPECT_EQ(files[2].name, "r.pdf");
        ASSERT_EQ(files[2].bytes, kPdf) << "split at " << split;
        EXPECT_TRUE(files[2].closed && files[2].digest);
    }
}

// An attacker writes the attachment's base64 as one line of 2,668 characters, past the parser's
// line limit (1,000): it is decoded in pieces, so the digest and the extracted bytes hold.
TEST(FileExtract, OneLongBase64LineIsDecodedWholeAtEverySplit) {
    std::string one_line = kPdfBase64;
    for (size_t at = one_line.find("\r\n"); at != std::string::npos; at = one_line.find("\r\n", at))
        one_line.erase(at, 2);
    const std::string input = kMessage.substr(0, kMessage.find(kPdfBase64)) + one_line + "\r\n--b1--\r\n";
    for (size_t split = 0; split <= input.size(); ++split) {
        const auto files = extract(input, kStoreAttachments | kStoreMessages, split);
        ASSERT_EQ(files.size(), 3u) << split;
        ASSERT_EQ(files[2].bytes, kPdf) << "split at " << split;
        ASSERT_TRUE(files[2].digest && files[0].digest) << "split at " << split;
        ASSERT_EQ(files[0].bytes, input) << "split at " << split;
    }
}

TEST(FileExtract, OnlyTheKindsAskedAreOffered) {
    EXPECT_TRUE(extract(kMessage, 0, 100).empty());
    const auto attachments = extract(kMessage, kStoreAttachments, 100);
    ASSERT_EQ(attachments.size(), 2u);
    EXPECT_FALSE(attachments[0].message);
    const auto messages = extract(kMessage, kStoreMessages, 100);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_TRUE(messages[0].message);
}

TEST(FileExtract, AttachmentMagicIsARuleField) {
    ExtractSink sink;
    FixedStringArena<65536> arena;
    MimeStreamParser p(MimeLimits{}, sink, arena);
    EmailMessage msg;
    p.begin(msg);
    p.feed(reinterpret_cast<const uint8_t *>(kMessage.data()), kMessage.size());
    p.end();
    EXPECT_EQ(sink.count_prefix("field file.magic="), 1u);  // the CSV has no magic, the message none
    EXPECT_TRUE(sink.has("field file.magic=PDF document"));
}

TEST(FileExtract, GapLeavesTheFilesWithoutDigest) {
    ExtractSink sink;
    FixedStringArena<65536> arena;
    MimeStreamParser p(storing(kStoreAttachments | kStoreMessages), sink, arena);
    EmailMessage msg;
    p.begin(msg);
    const size_t cut = kMessage.size() - 400;  // inside the PDF's base64
    p.feed(reinterpret_cast<const uint8_t *>(kMessage.data()), cut);
    p.on_gap();
    p.feed(reinterpret_cast<const uint8_t *>(kMessage.data()) + cut + 100, kMessage.size() - cut - 100);
    p.end();
    ASSERT_EQ(sink.files.size(), 3u);
    for (auto &[h, f] : sink.files) EXPECT_TRUE(f.closed) << f.name;
    EXPECT_FALSE(sink.files[1].digest);  // the message
    EXPECT_TRUE(sink.files[2].digest);  // a.csv ended before the gap
    EXPECT_FALSE(sink.files[3].digest);
}

}  // namespace
}  // namespace postern::proto
