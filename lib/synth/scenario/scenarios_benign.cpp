// Benign scenarios: ordinary mail that looks suspicious on one axis. None should alert.
#include <cmath>

#include "synth/scenario/scenario.hpp"
#include "synth/scenario/scenario_mail.hpp"

namespace postern::synth {

using namespace scenario;

namespace {

constexpr uint64_t kT0 = 1700000000;  // capture start (s), for Date headers

// A mail client polling POP3 every 10 minutes for 3 hours; now and then there is mail.
void pop3_poll(Rng &rng, Scenario &s) {
    s.description = "POP3 client polling every 10 min for 3 h (benign beaconing)";
    for (int i = 0; i < 19; ++i) {
        Pop3Session p;
        p.user = "carol";
        if (i == 4 || i == 11) {
            MessageParts m;
            m.subject = "Lunch?";
            m.date_s = kT0 + i * 600;
            p.messages = {message(m), message(m)};
        }
        pop3(add(s, i * 600 * kS + rng.below(2 * kS), 110).conv, p);
    }
}

// One IMAP connection re-issuing IDLE every 29 minutes (RFC 2177): flow timeouts cut it into
// pieces that resume mid-stream every 29 minutes.
void imap_idle(Rng &, Scenario &s) {
    s.description = "IMAP IDLE re-issued every 29 min over 3 h on one connection";
    Conversation &c = add(s, 60 * kS, 143).conv;
    imap_login(c, "dave");
    int tag = 1;
    imap_cmd(c, tag, "SELECT INBOX", "* 12 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n");
    for (int i = 0; i < 6; ++i) {
        const std::string t = "a" + std::to_string(++tag);
        c.client(t + " IDLE\r\n");
        c.server("+ idling\r\n");
        c.add(Side::Client, "DONE\r\n", 29 * 60 * kS);
        c.server(t + " OK Idle completed.\r\n");
    }
    imap_logout(c, tag);
}

// Real Drafts use: a draft saved three times in one long session (each save appends the new
// version and deletes the old one), then sent over SMTP submission.
void drafts_real(Rng &, Scenario &s) {
    s.description = "Drafts saved three times in one IMAP session, then sent";
    Conversation &c = add(s, 2 * 3600 * kS, 143).conv;
    imap_login(c, "erin");
    int tag = 1;
    imap_cmd(c, tag, "SELECT Drafts", "* 0 EXISTS\r\n");
    MessageParts m;
    m.from = "Erin Wu <erin.wu@example.com>";
    m.subject = "Budget proposal";
    for (int v = 1; v <= 3; ++v) {
        m.body = "Draft " + std::to_string(v) + " of the budget proposal.\r\n";
        imap_append(c, tag, "Drafts", "\\Draft \\Seen", message(m), 150 * kS);
        if (v > 1) {
            imap_cmd(c, tag, "UID STORE " + std::to_string(v - 1) + " +FLAGS (\\Deleted)", "* 1 FETCH (FLAGS (\\Deleted))\r\n");
            imap_cmd(c, tag, "EXPUNGE", "* 1 EXPUNGE\r\n");
        }
    }
    imap_cmd(c, tag, "UID STORE 3 +FLAGS (\\Deleted)", "* 1 FETCH (FLAGS (\\Deleted))\r\n", 200 * kS);
    imap_cmd(c, tag, "EXPUNGE", "* 1 EXPUNGE\r\n");
    imap_logout(c, tag);
    SmtpSession send;  // added last: `c` refers into s.sessions
    send.user = "erin.wu@example.com";
    send.mail_from = "erin.wu@example.com";
    send.messages = {message(m)};
    smtp(add(s, 2 * 3600 * kS + 500 * kS, 587).conv, send);
}

// Subjects in other scripts, RFC 2047 base64-encoded (the raw header is base64-shaped).
void foreign_subjects(Rng &, Scenario &s) {
    s.description = "RFC 2047 base64 subjects in Cyrillic, CJK, Arabic and Greek";
    static const char *kSubjects[] = {
        "=?UTF-8?B?0J7RgtGH0LXRgiDQt9CwINGH0LXRgtCy0LXRgNGC0YvQuSDQutCy0LDRgNGC0LDQuw==?=",
        "=?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6YyyIOKAlCAxMeaciOWIhg==?=",
        "=?UTF-8?B?2KrZgtix2YrYsSDYp9mE2YXYqNmK2LnYp9iqINin2YTYtNmH2LHZig==?=",
        "=?UTF-8?B?zpHOvc6xz4bOv8+BzqwgzrrOsc+Ezrwgz4POsc+Dzrs=?="};
    SmtpSession r;
    r.helo = "relay.example.org";
    r.mail_from = "news@example.org";
    r.rcpt = {"frank@example.com"};
    for (int i = 0; i < 4; ++i) {
        MessageParts m;
        m.from = "=?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.org>";
        m.to = "frank@example.com";
        m.subject = kSubjects[i];
        m.date_s = kT0 + 1000 + i;
        r.messages.push_back(message(m));
    }
    smtp(add(s, 3000 * kS, 25).conv, r);
}

// A cron job mailing its report every day at 02:00 for six days.
void cron_daily(Rng &rng, Scenario &s) {
    s.description = "cron job mailing a backup report daily for 6 days";
    for (int d = 0; d < 6; ++d) {
        SmtpSession c;
        c.helo = "backup01.corp.example";
        c.mail_from = "root@backup01.corp.example";
        c.rcpt = {"ops@example.com"};
        MessageParts m;
        m.from = "Cron Daemon <root@backup01.corp.example>";
        m.to = "ops@example.com";
        m.subject = "Cron <root@backup01> /usr/local/bin/backup.sh";
        m.date_s = kT0 + d * 86400 + 7200;
        m.body = "backup completed: " + std::to_string(1000 + rng.below(100)) + " files, 0 errors\r\n";
        c.messages = {message(m)};
        smtp(add(s, (d * 86400 + 7200) * kS + rng.below(3 * kS), 25).conv, c);
    }
}

// The sanctioned relay pushing a newsletter to several MX hosts in a 3-minute burst.
void newsletter(Rng &rng, Scenario &s) {
    s.description = "newsletter burst from the sanctioned relay to 5 MX hosts";
    uint64_t t = 5000 * kS;
    for (int i = 0; i < 40; ++i) {
        SmtpSession c;
        c.helo = "mailout.example.com";
        c.mail_from = "newsletter@example.com";
        c.rcpt = {"reader" + std::to_string(i) + "@example.net"};
        MessageParts m;
        m.from = "Example News <newsletter@example.com>";
        m.to = c.rcpt[0];
        m.subject = "This week at Example: product updates and events";
        m.extra_headers = "List-Unsubscribe: <mailto:unsub@example.com>\r\nX-Campaign: 2023-11-weekly\r\n";
        m.body = std::string(6000, 'x') + "\r\n";
        c.messages = {message(m)};
        smtp(add(s, t, 25, 0, 1 + i % 5).conv, c);
        t += static_cast<uint64_t>(-4.5 * std::log(1 - rng.unit()) * kS) + kS / 2;
    }
}

// A person's submissions over a day — text, PDFs, pictures — then one large zip (2 MB stands
// for the 12 MB of the story: same shape, smaller capture).
void large_zip(Rng &rng, Scenario &s) {
    s.description = "normal sender with attachments, then a 2 MB zip (stands for 12 MB)";
    static const char *kExt[] = {"", "pdf", "png", "jpg", "docx", "", "xlsx", "pdf", "", "png", "jpg", ""};
    static const char *kType[] = {"", "application/pdf", "image/png", "image/jpeg",
                                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "",
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                  "application/pdf", "", "image/png", "image/jpeg", ""};
    for (int i = 0; i <= 12; ++i) {
        SmtpSession c;
        c.user = "grace@example.com";
        c.mail_from = "grace@example.com";
        MessageParts m;
        m.from = "Grace Hopper <grace@example.com>";
        m.subject = i == 12 ? "Project archive" : "Update " + std::to_string(i);
        m.date_s = kT0 + 8 * 3600 + i * 2400;
        if (i == 12) {
            m.files.push_back({"application/zip", "project-archive.zip", file("zip", 2u << 20, rng)});
        } else if (*kExt[i]) {
            m.files.push_back({kType[i], "file" + std::to_string(i) + "." + kExt[i],
                               file(kExt[i], rng.between(50000, 400000), rng)});
        }
        c.messages = {message(m)};
        smtp(add(s, (8 * 3600 + i * 2400) * kS + rng.below(600 * kS), 587).conv, c);
    }
}

// S/MIME: a signed and an encrypted message (opaque DER blobs that are neither text nor a known
// file type).
void smime(Rng &rng, Scenario &s) {
    s.description = "S/MIME signed and encrypted mail";
    std::vector<uint8_t> der(3000);
    rng.fill(der.data(), der.size());
    der[0] = 0x30, der[1] = 0x82;
    SmtpSession c;
    c.user = "heidi@example.com";
    c.mail_from = "heidi@example.com";
    MessageParts sig;
    sig.from = "Heidi Klum <heidi@example.com>";
    sig.subject = "Signed contract";
    sig.files.push_back({"application/pkcs7-signature", "smime.p7s", der});
    c.messages.push_back(message(sig));
    MessageParts enc;
    enc.from = sig.from;
    enc.subject = "Encrypted: salary review";
    enc.body = "This is an S/MIME encrypted message.\r\n";
    rng.fill(der.data() + 2, der.size() - 2);
    enc.files.push_back({"application/pkcs7-mime; smime-type=enveloped-data", "smime.p7m", der});
    c.messages.push_back(message(enc));
    smtp(add(s, 7000 * kS, 587).conv, c);
}

// One person, a laptop (client 0) and a phone (client 1), on one account: each device syncs
// INBOX, then works on drafts the other saved (reads one, saves a new version, deletes the old),
// at irregular times over two hours: Drafts shared by two clients, as a dead drop shares it.
void drafts_two_devices(Rng &rng, Scenario &s) {
    s.description = "One person's laptop and phone both edit drafts in a shared Drafts folder";
    MessageParts m;
    m.from = "Ivan Petrov <ivan@example.com>";
    m.subject = "Notes for the board meeting";
    uint64_t t = 300 * kS;
    for (int i = 0; i < 10; ++i, t += rng.between(240, 1200) * kS) {
        Conversation &c = add(s, t, 143, i % 2).conv;
        imap_login(c, "ivan");
        int tag = 1;
        imap_cmd(c, tag, "SELECT INBOX", "* 40 EXISTS\r\n* 0 RECENT\r\n");
        imap_cmd(c, tag, "UID FETCH 1:* (UID FLAGS)", "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n");
        imap_cmd(c, tag, "SELECT Drafts", "* 1 EXISTS\r\n");
        m.body = "Version " + std::to_string(i) + " of my notes: budget, hiring, the office move.\r\n";
        if (i > 0) imap_fetch(c, tag, static_cast<uint32_t>(i), message(m));
        imap_append(c, tag, "Drafts", "\\Draft \\Seen", message(m));
        if (i > 0) {
            imap_cmd(c, tag, "UID STORE " + std::to_string(i) + " +FLAGS (\\Deleted)", "* 1 FETCH (FLAGS (\\Deleted))\r\n");
            imap_cmd(c, tag, "EXPUNGE", "* 1 EXPUNGE\r\n");
        }
        imap_logout(c, tag);
    }
}

}  // namespace

void add_benign_scenarios(std::vector<ScenarioEntry> &t) {
    t.push_back({"benign_pop3_poll_10min", pop3_poll});
    t.push_back({"benign_imap_idle_29min", imap_idle});
    t.push_back({"benign_drafts_saved_then_sent", drafts_real});
    t.push_back({"benign_drafts_two_devices", drafts_two_devices});
    t.push_back({"benign_rfc2047_subjects", foreign_subjects});
    t.push_back({"benign_cron_daily_report", cron_daily});
    t.push_back({"benign_newsletter_burst", newsletter});
    t.push_back({"benign_large_zip", large_zip});
    t.push_back({"benign_smime", smime});
}

}  // namespace postern::synth
