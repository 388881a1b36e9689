#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mail_test_util.hpp"
#include "synth/mail/imap_conversation.hpp"

namespace postern::synth {
namespace {

using testing::Reader;

// One IMAP line with its literals: "{n}" / "{n+}" at the end of a line is followed by exactly n
// bytes, after which the line goes on (RFC 3501 4.3, RFC 7888).
struct Logical {
    std::string text;                   // the line with each literal replaced by "{}"
    std::vector<std::string> literals;  // their bytes
    std::vector<bool> non_sync;         // "{n+}"
};

bool read_logical(Reader &r, Logical &out) {
    out = Logical{};
    std::string_view l;
    for (;;) {
        if (!r.line(l)) return false;
        const size_t open = l.rfind('{');
        if (l.empty() || l.back() != '}' || open == std::string_view::npos) {
            out.text += l;
            return true;
        }
        std::string_view count = l.substr(open + 1, l.size() - open - 2);
        const bool plus = !count.empty() && count.back() == '+';
        if (plus) count.remove_suffix(1);
        if (count.empty() || count.find_first_not_of("0123456789") != std::string_view::npos) {
            out.text += l;
            return true;
        }
        std::string_view bytes;
        if (!r.bytes(std::stoull(std::string(count)), bytes)) return false;
        out.text += l.substr(0, open);
        out.text += "{}";
        out.literals.emplace_back(bytes);
        out.non_sync.push_back(plus);
    }
}

std::string word(std::string_view l, size_t n) {
    size_t pos = 0;
    for (size_t i = 0; i < n; ++i) {
        pos = l.find(' ', pos);
        if (pos == std::string_view::npos) return {};
        ++pos;
    }
    return std::string(l.substr(pos, l.find(' ', pos) - pos));
}

std::string unquote(const std::string &s) {
    return s.size() >= 2 && s.front() == '"' && s.back() == '"' ? s.substr(1, s.size() - 2) : s;
}

uint64_t number_after(std::string_view text, std::string_view key) {
    const size_t at = text.find(key);
    return at == std::string_view::npos ? 0 : std::stoull(std::string(text.substr(at + key.size())));
}

struct ImapSession {
    std::vector<std::string> commands, mailboxes;
    std::string user, mechanism, tls_client, tls_server;
    bool starttls = false, logged_in = false;
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();  // {"command","uid"|"mailbox","data"}
    std::vector<std::string> message_data;
    std::map<std::string, int> features;
    bool ok = true;
    std::string problem;
};

ImapSession parse(const Conversation &c) {
    ImapSession s;
    const std::string cs = testing::stream_of(c, Side::Client), ss = testing::stream_of(c, Side::Server);
    Reader cr(cs), sr(ss);
    Logical cl, sl;
    auto fail = [&](const std::string &why) {
        s.ok = false;
        s.problem = why;
        return s;
    };
    if (!read_logical(sr, sl) || sl.text.rfind("* OK", 0) != 0) return fail("greeting");
    unsigned expected_tag = 1;
    while (read_logical(cr, cl)) {
        char want[16];
        std::snprintf(want, sizeof want, "a%03u", expected_tag++);
        const std::string tag = word(cl.text, 0);
        if (tag != want) return fail("tag " + tag + ", expected " + want);
        std::string verb = word(cl.text, 1);
        if (verb == "UID") verb += " " + word(cl.text, 2);
        s.commands.push_back(tag + " " + verb);
        if (verb == "LOGIN") {
            s.mechanism = "LOGIN";
            const std::string u = word(cl.text, 2);
            s.user = u.substr(1, u.size() - 2);  // quoted
        } else if (verb == "AUTHENTICATE") {
            s.mechanism = word(cl.text, 2);
            std::string ir = word(cl.text, 3);
            if (ir.empty()) {
                if (!read_logical(sr, sl) || sl.text.rfind("+", 0) != 0) return fail("AUTHENTICATE continuation");
                Logical resp;
                if (!read_logical(cr, resp)) return fail("SASL response");
                ir = resp.text;
                ++s.features["sasl_continuation"];
            }
            const std::string raw = testing::b64decode(ir);
            s.user = raw.substr(1, raw.find('\0', 1) - 1);
        } else if (verb == "SELECT") {
            s.mailboxes.push_back(unquote(word(cl.text, 2)));
        } else if (verb == "APPEND") {
            s.mailboxes.push_back(unquote(word(cl.text, 2)));
            if (cl.literals.size() != 1) return fail("APPEND literal");
            EXPECT_NE(cl.text.find("(\\Draft)"), std::string::npos);
            s.messages.push_back({{"command", "APPEND"}, {"mailbox", unquote(word(cl.text, 2))}});
            s.message_data.push_back(cl.literals[0]);
            ++s.features[cl.non_sync[0] ? "literal_plus" : "literal_sync"];
        } else if (verb == "IDLE") {
            if (!read_logical(sr, sl) || sl.text.rfind("+ ", 0) != 0) return fail("IDLE continuation");
            Logical done;
            if (!read_logical(cr, done) || done.text != "DONE") return fail("DONE");
            ++s.features["idle"];
        }
        // Responses up to this command's tagged completion.
        int continuations = 0;
        for (;;) {
            if (!read_logical(sr, sl)) return fail("no completion for " + tag);
            if (sl.text.rfind("+", 0) == 0) {
                ++continuations;
                continue;
            }
            if (sl.text.rfind("* ", 0) == 0) {
                if (sl.text.find(" FETCH (") != std::string::npos && !sl.literals.empty()) {
                    const uint64_t size = number_after(sl.text, "RFC822.SIZE ");
                    if (sl.text.find("BODY[] {}") != std::string::npos) {
                        EXPECT_EQ(size, sl.literals[0].size());
                        EXPECT_EQ(sl.text.substr(sl.text.size() - 3), "{})");  // the literal closes the item list
                        s.messages.push_back({{"command", "UID FETCH"}, {"uid", number_after(sl.text, "(UID ")}});
                        s.message_data.push_back(sl.literals[0]);
                    } else {  // header fields: a header block ending in a blank line
                        const std::string &h = sl.literals[0];
                        EXPECT_EQ(h.substr(h.size() - 4), "\r\n\r\n");
                        EXPECT_EQ(h.find("Received:"), std::string::npos);
                        ++s.features["header_fields"];
                    }
                }
                continue;
            }
            if (word(sl.text, 0) != tag) return fail("tagged response " + sl.text + " for " + tag);
            const std::string status = word(sl.text, 1);
            if (status != "OK" && status != "NO") return fail("status " + sl.text);
            if ((verb == "LOGIN" || verb == "AUTHENTICATE") && status == "OK") s.logged_in = true;
            break;
        }
        if (verb == "APPEND") {
            EXPECT_EQ(continuations, cl.non_sync[0] ? 0 : 1);
        }
        if (verb == "STARTTLS") {
            s.starttls = true;
            s.tls_client = std::string(cr.rest());
            s.tls_server = std::string(sr.rest());
            return s;
        }
    }
    if (!cr.done() || !sr.done()) return fail("bytes left over");
    return s;
}

TEST(SynthMailImap, SameSeedSameBytes) {
    mail::ImapConversation g;
    const auto a = testing::sample(g, 20, {143}, 1000, 50000, 3);
    const auto b = testing::sample(g, 20, {143}, 1000, 50000, 3);
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(testing::stream_of(a[i].conv, Side::Server), testing::stream_of(b[i].conv, Side::Server));
        EXPECT_EQ(testing::stream_of(a[i].conv, Side::Client), testing::stream_of(b[i].conv, Side::Client));
        EXPECT_EQ(a[i].conv.truth.dump(), b[i].conv.truth.dump());
    }
}

TEST(SynthMailImap, SessionsAreProtocolCorrectAndMatchTheTruth) {
    mail::ImapConversation g;
    std::map<std::string, int> seen;
    for (const auto &smp : testing::sample(g, 400, {143}, 200, 200000)) {
        SCOPED_TRACE("flow " + std::to_string(smp.ctx.flow_id));
        const Conversation &c = smp.conv;
        ASSERT_FALSE(c.exchanges.empty());
        EXPECT_EQ(c.exchanges.front().from, Side::Server);
        const auto &t = c.truth.at("mail");
        EXPECT_EQ(t.at("protocol"), "imap");
        const ImapSession s = parse(c);
        ASSERT_TRUE(s.ok) << s.problem;
        for (const auto &[k, v] : s.features) seen[k] += v;
        EXPECT_EQ(nlohmann::ordered_json(s.commands), t.at("commands"));
        EXPECT_EQ(s.starttls, t.at("starttls"));
        if (s.starttls) {
            EXPECT_TRUE(testing::tls_records_only(s.tls_client));
            EXPECT_TRUE(testing::tls_records_only(s.tls_server));
            ++seen["starttls"];
            continue;
        }
        EXPECT_TRUE(testing::crlf_only(testing::stream_of(c, Side::Client)));
        EXPECT_TRUE(testing::crlf_only(testing::stream_of(c, Side::Server)));
        const auto &a = t.at("auth");
        EXPECT_EQ(a.at("user"), s.user);
        EXPECT_EQ(a.at("mechanism"), s.mechanism);
        EXPECT_EQ(a.at("result"), s.logged_in ? "success" : "failure");
        ++seen["auth_" + s.mechanism + (s.logged_in ? "" : "_failed")];
        EXPECT_EQ(nlohmann::ordered_json(s.mailboxes), t.at("mailboxes"));
        EXPECT_TRUE(s.commands.back().ends_with(" LOGOUT"));

        ASSERT_EQ(s.messages.size(), t.at("messages").size());
        for (size_t i = 0; i < s.messages.size(); ++i) {
            const auto &mt = t.at("messages")[i];
            EXPECT_EQ(mt.at("command"), s.messages[i].at("command"));
            if (mt.at("command") == "UID FETCH") {
                EXPECT_EQ(mt.at("uid"), s.messages[i].at("uid"));
                EXPECT_EQ(mt.at("mailbox"), "INBOX");
            } else {
                EXPECT_EQ(mt.at("mailbox"), s.messages[i].at("mailbox"));
                EXPECT_EQ(mt.at("mailbox"), "Drafts");
                ++seen["append"];
            }
            testing::check_message(s.message_data[i], mt);
            if (!mt.at("attachments").empty()) ++seen["attachments"];
        }
        // A synchronizing literal waits for the server's "+ " before the message is sent.
        for (size_t i = 0; i + 1 < c.exchanges.size(); ++i) {
            const std::string d(c.exchanges[i].data.begin(), c.exchanges[i].data.end());
            if (c.exchanges[i].from == Side::Client && d.find(" APPEND ") != std::string::npos &&
                d.ends_with("}\r\n") && !d.ends_with("+}\r\n")) {
                EXPECT_EQ(c.exchanges[i + 1].from, Side::Server);
                EXPECT_EQ(c.exchanges[i + 1].data.front(), '+');
            }
        }
    }
    for (const char *k : {"starttls", "auth_LOGIN", "auth_PLAIN", "auth_LOGIN_failed", "sasl_continuation",
                          "literal_plus", "literal_sync", "idle", "header_fields", "append", "attachments"})
        EXPECT_GT(seen[k], 0) << k;
}

TEST(SynthMailImap, NaturalPortIs143) {
    mail::ImapConversation g;
    Rng rng(1);
    EXPECT_EQ(g.natural_port(rng), 143);
}

}  // namespace
}  // namespace postern::synth
