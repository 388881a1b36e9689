// Malicious scenarios: one per detector target, each naming the detectors that must fire.
#include <cmath>

#include "synth/mail/encoding.hpp"
#include "synth/mail/tls_records.hpp"
#include "synth/scenario/scenario.hpp"
#include "synth/scenario/scenario_mail.hpp"

namespace postern::synth {

using namespace scenario;

void add_benign_scenarios(std::vector<ScenarioEntry> &t);

namespace {

constexpr uint64_t kT0 = 1700000000;
constexpr uint64_t kBase = 9 * 3600 * kS;  // malicious activity starts 9 h into the capture

// Sessions of malicious scenarios start kBase into the capture.
ScenarioSession &at(Scenario &s, uint64_t start_us, uint16_t port, int client = 0) {
    return add(s, kBase + start_us, port, client);
}

void expect(Scenario &s, std::initializer_list<const char *> names, const char *what) {
    s.malicious = true;
    for (const char *n : names) s.expect.emplace_back(n);
    s.description = what;
}

// period × (1 ± jitter), uniformly.
uint64_t jittered(Rng &rng, double period_s, double jitter) {
    return static_cast<uint64_t>(period_s * (1 - jitter + 2 * jitter * rng.unit()) * kS);
}

std::string random_b64(Rng &rng, size_t bytes) {
    std::string raw(bytes, '\0');
    rng.fill(reinterpret_cast<uint8_t *>(raw.data()), raw.size());
    return mail::base64(raw);
}

void pop3_beacon(Rng &rng, Scenario &s) {
    expect(s, {"beaconing"}, "POP3 polling every 15 s ± 25 %");
    uint64_t t = 0;
    for (int i = 0; i < 30; ++i, t += jittered(rng, 15, 0.25)) {
        Pop3Session p;
        p.user = "svc-update";
        pop3(at(s, t, 110).conv, p);
    }
}

void imap_beacon(Rng &rng, Scenario &s) {
    expect(s, {"beaconing"}, "IMAP check-in every 45 s ± 20 %");
    uint64_t t = 0;
    for (int i = 0; i < 20; ++i, t += jittered(rng, 45, 0.2)) {
        Conversation &c = at(s, t, 143).conv;
        imap_login(c, "helpdesk");
        int tag = 1;
        imap_cmd(c, tag, "SELECT INBOX", "* 3 EXISTS\r\n");
        imap_cmd(c, tag, "UID SEARCH UNSEEN", "* SEARCH\r\n");
        imap_logout(c, tag);
    }
}

// Implant (client 0) leaves results in Drafts every 2 minutes; the operator (client 1) picks them
// up every 5 minutes, deletes them and leaves the next command.
void drafts_dead_drop(Rng &rng, Scenario &s) {
    expect(s, {"drafts_shared_drop", "dead_drop", "beaconing"}, "Drafts dead drop shared by implant and operator");
    MessageParts m;
    m.from = "kim@example.com", m.to = "kim@example.com", m.subject = "draft";
    uint64_t t = 0;
    for (int i = 0; i < 16; ++i, t += jittered(rng, 120, 0.2)) {
        Conversation &c = at(s, t, 143, 0).conv;
        imap_login(c, "kim");
        int tag = 1;
        imap_cmd(c, tag, "SELECT Drafts", "* 1 EXISTS\r\n");
        m.body = random_b64(rng, 200) + "\r\n";
        imap_fetch(c, tag, 1, message(m));
        m.body = random_b64(rng, 900) + "\r\n";
        imap_append(c, tag, "Drafts", "\\Draft", message(m));
        imap_logout(c, tag);
    }
    t = 60 * kS;
    for (int i = 0; i < 6; ++i, t += jittered(rng, 300, 0.3)) {
        Conversation &c = at(s, t, 143, 1).conv;
        imap_login(c, "kim");
        int tag = 1;
        imap_cmd(c, tag, "SELECT Drafts", "* 2 EXISTS\r\n");
        imap_fetch(c, tag, 2, message(m));
        imap_cmd(c, tag, "UID STORE 2 +FLAGS (\\Deleted)", "* 2 FETCH (FLAGS (\\Deleted))\r\n");
        imap_cmd(c, tag, "EXPUNGE", "* 2 EXPUNGE\r\n");
        m.body = random_b64(rng, 120) + "\r\n";
        imap_append(c, tag, "Drafts", "\\Draft", message(m));
        imap_logout(c, tag);
    }
}

void pop3_dead_drop(Rng &rng, Scenario &s) {
    expect(s, {"dead_drop"}, "POP3 sessions that RETR and DELE one message, irregularly");
    uint64_t t = 0;
    for (int i = 0; i < 8; ++i, t += rng.between(180, 540) * kS) {
        MessageParts m;
        m.subject = "task";
        m.body = random_b64(rng, 300) + "\r\n";
        Pop3Session p;
        p.user = "printer";
        p.messages = {message(m)};
        p.dele = true;
        pop3(at(s, t, 110).conv, p);
    }
}

void header_smuggling(Rng &rng, Scenario &s) {
    expect(s, {"encoded_human_field"}, "commands and output hidden in a custom X- header");
    for (int i = 0; i < 3; ++i) {
        SmtpSession c;
        c.user = "ivy@example.com";
        c.mail_from = "ivy@example.com";
        c.rcpt = {"ivy.backup@example.net"};
        MessageParts m;
        m.from = "Ivy Chen <ivy@example.com>", m.to = "ivy.backup@example.net";
        m.subject = "Re: invoice";
        m.date_s = kT0 + 9 * 3600 + i * 1000;
        m.extra_headers = "X-Session-Token: " + random_b64(rng, 90) + "\r\n";
        c.messages = {message(m)};
        smtp(at(s, i * 1000 * kS, 587).conv, c);
    }
}

void send_file(Scenario &s, uint64_t t, const File &f, const std::string &subject) {
    SmtpSession c;
    c.user = "judy@example.com";
    c.mail_from = "judy@example.com";
    c.rcpt = {"drop@example.net"};
    MessageParts m;
    m.from = "Judy Lee <judy@example.com>", m.to = "drop@example.net", m.subject = subject;
    m.date_s = kT0 + 9 * 3600 + t / kS;
    m.files.push_back(f);
    c.messages = {message(m)};
    smtp(at(s, t, 587).conv, c);
}

void stego_png(Rng &rng, Scenario &s) {
    expect(s, {"image_trailing_data"}, "PNG with 6 KB appended after IEND");
    File f{"image/png", "holiday.png", file("png", 40000, rng)};
    std::vector<uint8_t> tail(6000);
    rng.fill(tail.data(), tail.size());
    f.data.insert(f.data.end(), tail.begin(), tail.end());
    send_file(s, 100 * kS, f, "photos");
}

void stego_jpeg(Rng &rng, Scenario &s) {
    expect(s, {"image_trailing_data"}, "JPEG with a ZIP appended after its EOI marker");
    File f{"image/jpeg", "team.jpg", file("jpg", 30000, rng)};
    const auto zip = file("zip", 5000, rng);
    f.data.insert(f.data.end(), zip.begin(), zip.end());
    send_file(s, 200 * kS, f, "team picture");
}

void exe_as_pdf(Rng &rng, Scenario &s) {
    expect(s, {"executable_attachment"}, "a PE executable named invoice.pdf");
    File f{"application/pdf", "invoice_2023-11.pdf", {}};
    f.data.resize(20000);
    rng.fill(f.data.data(), f.data.size());
    f.data[0] = 'M', f.data[1] = 'Z';
    send_file(s, 300 * kS, f, "Invoice");
}

void encrypted_zip(Rng &rng, Scenario &s) {
    expect(s, {"encrypted_archive"}, "password-protected ZIP");
    File f{"application/zip", "docs.zip", file("zip", 15000, rng)};
    f.data[6] |= 1;  // general purpose flag bit 0: encrypted
    send_file(s, 400 * kS, f, "documents (password in next mail)");
}

void auth_bruteforce(Rng &rng, Scenario &s) {
    expect(s, {"auth_abuse"}, "SMTP AUTH brute force: 3 failures per session, 8 sessions");
    uint64_t t = 0;
    for (int i = 0; i < 8; ++i, t += rng.between(3, 25) * kS) {
        SmtpSession c;
        c.helo = "scanner";
        c.user = "admin";
        c.auth_ok = false;
        c.auth_attempts = 3;
        smtp(at(s, t, 587).conv, c);
    }
}

void non_mail_port25(Rng &rng, Scenario &s) {
    expect(s, {"non_mail_on_mail_port"}, "a binary reverse shell protocol on port 25");
    Conversation &c = at(s, 500 * kS, 25).conv;
    for (int i = 0; i < 4; ++i) {
        std::string blob(200, '\0');
        rng.fill(reinterpret_cast<uint8_t *>(blob.data()), blob.size());
        blob[0] = '\0';
        c.client(blob);
        c.server(blob.substr(0, 64));
    }
}

void smtp_odd_port(Rng &, Scenario &s) {
    expect(s, {"mail_on_odd_port"}, "SMTP on port 8025");
    SmtpSession c;
    c.helo = "ws-12.corp.example";
    MessageParts m;
    c.messages = {message(m)};
    smtp(at(s, 600 * kS, 8025).conv, c);
}

void tls_on_imap_port(Rng &rng, Scenario &s) {
    expect(s, {"tls_on_plain_mail_port"}, "TLS straight away on port 143 (no STARTTLS)");
    mail::append_tls_session(at(s, 650 * kS, 143).conv, rng, "imap.example.net", 6000);
}

void exfil_append(Rng &rng, Scenario &s) {
    expect(s, {"upload_asymmetry"}, "1.5 MB uploaded through IMAP APPEND");
    Conversation &c = at(s, 700 * kS, 143).conv;
    imap_login(c, "leo");
    int tag = 1;
    MessageParts m;
    m.from = "leo@example.com", m.to = "leo@example.com", m.subject = "backup";
    m.files.push_back({"application/octet-stream", "data.bin", file("bin", 1500000, rng)});
    imap_append(c, tag, "Sent", "\\Seen", message(m));
    imap_logout(c, tag);
}

void smtp_size_exfil(Rng &rng, Scenario &s) {
    expect(s, {"smtp_size_outlier"}, "a host that mails small alerts sends 2.5 MB");
    for (int i = 0; i <= 10; ++i) {
        SmtpSession c;
        c.helo = "monitor01.corp.example";
        c.mail_from = "monitor@example.com";
        c.rcpt = {"alerts@example.com"};
        MessageParts m;
        m.from = "Monitor <monitor@example.com>", m.to = "alerts@example.com";
        m.subject = i < 10 ? "disk usage warning" : "report";
        m.date_s = kT0 + 9 * 3600 + i * 1800;
        if (i == 10) m.files.push_back({"application/octet-stream", "dump.dat", file("bin", 2500000, rng)});
        c.messages = {message(m)};
        smtp(at(s, i * 1800 * kS + rng.below(300 * kS), 25).conv, c);
    }
}

void tool_envelope(Rng &, Scenario &s) {
    expect(s, {"tool_envelope"}, "hand-built SMTP: bare NetBIOS EHLO, mailing itself, no Message-ID/Date");
    SmtpSession c;
    c.helo = "DESKTOP-7QK2M1A";
    c.user = "mallory@example.com";
    c.mail_from = "mallory@example.com";
    c.rcpt = {"mallory@example.com"};
    MessageParts m;
    m.from = "mallory", m.to = "mallory@example.com", m.subject = "DESKTOP-7QK2M1A";
    m.date_s = 0, m.message_id = false;
    c.messages = {message(m)};
    smtp(at(s, 800 * kS, 587).conv, c);
}

void nonconformance(Rng &, Scenario &s) {
    expect(s, {"nonconformance"}, "custom commands tunnelled over SMTP");
    Conversation &c = at(s, 900 * kS, 25).conv;
    c.server("220 mail.example.com ESMTP Postfix\r\n");
    c.client("EHLO ws-3.corp.example\r\n");
    c.server("250 mail.example.com\r\n");
    for (const char *cmd : {"XEXEC whoami", "XEXEC ipconfig /all", "XGET C:\\Users\\x\\pw.txt", "XPUT 4096"}) {
        c.client(std::string(cmd) + "\r\n");
        c.server("502 5.5.2 Error: command not recognized\r\n");
    }
    c.client("QUIT\r\n");
    c.server("221 Bye\r\n");
    c.teardown = Teardown::FinServer;
}

}  // namespace

const std::vector<ScenarioEntry> &scenario_table() {
    static const std::vector<ScenarioEntry> table = [] {
        std::vector<ScenarioEntry> t;
        add_benign_scenarios(t);
        t.push_back({"mal_pop3_beacon_15s", pop3_beacon});
        t.push_back({"mal_imap_beacon_45s", imap_beacon});
        t.push_back({"mal_drafts_dead_drop", drafts_dead_drop});
        t.push_back({"mal_pop3_dead_drop", pop3_dead_drop});
        t.push_back({"mal_header_smuggling", header_smuggling});
        t.push_back({"mal_stego_png", stego_png});
        t.push_back({"mal_stego_jpeg", stego_jpeg});
        t.push_back({"mal_exe_as_pdf", exe_as_pdf});
        t.push_back({"mal_encrypted_zip", encrypted_zip});
        t.push_back({"mal_auth_bruteforce", auth_bruteforce});
        t.push_back({"mal_non_mail_on_port_25", non_mail_port25});
        t.push_back({"mal_smtp_on_port_8025", smtp_odd_port});
        t.push_back({"mal_exfil_by_append", exfil_append});
        t.push_back({"mal_smtp_size_exfil", smtp_size_exfil});
        t.push_back({"mal_tool_envelope", tool_envelope});
        t.push_back({"mal_nonconformance", nonconformance});
        t.push_back({"mal_tls_on_port_143", tls_on_imap_port});
        return t;
    }();
    return table;
}

}  // namespace postern::synth
