#include "proto/detect/protocol_detector.hpp"

#include <gtest/gtest.h>

#include <string>

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
