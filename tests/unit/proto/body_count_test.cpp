// Past a leaf part's kept prefix the carriers hand whole body lines to the message parser in runs
// (MimeParser::count_body_lines) instead of one by one. Fed one byte at a time no run ever forms,
// so every line goes the one-by-one way: random messages carried by SMTP DATA, POP3 RETR and an
// IMAP FETCH literal must give the same events, part ends and transactions whole, cut at random
// places, and byte by byte. The bodies hold what a run must stop at: dot-stuffed lines, boundary
// and "--" lines, bare LFs, lines over the limit, CRs inside lines, bad base64 and "=" sequences.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "imap_recording_sink.hpp"
#include "pop3_recording_sink.hpp"
#include "proto/imap/imap_parser.hpp"
#include "proto/pop3/pop3_parser.hpp"
#include "proto/smtp/smtp_parser.hpp"
#include "recording_sink.hpp"

namespace postern::proto {
namespace {

using test::client;
using test::server;
using test::Step;

// The recording sink of a protocol, with each part's end (decoded size, flags) as well.
template <class Sink>
struct WithPartEnds : Sink {
    void on_part_end(const MimePartEnd &e) override {
        this->events.push_back("part_end " + std::string(e.filename) + " decoded=" + std::to_string(e.decoded_bytes) +
                               (e.long_encoded_line ? " long" : "") + (e.gap ? " gap" : ""));
    }
};

std::string random_line(std::mt19937 &rng, bool base64) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const std::string kOdd[] = {".", "..", "-", "--", "-- ", "--b", "--b--", "=", "=3D", "=G1", "=\t",
                                       " ", "\r", "\xC3\xA9", "==", "A=", "\x01"};
    std::string line;
    const size_t n = rng() % 8 == 0 ? rng() % 1300 : rng() % 90;
    for (size_t i = 0; i < n; ++i)
        line += base64 ? kAlphabet[rng() % 64] : static_cast<char>(rng() % 3 == 0 ? ' ' : 'a' + rng() % 26);
    if (rng() % 5 == 0) line.insert(rng() % 2 ? 0 : rng() % (line.size() + 1), kOdd[rng() % std::size(kOdd)]);
    return line;
}

// A multipart message (boundary "b") of base64, quoted-printable and plain parts, text and
// attachments, as the sender wrote it (not dot-stuffed).
std::string random_message(std::mt19937 &rng) {
    static const char *kEncodings[] = {"base64", "quoted-printable", "7bit"};
    std::string msg = "From: a@example.org\r\nSubject: runs\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
    const size_t parts = 1 + rng() % 3;
    for (size_t i = 0; i < parts; ++i) {
        const size_t encoding = rng() % 3;
        const bool attachment = rng() % 2 == 0;
        msg += "--b\r\nContent-Type: " + std::string(attachment ? "application/octet-stream" : "text/plain") +
               (attachment ? "\r\nContent-Disposition: attachment; filename=f" + std::to_string(i) : "") +
               "\r\nContent-Transfer-Encoding: " + kEncodings[encoding] + "\r\n\r\n";
        const size_t lines = rng() % 50;
        for (size_t l = 0; l < lines; ++l) msg += random_line(rng, encoding == 0) + (rng() % 15 == 0 ? "\n" : "\r\n");
    }
    return msg + "--b--\r\n";
}

// RFC 5321 4.5.2 / RFC 1939 3: a line that starts with "." gets another one.
std::string dot_stuffed(const std::string &msg) {
    std::string out;
    size_t at = 0;
    while (at < msg.size()) {
        const size_t lf = msg.find('\n', at);
        const size_t end = lf == std::string::npos ? msg.size() : lf + 1;
        if (msg[at] == '.') out += '.';
        out.append(msg, at, end - at);
        at = end;
    }
    return out;
}

std::vector<Step> smtp_session(const std::string &msg) {
    return test::with_ends({server("220 mx ESMTP\r\n"), client("EHLO c\r\n"), server("250 mx\r\n"),
                            client("MAIL FROM:<a@example.org>\r\n"), server("250 ok\r\n"),
                            client("RCPT TO:<b@example.com>\r\n"), server("250 ok\r\n"), client("DATA\r\n"),
                            server("354 go\r\n"), client(dot_stuffed(msg) + ".\r\n"), server("250 queued\r\n"),
                            client("QUIT\r\n"), server("221 bye\r\n")});
}

std::vector<Step> pop3_session(const std::string &msg) {
    return test::with_ends({server("+OK ready\r\n"), client("USER a\r\n"), server("+OK\r\n"), client("PASS p\r\n"),
                            server("+OK\r\n"), client("RETR 1\r\n"),
                            server("+OK " + std::to_string(msg.size()) + " octets\r\n" + dot_stuffed(msg) + ".\r\n"),
                            client("QUIT\r\n"), server("+OK bye\r\n")});
}

std::vector<Step> imap_session(const std::string &msg) {
    return test::with_ends({server("* OK ready\r\n"), client("a1 LOGIN a p\r\n"), server("a1 OK\r\n"),
                            client("a2 SELECT INBOX\r\n"), server("* 1 EXISTS\r\na2 OK\r\n"),
                            client("a3 FETCH 1 BODY[]\r\n"),
                            server("* 1 FETCH (BODY[] {" + std::to_string(msg.size()) + "}\r\n" + msg +
                                   ")\r\na3 OK Fetch completed.\r\n"),
                            client("a4 LOGOUT\r\n"), server("* BYE\r\na4 OK\r\n")});
}

// Steps cut at random places (the runs of whole lines fall differently in each piece).
std::vector<Step> cut_randomly(const std::vector<Step> &steps, std::mt19937 &rng) {
    std::vector<Step> out;
    for (const Step &s : steps) {
        if (s.kind != Step::Data || s.bytes.size() < 2) {
            out.push_back(s);
            continue;
        }
        for (size_t at = 0; at < s.bytes.size();) {
            const size_t n = std::min<size_t>(s.bytes.size() - at, 1 + rng() % 700);
            out.push_back({Step::Data, s.dir, s.bytes.substr(at, n), 0});
            at += n;
        }
    }
    return out;
}

template <class Parser, class Sink, class Limits>
std::vector<std::string> events_of(const std::vector<Step> &steps, const Limits &limits, bool bytewise) {
    WithPartEnds<Sink> sink;
    Parser parser(sink, limits);
    test::feed(parser, steps, SIZE_MAX, bytewise);
    return sink.events;
}

template <class Parser, class Sink, class Limits>
void expect_runs_match_lines(std::vector<Step> (*session)(const std::string &), Limits limits, uint32_t seed) {
    std::mt19937 rng(seed);
    for (int round = 0; round < 150; ++round) {
        limits.mime.body_prefix = static_cast<uint32_t>(rng() % 80);
        limits.mime.file_hashes = rng() % 4 == 0 ? kMd5 | kSha256 : 0;  // attachments decoded, messages run-hashed
        const std::vector<Step> steps = session(random_message(rng));
        const auto line_by_line = events_of<Parser, Sink>(steps, limits, true);
        const auto whole = events_of<Parser, Sink>(steps, limits, false);
        ASSERT_EQ(whole, line_by_line) << "whole, round " << round;
        const auto cut = events_of<Parser, Sink>(cut_randomly(steps, rng), limits, false);
        ASSERT_EQ(cut, line_by_line) << "cut, round " << round;
    }
}

TEST(ProtoBodyLineRuns, SmtpDataCountsAsLineByLine) {
    expect_runs_match_lines<SmtpParser, test::RecordingSink>(smtp_session, SmtpLimits{}, 1);
}

TEST(ProtoBodyLineRuns, Pop3RetrCountsAsLineByLine) {
    expect_runs_match_lines<Pop3Parser, test::Pop3RecordingSink>(pop3_session, Pop3Limits{}, 2);
}

TEST(ProtoBodyLineRuns, ImapLiteralCountsAsLineByLine) {
    expect_runs_match_lines<ImapParser, test::ImapRecordingSink>(imap_session, ImapLimits{}, 3);
}

// A shorter line limit than RFC 5322's: runs stop at it as the line assembler does.
TEST(ProtoBodyLineRuns, ShortLineLimitsToo) {
    Pop3Limits limits;
    limits.text_line = 70;
    expect_runs_match_lines<Pop3Parser, test::Pop3RecordingSink>(pop3_session, limits, 4);
}

}  // namespace
}  // namespace postern::proto
