#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mail_test_util.hpp"
#include "synth/mail/smtp_conversation.hpp"

namespace postern::synth {
namespace {

using testing::Reader;

struct SmtpMessage {
    std::string mail_from, mode, data;
    std::vector<std::string> rcpt_to;
    uint64_t declared_size = 0;
    bool stuffing_ok = true, terminated = true;
};

struct SmtpClient {
    std::vector<std::string> commands;
    std::string helo, auth_mechanism, auth_user;
    std::vector<SmtpMessage> messages;
    bool starttls = false;
    std::string tls;
    bool consumed = false;
    size_t pipelined_segments = 0;
};

std::string word(std::string_view l, size_t n) {
    size_t pos = 0;
    for (size_t i = 0; i < n; ++i) {
        pos = l.find(' ', pos);
        if (pos == std::string_view::npos) return {};
        ++pos;
    }
    return std::string(l.substr(pos, l.find(' ', pos) - pos));
}

std::string path_of(std::string_view l) {  // "MAIL FROM:<a@b> SIZE=1" -> "<a@b>"
    const size_t lt = l.find('<');
    return std::string(l.substr(lt, l.find('>') - lt + 1));
}

SmtpClient parse_client(const Conversation &c) {
    SmtpClient p;
    for (const auto &e : c.exchanges) {
        if (e.from != Side::Client) continue;
        const std::string s(e.data.begin(), e.data.end());
        size_t lines = 0;
        for (std::string_view v : {"MAIL FROM:", "RCPT TO:", "DATA\r\n", "BDAT "})
            for (size_t at = s.find(v); at != std::string::npos; at = s.find(v, at + 1)) ++lines;
        if (lines > 1 && s.rfind("MAIL FROM:", 0) == 0) ++p.pipelined_segments;
    }
    const std::string client = testing::stream_of(c, Side::Client);
    Reader r(client);
    std::string_view l;
    while (r.line(l)) {
        const std::string verb = word(l, 0);
        p.commands.push_back(verb);
        if (verb == "EHLO") {
            p.helo = word(l, 1);
        } else if (verb == "STARTTLS") {
            p.starttls = true;
            p.tls = std::string(r.rest());
            p.consumed = true;
            return p;
        } else if (verb == "AUTH") {
            p.auth_mechanism = word(l, 1);
            std::string_view resp;
            if (p.auth_mechanism == "PLAIN") {
                std::string ir = word(l, 2);
                if (ir.empty() && r.line(resp)) ir = std::string(resp);
                const std::string raw = testing::b64decode(ir);
                // "\0user\0password"
                EXPECT_EQ(raw[0], '\0');
                p.auth_user = raw.substr(1, raw.find('\0', 1) - 1);
            } else {
                EXPECT_TRUE(r.line(resp));
                p.auth_user = testing::b64decode(resp);
                EXPECT_TRUE(r.line(resp));  // password
            }
        } else if (verb == "MAIL") {
            SmtpMessage m;
            m.mail_from = path_of(l);
            const std::string size = l.find("SIZE=") != std::string_view::npos
                                         ? std::string(l.substr(l.find("SIZE=") + 5, l.find(' ', l.find("SIZE=")) - l.find("SIZE=") - 5))
                                         : "";
            if (!size.empty()) m.declared_size = std::stoull(size);
            p.messages.push_back(m);
        } else if (verb == "RCPT") {
            p.messages.back().rcpt_to.push_back(path_of(l));
        } else if (verb == "DATA") {
            SmtpMessage &m = p.messages.back();
            m.mode = "data";
            m.terminated = r.dot_block(m.data, m.stuffing_ok);
        } else if (verb == "BDAT") {
            SmtpMessage &m = p.messages.back();
            m.mode = "bdat";
            std::string_view chunk;
            EXPECT_TRUE(r.bytes(std::stoull(word(l, 1)), chunk));
            m.data += chunk;
            m.terminated = word(l, 2) == "LAST";
        }
    }
    p.consumed = r.done();
    return p;
}

struct SmtpServer {
    std::vector<int> codes;  // one per complete reply
    std::vector<std::string> ehlo_lines;
    std::string greeting, tls;
    bool well_formed = true;
};

SmtpServer parse_server(const Conversation &c) {
    SmtpServer s;
    const std::string server = testing::stream_of(c, Side::Server);
    Reader r(server);
    std::string_view l;
    int n220 = 0;
    while (r.line(l)) {
        const bool code_ok = l.size() >= 3 && isdigit(l[0]) && isdigit(l[1]) && isdigit(l[2]) &&
                             (l.size() == 3 || l[3] == ' ' || l[3] == '-');
        if (!code_ok) {
            s.well_formed = false;
            break;
        }
        const int code = std::stoi(std::string(l.substr(0, 3)));
        const bool more = l.size() > 3 && l[3] == '-';
        if (s.codes.size() == 1) s.ehlo_lines.emplace_back(l.substr(4));  // the EHLO reply
        if (s.codes.empty()) s.greeting = std::string(l);
        if (more) continue;
        s.codes.push_back(code);
        if (code == 220 && ++n220 == 2) {  // STARTTLS accepted: TLS from here on
            s.tls = std::string(r.rest());
            return s;
        }
    }
    if (!r.done()) s.well_formed = false;
    return s;
}

testing::Sample one(uint16_t port, uint64_t bytes, uint64_t seed) {
    mail::SmtpConversation g;
    return std::move(testing::sample(g, 1, {port}, bytes, bytes, seed).front());
}

TEST(SynthMailSmtp, SameSeedSameBytes) {
    const auto a = one(25, 30000, 11), b = one(25, 30000, 11), c = one(25, 30000, 12);
    EXPECT_EQ(testing::stream_of(a.conv, Side::Client), testing::stream_of(b.conv, Side::Client));
    EXPECT_EQ(testing::stream_of(a.conv, Side::Server), testing::stream_of(b.conv, Side::Server));
    EXPECT_EQ(a.conv.truth.dump(), b.conv.truth.dump());
    EXPECT_NE(testing::stream_of(a.conv, Side::Client), testing::stream_of(c.conv, Side::Client));
}

TEST(SynthMailSmtp, SessionsAreProtocolCorrectAndMatchTheTruth) {
    mail::SmtpConversation g;
    const auto samples = testing::sample(g, 400, {25, 587}, 200, 200000);
    std::map<std::string, int> seen;
    for (const auto &s : samples) {
        SCOPED_TRACE("flow " + std::to_string(s.ctx.flow_id) + " port " + std::to_string(s.ctx.server_port));
        const Conversation &c = s.conv;
        ASSERT_FALSE(c.exchanges.empty());
        EXPECT_EQ(c.exchanges.front().from, Side::Server);  // the server speaks first
        const auto &t = c.truth.at("mail");
        EXPECT_EQ(t.at("protocol"), "smtp");
        const SmtpClient cl = parse_client(c);
        const SmtpServer sv = parse_server(c);
        EXPECT_TRUE(sv.well_formed);
        EXPECT_TRUE(cl.consumed);
        EXPECT_TRUE(sv.greeting.rfind("220 ", 0) == 0 && sv.greeting.find("ESMTP") != std::string::npos)
            << sv.greeting;
        if (!cl.starttls) {
            EXPECT_TRUE(testing::crlf_only(testing::stream_of(c, Side::Server)));
        }
        // EHLO: a multi-line 250 with the capabilities the session relies on.
        std::set<std::string> caps(sv.ehlo_lines.begin(), sv.ehlo_lines.end());
        for (const char *cap : {"PIPELINING", "8BITMIME"}) {
            EXPECT_TRUE(caps.count(cap)) << cap;
        }
        EXPECT_GE(sv.ehlo_lines.size(), 5u);

        EXPECT_EQ(nlohmann::ordered_json(cl.commands), t.at("commands"));
        EXPECT_EQ(cl.helo, t.at("helo"));
        EXPECT_EQ(cl.starttls, t.at("starttls"));
        if (cl.starttls) {
            EXPECT_TRUE(caps.count("STARTTLS"));
            EXPECT_TRUE(testing::tls_records_only(cl.tls));
            EXPECT_TRUE(testing::tls_records_only(sv.tls));
            EXPECT_EQ(static_cast<uint8_t>(cl.tls[5]), 0x01);  // a ClientHello first
            ++seen["starttls"];
            continue;
        }
        // One complete reply per command, plus 354's follow-up and SASL challenges.
        size_t data_messages = 0, challenges = 0;
        for (const auto &m : cl.messages) data_messages += m.mode == "data";
        for (int code : sv.codes) challenges += code == 334;
        EXPECT_EQ(sv.codes.size(), 1 + cl.commands.size() + data_messages + challenges);
        EXPECT_EQ(sv.codes.back(), 221);
        EXPECT_EQ(cl.commands.back(), "QUIT");

        if (t.contains("auth")) {
            const auto &a = t.at("auth");
            EXPECT_EQ(a.at("mechanism"), cl.auth_mechanism);
            EXPECT_EQ(a.at("user"), cl.auth_user);
            const bool ok = std::find(sv.codes.begin(), sv.codes.end(), 235) != sv.codes.end();
            EXPECT_EQ(a.at("result"), ok ? "success" : "failure");
            EXPECT_EQ(ok, std::find(sv.codes.begin(), sv.codes.end(), 535) == sv.codes.end());
            EXPECT_TRUE(caps.count("AUTH PLAIN LOGIN") || caps.count("AUTH LOGIN PLAIN"));
            ++seen["auth_" + cl.auth_mechanism + (ok ? "" : "_failed")];
        } else {
            EXPECT_TRUE(cl.auth_mechanism.empty());
        }

        ASSERT_EQ(cl.messages.size(), t.at("messages").size());
        for (size_t i = 0; i < cl.messages.size(); ++i) {
            const SmtpMessage &m = cl.messages[i];
            const auto &mt = t.at("messages")[i];
            EXPECT_TRUE(m.terminated);
            EXPECT_TRUE(m.stuffing_ok);
            EXPECT_EQ(m.mail_from, mt.at("mail_from"));
            EXPECT_EQ(nlohmann::ordered_json(m.rcpt_to), mt.at("rcpt_to"));
            EXPECT_EQ(m.mode, mt.at("mode"));
            if (m.declared_size) {
                EXPECT_EQ(m.declared_size, m.data.size());
            }
            testing::check_message(m.data, mt);
            ++seen["mode_" + m.mode];
            if (!mt.at("attachments").empty()) ++seen["attachments"];
            if (m.data.find("=?UTF-8?") != std::string::npos) ++seen["encoded_words"];
            if (m.data.find("\r\n.") != std::string::npos) ++seen["dot_lines"];
            if (m.data.find("Received: ") == 0) ++seen["received"];
        }
        if (cl.messages.size() > 1) ++seen["several_messages"];
        if (cl.pipelined_segments > 0) ++seen["pipelined"];
        for (const auto &cmd : cl.commands)
            if (cmd == "RSET" || cmd == "NOOP") ++seen[cmd];
    }
    // Every variant the generator can produce showed up (and so was checked above).
    for (const char *k : {"starttls", "auth_PLAIN", "auth_LOGIN", "auth_PLAIN_failed", "mode_data", "mode_bdat",
                          "attachments", "encoded_words", "dot_lines", "received", "several_messages", "pipelined",
                          "RSET", "NOOP"})
        EXPECT_GT(seen[k], 0) << k;
}

// Submission (587) authenticates and sends what the user wrote; relay (25) passes on a message
// that already has its first Received header.
TEST(SynthMailSmtp, PortDecidesSubmissionOrRelay) {
    mail::SmtpConversation g;
    int auth587 = 0, n587 = 0;
    for (const auto &s : testing::sample(g, 200, {587}, 2000, 20000)) {
        const auto &t = s.conv.truth.at("mail");
        if (t.at("starttls")) continue;
        ++n587;
        auth587 += t.contains("auth");
        for (const auto &m : parse_client(s.conv).messages) {
            EXPECT_NE(m.data.rfind("Received: ", 0), 0u);
        }
    }
    EXPECT_GT(auth587, n587 * 8 / 10);
    for (const auto &s : testing::sample(g, 100, {25}, 2000, 20000))
        for (const auto &m : parse_client(s.conv).messages) {
            EXPECT_EQ(m.data.rfind("Received: ", 0), 0u);
        }
}

TEST(SynthMailSmtp, NaturalPortIsSmtpOrSubmission) {
    mail::SmtpConversation g;
    Rng rng(5);
    std::set<uint16_t> ports;
    for (int i = 0; i < 100; ++i) ports.insert(g.natural_port(rng));
    EXPECT_EQ(ports, (std::set<uint16_t>{25, 587}));
}

}  // namespace
}  // namespace postern::synth
