// Digests of attachments (over the decoded bytes) and of whole messages (over the bytes as
// transferred, after dot-unstuffing) equal OpenSSL's one-shot digests of the same bytes; a gap
// or an overlong line leaves the file without digests; nothing is hashed unless asked.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "imap_transcripts.hpp"
#include "proto/imap/imap_parser.hpp"
#include "proto/mime/mime_parser.hpp"
#include "proto/smtp/smtp_parser.hpp"
#include "recording_sink.hpp"

namespace postern::proto {
namespace {

std::string hex(const uint8_t *d, size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) s += kHex[d[i] >> 4], s += kHex[d[i] & 15];
    return s;
}

std::string digest(const char *name, std::string_view bytes) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(bytes.data(), bytes.size(), out, &len, EVP_get_digestbyname(name), nullptr);
    return hex(out, len);
}

std::string base64(const std::string &bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    std::string lines;  // 76 characters a line, as mail clients write it
    for (size_t at = 0; at < out.size(); at += 76) lines += out.substr(at, 76) + "\r\n";
    return lines;
}

// Every file the parser reported, with all three digests.
struct FileSink : test::RecordingSink {
    std::vector<FileEvent> got;
    std::vector<std::string> names;  // the views die with the call
    void on_file(const FileEvent &f) override {
        got.push_back(f);
        names.emplace_back(f.message ? "(message)" : f.filename);
    }
};

const std::string kAttachment = [] {
    std::string b;
    for (int i = 0; i < 3001; ++i) b += static_cast<char>((i * 7919 + 13) & 0xFF);
    return b;
}();

const std::string kMessage = "From: a@example.org\r\nTo: b@example.com\r\nSubject: report\r\n"
                             "Message-ID: <m1@example.org>\r\nMIME-Version: 1.0\r\n"
                             "Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n"
                             "--xx\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                             "--xx\r\nContent-Type: application/pdf\r\n"
                             "Content-Disposition: attachment; filename=\"r.pdf\"\r\n"
                             "Content-Transfer-Encoding: base64\r\n\r\n" +
                             base64(kAttachment) + "--xx--\r\n";

MimeLimits all_hashes() {
    MimeLimits l;
    l.file_hashes = kMd5 | kSha1 | kSha256;
    return l;
}

TEST(FileHash, AttachmentAndMessageMatchOpenSsl) {
    FileSink sink;
    FixedStringArena<65536> arena;
    MimeStreamParser p(all_hashes(), sink, arena);
    EmailMessage msg;
    p.begin(msg);
    p.feed(reinterpret_cast<const uint8_t *>(kMessage.data()), kMessage.size());
    p.end();
    ASSERT_EQ(sink.got.size(), 2u);
    const FileEvent &a = sink.got[0], &m = sink.got[1];
    EXPECT_EQ(sink.names[0], "r.pdf");
    EXPECT_EQ(a.size, kAttachment.size());
    EXPECT_EQ(hex(a.digests.sha256, 32), digest("SHA256", kAttachment));
    EXPECT_EQ(hex(a.digests.sha1, 20), digest("SHA1", kAttachment));
    EXPECT_EQ(hex(a.digests.md5, 16), digest("MD5", kAttachment));
    EXPECT_TRUE(m.message);
    EXPECT_EQ(m.size, kMessage.size());
    EXPECT_EQ(hex(m.digests.sha256, 32), digest("SHA256", kMessage));
    EXPECT_TRUE(sink.has("field file.sha256=" + digest("SHA256", kAttachment)));
}

// Any cut of the same bytes gives OpenSSL's one-shot digests, and a hasher begun again after a
// spoiled file starts clean.
TEST(FileHash, HasherGivesOneShotDigestsForAnyPieces) {
    std::string bytes;
    for (int i = 0; i < 100000; ++i) bytes += static_cast<char>((i * 2654435761u) >> 13);
    uint32_t rng = 12345;
    auto next = [&rng] { return rng = rng * 1664525u + 1013904223u; };
    FileHasher h(kMd5 | kSha1 | kSha256);
    for (int round = 0; round < 200; ++round) {
        const size_t len = next() % bytes.size();
        h.begin();
        if (round % 3 == 0) {  // a spoiled file first: nothing of it may reach the next
            h.update(bytes.data(), 100);
            h.spoil();
            EXPECT_EQ(h.finish().present, 0);
            h.begin();
        }
        const size_t max_piece = round % 2 ? 80 : 3000;
        for (size_t at = 0; at < len;) {
            const size_t n = std::min<size_t>(len - at, next() % max_piece);
            h.update(bytes.data() + at, n);
            at += n;
        }
        const FileDigests d = h.finish();
        const std::string_view want(bytes.data(), len);
        ASSERT_EQ(hex(d.sha256, 32), digest("SHA256", want)) << round;
        ASSERT_EQ(hex(d.sha1, 20), digest("SHA1", want)) << round;
        ASSERT_EQ(hex(d.md5, 16), digest("MD5", want)) << round;
    }
}

TEST(FileHash, SameDigestsAtEverySplit) {
    for (size_t split = 1; split < kMessage.size(); split += 7) {
        FileSink sink;
        FixedStringArena<65536> arena;
        MimeStreamParser p(all_hashes(), sink, arena);
        EmailMessage msg;
        p.begin(msg);
        p.feed(reinterpret_cast<const uint8_t *>(kMessage.data()), split);
        p.feed(reinterpret_cast<const uint8_t *>(kMessage.data()) + split, kMessage.size() - split);
        p.end();
        ASSERT_EQ(sink.got.size(), 2u) << split;
        ASSERT_EQ(hex(sink.got[0].digests.sha256, 32), digest("SHA256", kAttachment)) << "split at " << split;
        ASSERT_EQ(hex(sink.got[1].digests.sha256, 32), digest("SHA256", kMessage)) << "split at " << split;
    }
}

TEST(FileHash, GapLeavesNoDigestAndNothingIsHashedUnlessAsked) {
    FileSink sink;
    FixedStringArena<65536> arena;
    MimeStreamParser p(all_hashes(), sink, arena);
    EmailMessage msg;
    p.begin(msg);
    const size_t half = kMessage.size() / 2 + 100;  // inside the attachment's base64
    p.feed(reinterpret_cast<const uint8_t *>(kMessage.data()), half);
    p.on_gap();
    p.feed(reinterpret_cast<const uint8_t *>(kMessage.data()) + half + 40, kMessage.size() - half - 40);
    p.end();
    ASSERT_EQ(sink.got.size(), 2u);
    EXPECT_TRUE(sink.got[0].gap);
    EXPECT_EQ(sink.got[0].digests.present, 0);
    EXPECT_EQ(sink.got[1].digests.present, 0);

    FileSink plain;
    MimeStreamParser q(MimeLimits{}, plain, arena);
    q.begin(msg);
    q.feed(reinterpret_cast<const uint8_t *>(kMessage.data()), kMessage.size());
    q.end();
    ASSERT_EQ(plain.got.size(), 1u);  // the attachment; a message record only with hashes asked
    EXPECT_EQ(plain.got[0].digests.present, 0);
    EXPECT_EQ(plain.got[0].size, kAttachment.size());
}

// output.files.hash_messages false: attachments keep their digests, whole messages are neither
// hashed nor reported, unless messages are stored (named by their sha256).
TEST(FileHash, AttachmentsOnlyWhenMessagesAreNotHashed) {
    for (const bool store_messages : {false, true}) {
        MimeLimits l = all_hashes();
        l.hash_messages = false;
        if (store_messages) l.file_store = kStoreMessages;
        FileSink sink;
        FixedStringArena<65536> arena;
        MimeStreamParser p(l, sink, arena);
        EmailMessage msg;
        p.begin(msg);
        p.feed(reinterpret_cast<const uint8_t *>(kMessage.data()), kMessage.size());
        p.end();
        ASSERT_EQ(sink.got.size(), store_messages ? 2u : 1u);
        EXPECT_EQ(hex(sink.got[0].digests.sha256, 32), digest("SHA256", kAttachment));
        if (store_messages) {
            EXPECT_TRUE(sink.got[1].message);
            EXPECT_EQ(sink.got[1].digests.present, kSha256);
            EXPECT_EQ(hex(sink.got[1].digests.sha256, 32), digest("SHA256", kMessage));
        }
    }
}

TEST(FileHash, SmtpMessageIsHashedAfterDotUnstuffing) {
    const std::string body = "Subject: x\r\n\r\n.leading dot\r\nplain\r\n";
    FileSink sink;
    SmtpLimits limits;
    limits.mime = all_hashes();
    SmtpParser parser(sink, limits);
    test::feed(parser, {test::server("220 mx ESMTP\r\n"), test::client("EHLO c\r\n"), test::server("250 mx\r\n"),
                        test::client("MAIL FROM:<a@b>\r\n"), test::server("250 ok\r\n"),
                        test::client("RCPT TO:<c@d>\r\n"), test::server("250 ok\r\n"), test::client("DATA\r\n"),
                        test::server("354 go\r\n"),
                        test::client("Subject: x\r\n\r\n..leading dot\r\nplain\r\n.\r\n"),
                        test::server("250 queued\r\n")});
    ASSERT_EQ(sink.got.size(), 1u);
    EXPECT_EQ(hex(sink.got[0].digests.sha256, 32), digest("SHA256", body));
}

// Whole lines lying one after another in a segment are hashed and stored as one run, by
// reference (MimeParser::input_done): the digest and the stored bytes are the message's at every
// split, with each segment in a heap block freed after its call (ASan sees a run kept too long),
// and one byte at a time.
struct StoringSink : FileSink {
    std::string stored;
    uint32_t on_file_begin(const FileBegin &f) override { return f.message ? 7 : 0; }
    void on_file_data(uint32_t handle, const uint8_t *data, size_t len) override {
        if (handle == 7) stored.append(reinterpret_cast<const char *>(data), len);
    }
};

TEST(FileHash, SmtpMessageRunsHashAndStoreTheSameBytesAtEverySplit) {
    const std::string message = "Subject: runs\r\n\r\n" + kMessage.substr(kMessage.find("\r\n\r\n") + 4) + "last\n";
    std::string wire;  // dot-stuffed, with a bare LF line (hashed as sent)
    wire = "Subject: runs\r\n\r\n..dot\r\n" + message.substr(message.find("\r\n\r\n") + 4);
    const std::string expected = "Subject: runs\r\n\r\n.dot\r\n" + message.substr(message.find("\r\n\r\n") + 4);
    const std::vector<test::Step> steps = {
        test::server("220 mx ESMTP\r\n"), test::client("EHLO c\r\n"), test::server("250 mx\r\n"),
        test::client("MAIL FROM:<a@b>\r\n"), test::server("250 ok\r\n"), test::client("RCPT TO:<c@d>\r\n"),
        test::server("250 ok\r\n"), test::client("DATA\r\n"), test::server("354 go\r\n"),
        test::client(wire + ".\r\n"), test::server("250 queued\r\n")};
    const size_t total = test::total_bytes(steps);
    for (size_t split = 0; split <= total + 1; ++split) {
        StoringSink sink;
        SmtpLimits limits;
        limits.mime = all_hashes();
        limits.mime.file_store = kStoreMessages;
        SmtpParser parser(sink, limits);
        // Each piece in its own heap block, scribbled over once its call returns (as a freed
        // mbuf is reused), so a run kept past its call hashes the wrong bytes.
        size_t offset = 0;
        for (const test::Step &st : steps) {
            for (size_t at = 0; at < st.bytes.size();) {
                size_t n = st.bytes.size() - at;
                if (split == total + 1) n = 1;
                else if (split > offset + at && split < offset + st.bytes.size()) n = split - offset - at;
                std::vector<uint8_t> buf(st.bytes.begin() + static_cast<long>(at), st.bytes.begin() + static_cast<long>(at + n));
                parser.on_data(st.dir, buf.data(), buf.size());
                std::fill(buf.begin(), buf.end(), uint8_t{'X'});
                at += n;
            }
            offset += st.bytes.size();
        }
        ASSERT_FALSE(sink.got.empty()) << split;
        const FileEvent &m = sink.got.back();
        ASSERT_TRUE(m.message) << split;
        ASSERT_EQ(hex(m.digests.sha256, 32), digest("SHA256", expected)) << "split at " << split;
        ASSERT_EQ(sink.stored, expected) << "split at " << split;
    }
}

TEST(FileHash, ImapAppendedDraftAndItsAttachment) {
    FileSink sink;
    ImapLimits limits;
    limits.mime = all_hashes();
    ImapParser parser(sink, limits);
    test::feed(parser, test::imap_login_session_transcript());
    const std::string loot("PK\x03\x04\x14\x00\x00\x00\x08\x00", 10);  // "UEsDBBQAAAAIAA==" decoded
    bool attachment = false, draft = false;
    for (size_t i = 0; i < sink.got.size(); ++i) {
        if (sink.names[i] == "loot.zip") attachment = hex(sink.got[i].digests.sha256, 32) == digest("SHA256", loot);
        if (sink.got[i].message && sink.got[i].size == test::kDraftMessage.size())
            draft = draft || hex(sink.got[i].digests.sha256, 32) == digest("SHA256", test::kDraftMessage);
    }
    EXPECT_TRUE(attachment);
    EXPECT_TRUE(draft);
}

}  // namespace
}  // namespace postern::proto
