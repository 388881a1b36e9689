#include "synth/mail/imap_conversation.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <initializer_list>

#include "synth/mail/encoding.hpp"
#include "synth/mail/message_builder.hpp"
#include "synth/mail/session_common.hpp"

namespace postern::synth::mail {

namespace {

enum Software { kDovecot = 0, kCyrus = 1, kExchange = 2 };

struct Folder {
    std::string_view name;  // as sent: modified UTF-7 (RFC 3501 5.1.3), quoted when it has a space
    std::string_view attrs;
};
constexpr std::array<Folder, 6> kStandardFolders = {{
    {"INBOX", "\\HasNoChildren"},
    {"Drafts", "\\HasNoChildren \\Drafts"},
    {"Sent", "\\HasNoChildren \\Sent"},
    {"Trash", "\\HasNoChildren \\Trash"},
    {"Junk", "\\HasNoChildren \\Junk"},
    {"Archive", "\\HasNoChildren \\Archive"},
}};
// Folders with non-ASCII names: Entwürfe, Отправленные, 送信済み, Gelöschte Elemente.
constexpr std::array<std::string_view, 4> kIntlFolders = {"Entw&APw-rfe", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-",
                                                          "&kAFP4W4IMH8-", "Gel&APY-schte Elemente"};

std::string imap_quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }
std::string mailbox_arg(std::string_view s) {
    return s.find(' ') == std::string_view::npos ? std::string(s) : imap_quoted(s);
}

// Dovecot times its replies: "Fetch completed (0.003 + 0.000 secs)."; the others end in ".".
std::string done(std::string_view text, int software, Rng &rng) {
    if (software != kDovecot) return std::string(text) + ".";
    char buf[48];
    const auto ms = static_cast<unsigned>(rng.between(0, 9));
    std::snprintf(buf, sizeof buf, " (0.00%u + 0.000 secs).", ms);
    return std::string(text) + buf;
}

std::string internal_date(uint64_t unix_seconds) {
    // "14-Nov-2023 22:13:20 +0000" from the RFC 5322 form "Tue, 14 Nov 2023 22:13:20 +0000".
    const std::string d = rfc5322_date(unix_seconds, 0);
    std::string day = d.substr(5, d.find(' ', 5) - 5);
    if (day.size() == 1) day = " " + day;
    const size_t mon = d.find(' ', 5) + 1;
    return day + "-" + d.substr(mon, 3) + "-" + d.substr(mon + 4, 4) + " " + d.substr(mon + 9);
}

// The named header fields of `message` (unfolded lines kept as sent), then the blank line:
// what BODY[HEADER.FIELDS (...)] returns.
std::string header_fields(std::string_view message, std::initializer_list<std::string_view> names) {
    const std::string_view head = message.substr(0, header_section_size(message));
    std::string out;
    size_t pos = 0;
    bool keep = false;
    while (pos + 2 <= head.size()) {
        const size_t eol = head.find("\r\n", pos);
        const std::string_view l = head.substr(pos, eol - pos);
        pos = eol + 2;
        if (l.empty()) break;
        if (l.front() != ' ' && l.front() != '\t') {
            const std::string_view name = l.substr(0, l.find(':'));
            keep = std::any_of(names.begin(), names.end(), [&](std::string_view n) {
                return n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                           return (a | 0x20) == (b | 0x20);
                       });
            });
        }
        if (keep) line(out, l);
    }
    return out + "\r\n";
}

}  // namespace

uint16_t ImapConversation::natural_port(Rng &) const { return 143; }

void ImapConversation::generate(const PayloadContext &ctx, Rng &rng, Conversation &out) {
    const uint64_t start_s = session_start_s(ctx);
    const int software = static_cast<int>(rng.below(3));
    const std::string_view domain = org_domain(rng);
    const std::string host = server_host(rng, "imap", domain);
    const Mailbox owner = person(rng, domain);

    const bool literal_plus = rng.chance(0.6);
    const bool starttls = rng.chance(0.7);
    const bool sasl_ir = software == kDovecot || rng.chance(0.5);
    const bool idle = rng.chance(0.9);
    std::string caps = "IMAP4rev1";
    if (rng.chance(0.2)) caps += " IMAP4rev2";
    if (sasl_ir) caps += " SASL-IR";
    caps += " LOGIN-REFERRALS ID ENABLE";
    if (idle) caps += " IDLE";
    if (literal_plus) caps += " LITERAL+";
    if (starttls) caps += " STARTTLS";
    caps += rng.chance(0.5) ? " AUTH=PLAIN" : " AUTH=PLAIN AUTH=LOGIN";

    nlohmann::ordered_json truth{{"protocol", "imap"}, {"starttls", false}};
    nlohmann::ordered_json commands = nlohmann::ordered_json::array();
    nlohmann::ordered_json mailboxes = nlohmann::ordered_json::array();
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    auto finish = [&] {
        truth["commands"] = std::move(commands);
        truth["mailboxes"] = std::move(mailboxes);
        truth["messages"] = std::move(messages);
        out.truth = {{"mail", std::move(truth)}};
    };
    unsigned next_tag = 1;
    std::string tag;
    // Starts a tagged command: picks the tag, records "tag VERB" and returns "tag args".
    auto begin = [&](std::string_view verb, std::string_view args) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "a%03u", next_tag++);
        tag = buf;
        commands.push_back(tag + " " + std::string(verb));
        return tag + " " + std::string(verb) + (args.empty() ? "" : " " + std::string(args));
    };
    auto simple = [&](std::string_view verb, std::string_view args, const std::string &untagged, const std::string &ok) {
        out.client(begin(verb, args) + "\r\n");
        out.server(untagged + tag + " " + ok + "\r\n");
    };

    if (software == kDovecot) out.server("* OK [CAPABILITY " + caps + "] Dovecot ready.\r\n");
    else if (software == kCyrus) out.server("* OK " + host + " Cyrus IMAP 3.6.1 server ready\r\n");
    else out.server("* OK The Microsoft Exchange IMAP4 service is ready.\r\n");

    if (software != kDovecot || rng.chance(0.4))
        simple("CAPABILITY", "", "* CAPABILITY " + caps + "\r\n", "OK Pre-login capabilities listed, post-login capabilities have more.");

    if (starttls && rng.chance(0.1)) {
        simple("STARTTLS", "", "", "OK Begin TLS negotiation now.");
        truth["starttls"] = true;
        continue_in_tls(ctx, rng, host, out);
        finish();
        return;
    }
    if (rng.chance(0.2))
        simple("ID", "(\"name\" \"Thunderbird\" \"version\" \"115.6.0\")",
               software == kDovecot ? "* ID (\"name\" \"Dovecot\")\r\n" : "* ID NIL\r\n", "OK ID completed.");

    // Login.
    const std::string user = login_name(rng, owner);
    const std::string pass = password(rng);
    const bool ok = rng.chance(0.93);
    const bool plain = rng.chance(0.4);
    const std::string post_caps = caps + " SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS "
                                         "LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH SEARCHRES SPECIAL-USE MOVE";
    if (!plain) {
        out.client(begin("LOGIN", imap_quoted(user) + " " + imap_quoted(pass)) + "\r\n");
    } else if (sasl_ir && rng.chance(0.6)) {
        out.client(begin("AUTHENTICATE", "PLAIN " + sasl_plain(user, pass)) + "\r\n");
    } else {
        out.client(begin("AUTHENTICATE", "PLAIN") + "\r\n");
        out.server("+ \r\n");
        out.client(sasl_plain(user, pass) + "\r\n");
    }
    out.server(tag + (ok ? " OK [CAPABILITY " + post_caps + "] Logged in\r\n"
                         : " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"));
    truth["auth"] = auth_truth(plain ? "PLAIN" : "LOGIN", user, ok);
    if (!ok) {
        simple("LOGOUT", "", "* BYE Logging out\r\n", "OK Logout completed.");
        out.teardown = Teardown::FinServer;
        finish();
        return;
    }

    if (rng.chance(0.8)) {
        const char delim = rng.chance(0.7) ? '/' : '.';
        std::string lines;
        for (const Folder &f : kStandardFolders)
            line(lines, "* LIST (" + std::string(f.attrs) + ") \"" + delim + "\" " + mailbox_arg(f.name));
        if (rng.chance(0.3))
            line(lines, "* LIST (\\HasNoChildren) \"" + std::string(1, delim) + "\" " +
                            mailbox_arg(kIntlFolders[rng.below(kIntlFolders.size())]));
        if (rng.chance(0.3)) {
            line(lines, "* LIST (\\HasChildren) \"" + std::string(1, delim) + "\" Projects");
            line(lines, "* LIST (\\HasNoChildren) \"" + std::string(1, delim) + "\" Projects" + delim + "2023");
        }
        simple("LIST", "\"\" \"*\"", lines, done("OK List completed", software, rng));
    }

    // INBOX: `exists` messages with increasing UIDs; the newest `fetch` are fetched.
    const uint64_t fetch = std::clamp<uint64_t>(ctx.target_bytes / 8000, 1, rng.between(1, 3));
    const uint64_t exists = fetch + rng.between(0, 40);
    std::vector<uint64_t> uids(exists);
    uint64_t uid = rng.between(1, 5000);
    for (auto &u : uids) u = (uid += rng.between(1, 3));
    const uint64_t uidvalidity = rng.between(1500000000, 1700000000);
    const uint64_t recent = rng.between(0, fetch);
    {
        std::string u = "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n";
        u += "* " + std::to_string(exists) + " EXISTS\r\n* " + std::to_string(recent) + " RECENT\r\n";
        u += "* OK [UNSEEN " + std::to_string(exists - fetch + 1) + "] First unseen.\r\n";
        u += "* OK [UIDVALIDITY " + std::to_string(uidvalidity) + "] UIDs valid\r\n";
        u += "* OK [UIDNEXT " + std::to_string(uids.back() + 1) + "] Predicted next UID\r\n";
        const std::string_view inbox = rng.chance(0.5) ? "INBOX" : "\"INBOX\"";  // clients differ
        simple("SELECT", inbox, u, done("OK [READ-WRITE] Select completed", software, rng));
        mailboxes.push_back("INBOX");
    }
    std::vector<Message> inbox;
    const uint64_t used = conversation_bytes(out) + 600;
    const bool append = rng.chance(0.3);
    const uint64_t size = message_budget(ctx.target_bytes, used, fetch + (append ? 1 : 0), 250, 700);
    for (uint64_t i = 0; i < fetch; ++i) {
        MessageSpec spec;
        spec.from = person(rng, org_domain(rng));
        spec.to.push_back(owner);
        if (rng.chance(0.25)) spec.cc.push_back(person(rng, domain));
        spec.date_s = start_s - rng.between(60, 3 * 86400);
        spec.received_hops = static_cast<int>(rng.between(2, 3));
        spec.return_path = true;
        spec.size = size;
        inbox.push_back(build_message(spec, rng));
    }
    const uint64_t first_seq = exists - fetch + 1;
    const std::string uid_range = std::to_string(uids[first_seq - 1]) + ":" + std::to_string(uids.back());

    if (rng.chance(0.3)) {
        std::string found = "* SEARCH";
        for (uint64_t i = first_seq; i <= exists; ++i) found += " " + std::to_string(uids[i - 1]);
        simple("UID SEARCH", "UNSEEN", found + "\r\n", done("OK Search completed", software, rng));
    }
    if (rng.chance(0.35)) {  // a client listing new mail: header fields as literals
        static constexpr std::string_view kFields = "FROM TO CC SUBJECT DATE MESSAGE-ID";
        std::string r;
        for (uint64_t i = 0; i < fetch; ++i) {
            const std::string fields =
                header_fields(inbox[i].data, {"From", "To", "Cc", "Subject", "Date", "Message-ID"});
            r += "* " + std::to_string(first_seq + i) + " FETCH (UID " + std::to_string(uids[first_seq - 1 + i]) +
                 " RFC822.SIZE " + std::to_string(inbox[i].data.size()) + " FLAGS () BODY[HEADER.FIELDS (" +
                 std::string(kFields) + ")] {" + std::to_string(fields.size()) + "}\r\n" + fields + ")\r\n";
        }
        simple("UID FETCH", uid_range + " (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (" + std::string(kFields) + ")])",
               r, done("OK Fetch completed", software, rng));
    }
    const bool peek = rng.chance(0.6);
    for (uint64_t i = 0; i < fetch; ++i) {
        const uint64_t seq = first_seq + i;
        const std::string u = std::to_string(uids[seq - 1]);
        const Message &m = inbox[i];
        std::string r = "* " + std::to_string(seq) + " FETCH (UID " + u + " RFC822.SIZE " +
                        std::to_string(m.data.size()) + " FLAGS (" + (peek ? "" : "\\Seen") + ") BODY[] {" +
                        std::to_string(m.data.size()) + "}\r\n";
        r += m.data;
        r += ")\r\n";
        simple("UID FETCH", u + (peek ? " (UID RFC822.SIZE FLAGS BODY.PEEK[])" : " (UID RFC822.SIZE FLAGS BODY[])"), r,
               done("OK Fetch completed", software, rng));
        nlohmann::ordered_json t{{"command", "UID FETCH"}, {"mailbox", "INBOX"}, {"uid", uids[seq - 1]}};
        const nlohmann::ordered_json summary = message_truth(m);
        for (const auto &[k, v] : summary.items()) t[k] = v;
        messages.push_back(std::move(t));
        if (peek && rng.chance(0.7)) {
            if (rng.chance(0.5))
                simple("UID STORE", u + " +FLAGS (\\Seen)",
                       "* " + std::to_string(seq) + " FETCH (UID " + u + " FLAGS (\\Seen))\r\n",
                       done("OK Store completed", software, rng));
            else
                simple("STORE", std::to_string(seq) + " +FLAGS (\\Seen)",
                       "* " + std::to_string(seq) + " FETCH (FLAGS (\\Seen))\r\n", done("OK Store completed", software, rng));
        }
    }

    if (append) {  // a draft saved while writing: synchronizing literal, or LITERAL+ without a wait
        MessageSpec spec;
        spec.from = owner;
        spec.to = recipients(rng, domain);
        spec.date_s = start_s;
        spec.size = size;
        const Message draft = build_message(spec, rng);
        const bool nonsync = literal_plus && rng.chance(0.5);
        std::string args = rng.chance(0.5) ? "Drafts (\\Draft)" : "\"Drafts\" (\\Draft)";
        if (rng.chance(0.4)) args += " \"" + internal_date(start_s) + "\"";
        args += " {" + std::to_string(draft.data.size()) + (nonsync ? "+}" : "}");
        std::string c = begin("APPEND", args) + "\r\n";
        if (!nonsync) {
            out.client(c);
            out.server(software == kDovecot ? "+ OK\r\n" : "+ Ready for literal data\r\n");
            c.clear();
        }
        c += draft.data;
        c += "\r\n";
        out.client(c);
        const uint64_t drafts_validity = rng.between(1500000000, 1700000000);
        const uint64_t draft_uid = rng.between(1, 900);
        out.server(tag + " OK [APPENDUID " + std::to_string(drafts_validity) + " " + std::to_string(draft_uid) +
                   "] Append completed.\r\n");
        mailboxes.push_back("Drafts");
        nlohmann::ordered_json t{{"command", "APPEND"}, {"mailbox", "Drafts"}};
        const nlohmann::ordered_json summary = message_truth(draft);
        for (const auto &[k, v] : summary.items()) t[k] = v;
        messages.push_back(std::move(t));
    }

    if (idle && rng.chance(0.25)) {  // waits for new mail, seconds apart
        out.client(begin("IDLE", "") + "\r\n");
        out.server("+ idling\r\n");
        if (rng.chance(0.5)) {
            const auto wait = static_cast<int64_t>(rng.between(2'000'000, 30'000'000));
            out.add(Side::Server, "* " + std::to_string(exists + 1) + " EXISTS\r\n* 1 RECENT\r\n", wait);
        }
        const auto wait = static_cast<int64_t>(rng.between(500'000, 10'000'000));
        out.add(Side::Client, "DONE\r\n", wait);
        out.server(tag + " " + done("OK Idle completed", software, rng) + "\r\n");
    }
    simple("LOGOUT", "", "* BYE Logging out\r\n", done("OK Logout completed", software, rng));
    out.teardown = rng.chance(0.8) ? Teardown::FinServer : Teardown::FinClient;
    finish();
}

}  // namespace postern::synth::mail
