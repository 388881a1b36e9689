#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "mail_test_util.hpp"
#include "synth/mail/pop3_conversation.hpp"

namespace postern::synth {
namespace {

using testing::Reader;

std::string upper_verb(std::string_view l) {
    std::string v(l.substr(0, l.find(' ')));
    for (auto &c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return v;
}

std::string arg(std::string_view l, size_t n) {
    size_t pos = 0;
    for (size_t i = 0; i < n; ++i) {
        pos = l.find(' ', pos);
        if (pos == std::string_view::npos) return {};
        ++pos;
    }
    return std::string(l.substr(pos, l.find(' ', pos) - pos));
}

struct Pop3Command {
    std::string verb, line;
};

struct Pop3Session {
    std::vector<Pop3Command> commands;
    std::string user, mechanism, tls_client, tls_server;
    bool stls = false, logged_in = false;
    std::map<uint64_t, uint64_t> list;  // LIST: number -> size
    struct Fetched {
        std::string verb;
        uint64_t number = 0, declared = 0;
        std::string data;
    };
    std::vector<Fetched> fetched;
    std::string greeting;
    bool ok = true;
    std::string problem;
};

// Walks client commands and server responses together, as a POP3 client would read them.
Pop3Session parse(const Conversation &c) {
    Pop3Session s;
    const std::string cs = testing::stream_of(c, Side::Client), ss = testing::stream_of(c, Side::Server);
    Reader cr(cs), sr(ss);
    std::string_view l, resp;
    auto fail = [&](const std::string &why) {
        s.ok = false;
        s.problem = why;
        return s;
    };
    if (!sr.line(l) || l.rfind("+OK", 0) != 0) return fail("greeting");
    s.greeting = std::string(l);
    while (cr.line(l)) {
        Pop3Command cmd{upper_verb(l), std::string(l)};
        s.commands.push_back(cmd);
        if (cmd.verb == "AUTH") {
            s.mechanism = arg(l, 1);
            std::string ir = arg(l, 2);
            if (ir.empty()) {  // RFC 5034: "+ " then the response on its own line
                if (!sr.line(resp) || resp.rfind("+ ", 0) != 0) return fail("AUTH continuation");
                if (!cr.line(l)) return fail("AUTH response");
                ir = std::string(l);
            }
            const std::string raw = testing::b64decode(ir);
            s.user = raw.substr(1, raw.find('\0', 1) - 1);
        } else if (cmd.verb == "USER") {
            s.user = arg(l, 1);
            s.mechanism = "USER";
        } else if (cmd.verb == "APOP") {
            s.user = arg(l, 1);
            s.mechanism = "APOP";
            const std::string digest = arg(l, 2);
            EXPECT_EQ(digest.size(), 32u);
            EXPECT_EQ(digest.find_first_not_of("0123456789abcdef"), std::string::npos);
        }
        if (!sr.line(resp)) return fail("no response to " + cmd.verb);
        const bool ok = resp.rfind("+OK", 0) == 0;
        if (!ok && resp.rfind("-ERR", 0) != 0) return fail("status of " + cmd.verb + ": " + std::string(resp));
        if (ok && (cmd.verb == "PASS" || cmd.verb == "APOP" || cmd.verb == "AUTH")) s.logged_in = true;
        if (cmd.verb == "STLS" && ok) {
            s.stls = true;
            s.tls_client = std::string(cr.rest());
            s.tls_server = std::string(sr.rest());
            return s;
        }
        const bool multi = ok && (cmd.verb == "CAPA" || ((cmd.verb == "LIST" || cmd.verb == "UIDL") && arg(l, 1).empty()) ||
                                  cmd.verb == "RETR" || cmd.verb == "TOP");
        if (!multi) continue;
        std::string block;
        bool stuffing_ok = true;
        if (!sr.dot_block(block, stuffing_ok)) return fail("unterminated " + cmd.verb);
        EXPECT_TRUE(stuffing_ok) << cmd.verb;
        if (cmd.verb == "LIST") {
            Reader br(block);
            std::string_view bl;
            while (br.line(bl)) s.list[std::stoull(arg(bl, 0))] = std::stoull(arg(bl, 1));
        } else if (cmd.verb == "RETR" || cmd.verb == "TOP") {
            Pop3Session::Fetched f{cmd.verb, std::stoull(arg(l, 1)), 0, block};
            if (cmd.verb == "RETR") f.declared = std::stoull(arg(resp, 1));  // "+OK 1234 octets"
            s.fetched.push_back(std::move(f));
        } else if (cmd.verb == "CAPA") {
            EXPECT_NE(block.find("USER\r\n"), std::string::npos);
        }
    }
    if (!cr.done() || !sr.done()) return fail("bytes left over");
    return s;
}

TEST(SynthMailPop3, SameSeedSameBytes) {
    mail::Pop3Conversation g;
    const auto a = testing::sample(g, 20, {110}, 1000, 50000, 3);
    const auto b = testing::sample(g, 20, {110}, 1000, 50000, 3);
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(testing::stream_of(a[i].conv, Side::Server), testing::stream_of(b[i].conv, Side::Server));
        EXPECT_EQ(testing::stream_of(a[i].conv, Side::Client), testing::stream_of(b[i].conv, Side::Client));
        EXPECT_EQ(a[i].conv.truth.dump(), b[i].conv.truth.dump());
    }
}

TEST(SynthMailPop3, SessionsAreProtocolCorrectAndMatchTheTruth) {
    mail::Pop3Conversation g;
    std::map<std::string, int> seen;
    for (const auto &smp : testing::sample(g, 400, {110}, 200, 200000)) {
        SCOPED_TRACE("flow " + std::to_string(smp.ctx.flow_id));
        const Conversation &c = smp.conv;
        ASSERT_FALSE(c.exchanges.empty());
        EXPECT_EQ(c.exchanges.front().from, Side::Server);
        const auto &t = c.truth.at("mail");
        EXPECT_EQ(t.at("protocol"), "pop3");
        const Pop3Session s = parse(c);
        ASSERT_TRUE(s.ok) << s.problem;
        std::vector<std::string> verbs;
        for (const auto &cmd : s.commands) verbs.push_back(cmd.verb);
        EXPECT_EQ(nlohmann::ordered_json(verbs), t.at("commands"));
        EXPECT_EQ(s.stls, t.at("starttls"));
        if (s.stls) {
            EXPECT_TRUE(testing::tls_records_only(s.tls_client));
            EXPECT_TRUE(testing::tls_records_only(s.tls_server));
            ++seen["stls"];
            continue;
        }
        EXPECT_TRUE(testing::crlf_only(testing::stream_of(c, Side::Client)));
        EXPECT_TRUE(testing::crlf_only(testing::stream_of(c, Side::Server)));
        EXPECT_EQ(verbs.back(), "QUIT");
        const auto &a = t.at("auth");
        EXPECT_EQ(a.at("user"), s.user);
        EXPECT_EQ(a.at("mechanism"), s.mechanism);
        EXPECT_EQ(a.at("result"), s.logged_in ? "success" : "failure");
        ++seen["auth_" + s.mechanism + (s.logged_in ? "" : "_failed")];
        if (s.mechanism == "APOP") {  // the timestamp
            EXPECT_NE(s.greeting.find('<'), std::string::npos);
        }

        ASSERT_EQ(s.fetched.size(), t.at("messages").size());
        for (size_t i = 0; i < s.fetched.size(); ++i) {
            const auto &f = s.fetched[i];
            const auto &mt = t.at("messages")[i];
            EXPECT_EQ(mt.at("command"), f.verb);
            EXPECT_EQ(mt.at("number"), f.number);
            ASSERT_TRUE(s.list.count(f.number));
            if (f.verb == "RETR") {
                EXPECT_EQ(f.declared, f.data.size());        // "+OK n octets"
                EXPECT_EQ(s.list.at(f.number), f.data.size());  // LIST agrees
                testing::check_message(f.data, mt);
                if (!mt.at("attachments").empty()) ++seen["attachments"];
                if (f.data.find("\r\n.") != std::string::npos) ++seen["dot_lines"];
            } else {
                EXPECT_LT(f.data.size(), s.list.at(f.number) + 1);
                testing::check_message(f.data, mt, true);  // TOP n 0: the header section only
                ++seen["top"];
            }
        }
        if (s.fetched.size() > 1) ++seen["several"];
        for (const auto &v : verbs)
            if (v == "UIDL" || v == "DELE" || v == "CAPA" || v == "NOOP") ++seen[v];
        for (const auto &e : c.exchanges)
            if (e.from == Side::Client && std::string(e.data.begin(), e.data.end()).rfind("STAT\r\nLIST\r\n", 0) == 0)
                ++seen["pipelined"];
    }
    for (const char *k : {"stls", "auth_USER", "auth_APOP", "auth_PLAIN", "auth_USER_failed", "attachments", "dot_lines",
                          "top", "several", "UIDL", "DELE", "CAPA", "NOOP", "pipelined"})
        EXPECT_GT(seen[k], 0) << k;
}

TEST(SynthMailPop3, NaturalPortIs110) {
    mail::Pop3Conversation g;
    Rng rng(1);
    EXPECT_EQ(g.natural_port(rng), 110);
}

}  // namespace
}  // namespace postern::synth
