#include "proto/detect/protocol_detector.hpp"

#include <gtest/gtest.h>

#include <string>

#include "proto/detect/midstream_lines.hpp"
#include "proto/detect/tls_client_hello.hpp"
#include "recording_sink.hpp"

namespace postern::proto {
namespace {

using stream::Direction;

// A TLS 1.2/1.3 ClientHello record with the given SNI (and a dummy extension before it).
std::string client_hello(const std::string &sni) {
    std::string ext;
    auto u16 = [](std::string &s, size_t v) { s += char(v >> 8), s += char(v & 0xFF); };
    u16(ext, 0x000b), u16(ext, 2), ext += std::string("\x01\x00", 2);  // ec_point_formats
    std::string name;
    name += '\0', u16(name, sni.size()), name += sni;
    std::string list;
    u16(list, name.size()), list += name;
    u16(ext, 0x0000), u16(ext, list.size()), ext += list;
    std::string body = std::string("\x03\x03", 2) + std::string(32, 'R');
    body += char(0);  // session id
    u16(body, 2), body += std::string("\x13\x01", 2);  // one suite
    body += char(1), body += char(0);  // null compression
    u16(body, ext.size()), body += ext;
    std::string hs;
    hs += char(1), hs += char(0), u16(hs, body.size()), hs += body;
    std::string rec = std::string("\x16\x03\x01", 3);
    u16(rec, hs.size());
    return rec + hs;
}

Detection client_says(const std::string &s) { return detect_client_start(s); }
Detection server_says(const std::string &s) { return detect_server_start(s); }

// Sessions picked up in the middle of a message: the first line of each side says nothing.
TEST(ProtoDetect, MidstreamLinesNameTheProtocol) {
    const std::string body = "we met on Tuesday and agreed on the budget\r\nsee you\r\n";
    EXPECT_EQ(detect_server_midstream(body + "250 2.0.0 Ok: queued\r\n", 25).protocol, Protocol::Smtp);
    EXPECT_EQ(detect_server_midstream(body + ".\r\n+OK bye\r\n", 110).protocol, Protocol::Pop3);
    EXPECT_EQ(detect_server_midstream(body + ")\r\na5 OK Fetch completed.\r\n", 143).protocol, Protocol::Imap);
    EXPECT_EQ(detect_client_midstream(body + ".\r\nMAIL FROM:<a@b>\r\n", 25).protocol, Protocol::Smtp);
    EXPECT_EQ(detect_client_midstream("DELE 1\r\n", 110).protocol, Protocol::Pop3);
    EXPECT_EQ(detect_client_midstream("a9 UID STORE 3 +FLAGS (\\Deleted)\r\n", 143).protocol, Protocol::Imap);
    // Message lines alone: mail, and the port says which protocol.
    const Detection headers = detect_client_midstream("Subject: hello\r\nFrom: a@b\r\n\r\ntext\r\n", 587);
    EXPECT_EQ(headers.protocol, Protocol::Smtp);
    EXPECT_EQ(headers.confidence, Confidence::Low);
    EXPECT_EQ(detect_client_midstream("Subject: hello\r\n", 8080).protocol, Protocol::Unknown);
    EXPECT_EQ(detect_client_midstream("GET / HTTP/1.1\r\nHost: x\r\n", 25).protocol, Protocol::Unknown);
    EXPECT_EQ(detect_server_midstream("HTTP/1.1 200 OK\r\nServer: x\r\n", 25).protocol, Protocol::Unknown);
}

// The detector in mid-stream mode decides the same at every split of the bytes.
TEST(ProtoDetect, MidstreamDetectorAtEverySplit) {
    std::string server;
    for (int i = 0; i < 6; ++i) server += "Line " + std::to_string(i) + " of a message body\r\n";
    server += ".\r\n+OK Marked to be deleted.\r\n";
    const std::string client = "DELE 1\r\nQUIT\r\n";
    for (size_t cut = 0; cut <= server.size(); ++cut) {
        ProtocolDetector d;
        d.set_midstream(110);
        const auto *p = reinterpret_cast<const uint8_t *>(server.data());
        d.on_data(Direction::ToClient, p, cut);
        d.on_data(Direction::ToClient, p + cut, server.size() - cut);
        d.on_data(Direction::ToServer, reinterpret_cast<const uint8_t *>(client.data()), client.size());
        ASSERT_TRUE(d.done()) << cut;
        EXPECT_EQ(d.result().protocol, Protocol::Pop3) << cut;
        EXPECT_EQ(d.result().confidence, Confidence::High) << cut;  // both sides agree
    }
    ProtocolDetector fresh;  // without mid-stream mode the first lines alone decide: nothing
    fresh.on_data(Direction::ToClient, reinterpret_cast<const uint8_t *>(server.data()), server.size());
    fresh.on_data(Direction::ToServer, reinterpret_cast<const uint8_t *>(client.data()), client.size());
    EXPECT_EQ(fresh.result().protocol, Protocol::Unknown);
}

TEST(ProtoDetect, Greetings) {
    EXPECT_EQ(server_says("220 mx.example.com ESMTP Postfix\r\n").protocol, Protocol::Smtp);
    EXPECT_EQ(server_says("220 mx.example.com ESMTP Postfix\r\n").confidence, Confidence::High);
    EXPECT_EQ(server_says("220 hello\r\n").confidence, Confidence::Medium);
    EXPECT_EQ(server_says("220 ProFTPD Server ready\r\n").protocol, Protocol::Unknown);
    EXPECT_EQ(server_says("+OK Dovecot ready.\r\n").protocol, Protocol::Pop3);
    EXPECT_EQ(server_says("* OK [CAPABILITY IMAP4rev1] ready\r\n").protocol, Protocol::Imap);
    EXPECT_EQ(server_says("* PREAUTH hi\r\n").protocol, Protocol::Imap);
    EXPECT_EQ(server_says("HTTP/1.1 200 OK\r\n").protocol, Protocol::Unknown);
}

TEST(ProtoDetect, FirstCommands) {
    EXPECT_EQ(client_says("EHLO laptop\r\n").protocol, Protocol::Smtp);
    EXPECT_EQ(client_says("USER bob\r\n").protocol, Protocol::Pop3);
    EXPECT_EQ(client_says("a001 CAPABILITY\r\n").protocol, Protocol::Imap);
    EXPECT_EQ(client_says("A1 login bob secret\r\n").protocol, Protocol::Imap);
    EXPECT_EQ(client_says("GET / HTTP/1.1\r\n").protocol, Protocol::Unknown);
}

TEST(ProtoDetect, TlsClientHelloWithSni) {
    const std::string hello = client_hello("mail.example.com");
    std::string_view sni;
    EXPECT_EQ(probe_tls(reinterpret_cast<const uint8_t *>(hello.data()), hello.size(), sni), TlsProbe::ClientHello);
    EXPECT_EQ(sni, "mail.example.com");
    // Cut short: wait for more.
    EXPECT_EQ(probe_tls(reinterpret_cast<const uint8_t *>(hello.data()), 20, sni), TlsProbe::NeedMore);
}

TEST(ProtoDetect, DetectorAcrossSegmentsReportsSniOnce) {
    test::RecordingSink sink;
    ProtocolDetector d(&sink);
    const std::string hello = client_hello("imap.example.org");
    for (size_t i = 0; i < hello.size(); ++i) {
        EXPECT_FALSE(d.done()) << i;
        d.on_data(Direction::ToServer, reinterpret_cast<const uint8_t *>(hello.data()) + i, 1);
    }
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.result().protocol, Protocol::Tls);
    EXPECT_EQ(d.result().sni, "imap.example.org");
    EXPECT_EQ(sink.count_prefix("field tls.sni=imap.example.org"), 1u);
    EXPECT_EQ(implicit_tls_protocol(993), Protocol::Imap);
}

TEST(ProtoDetect, BothDirectionsAgree) {
    ProtocolDetector d;
    const std::string greet = "220 hi\r\n";
    d.on_data(Direction::ToClient, reinterpret_cast<const uint8_t *>(greet.data()), greet.size());
    EXPECT_EQ(d.result().confidence, Confidence::Medium);
    EXPECT_FALSE(d.done());
    const std::string ehlo = "EHLO x\r\n";
    d.on_data(Direction::ToServer, reinterpret_cast<const uint8_t *>(ehlo.data()), ehlo.size());
    EXPECT_EQ(d.result().protocol, Protocol::Smtp);
    EXPECT_EQ(d.result().confidence, Confidence::High);
    EXPECT_TRUE(d.done());
}

TEST(ProtoDetect, BufferedBytesCanBeReplayed) {
    ProtocolDetector d;
    const std::string greet = "220 mx ESMTP\r\n";
    d.on_data(Direction::ToClient, reinterpret_cast<const uint8_t *>(greet.data()), 5);
    d.on_data(Direction::ToClient, reinterpret_cast<const uint8_t *>(greet.data()) + 5, greet.size() - 5);
    EXPECT_EQ(d.buffered(Direction::ToClient), greet);
    EXPECT_TRUE(d.buffered(Direction::ToServer).empty());
}

TEST(ProtoDetect, GarbageIsUnknownAndSettles) {
    ProtocolDetector d;
    const std::string junk(600, '\x01');
    d.on_data(Direction::ToClient, reinterpret_cast<const uint8_t *>(junk.data()), junk.size());
    d.on_data(Direction::ToServer, reinterpret_cast<const uint8_t *>(junk.data()), junk.size());
    const std::string more = "x\n";
    d.on_data(Direction::ToServer, reinterpret_cast<const uint8_t *>(more.data()), more.size());
    EXPECT_EQ(d.result().protocol, Protocol::Unknown);
    EXPECT_TRUE(d.done());
}

}  // namespace
}  // namespace postern::proto
