#include "proto/imap/imap_parser.hpp"

#include <gtest/gtest.h>

#include "imap_recording_sink.hpp"
#include "imap_transcripts.hpp"

namespace postern::proto {
namespace {

using stream::Direction;
using test::client;
using test::ImapRecordingSink;
using test::server;
using test::Step;

ImapRecordingSink run(const std::vector<Step> &steps, const ImapLimits &limits = {}) {
    ImapRecordingSink sink;
    ImapParser parser(sink, limits);
    test::feed(parser, steps);
    return sink;
}

// Greeting, LOGIN and SELECT INBOX, then `middle`.
std::vector<Step> session(std::vector<Step> middle) {
    std::vector<Step> steps = {server("* OK ready\r\n"), client("a1 LOGIN u p\r\n"), server("a1 OK in\r\n"),
                               client("a2 SELECT INBOX\r\n"), server("* 1 EXISTS\r\na2 OK selected\r\n")};
    steps.insert(steps.end(), middle.begin(), middle.end());
    return test::with_ends(std::move(steps));
}

bool contains(const std::string &s, std::string_view part) { return s.find(part) != std::string::npos; }

const std::string *find_tx(const ImapRecordingSink &sink, std::string_view part) {
    for (const auto &t : sink.transactions)
        if (contains(t, part)) return &t;
    return nullptr;
}

TEST(ProtoImap, LoginSession) {
    const ImapRecordingSink sink = run(test::imap_login_session_transcript());
    EXPECT_TRUE(sink.has("field imap.user=alice"));
    EXPECT_TRUE(sink.has("field imap.command_line=a002 LOGIN alice"));
    EXPECT_TRUE(sink.has("auth LOGIN user=alice success"));
    EXPECT_TRUE(sink.has("field imap.mailbox=Drafts"));
    EXPECT_TRUE(sink.has("field imap.mailbox=\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"));  // &ZeVnLIqe-
    EXPECT_TRUE(sink.has("command UID FETCH"));
    EXPECT_TRUE(sink.has("reply OK"));
    EXPECT_TRUE(sink.has("reply BYE"));
    EXPECT_TRUE(sink.has("field email.subject=Entw\xC3\xBCrfe exfil"));
    EXPECT_TRUE(sink.has("field email.attachment.filename=loot.zip"));
    EXPECT_TRUE(sink.has("field email.body_prefix=cmd: whoami\n.just a dot line\n"));
    EXPECT_TRUE(sink.has("field email.subject=tasking 7"));
    EXPECT_EQ(sink.count_prefix("field email.subject=tasking 7"), 2u);  // appended, then fetched
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 14u) << sink.dump();  // greeting + 13 commands

    const std::string &greeting = sink.transactions[0];
    EXPECT_TRUE(contains(greeting, "\"greeting\":true")) << greeting;
    EXPECT_TRUE(contains(greeting, "\"status\":\"OK\"")) << greeting;
    EXPECT_TRUE(contains(greeting, "\"capabilities\":[\"IMAP4rev1\",\"STARTTLS\",\"AUTH\",\"SASL-IR\",\"IDLE\","
                                   "\"LITERAL+\",\"ENABLE\",\"ID\",\"OTHER\"]"))
        << greeting;

    const std::string &login = sink.transactions[2];
    EXPECT_TRUE(contains(login, "\"tag\":\"a002\",\"command\":\"LOGIN\",\"arguments\":\"alice\",\"redacted\":true"))
        << login;
    EXPECT_TRUE(contains(login, "\"auth\":{\"mechanism\":\"LOGIN\",\"user\":\"alice\",\"result\":\"success\","
                                "\"secret_seen\":true}"))
        << login;

    const std::string &list = sink.transactions[3];
    EXPECT_TRUE(contains(list, "\"mailboxes\":[\"INBOX\",\"Drafts\",\"Entw\xC3\xBCrfe\",\"Taxes \\\"2026\\\"\"]"))
        << list;

    const std::string &select = sink.transactions[4];
    EXPECT_TRUE(contains(select, "\"mailbox\":\"Drafts\"")) << select;
    EXPECT_TRUE(contains(select, "\"response_code\":\"READ-WRITE\"")) << select;
    EXPECT_TRUE(contains(select, "\"exists\":3")) << select;
    EXPECT_TRUE(contains(select, "\"selected\":\"Drafts\"")) << select;

    const std::string &append = sink.transactions[7];
    EXPECT_TRUE(contains(append, "\"command\":\"APPEND\"")) << append;
    EXPECT_TRUE(contains(append, "\"mailbox\":\"Drafts\",\"flags\":[\"\\\\Draft\"]")) << append;
    EXPECT_TRUE(contains(append, "\"date\":\"27-Nov-2026 08:00:00 +0000\"")) << append;
    EXPECT_TRUE(contains(append, "\"literals\":1,\"literal_bytes\":" + std::to_string(test::kDraftMessage.size())))
        << append;
    EXPECT_TRUE(contains(append, "\"response_code\":\"APPENDUID 3857529045 4\"")) << append;
    EXPECT_TRUE(contains(append, "\"continuations\":1")) << append;
    EXPECT_TRUE(contains(append, "\"uid\":4")) << append;
    EXPECT_TRUE(contains(append, "\"message\":{\"source\":\"append\",\"literal_size\":" +
                                     std::to_string(test::kDraftMessage.size())))
        << append;
    EXPECT_TRUE(contains(append, "\"email\":{\"from\":\"Alice <alice@example.org>\"")) << append;
    EXPECT_TRUE(contains(append, "\"attachment\":[\"loot.zip\"]")) << append;

    const std::string &append_plus = sink.transactions[8];
    EXPECT_TRUE(contains(append_plus, "\"flags\":[\"\\\\Seen\"]")) << append_plus;
    EXPECT_TRUE(contains(append_plus, "\"uid\":5")) << append_plus;
    EXPECT_FALSE(contains(append_plus, "\"continuations\"")) << append_plus;  // LITERAL+: no "+"
    EXPECT_TRUE(contains(append_plus, "\"subject\":\"tasking 7\"")) << append_plus;

    const std::string &fetch = sink.transactions[9];
    EXPECT_TRUE(contains(fetch, "\"command\":\"UID FETCH\"")) << fetch;
    EXPECT_TRUE(contains(fetch, "\"sequence_set\":\"5\"")) << fetch;
    EXPECT_TRUE(contains(fetch, "\"fetches\":1")) << fetch;
    EXPECT_TRUE(contains(fetch, "\"uid\":5")) << fetch;
    EXPECT_TRUE(contains(fetch, "\"message\":{\"source\":\"fetch\",\"sequence\":5,\"section\":\"BODY[]\"")) << fetch;
    EXPECT_TRUE(contains(fetch, "\"x_mailer\":\"c2 0.1\"")) << fetch;

    const std::string &store = sink.transactions[10];
    EXPECT_TRUE(contains(store, "\"flags\":[\"\\\\Deleted\"],\"store_action\":\"+FLAGS\",\"sequence_set\":\"1:3\""))
        << store;
    EXPECT_TRUE(contains(store, "\"fetches\":3")) << store;
    EXPECT_TRUE(contains(sink.transactions[11], "\"expunged\":3")) << sink.transactions[11];
    const std::string &idle = sink.transactions[12];
    EXPECT_TRUE(contains(idle, "\"command\":\"IDLE\"")) << idle;
    EXPECT_TRUE(contains(idle, "\"exists\":4")) << idle;
    EXPECT_TRUE(contains(sink.transactions[13], "\"command\":\"LOGOUT\"")) << sink.transactions[13];

    for (const auto &e : sink.events) EXPECT_FALSE(contains(e, "s3cr3t")) << e;
}

TEST(ProtoImap, AuthenticateLoginAndXoauth2) {
    const ImapRecordingSink sink = run(test::imap_authenticate_login_xoauth2_transcript());
    EXPECT_TRUE(sink.has("auth LOGIN user=dave failure"));
    EXPECT_TRUE(sink.has("auth XOAUTH2 user=dave@example.com failure"));
    EXPECT_TRUE(sink.has("field imap.command_line=x2 AUTHENTICATE XOAUTH2"));  // initial response cut off
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    EXPECT_EQ(sink.count_prefix("command UNKNOWN"), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 4u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[1], "\"continuations\":2")) << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[2], "\"arguments\":\"XOAUTH2\",\"redacted\":true")) << sink.transactions[2];
    for (const auto &e : sink.events) {
        EXPECT_FALSE(contains(e, "ya29")) << e;
        EXPECT_FALSE(contains(e, test::base64("wrong-pw"))) << e;
    }
}

TEST(ProtoImap, AuthenticatePlainThenCompress) {
    ImapRecordingSink sink;
    ImapParser parser(sink);
    test::feed(parser, test::imap_authenticate_compress_transcript());
    EXPECT_TRUE(sink.has("field imap.user=bob"));
    EXPECT_TRUE(sink.has("auth PLAIN user=bob success"));
    EXPECT_TRUE(parser.compressed());
    EXPECT_FALSE(parser.encrypted());
    EXPECT_FALSE(sink.has("starttls"));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    EXPECT_EQ(sink.count_prefix("command UNKNOWN"), 0u) << sink.dump();  // the SASL response is no command
    ASSERT_EQ(sink.transactions.size(), 3u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[1], "\"continuations\":1")) << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[1], "\"auth\":{\"mechanism\":\"PLAIN\",\"user\":\"bob\",\"result\":\"success\","
                                               "\"secret_seen\":true}"))
        << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[2], "\"command\":\"COMPRESS\"")) << sink.transactions[2];
    EXPECT_TRUE(contains(sink.transactions[2], "\"compressed\":true")) << sink.transactions[2];
    EXPECT_GT(parser.stats().opaque_bytes[0], 0u);
    EXPECT_GT(parser.stats().opaque_bytes[1], 0u);
    for (const auto &e : sink.events) EXPECT_FALSE(contains(e, "hunter2")) << e;
}

TEST(ProtoImap, StarttlsStopsParsing) {
    ImapRecordingSink sink;
    ImapParser parser(sink);
    test::feed(parser, test::imap_starttls_transcript());
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_TRUE(parser.encrypted());
    EXPECT_FALSE(sink.has("field imap.user=hidden"));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 2u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[1], "\"command\":\"STARTTLS\"")) << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[1], "\"starttls\":true")) << sink.transactions[1];
}

TEST(ProtoImap, CleartextAfterStarttlsIsReportedAndParsed) {
    ImapRecordingSink sink;
    ImapParser parser(sink);
    test::feed(parser, test::imap_fake_starttls_transcript());
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_TRUE(sink.has("anomaly imap.starttls_cleartext_continues")) << sink.dump();
    EXPECT_TRUE(sink.has("field imap.mailbox=Drafts")) << sink.dump();
    EXPECT_FALSE(parser.encrypted());
}

TEST(ProtoImap, FetchOfSeveralMessagesGivesOneTransactionEach) {
    const ImapRecordingSink sink = run(test::imap_fetch_many_transcript());
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    EXPECT_TRUE(sink.has("field imap.mailbox=Archive!"));
    // t2 fetched two messages (BINARY[]) and two header sections: four records, the last one
    // with the completion.
    size_t t2 = 0;
    for (const auto &t : sink.transactions) t2 += contains(t, "\"tag\":\"t2\"") ? 1 : 0;
    EXPECT_EQ(t2, 4u) << sink.dump();
    const std::string *binary = find_tx(sink, "\"section\":\"BINARY[]\",\"literal_size\":" +
                                                  std::to_string(test::kSmallMessage.size()));
    ASSERT_NE(binary, nullptr) << sink.dump();
    EXPECT_TRUE(contains(*binary, "\"end\":\"message\"")) << *binary;
    EXPECT_TRUE(contains(*binary, "\"subject\":\"tasking 7\"")) << *binary;
    const std::string *last = find_tx(sink, "\"tag\":\"t2\",\"command\":\"FETCH\",\"arguments\":\"1:2 "
                                            "(BINARY.PEEK[] BODY.PEEK[HEADER])\",\"sequence_set\":\"1:2\",\"status\":\"OK\"");
    ASSERT_NE(last, nullptr) << sink.dump();
    EXPECT_TRUE(contains(*last, "\"fetches\":2")) << *last;
    EXPECT_TRUE(contains(*last, "\"uid\":99")) << *last;
    EXPECT_TRUE(contains(*last, "\"section\":\"BODY[HEADER]\"")) << *last;
    EXPECT_TRUE(contains(*last, "\"subject\":\"headers only\"")) << *last;
    const std::string *partial = find_tx(sink, "\"tag\":\"t3\"");
    ASSERT_NE(partial, nullptr);
    EXPECT_TRUE(contains(*partial, "\"partial\":true")) << *partial;
    EXPECT_TRUE(contains(*partial, "\"uid\":7")) << *partial;
    const std::string *text_only = find_tx(sink, "\"tag\":\"t4\"");
    ASSERT_NE(text_only, nullptr);
    EXPECT_FALSE(contains(*text_only, "\"email\"")) << *text_only;  // parts are not messages
    const std::string *move = find_tx(sink, "\"tag\":\"t5\"");
    ASSERT_NE(move, nullptr);
    EXPECT_TRUE(contains(*move, "\"command\":\"UID MOVE\"")) << *move;
    EXPECT_TRUE(contains(*move, "\"destination\":\"Archive!\"")) << *move;
    EXPECT_TRUE(contains(*move, "\"expunged\":1")) << *move;
}

TEST(ProtoImap, LoginWithLiteralsKeepsThePasswordOut) {
    const ImapRecordingSink sink = run(test::imap_login_literals_transcript());
    EXPECT_TRUE(sink.has("field imap.user=carol"));
    EXPECT_TRUE(sink.has("auth LOGIN user=carol failure"));
    EXPECT_TRUE(sink.has("command LOGOUT"));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    ASSERT_EQ(sink.transactions.size(), 3u) << sink.dump();
    EXPECT_TRUE(contains(sink.transactions[1], "\"arguments\":\"{5}\",\"redacted\":true")) << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[1], "\"continuations\":2")) << sink.transactions[1];
    EXPECT_TRUE(contains(sink.transactions[1], "\"response_code\":\"AUTHENTICATIONFAILED\"")) << sink.transactions[1];
    for (const auto &e : sink.events) EXPECT_FALSE(contains(e, "pa ss")) << e;
}

TEST(ProtoImap, RejectedSynchronisingLiteralIsNotSent) {
    const ImapRecordingSink sink = run(session({
        client("a3 APPEND INBOX {9999999}\r\n"),
        server("a3 NO [TOOBIG] Message too large.\r\n"),
        client("a4 NOOP\r\n"),
        server("a4 OK done\r\n"),
    }));
    EXPECT_TRUE(sink.has("command NOOP")) << sink.dump();
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    const std::string *append = find_tx(sink, "\"tag\":\"a3\"");
    ASSERT_NE(append, nullptr);
    EXPECT_TRUE(contains(*append, "\"status\":\"NO\"")) << *append;
    EXPECT_FALSE(contains(*append, "\"email\"")) << *append;
}

TEST(ProtoImap, OverlongResponseLineStillAnnouncesItsLiteral) {
    // A huge ENVELOPE before the body: the literal marker is past the parsed head of the line.
    const std::string envelope = "(\"" + std::string(5000, 'e') + "\" NIL NIL NIL NIL NIL NIL NIL NIL NIL)";
    const ImapRecordingSink sink = run(session({
        client("a3 FETCH 1 (ENVELOPE BODY[])\r\n"),
        server("* 1 FETCH (ENVELOPE " + envelope + " BODY[] " + test::literal(test::kSmallMessage) +
               test::kSmallMessage + ")\r\na3 OK done\r\n"),
        client("a4 NOOP\r\n"),
        server("a4 OK\r\n"),
    }));
    EXPECT_TRUE(sink.has("field email.subject=tasking 7")) << sink.dump();
    EXPECT_TRUE(sink.has("command NOOP"));
    EXPECT_FALSE(sink.has("anomaly imap.invalid_response")) << sink.dump();
    EXPECT_FALSE(sink.has("anomaly imap.line_too_long"));  // 65536 by default
}

TEST(ProtoImap, LiteralMarkerJustPastTheParseLimit) {
    ImapLimits limits;
    limits.parse_line = 64;
    for (size_t cut : {0u, 60u, 64u, 65u, 66u}) {  // segment boundaries around the limit
        const std::string line = "* 1 FETCH (UID 9 FLAGS (\\Seen \\Answered) RFC822.SIZE 44 BODY[] {44}\r\n";
        std::vector<Step> steps = {server("* OK\r\n"), client("a1 FETCH 1 (UID FLAGS RFC822.SIZE BODY[])\r\n")};
        if (cut > 0) steps.push_back(server(line.substr(0, cut)));
        steps.push_back(server(line.substr(cut) + "Subject: split at the limit\r\n\r\nbody 12345678)\r\na1 OK\r\n"));
        const ImapRecordingSink sink = run(test::with_ends(steps), limits);
        EXPECT_TRUE(sink.has("field email.subject=split at the limit")) << cut << "\n" << sink.dump();
        EXPECT_FALSE(sink.has("anomaly imap.invalid_response")) << cut << "\n" << sink.dump();
        const std::string *fetch = find_tx(sink, "\"tag\":\"a1\"");
        ASSERT_NE(fetch, nullptr);
        EXPECT_TRUE(contains(*fetch, "\"uid\":9")) << *fetch;  // from the parsed head of the line
    }
}

TEST(ProtoImap, MailboxCommandsWithLiteralsAndModifiedUtf7) {
    const ImapRecordingSink sink = run(session({
        client("a3 RENAME {5+}\r\nDraft \"Entw&APw-rfe\"\r\na4 COPY 1:2 \"&ZeVnLIqe-\"\r\na5 DELETE Old\r\na6 CREATE New\r\n"
               "a7 SUBSCRIBE New\r\na8 STATUS New (MESSAGES UIDNEXT)\r\n"),
        server("a3 OK\r\n* OK [COPYUID 7 1:2 5:6] copied\r\na4 OK\r\na5 OK\r\na6 OK\r\na7 OK\r\n"
               "* STATUS New (MESSAGES 0 UIDNEXT 1)\r\na8 OK\r\n"),
    }));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    EXPECT_TRUE(sink.has("field imap.mailbox=Draft"));
    EXPECT_TRUE(sink.has("field imap.mailbox=Entw\xC3\xBCrfe"));
    const std::string *rename = find_tx(sink, "\"tag\":\"a3\"");
    ASSERT_NE(rename, nullptr);
    EXPECT_TRUE(contains(*rename, "\"arguments\":\"{5+} \\\"Entw&APw-rfe\\\"\"")) << *rename;
    EXPECT_TRUE(contains(*rename, "\"mailbox\":\"Draft\",\"destination\":\"Entw\xC3\xBCrfe\"")) << *rename;
    const std::string *copy = find_tx(sink, "\"tag\":\"a4\"");
    ASSERT_NE(copy, nullptr);
    EXPECT_TRUE(contains(*copy, "\"destination\":\"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\",\"sequence_set\":\"1:2\""))
        << *copy;
    ASSERT_NE(find_tx(sink, "\"mailbox\":\"Old\""), nullptr);
    const std::string *status = find_tx(sink, "\"tag\":\"a8\"");
    ASSERT_NE(status, nullptr);
    EXPECT_TRUE(contains(*status, "\"mailbox\":\"New\"")) << *status;
}

TEST(ProtoImap, PipelinedCommandsCompleteOutOfOrder) {
    const ImapRecordingSink sink = run(session({
        client("b1 NOOP\r\nb2 CHECK\r\nb3 UID SEARCH ALL\r\n"),
        server("* SEARCH 1 2 3\r\nb3 OK searched\r\nb1 OK noop\r\nb2 OK check\r\n"),
    }));
    EXPECT_EQ(sink.count_prefix("anomaly "), 0u) << sink.dump();
    const std::string *search = find_tx(sink, "\"tag\":\"b3\"");
    ASSERT_NE(search, nullptr);
    EXPECT_TRUE(contains(*search, "\"pipelined\":true")) << *search;
    EXPECT_TRUE(contains(*search, "\"search_results\":3")) << *search;
    ASSERT_NE(find_tx(sink, "\"tag\":\"b1\""), nullptr);
    ASSERT_NE(find_tx(sink, "\"tag\":\"b2\""), nullptr);
}

TEST(ProtoImap, UnansweredCommandsAreEmittedAtEnd) {
    const ImapRecordingSink sink = run(session({client("c1 FETCH 1 BODY[]\r\n"), server("* 1 FETCH (BODY[] {100}\r\nSubject: cut\r\n")}));
    EXPECT_TRUE(sink.has("anomaly imap.literal_incomplete"));
    const std::string *fetch = find_tx(sink, "\"tag\":\"c1\"");
    ASSERT_NE(fetch, nullptr) << sink.dump();
    EXPECT_TRUE(contains(*fetch, "\"complete\":false")) << *fetch;
    EXPECT_TRUE(contains(*fetch, "\"subject\":\"cut\"")) << *fetch;
}

TEST(ProtoImap, OneSidedCapturesStayQuietAndKeepSecrets) {
    const ImapRecordingSink client_only = run(test::with_ends({
        client("a1 AUTHENTICATE PLAIN\r\n" + test::base64(std::string("\0mallory\0pa55word", 17)) +
               "\r\na2 SELECT INBOX\r\na3 STARTTLS\r\na4 APPEND INBOX {11}\r\nSubject: x\n\r\na5 IDLE\r\nDONE\r\na6 LOGOUT\r\n"),
    }));
    EXPECT_TRUE(client_only.has("field imap.user=mallory"));
    EXPECT_TRUE(client_only.has("command LOGOUT"));
    EXPECT_EQ(client_only.count_prefix("anomaly "), 0u) << client_only.dump();
    EXPECT_EQ(client_only.transactions.size(), 6u) << client_only.dump();
    for (const auto &e : client_only.events) {
        EXPECT_FALSE(contains(e, "pa55word")) << e;
        EXPECT_FALSE(contains(e, test::base64(std::string("\0mallory\0pa55word", 17)))) << e;
    }
    const ImapRecordingSink server_only = run(test::with_ends({
        server("* OK ready\r\nx1 OK done\r\n+ go\r\n* 1 FETCH (BODY[] {12}\r\nSubject: x\r\n)\r\n"),
    }));
    EXPECT_EQ(server_only.count_prefix("anomaly "), 0u) << server_only.dump();
}

// ---- anomalies -------------------------------------------------------------------------------

TEST(ProtoImapAnomaly, UnknownCommandAndSyntax) {
    const ImapRecordingSink sink = run(session({client("a3 XYZZY plugh\r\n+x NOOP\r\nlonely\r\n")}));
    EXPECT_TRUE(sink.has("anomaly imap.unknown_command"));
    EXPECT_TRUE(sink.has("anomaly imap.invalid_command_syntax"));
    EXPECT_TRUE(sink.has("field imap.command_line=a3 XYZZY plugh"));
}

TEST(ProtoImapAnomaly, UnmatchedTag) {
    const ImapRecordingSink sink = run(session({client("a3 NOOP\r\n"), server("zz9 OK what\r\na3 OK\r\n")}));
    EXPECT_TRUE(sink.has("anomaly imap.unmatched_tag"));
}

TEST(ProtoImapAnomaly, LiteralTooLargeIsStillSkippedExactly) {
    ImapLimits limits;
    limits.literal = 10;
    const std::string body(40, 'x');
    const ImapRecordingSink sink = run(session({
        client("a3 APPEND INBOX {40+}\r\n" + body + "\r\na4 NOOP\r\n"),
        server("a3 OK\r\na4 OK\r\n"),
    }), limits);
    EXPECT_TRUE(sink.has("anomaly imap.literal_too_large"));
    EXPECT_TRUE(sink.has("command NOOP"));
    EXPECT_FALSE(sink.has("anomaly imap.unknown_command")) << sink.dump();
    // A size beyond 64 bits: flagged; what follows is literal data.
    const ImapRecordingSink huge = run(session({client("a3 APPEND INBOX {99999999999999999999999+}\r\nx\r\n")}));
    EXPECT_TRUE(huge.has("anomaly imap.literal_too_large"));
}

TEST(ProtoImapAnomaly, LineTooLong) {
    ImapLimits limits;
    limits.command_line = 100;
    limits.response_line = 200;
    const ImapRecordingSink command = run(session({client("a3 SEARCH TEXT \"" + std::string(150, 'q') + "\"\r\na4 NOOP\r\n")}), limits);
    EXPECT_TRUE(command.has("anomaly imap.line_too_long"));
    EXPECT_TRUE(command.has("command NOOP"));
    // Literals do not count towards the line (RFC 7162 4), the fragments around them do.
    const ImapRecordingSink literal = run(session({client("a3 APPEND INBOX {150+}\r\n" + std::string(150, 'm') + "\r\n")}), limits);
    EXPECT_FALSE(literal.has("anomaly imap.line_too_long")) << literal.dump();
    const ImapRecordingSink response = run(session({client("a3 NOOP\r\n"), server("* OK " + std::string(5000, 'r') + "\r\na3 OK\r\n")}), limits);
    EXPECT_TRUE(response.has("anomaly imap.line_too_long"));
    EXPECT_FALSE(response.has("anomaly imap.unmatched_tag"));
}

TEST(ProtoImapAnomaly, CommandsAfterLogout) {
    const ImapRecordingSink sink = run(session({client("a3 LOGOUT\r\na4 NOOP\r\n"), server("* BYE\r\na3 OK\r\n")}));
    EXPECT_TRUE(sink.has("anomaly imap.commands_after_logout"));
}

TEST(ProtoImapAnomaly, InvalidResponse) {
    const ImapRecordingSink sink = run(session({client("a3 NOOP\r\n"), server("what is this\r\n*\r\na3 OK\r\n")}));
    EXPECT_TRUE(sink.has("anomaly imap.invalid_response"));
    EXPECT_NE(find_tx(sink, "\"tag\":\"a3\""), nullptr);
}

TEST(ProtoImapAnomaly, BinaryInCommand) {
    const ImapRecordingSink sink = run(session({client("a3 NOOP \x01\x02\xff\r\n")}));
    EXPECT_TRUE(sink.has("anomaly imap.binary_in_command"));
    const ImapRecordingSink utf8 = run(session({client("a3 SEARCH CHARSET UTF-8 SUBJECT \"J\xC3\xB6rg\"\r\n")}));
    EXPECT_FALSE(utf8.has("anomaly imap.binary_in_command"));
}

TEST(ProtoImapAnomaly, DuplicateTagAndTooManyPending) {
    const ImapRecordingSink dup = run(session({client("a3 NOOP\r\na3 NOOP\r\n")}));
    EXPECT_TRUE(dup.has("anomaly imap.duplicate_tag"));
    ImapLimits limits;
    limits.pending_commands = 2;
    const ImapRecordingSink many = run(session({client("b1 NOOP\r\nb2 NOOP\r\nb3 NOOP\r\n"), server("b1 OK\r\nb2 OK\r\nb3 OK\r\n")}), limits);
    EXPECT_TRUE(many.has("anomaly imap.too_many_pending_commands"));
    EXPECT_FALSE(many.has("anomaly imap.unmatched_tag")) << many.dump();
}

TEST(ProtoImapAnomaly, UnexpectedContinuation) {
    const ImapRecordingSink sink = run(session({client("a3 NOOP\r\n"), server("+ go ahead\r\na3 OK\r\n")}));
    EXPECT_TRUE(sink.has("anomaly imap.unexpected_continuation"));
}

TEST(ProtoImapAnomaly, LiteralBeforeContinuation) {
    const ImapRecordingSink sink = run(session({
        client("a3 APPEND INBOX {5}\r\nhello\r\n"),
        server("+ go\r\na3 OK\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly imap.literal_before_continuation"));
    EXPECT_FALSE(sink.has("anomaly imap.unexpected_continuation"));
}

TEST(ProtoImapAnomaly, CommandOutOfSequence) {
    const ImapRecordingSink before_login = run(test::with_ends({server("* OK\r\n"), client("a1 SELECT INBOX\r\n")}));
    EXPECT_TRUE(before_login.has("anomaly imap.command_out_of_sequence"));
    const ImapRecordingSink unselected =
        run(test::with_ends({server("* OK\r\n"), client("a1 LOGIN u p\r\n"), server("a1 OK\r\n"), client("a2 FETCH 1 BODY[]\r\n")}));
    EXPECT_TRUE(unselected.has("anomaly imap.command_out_of_sequence"));
    const ImapRecordingSink login_again = run(session({client("a3 LOGIN x y\r\n")}));
    EXPECT_TRUE(login_again.has("anomaly imap.command_out_of_sequence"));
    // Pipelined behind LOGIN and SELECT is fine; PREAUTH is authenticated.
    const ImapRecordingSink pipelined = run(test::with_ends({
        server("* OK\r\n"), client("a1 LOGIN u p\r\na2 SELECT INBOX\r\na3 FETCH 1 FLAGS\r\n"),
        server("a1 OK\r\na2 OK\r\na3 OK\r\n")}));
    EXPECT_FALSE(pipelined.has("anomaly imap.command_out_of_sequence")) << pipelined.dump();
    const ImapRecordingSink preauth = run(test::with_ends({server("* PREAUTH hi\r\n"), client("a1 SELECT INBOX\r\n")}));
    EXPECT_FALSE(preauth.has("anomaly imap.command_out_of_sequence"));
    // Picked up mid-session: no greeting, no state to check against.
    const ImapRecordingSink midway = run(test::with_ends({client("a9 FETCH 1 BODY[]\r\n"), server("a9 OK\r\n")}));
    EXPECT_FALSE(midway.has("anomaly imap.command_out_of_sequence")) << midway.dump();
}

TEST(ProtoImapAnomaly, CommandDuringIdle) {
    const ImapRecordingSink sink = run(session({client("a3 IDLE\r\n"), server("+ idling\r\n"), client("a4 NOOP\r\n")}));
    EXPECT_TRUE(sink.has("anomaly imap.command_during_idle"));
}

TEST(ProtoImapAnomaly, CommandsPipelinedAfterStarttls) {
    const ImapRecordingSink sink = run(test::with_ends({
        server("* OK\r\n"),
        client("a1 STARTTLS\r\na2 LOGIN injected hunter9\r\n"),
        server("a1 OK begin TLS\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly imap.invalid_pipelined_sequence"));
    EXPECT_TRUE(sink.has("starttls"));
    const std::string *injected = find_tx(sink, "\"tag\":\"a2\"");
    ASSERT_NE(injected, nullptr) << sink.dump();
    EXPECT_TRUE(contains(*injected, "\"end\":\"starttls\"")) << *injected;
    for (const auto &e : sink.events) EXPECT_FALSE(contains(e, "hunter9")) << e;
}

TEST(ProtoImapAnomaly, InvalidMailboxName) {
    for (const char *name : {"\"&Jjo\"", "\"&AGE-\"", "\"&2D3-\"", "\"bad\\\x01name\""}) {
        const ImapRecordingSink sink = run(session({client(std::string("a3 CREATE ") + name + "\r\n")}));
        EXPECT_TRUE(sink.has("anomaly imap.invalid_mailbox_name")) << name << "\n" << sink.dump();
    }
    const ImapRecordingSink ok = run(session({client("a3 CREATE \"&-Fun &AMk-t&AOk-\"\r\n")}));
    EXPECT_FALSE(ok.has("anomaly imap.invalid_mailbox_name"));
    EXPECT_TRUE(ok.has("field imap.mailbox=&Fun \xC3\x89t\xC3\xA9")) << ok.dump();
}

TEST(ProtoImapAnomaly, InvalidAuthEncoding) {
    const ImapRecordingSink sink = run(test::with_ends({
        server("* OK\r\n"),
        client("a1 AUTHENTICATE PLAIN !!not-base64!!\r\n"),
        server("a1 NO bad\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly imap.invalid_auth_encoding"));
    EXPECT_TRUE(sink.has("auth PLAIN user= failure"));
}

TEST(ProtoImapAnomaly, NoGreetingAndBareLf) {
    const ImapRecordingSink sink = run(test::with_ends({client("a1 NOOP\n"), server("a1 OK\r\n")}));
    EXPECT_TRUE(sink.has("anomaly imap.no_greeting"));
    EXPECT_TRUE(sink.has("anomaly imap.bare_lf"));
}

TEST(ProtoImapAnomaly, GapInsideLiteralKeepsFraming) {
    const ImapRecordingSink sink = run(session({
        client("a3 FETCH 1 BODY[]\r\n"),
        server("* 1 FETCH (BODY[] {200}\r\nSubject: gap\r\n\r\n"),
        test::gap(Direction::ToClient, 150),
        server(std::string(200 - 16 - 150, 'z') + ")\r\na3 OK\r\n"),
        client("a4 NOOP\r\n"),
        server("a4 OK\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly stream.gap"));
    EXPECT_FALSE(sink.has("anomaly imap.invalid_response")) << sink.dump();
    const std::string *fetch = find_tx(sink, "\"tag\":\"a3\"");
    ASSERT_NE(fetch, nullptr) << sink.dump();
    EXPECT_TRUE(contains(*fetch, "\"gap\":true")) << *fetch;
    EXPECT_TRUE(contains(*fetch, "\"subject\":\"gap\"")) << *fetch;
    EXPECT_NE(find_tx(sink, "\"tag\":\"a4\""), nullptr);
}

TEST(ProtoImapAnomaly, ClientGapSuppressesUnmatchedTags) {
    const ImapRecordingSink sink = run(session({
        client("a3 NO"),
        test::gap(Direction::ToServer, 10),
        client("OP\r\na4 NOOP\r\n"),
        server("a3 OK\r\na4 OK\r\n"),
    }));
    EXPECT_TRUE(sink.has("anomaly stream.gap"));
    EXPECT_FALSE(sink.has("anomaly imap.unmatched_tag")) << sink.dump();
    EXPECT_NE(find_tx(sink, "\"tag\":\"a4\""), nullptr);
}

TEST(ProtoImapAnomaly, EachAnomalyOncePerTransaction) {
    ImapStats stats;
    ImapRecordingSink sink;
    {
        ImapParser parser(sink);
        test::feed(parser, session({client("x1 XA\r\nx2 XB\r\nx3 XC\r\n")}));
        stats = parser.stats();
    }
    EXPECT_EQ(sink.count_prefix("anomaly imap.unknown_command"), 1u) << sink.dump();
    EXPECT_EQ(stats.anomalies[static_cast<size_t>(ImapAnomaly::UnknownCommand)], 3u);
}

TEST(ProtoImap, SessionObjectHasFixedBoundedSize) {
    // Kept in a preallocated pool per worker: keep an eye on it.
    EXPECT_LT(sizeof(ImapParser), 64u * 1024u);
}

// The rest of a cut accepting line is still text: TLS starts after it, so no cleartext is claimed.
TEST(ProtoImap, StarttlsAcceptedByALongLineStartsTlsAfterIt) {
    ImapRecordingSink sink;
    ImapParser parser(sink);
    test::feed(parser, test::imap_starttls_by_long_line_transcript());
    EXPECT_TRUE(sink.has("starttls"));
    EXPECT_TRUE(parser.encrypted());
    EXPECT_FALSE(sink.has("anomaly imap.starttls_cleartext_continues")) << sink.dump();
    EXPECT_FALSE(sink.has("command LOGIN")) << sink.dump();
    EXPECT_GT(parser.stats().opaque_bytes[0], 0u);
    EXPECT_GT(parser.stats().opaque_bytes[1], 0u);
}

}  // namespace
}  // namespace postern::proto
