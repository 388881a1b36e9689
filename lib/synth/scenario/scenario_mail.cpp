#include "synth/scenario/scenario_mail.hpp"

#include "synth/mail/attachment.hpp"
#include "synth/mail/encoding.hpp"

namespace postern::synth::scenario {

using mail::append_base64;

ScenarioSession &add(Scenario &s, uint64_t start_us, uint16_t port, int client, int server) {
    ScenarioSession &x = s.sessions.emplace_back();
    x.start_us = start_us, x.port = port, x.client = client, x.server = server;
    return x;
}

std::vector<uint8_t> file(std::string_view ext, uint64_t size, Rng &rng) {
    std::vector<uint8_t> out;
    mail::make_file(ext, size, rng, out);
    return out;
}

std::string message(const MessageParts &m) {
    std::string out;
    out += "From: " + m.from + "\r\nTo: " + m.to + "\r\nSubject: " + m.subject + "\r\n";
    if (m.date_s) out += "Date: " + mail::rfc5322_date(m.date_s, 60) + "\r\n";
    if (m.message_id) out += "Message-ID: <" + std::to_string(m.date_s) + "." + std::to_string(m.subject.size()) +
                             "@mail.example.com>\r\n";
    out += "MIME-Version: 1.0\r\n" + m.extra_headers;
    if (m.files.empty()) {
        out += "Content-Type: text/plain; charset=utf-8\r\n\r\n" + m.body;
        return out;
    }
    out += "Content-Type: multipart/mixed; boundary=\"=_b0\"\r\n\r\n--=_b0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + m.body;
    for (const File &f : m.files) {
        out += "--=_b0\r\nContent-Type: " + f.content_type + "; name=\"" + f.filename +
               "\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"" +
               f.filename + "\"\r\n\r\n";
        append_base64(out, f.data.data(), f.data.size(), 76);
        out += "\r\n";
    }
    out += "--=_b0--\r\n";
    return out;
}

void smtp(Conversation &c, const SmtpSession &s) {
    c.add(Side::Server, "220 mail.example.com ESMTP Postfix\r\n");
    c.add(Side::Client, "EHLO " + s.helo + "\r\n", s.think_us);
    c.server("250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-AUTH PLAIN LOGIN\r\n"
             "250-8BITMIME\r\n250 SMTPUTF8\r\n");
    for (int i = 0; !s.user.empty() && i < s.auth_attempts; ++i) {
        c.client("AUTH PLAIN " + mail::base64(std::string("\0", 1) + s.user + std::string("\0", 1) + "pw" +
                                               std::to_string(i)) + "\r\n");
        c.server(s.auth_ok ? "235 2.7.0 Authentication successful\r\n" : "535 5.7.8 Authentication failed\r\n");
    }
    if (!s.user.empty() && !s.auth_ok) {
        c.client("QUIT\r\n");
        c.server("221 2.0.0 Bye\r\n");
        c.teardown = Teardown::FinServer;
        return;
    }
    for (const std::string &m : s.messages) {
        c.client("MAIL FROM:<" + s.mail_from + ">\r\n");
        c.server("250 2.1.0 Ok\r\n");
        for (const std::string &r : s.rcpt) {
            c.client("RCPT TO:<" + r + ">\r\n");
            c.server("250 2.1.5 Ok\r\n");
        }
        c.client("DATA\r\n");
        c.server("354 End data with <CR><LF>.<CR><LF>\r\n");
        std::string data;
        mail::append_dot_stuffed(data, m);
        c.client(data);
        c.server("250 2.0.0 Ok: queued\r\n");
    }
    c.client("QUIT\r\n");
    c.server("221 2.0.0 Bye\r\n");
    c.teardown = Teardown::FinServer;
}

void pop3(Conversation &c, const Pop3Session &s) {
    c.server("+OK Dovecot ready.\r\n");
    c.client("USER " + s.user + "\r\n");
    c.server("+OK\r\n");
    c.client("PASS hunter2\r\n");
    c.server("+OK Logged in.\r\n");
    size_t total = 0;
    for (const auto &m : s.messages) total += m.size();
    c.client("STAT\r\n");
    c.server("+OK " + std::to_string(s.messages.size()) + " " + std::to_string(total) + "\r\n");
    for (size_t i = 0; s.retrieve && i < s.messages.size(); ++i) {
        const std::string n = std::to_string(i + 1);
        c.client("RETR " + n + "\r\n");
        std::string data = "+OK " + std::to_string(s.messages[i].size()) + " octets\r\n";
        mail::append_dot_stuffed(data, s.messages[i]);
        c.server(data);
        if (s.dele) {
            c.client("DELE " + n + "\r\n");
            c.server("+OK Marked to be deleted.\r\n");
        }
    }
    c.client("QUIT\r\n");
    c.server("+OK Logging out.\r\n");
    c.teardown = Teardown::FinServer;
}

void imap_login(Conversation &c, std::string_view user) {
    c.server("* OK [CAPABILITY IMAP4rev1 IDLE LITERAL+ UIDPLUS] Dovecot ready.\r\n");
    c.client("a1 LOGIN \"" + std::string(user) + "\" \"hunter2\"\r\n");
    c.server("a1 OK Logged in\r\n");
}

namespace {
std::string tag_of(int &tag) { return "a" + std::to_string(++tag); }
}  // namespace

void imap_cmd(Conversation &c, int &tag, std::string_view command, std::string_view untagged, int64_t think_us) {
    const std::string t = tag_of(tag);
    c.add(Side::Client, t + " " + std::string(command) + "\r\n", think_us);
    c.server(std::string(untagged) + t + " OK done\r\n");
}

void imap_append(Conversation &c, int &tag, std::string_view mailbox, std::string_view flags, std::string_view msg,
                 int64_t think_us) {
    const std::string t = tag_of(tag);
    c.add(Side::Client,
          t + " APPEND " + std::string(mailbox) + " (" + std::string(flags) + ") {" + std::to_string(msg.size()) +
              "+}\r\n" + std::string(msg) + "\r\n",
          think_us);
    c.server(t + " OK [APPENDUID 1 " + std::to_string(tag) + "] Append completed.\r\n");
}

void imap_fetch(Conversation &c, int &tag, uint32_t uid, std::string_view msg, int64_t think_us) {
    const std::string t = tag_of(tag);
    c.add(Side::Client, t + " UID FETCH " + std::to_string(uid) + " BODY.PEEK[]\r\n", think_us);
    c.server("* 1 FETCH (UID " + std::to_string(uid) + " BODY[] {" + std::to_string(msg.size()) + "}\r\n" +
             std::string(msg) + ")\r\n" + t + " OK Fetch completed.\r\n");
}

void imap_logout(Conversation &c, int &tag) {
    const std::string t = tag_of(tag);
    c.client(t + " LOGOUT\r\n");
    c.server("* BYE Logging out\r\n" + t + " OK Logout completed.\r\n");
    c.teardown = Teardown::FinServer;
}

}  // namespace postern::synth::scenario
