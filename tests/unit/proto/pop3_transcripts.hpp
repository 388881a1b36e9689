// Realistic POP3 transcripts shared by the parser and split-invariance tests.
#pragma once

#include <string>
#include <vector>

#include "recording_sink.hpp"
#include "transcripts.hpp"

namespace postern::proto::test {

// kMultipartMessage (transcripts.hpp) is dot-stuffed for SMTP; POP3 stuffs the same way.
inline const std::string kPop3Greeting = "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n";

// USER/PASS, CAPA, STAT/LIST/UIDL, RETR of a dot-stuffed multipart message with an attachment,
// TOP, DELE, QUIT.
inline std::vector<Step> pop3_user_pass_transcript() {
    return with_ends({
        server(kPop3Greeting),
        client("CAPA\r\n"),
        server("+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN\r\nRESP-CODES\r\nPIPELINING\r\n"
               "UIDL\r\nSTLS\r\nIMPLEMENTATION Example-POP3\r\n.\r\n"),
        client("USER alice\r\n"),
        server("+OK alice is welcome here\r\n"),
        client("PASS s3cr3t pass\r\n"),
        server("+OK alice's maildrop has 2 messages (1820 octets)\r\n"),
        client("STAT\r\n"),
        server("+OK 2 1820\r\n"),
        client("LIST\r\n"),
        server("+OK 2 messages (1820 octets)\r\n1 1500\r\n2 320\r\n.\r\n"),
        client("UIDL 2\r\n"),
        server("+OK 2 QhdPYR:00WBw1Ph7x7\r\n"),
        client("RETR 1\r\n"),
        server("+OK 1500 octets\r\n" + kMultipartMessage + ".\r\n"),
        client("TOP 2 1\r\n"),
        server("+OK top of message follows\r\nFrom: carol@example.com\r\nSubject: second\r\n\r\nfirst line\r\n.\r\n"),
        client("DELE 1\r\n"),
        server("+OK message 1 deleted\r\n"),
        client("QUIT\r\n"),
        server("+OK dewey POP3 server signing off (1 message left)\r\n"),
    });
}

// APOP login, then a pipelined burst (RFC 2449 PIPELINING) answered in one segment.
inline std::vector<Step> pop3_apop_pipelined_transcript() {
    return with_ends({
        server(kPop3Greeting),
        client("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"),
        server("+OK mrose's maildrop has 2 messages (320 octets)\r\n"),
        client("STAT\r\nLIST 1\r\nUIDL\r\nRETR 2\r\nNOOP\r\n"),
        server("+OK 2 320\r\n+OK 1 120\r\n+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"
               "+OK 200 octets\r\nSubject: pipelined\r\nX-Mailer: pipe 1.0\r\n\r\n..leading dot\r\n.\r\n+OK\r\n"),
        client("QUIT\r\n"),
        server("+OK bye\r\n"),
    });
}

// AUTH PLAIN with an empty initial response and a "+ " continuation (RFC 5034).
inline std::vector<Step> pop3_auth_plain_transcript() {
    return with_ends({
        server("+OK Dovecot ready.\r\n"),
        client("AUTH PLAIN\r\n"),
        server("+ \r\n"),
        client(base64(std::string("\0bob\0hunter2", 12)) + "\r\n"),
        server("+OK Logged in.\r\n"),
        client("STAT\r\n"),
        server("+OK 0 0\r\n"),
        client("QUIT\r\n"),
        server("+OK Logging out.\r\n"),
    });
}

// CAPA, then STLS (RFC 2595): after +OK the session is TLS and no longer parsed.
inline std::vector<Step> pop3_stls_transcript() {
    const std::string tls_client_hello("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10);
    return with_ends({
        server("+OK Dovecot ready.\r\n"),
        client("CAPA\r\n"),
        server("+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nSTLS\r\nSASL PLAIN\r\n.\r\n"),
        client("STLS\r\n"),
        server("+OK Begin TLS negotiation now.\r\n"),
        client(tls_client_hello + tls_record(23, "USER hidden\r\n")),
        server(std::string("\x16\x03\x03\x00\x02\x02\x00", 7)),
    });
}

// STLS accepted, then cleartext: the first TLS record is real, what follows is not.
inline std::vector<Step> pop3_fake_stls_transcript() {
    return with_ends({
        server("+OK ready\r\n"),
        client("STLS\r\n"),
        server("+OK Begin TLS negotiation now.\r\n"),
        client(tls_record(22, "hello") + "USER task\r\n"),
        server("+OK\r\n"),
    });
}

// AUTH LOGIN with two challenges, then a -ERR and a retry.
inline std::vector<Step> pop3_auth_login_transcript() {
    return with_ends({
        server("+OK ready\r\n"),
        client("AUTH LOGIN\r\n"),
        server("+ VXNlcm5hbWU6\r\n"),
        client(base64("carol") + "\r\n"),
        server("+ UGFzc3dvcmQ6\r\n"),
        client(base64("wrong") + "\r\n"),
        server("-ERR [AUTH] Authentication failed.\r\n"),
        client("AUTH PLAIN " + base64(std::string("\0carol\0right", 12)) + "\r\n"),
        server("+OK Logged in.\r\n"),
        client("LIST\r\n"),
        server("+OK 0 messages\r\n.\r\n"),
        client("QUIT\r\n"),
        server("+OK Logging out.\r\n"),
    });
}

// STLS accepted by a line longer than the parser keeps: TLS starts after that line's end, so the
// rest of the line is not taken for TLS (found by fuzz_pop3: the result depended on the split).
inline std::vector<Step> pop3_stls_by_long_line_transcript() {
    const std::string tls_client_hello("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10);
    return with_ends({
        server("+OK ready\r\n"),
        client("STLS\r\n"),
        server("+OK " + std::string(1500, 'x') + "\r\n"),
        client(tls_client_hello + tls_record(23, "USER hidden\r\n")),
        server(std::string("\x16\x03\x03\x00\x02\x02\x00", 7)),
    });
}

}  // namespace postern::proto::test
