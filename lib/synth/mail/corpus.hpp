// Word lists the mail generators draw from: people, domains, hosts, subjects, body sentences,
// mail programs, attachment names. Every domain is reserved for documentation (RFC 2606/6761:
// example.com/.net/.org and *.example), so captures never name a real organisation.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "synth/rng.hpp"

namespace postern::synth::mail {

struct Mailbox {
    std::string display;  // UTF-8 display name, may be empty
    std::string address;  // local@domain
};

template <typename T>
const T &pick(std::span<const T> items, Rng &rng) {
    return items[rng.below(items.size())];
}

// An organisation's mail domain (example.com, corp.example, ...).
std::string_view org_domain(Rng &rng);
// A person at `domain`: a display name (Latin, accented Latin, or another script) and an address
// derived from its transliteration; sometimes a role account without a display name.
Mailbox person(Rng &rng, std::string_view domain);
// A host name inside `domain` for a given role: "mx1", "mail", "imap", ... + "." + domain.
std::string server_host(Rng &rng, std::string_view role, std::string_view domain);
// A client's EHLO name: a workstation name or an address literal in RFC 5737 space.
std::string client_helo(Rng &rng);
// An RFC 5737 / RFC 3849 address as text, and its Received-header form ("[192.0.2.7]").
std::string doc_ip(Rng &rng, bool v6);

std::string_view subject(Rng &rng);        // may be non-ASCII UTF-8
std::span<const std::string_view> sentences();           // English, ASCII
std::span<const std::string_view> foreign_paragraphs();  // UTF-8 in other scripts
std::span<const std::string_view> dot_lines();           // lines that start with '.' (dot-stuffing)
std::string_view greeting_line(Rng &rng);
std::string_view signoff_line(Rng &rng);

struct MailProgram {
    std::string_view header;  // "X-Mailer" or "User-Agent"
    std::string_view value;
};
const MailProgram &mail_program(Rng &rng);

struct FileKind {
    std::string_view extension;  // "pdf"
    std::string_view content_type;
};
std::span<const FileKind> file_kinds();
std::string_view file_stem(Rng &rng);          // ASCII
std::string_view foreign_file_stem(Rng &rng);  // UTF-8, needs RFC 2231 in Content-Disposition

// Account names and passwords for AUTH/LOGIN/USER (passwords never leave the capture's bytes).
std::string password(Rng &rng);

}  // namespace postern::synth::mail
