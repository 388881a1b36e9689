// Token shapes, file magic and the MIME parser's part-end event (split at every byte boundary).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "proto/mime/file_magic.hpp"
#include "detect/session_detectors.hpp"
#include "detect/text_shape.hpp"
#include "proto/mime/mime_parser.hpp"

namespace postern::detect {
namespace {

using proto::declared_kind;
using proto::executable_extension;
using proto::FileKind;
using proto::sniff_magic;
using proto::zip_encrypted;

TEST(DetectShape, Base64AndHexTokensAreFoundTextIsNot) {
    const std::string b64 = "U2VjcmV0IGNvbW1hbmQ6IHdob2FtaSAmJiBpcGNvbmZpZyAvYWxsIHw=";
    EXPECT_EQ(classify_token(b64), TokenShape::Base64);
    EXPECT_EQ(classify_token("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), TokenShape::Hex);
    EXPECT_EQ(classify_token("QuarterlyReportFinal"), TokenShape::Text);  // no digit
    EXPECT_EQ(classify_token("caf\xC3\xA9"), TokenShape::Text);
    EXPECT_EQ(classify_token(std::string("a\x01" "b", 3)), TokenShape::Binary);
    EXPECT_EQ(find_encoded_token("Re: " + b64, 32, 4.2, 3.0).shape, TokenShape::Base64);
    EXPECT_EQ(find_encoded_token("Quarterly report for the board meeting next Tuesday", 32, 4.2, 3.0).shape,
              TokenShape::Text);
    // Non-Latin subjects arrive decoded: UTF-8 text, not base64.
    EXPECT_EQ(find_encoded_token("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80", 8, 4.2, 3.0)
                  .shape,
              TokenShape::Text);
    EXPECT_GT(shannon_entropy(b64), 4.2);
    EXPECT_LT(shannon_entropy("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 0.1);
}

TEST(DetectShape, ProviderHeadersAreExempt) {
    EXPECT_TRUE(provider_header("X-Microsoft-Antispam-Message-Info"));
    EXPECT_TRUE(provider_header("x-gm-message-state"));
    EXPECT_FALSE(provider_header("X-Session-Data"));
}

TEST(DetectShape, OnlyDataSizedMessageIdsAreFlagged) {
    const EncodedFieldConfig c;
    DetectorAlert a;
    // Gmail's and Outlook's: random by design, far below 128 characters.
    EXPECT_FALSE(check_message_id(c, "<CAKd8Jq3Zx9vP2sW7mYtR4nB6cLfH1gE0uA5oI8eD3kV2jN9wQ@mail.gmail.com>", a));
    EXPECT_FALSE(check_message_id(c, "<AM0PR04MB71234D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9@AM0PR04MB7123.eurprd04.prod.outlook.com>", a));
    std::string blob;
    for (int i = 0; i < 160; ++i) blob += "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[(i * 37 + i / 7) % 64];
    ASSERT_TRUE(check_message_id(c, "<" + blob + "@ws-0999.corp.example>", a));
    EXPECT_EQ(a.id, DetectorId::EncodedHumanField);
    EXPECT_FALSE(check_message_id(c, "<" + std::string(160, 'a') + "@x>", a));  // long, but not data
}

TEST(DetectShape, HexIdentifiersInIdHeadersAreNotData) {
    const EncodedFieldConfig c;
    DetectorAlert a;
    const std::string md5 = "9209dcb468e07e032fd0db161b56bb9a";  // a newsletter's X-Campaign-ID
    EXPECT_FALSE(check_encoded_field(c, "email.header", "X-Campaign-ID", md5, a));
    EXPECT_FALSE(check_encoded_field(c, "email.header", "x-request-id", md5 + md5, a));  // 64: SHA-256
    EXPECT_TRUE(check_encoded_field(c, "email.header", "X-Campaign-ID", md5 + md5 + md5, a));  // more than an id
    EXPECT_TRUE(check_encoded_field(c, "email.header", "X-Campaign", md5, a));  // not named as an id
    EXPECT_TRUE(check_encoded_field(c, "email.header", "X-Session-ID",
                                    "U2VjcmV0IGNvbW1hbmQ6IHdob2FtaSAmJiBpcGNvbmZpZyAvYWxsIHw=", a));  // base64
}

TEST(DetectShape, MagicAndDeclaredKinds) {
    EXPECT_EQ(sniff_magic("%PDF-1.7"), FileKind::Pdf);
    EXPECT_EQ(sniff_magic("MZ\x90"), FileKind::Executable);
    EXPECT_EQ(sniff_magic(std::string("PK\x03\x04\x14\x00\x01\x00", 8)), FileKind::Zip);
    EXPECT_TRUE(zip_encrypted(std::string("PK\x03\x04\x14\x00\x01\x00", 8)));
    EXPECT_FALSE(zip_encrypted(std::string("PK\x03\x04\x14\x00\x00\x00", 8)));
    EXPECT_EQ(declared_kind("application/pdf", "x.pdf"), FileKind::Pdf);
    EXPECT_EQ(declared_kind("application/octet-stream", "invoice.PDF"), FileKind::Pdf);
    EXPECT_EQ(declared_kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx"),
              FileKind::Zip);
    EXPECT_EQ(declared_kind("application/pkcs7-signature", "smime.p7s"), FileKind::Unknown);
    EXPECT_TRUE(executable_extension("update.js"));
    EXPECT_FALSE(executable_extension("report.pdf"));
}

struct PartSink : proto::NullEventSink {
    std::vector<proto::MimePartEnd> parts;
    std::vector<std::string> heads, types;
    void on_part_end(const proto::MimePartEnd &p) override {
        parts.push_back(p);
        heads.emplace_back(p.head);
        types.emplace_back(p.content_type);
    }
};

std::string b64(const std::string &in) {
    static const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8 | uint8_t(in[i + 2]);
        out += a[v >> 18], out += a[(v >> 12) & 63], out += a[(v >> 6) & 63], out += a[v & 63];
        if (out.size() % 78 == 76) out += "\r\n";
    }
    if (i + 1 == in.size()) {
        const uint32_t v = uint8_t(in[i]) << 16;
        out += a[v >> 18], out += a[(v >> 12) & 63], out += "==";
    } else if (i + 2 == in.size()) {
        const uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8;
        out += a[v >> 18], out += a[(v >> 12) & 63], out += a[(v >> 6) & 63], out += '=';
    }
    return out;
}

std::string message_with(const std::string &type, const std::string &name, const std::string &data) {
    return "From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
           "--b1\r\nContent-Type: " + type + "; name=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n" + b64(data) + "\r\n--b1--\r\n";
}

std::string png_with_tail(size_t tail) {
    std::string png("\x89PNG\r\n\x1A\n", 8);
    png += std::string("\0\0\0\x0DIHDR", 8) + std::string(13, '\x01') + "CRC!";
    png += std::string("\0\0\0\0IEND\xAE\x42\x60\x82", 12);
    for (size_t i = 0; i < tail; ++i) png += static_cast<char>(i * 37 + 11);
    return png;
}

// The part-end events of `msg` fed to the message parser `chunk` bytes at a time.
PartSink parts_of(const std::string &msg, size_t chunk) {
    PartSink sink;
    proto::FixedStringArena<8192> arena;
    proto::EmailMessage m;
    proto::MimeStreamParser p({}, sink, arena);
    p.begin(m);
    for (size_t i = 0; i < msg.size(); i += chunk) {
        const std::string piece = msg.substr(i, chunk);
        p.feed(reinterpret_cast<const uint8_t *>(piece.data()), piece.size());
    }
    p.end();
    return sink;
}

TEST(DetectShape, PartEndReportsHeadAndBytesAfterPngIendAtEverySplit) {
    const std::string msg = message_with("image/png", "cat.png", png_with_tail(300));
    for (size_t chunk = 1; chunk <= msg.size(); chunk += (chunk < 64 ? 1 : 97)) {
        const PartSink sink = parts_of(msg, chunk);
        ASSERT_EQ(sink.parts.size(), 2u) << chunk;
        EXPECT_FALSE(sink.parts[0].attachment);
        EXPECT_EQ(sink.types[1], "image/png");
        EXPECT_EQ(sink.heads[1].substr(0, 8), std::string("\x89PNG\r\n\x1A\n", 8));
        EXPECT_TRUE(sink.parts[1].end_marker) << chunk;
        EXPECT_EQ(sink.parts[1].after_end_marker, 300u) << chunk;
        EXPECT_EQ(sink.parts[1].decoded_bytes, png_with_tail(300).size());
    }
}

// A script's base64 of a whole file in one line (what the e2e long-line implant APPENDs) is
// flagged at every split, at 999 octets and beyond the line assembler's limit; 76 and 998 are not.
TEST(DetectShape, PartEndFlagsEncodedLinesOverTheRfcLimitAtEverySplit) {
    std::string data;
    for (int i = 0; i < 6000; ++i) data += static_cast<char>(i * 131 + 7);
    std::string one_line = b64(data);
    one_line.erase(std::remove(one_line.begin(), one_line.end(), '\r'), one_line.end());
    one_line.erase(std::remove(one_line.begin(), one_line.end(), '\n'), one_line.end());
    struct Case {
        std::string body;
        bool flagged;
    };
    const Case cases[] = {{b64(data), false},
                          {one_line, true},
                          {one_line.substr(0, 998), false},
                          {one_line.substr(0, 999), true}};
    for (const Case &k : cases) {
        const std::string &body = k.body;
        const std::string msg = "From: a@example.com\r\nContent-Type: application/octet-stream\r\n"
                                "Content-Transfer-Encoding: base64\r\n\r\n" + body + "\r\n";
        for (size_t chunk = 1; chunk <= msg.size(); chunk += (chunk < 40 ? 1 : 211)) {
            const PartSink sink = parts_of(msg, chunk);
            ASSERT_EQ(sink.parts.size(), 1u) << chunk;
            EXPECT_EQ(sink.parts[0].long_encoded_line, k.flagged) << body.size() << " at chunk " << chunk;
        }
    }
}

TEST(DetectShape, AttachmentChecks) {
    AttachmentConfig c;
    proto::MimePartEnd p;
    p.attachment = true;
    p.content_type = "application/pdf";
    p.filename = "invoice.pdf";
    std::string head("MZ\x90\0\x03\0\0\0", 8);
    p.head = head;
    DetectorAlert out[2];
    ASSERT_EQ(check_part(c, p, out), 1);
    EXPECT_EQ(out[0].id, DetectorId::ExecutableAttachment);
    head = "%PDF-1.7\n";
    p.head = head;
    EXPECT_EQ(check_part(c, p, out), 0);
    p.content_type = "image/jpeg", p.filename = "a.jpg";
    head = "\xFF\xD8\xFF\xE0";
    p.head = head;
    p.end_marker = true, p.after_end_marker = 5000;
    ASSERT_EQ(check_part(c, p, out), 1);
    EXPECT_EQ(out[0].id, DetectorId::ImageTrailingData);
    p.after_end_marker = 10;  // a few padding bytes: normal
    EXPECT_EQ(check_part(c, p, out), 0);
}

}  // namespace
}  // namespace postern::detect
