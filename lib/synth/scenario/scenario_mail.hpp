// Transcript helpers for the scenarios: whole SMTP/POP3 sessions and MIME messages written out
// byte for byte, so each scenario says exactly what it means to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "synth/conversation.hpp"
#include "synth/rng.hpp"
#include "synth/scenario/scenario.hpp"

namespace postern::synth::scenario {

inline constexpr int64_t kS = 1000000;  // microseconds

// A new session of the scenario (start from the capture start); the reference is valid until the
// next add.
ScenarioSession &add(Scenario &s, uint64_t start_us, uint16_t port, int client = 0, int server = 0);
// A file of about `size` bytes of the kind an extension names (synth/mail/attachment.hpp).
std::vector<uint8_t> file(std::string_view ext, uint64_t size, Rng &rng);

struct File {
    std::string content_type;
    std::string filename;
    std::vector<uint8_t> data;
};

struct MessageParts {
    std::string from = "Alice Martin <alice.martin@example.com>";
    std::string to = "bob.chen@example.org";
    std::string subject = "Notes";
    uint64_t date_s = 1700000000;  // 0: no Date header
    bool message_id = true;
    std::string extra_headers;  // CRLF-terminated lines
    std::string body = "Hello,\r\n\r\nSee you tomorrow.\r\n";
    std::vector<File> files;
};
std::string message(const MessageParts &m);

struct SmtpSession {
    std::string helo = "laptop-17.corp.example";
    std::string user;  // AUTH PLAIN when set
    bool auth_ok = true;
    int auth_attempts = 1;
    std::string mail_from = "alice.martin@example.com";
    std::vector<std::string> rcpt = {"bob.chen@example.org"};
    std::vector<std::string> messages;
    int64_t think_us = -1;
};
void smtp(Conversation &c, const SmtpSession &s);

struct Pop3Session {
    std::string user = "alice";
    std::vector<std::string> messages;  // in the maildrop
    bool retrieve = true;
    bool dele = false;
};
void pop3(Conversation &c, const Pop3Session &s);

// IMAP: greeting + LOGIN; then commands via imap_cmd; then LOGOUT.
void imap_login(Conversation &c, std::string_view user);
void imap_cmd(Conversation &c, int &tag, std::string_view command, std::string_view untagged = {},
              int64_t think_us = -1);
void imap_append(Conversation &c, int &tag, std::string_view mailbox, std::string_view flags, std::string_view msg,
                 int64_t think_us = -1);
void imap_fetch(Conversation &c, int &tag, uint32_t uid, std::string_view msg, int64_t think_us = -1);
void imap_logout(Conversation &c, int &tag);

}  // namespace postern::synth::scenario
