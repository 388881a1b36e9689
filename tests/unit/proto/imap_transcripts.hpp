// Realistic IMAP transcripts shared by the parser and split-invariance tests.
#pragma once

#include <string>
#include <vector>

#include "recording_sink.hpp"
#include "transcripts.hpp"

namespace postern::proto::test {

inline std::string literal(const std::string &bytes, bool nonsync = false) {
    return "{" + std::to_string(bytes.size()) + (nonsync ? "+" : "") + "}\r\n";
}

inline const std::string kImapGreeting =
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot ready.\r\n";

// A draft with an attachment, as a client uploads it with APPEND (IMAP does no dot-stuffing).
inline const std::string kDraftMessage =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.com\r\n"
    "Subject: =?UTF-8?Q?Entw=C3=BCrfe_exfil?=\r\n"
    "Date: Fri, 27 Nov 2026 08:00:00 +0000\r\n"
    "Message-ID: <draft-1@example.org>\r\n"
    "User-Agent: DraftBot/2.0\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "cmd: whoami\r\n"
    ".just a dot line\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"loot.zip\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "UEsDBBQAAAAIAA==\r\n"
    "--b1--\r\n";

inline const std::string kSmallMessage =
    "From: c2@example.net\r\nTo: implant@example.org\r\nSubject: tasking 7\r\nX-Mailer: c2 0.1\r\n\r\nsleep 3600\r\n";

// LOGIN, CAPABILITY, LIST (with a modified UTF-7 name and a literal), SELECT "Drafts", SELECT a
// modified UTF-7 mailbox, APPEND {n} with \Draft after a "+", APPEND {n+} (LITERAL+), UID FETCH
// BODY.PEEK[] answered with a literal, STORE +FLAGS (\Deleted), EXPUNGE, IDLE/DONE, LOGOUT.
inline std::vector<Step> imap_login_session_transcript() {
    return with_ends({
        server(kImapGreeting),
        client("a001 CAPABILITY\r\n"),
        server("* CAPABILITY IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN UIDPLUS MOVE\r\n"
               "a001 OK Pre-login capabilities listed, post-login capabilities have more.\r\n"),
        client("a002 LOGIN alice \"s3cr3t pw\"\r\n"),
        server("a002 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS MOVE SPECIAL-USE COMPRESS=DEFLATE] Logged in\r\n"),
        client("a003 LIST \"\" \"*\"\r\n"),
        server("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
               "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"\r\n"
               "* LIST (\\HasNoChildren) \"/\" \"Entw&APw-rfe\"\r\n"
               "* LIST (\\HasNoChildren) \"/\" {12}\r\nTaxes \"2026\"\r\n"
               "a003 OK List completed (0.001 + 0.000 secs).\r\n"),
        client("a004 SELECT \"Drafts\"\r\n"),
        server("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* 3 EXISTS\r\n* 0 RECENT\r\n"
               "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n"
               "a004 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n"),
        client("a005 SELECT \"&ZeVnLIqe-\"\r\n"),
        server("* 0 EXISTS\r\na005 OK [READ-WRITE] Select completed.\r\n"),
        client("a006 SELECT Drafts\r\n"),
        server("* 3 EXISTS\r\na006 OK [READ-WRITE] Select completed.\r\n"),
        client("a007 APPEND Drafts (\\Draft) \"27-Nov-2026 08:00:00 +0000\" " + literal(kDraftMessage)),
        server("+ Ready for literal data\r\n"),
        client(kDraftMessage + "\r\n"),
        server("a007 OK [APPENDUID 3857529045 4] Append completed.\r\n"),
        client("a008 APPEND Drafts (\\Seen) " + literal(kSmallMessage, true) + kSmallMessage + "\r\n"),
        server("a008 OK [APPENDUID 3857529045 5] Append completed.\r\n"),
        client("a009 UID FETCH 5 (UID RFC822.SIZE FLAGS BODY.PEEK[])\r\n"),
        server("* 5 FETCH (UID 5 RFC822.SIZE " + std::to_string(kSmallMessage.size()) + " FLAGS (\\Seen) BODY[] " +
               literal(kSmallMessage) + kSmallMessage + ")\r\na009 OK Fetch completed.\r\n"),
        client("a010 STORE 1:3 +FLAGS (\\Deleted)\r\n"),
        server("* 1 FETCH (FLAGS (\\Deleted))\r\n* 2 FETCH (FLAGS (\\Deleted))\r\n* 3 FETCH (FLAGS (\\Deleted))\r\n"
               "a010 OK Store completed.\r\n"),
        client("a011 EXPUNGE\r\n"),
        server("* 3 EXPUNGE\r\n* 2 EXPUNGE\r\n* 1 EXPUNGE\r\na011 OK Expunge completed.\r\n"),
        client("a012 IDLE\r\n"),
        server("+ idling\r\n"),
        server("* 4 EXISTS\r\n"),
        client("DONE\r\n"),
        server("a012 OK Idle completed (0.002 + 1.000 secs).\r\n"),
        client("a013 LOGOUT\r\n"),
        server("* BYE Logging out\r\na013 OK Logout completed.\r\n"),
    });
}

// AUTHENTICATE PLAIN with a continuation, then COMPRESS=DEFLATE: opaque from there on.
inline std::vector<Step> imap_authenticate_compress_transcript() {
    return with_ends({
        server("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN COMPRESS=DEFLATE] ready\r\n"),
        client("A1 AUTHENTICATE PLAIN\r\n"),
        server("+ \r\n"),
        client(base64(std::string("\0bob\0hunter2", 12)) + "\r\n"),
        server("A1 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] Logged in\r\n"),
        client("A2 COMPRESS DEFLATE\r\n"),
        server("A2 OK DEFLATE active\r\n"),
        client(std::string("\x78\x9c\x0b\xc9\xc8\x2c\x56\x00\xa2\x44\x85\x92\xd4\xe2\x12\x00", 16)),
        server(std::string("\x78\x9c\x4b\x4c\x4a\x06\x00\x02\x4d\x01\x27", 11)),
    });
}

// STARTTLS: after OK the session is TLS and no longer parsed.
inline std::vector<Step> imap_starttls_transcript() {
    const std::string tls_client_hello("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10);
    return with_ends({
        server("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"),
        client("S1 STARTTLS\r\n"),
        server("S1 OK Begin TLS negotiation now.\r\n"),
        client(tls_client_hello + tls_record(23, "S2 LOGIN hidden secret\r\n")),
        server(std::string("\x16\x03\x03\x00\x02\x02\x00", 7)),
    });
}

// STARTTLS accepted, then cleartext both ways.
inline std::vector<Step> imap_fake_starttls_transcript() {
    return with_ends({
        server("* OK ready\r\n"),
        client("S1 STARTTLS\r\n"),
        server("S1 OK Begin TLS negotiation now.\r\n"),
        client("S2 SELECT Drafts\r\n"),
        server("S2 OK done\r\n"),
    });
}

// SASL-IR XOAUTH2, LOGIN-less; a FETCH of two messages (one as BINARY[] ~{n}, one headers only),
// a partial body, MOVE to a literal mailbox name, and LOGIN with literals in another session part.
inline std::vector<Step> imap_fetch_many_transcript() {
    const std::string header_only = "From: a@x\r\nSubject: headers only\r\n\r\n";
    const std::string partial = kSmallMessage.substr(0, 40);
    return with_ends({
        server("* PREAUTH [CAPABILITY IMAP4rev2 BINARY MOVE] pre-authenticated\r\n"),
        client("t1 SELECT INBOX\r\n"),
        server("* 2 EXISTS\r\nt1 OK [READ-WRITE] done\r\n"),
        client("t2 FETCH 1:2 (BINARY.PEEK[] BODY.PEEK[HEADER])\r\n"),
        server("* 1 FETCH (BINARY[] ~" + literal(kSmallMessage) + kSmallMessage + " BODY[HEADER] " + literal(header_only) +
               header_only + ")\r\n* 2 FETCH (BINARY[] ~" + literal(kDraftMessage) + kDraftMessage + " BODY[HEADER] " +
               literal(header_only) + header_only + " UID 99)\r\nt2 OK done\r\n"),
        client("t3 UID FETCH 7 BODY.PEEK[]<0.40>\r\n"),
        server("* 3 FETCH (UID 7 BODY[]<0> " + literal(partial) + partial + ")\r\nt3 OK done\r\n"),
        client("t4 FETCH 1 (BODY[TEXT] BODY[1.MIME])\r\n"),
        server("* 1 FETCH (BODY[TEXT] {12}\r\nsleep 3600\r\n BODY[1.MIME] {0}\r\n)\r\nt4 OK done\r\n"),
        client("t5 UID MOVE 7 {8+}\r\nArchive!\r\n"),
        server("* OK [COPYUID 1 7 9] moved\r\n* 3 EXPUNGE\r\nt5 OK done\r\n"),
        client("t6 LOGOUT\r\n"),
        server("* BYE bye\r\nt6 OK bye\r\n"),
    });
}

// LOGIN with both arguments as synchronising literals (each after a "+").
inline std::vector<Step> imap_login_literals_transcript() {
    return with_ends({
        server("* OK ready\r\n"),
        client("L1 LOGIN {5}\r\n"),
        server("+ OK\r\n"),
        client("carol {9}\r\n"),
        server("+ OK\r\n"),
        client("pa ss\"wd!\r\n"),
        server("L1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
        client("L2 LOGOUT\r\n"),
        server("* BYE\r\nL2 OK\r\n"),
    });
}

// AUTHENTICATE LOGIN (two challenges), then XOAUTH2 with an initial response (SASL-IR, RFC 4959)
// that the server refuses with a JSON challenge the client acknowledges with an empty line.
inline std::vector<Step> imap_authenticate_login_xoauth2_transcript() {
    return with_ends({
        server("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=LOGIN AUTH=XOAUTH2] ready\r\n"),
        client("x1 AUTHENTICATE LOGIN\r\n"),
        server("+ VXNlcm5hbWU6\r\n"),
        client(base64("dave") + "\r\n"),
        server("+ UGFzc3dvcmQ6\r\n"),
        client(base64("wrong-pw") + "\r\n"),
        server("x1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
        client("x2 AUTHENTICATE XOAUTH2 " + base64("user=dave@example.com\x01" "auth=Bearer ya29.tok\x01\x01") + "\r\n"),
        server("+ eyJzdGF0dXMiOiI0MDEifQ==\r\n"),
        client("\r\n"),
        server("x2 NO [AUTHENTICATIONFAILED] invalid token\r\n"),
        client("x3 LOGOUT\r\n"),
        server("* BYE\r\nx3 OK\r\n"),
    });
}

// STARTTLS accepted by a line longer than the parser keeps: TLS starts after that line's end.
inline std::vector<Step> imap_starttls_by_long_line_transcript() {
    const std::string tls_client_hello("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10);
    return with_ends({
        server("* OK ready\r\n"),
        client("S1 STARTTLS\r\n"),
        server("S1 OK " + std::string(3000, 'x') + "\r\n"),
        client(tls_client_hello + tls_record(23, "S2 LOGIN hidden secret\r\n")),
        server(std::string("\x16\x03\x03\x00\x02\x02\x00", 7)),
    });
}

}  // namespace postern::proto::test
