// Realistic SMTP transcripts shared by the parser, split-invariance and EVE tests.
#pragma once

#include <string>
#include <vector>

#include "recording_sink.hpp"

namespace postern::proto::test {

inline std::string base64(std::string_view in) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const uint32_t v = uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
        for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
    }
    if (i + 1 == in.size()) {
        const uint32_t v = uint32_t(uint8_t(in[i])) << 16;
        out += kAlphabet[(v >> 18) & 63], out += kAlphabet[(v >> 12) & 63], out += "==";
    } else if (i + 2 == in.size()) {
        const uint32_t v = uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8;
        out += kAlphabet[(v >> 18) & 63], out += kAlphabet[(v >> 12) & 63], out += kAlphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

inline const std::string kEhloReply =
    "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2\r\n"
    "250-8BITMIME\r\n250-CHUNKING\r\n250 STARTTLS\r\n";

// A nested multipart message with encoded words, a QP body, dot-stuffing and an attachment whose
// name is RFC 2231-encoded. As sent on the wire (dot-stuffed), without the final ".".
inline const std::string kMultipartMessage =
    "From: =?UTF-8?B?QWxpY2Ugw4l2ZQ==?= <alice@example.org>\r\n"
    "To: bob@example.com, \"Carol, C.\" <carol@example.com>\r\n"
    "Cc: =?ISO-8859-1?Q?Dav=E9?= <dave@example.com>\r\n"
    "Subject: =?UTF-8?Q?Quarterly_r=C3=A9port?=\r\n =?UTF-8?Q?_attached?=\r\n"
    "Date: Fri, 27 Nov 2026 08:00:00 +0000\r\n"
    "Message-ID: <1234@example.org>\r\n"
    "X-Mailer: PostMailer 1.0\r\n"
    "X-Campaign: q4\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed;\r\n boundary=\"outer-bound\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--outer-bound\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Hello Bob, caf=C3=A9=\r\n"
    " time\r\n"
    "..dot-stuffed line\r\n"
    "--inner\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>Hello</p>\r\n"
    "--inner--\r\n"
    "--outer-bound\r\n"
    "Content-Type: application/octet-stream; name=\"report.bin\"\r\n"
    "Content-Disposition: attachment; filename*=utf-8''r%C3%A9port.bin\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "SGVsbG8gd29ybGQh\r\n"
    "--outer-bound--\r\n";

// Pipelining, AUTH PLAIN with an initial response, a rejected recipient, DATA with the message.
inline std::vector<Step> pipelined_auth_plain_transcript() {
    return with_ends({
        server("220 mail.example.com ESMTP Postfix\r\n"),
        client("EHLO client.example.org\r\n"),
        server(kEhloReply),
        client("AUTH PLAIN " + base64(std::string("\0alice\0s3cr3t", 13)) + "\r\n"),
        server("235 2.7.0 Authentication successful\r\n"),
        client("MAIL FROM:<alice@example.org> SIZE=1234 BODY=8BITMIME\r\n"
               "RCPT TO:<bob@example.com>\r\nRCPT TO:<carol@example.com>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\n"),
        server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 no such user\r\n354 End data\r\n"),
        client(kMultipartMessage + ".\r\n"),
        server("250 2.0.0 Ok: queued as ABC\r\n"),
        client("QUIT\r\n"),
        server("221 2.0.0 Bye\r\n"),
    });
}

// AUTH LOGIN, then a message in two BDAT chunks, the first ending inside a header line.
inline std::vector<Step> bdat_auth_login_transcript() {
    const std::string chunk1 = "From: bob@example.net\r\nSubject: chunk";
    const std::string chunk2 = "ed\r\nX-Mailer: bdat-test\r\n\r\nbody line\r\n";
    return with_ends({
        server("220 mx.example.com ESMTP\r\n"),
        client("EHLO c.example.net\r\n"),
        server("250-mx.example.com\r\n250-CHUNKING\r\n250 AUTH LOGIN\r\n"),
        client("AUTH LOGIN\r\n"),
        server("334 VXNlcm5hbWU6\r\n"),
        client(base64("bob") + "\r\n"),
        server("334 UGFzc3dvcmQ6\r\n"),
        client(base64("hunter2") + "\r\n"),
        server("235 2.7.0 ok\r\n"),
        client("MAIL FROM:<bob@example.net>\r\nRCPT TO:<eve@example.org>\r\nBDAT " + std::to_string(chunk1.size()) +
               "\r\n" + chunk1 + "BDAT " + std::to_string(chunk2.size()) + " LAST\r\n" + chunk2),
        server("250 ok\r\n250 ok\r\n250 2.0.0 chunk ok\r\n250 2.0.0 message ok\r\n"),
        client("QUIT\r\n"),
        server("221 bye\r\n"),
    });
}

inline std::vector<Step> cram_md5_transcript() {
    return with_ends({
        server("220 mx ESMTP\r\n"),
        client("EHLO tim.example\r\n"),
        server("250-mx\r\n250 AUTH CRAM-MD5\r\n"),
        client("AUTH CRAM-MD5\r\n"),
        server("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
        client(base64("tim b913a602c7eda7a495b4e6e7334d3890") + "\r\n"),
        server("535 5.7.8 authentication failed\r\n"),
        client("QUIT\r\n"),
        server("221 bye\r\n"),
    });
}

inline std::vector<Step> xoauth2_starttls_transcript() {
    const std::string tls_client_hello("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10);
    return with_ends({
        server("220 smtp.example.com ESMTP\r\n"),
        client("EHLO laptop\r\n"),
        server("250-smtp.example.com\r\n250-AUTH XOAUTH2\r\n250 STARTTLS\r\n"),
        client("AUTH XOAUTH2 " + base64("user=someone@example.com\x01" "auth=Bearer ya29.token\x01\x01") + "\r\n"),
        server("334 eyJzdGF0dXMiOiI0MDEifQ==\r\n"),
        client("\r\n"),
        server("535 5.7.8 bad token\r\n"),
        client("STARTTLS\r\n"),
        server("220 2.0.0 Ready to start TLS\r\n"),
        client(tls_client_hello + tls_record(23, "MAIL FROM:<hidden@example.com>\r\n")),
        server(std::string("\x16\x03\x03\x00\x02\x02\x00", 7)),
    });
}

// A server that accepts STARTTLS and carries on in cleartext (both ends the attacker's).
inline std::vector<Step> smtp_fake_starttls_transcript() {
    return with_ends({
        server("220 c2.example ESMTP\r\n"),
        client("EHLO bot\r\n"),
        server("250-c2.example\r\n250 STARTTLS\r\n"),
        client("STARTTLS\r\n"),
        server("220 2.0.0 Ready to start TLS\r\n"),
        client("EHLO bot\r\n"),
        server("250 c2.example\r\n"),
        client("MAIL FROM:<task@c2.example>\r\n"),
        server("250 ok\r\n"),
    });
}

// STARTTLS accepted by a reply line longer than the parser keeps: TLS starts after that line's end.
inline std::vector<Step> smtp_starttls_by_long_line_transcript() {
    const std::string tls_client_hello("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10);
    return with_ends({
        server("220 mx.example ESMTP\r\n"),
        client("STARTTLS\r\n"),
        server("220 " + std::string(1500, 'x') + "\r\n"),
        client(tls_client_hello + tls_record(23, "MAIL FROM:<hidden@example.com>\r\n")),
        server(std::string("\x16\x03\x03\x00\x02\x02\x00", 7)),
    });
}

}  // namespace postern::proto::test
