// RFC 5322 / MIME messages for the mail generators: Received chain, From/To/Cc with display
// names (RFC 2047 encoded words for non-ASCII), Subject, Date, Message-ID, MIME-Version, a mail
// program header, and a body that is text/plain, multipart/alternative or multipart/mixed with
// base64 attachments. CRLF line endings throughout; the message ends with CRLF.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "synth/mail/corpus.hpp"
#include "synth/rng.hpp"

namespace postern::synth::mail {

struct MessageSpec {
    Mailbox from;
    std::vector<Mailbox> to;
    std::vector<Mailbox> cc;
    uint64_t date_s = 0;     // Date header (UTC seconds); Received hops follow a few seconds later
    uint64_t size = 2000;    // bytes to aim for; small sizes still give a complete short message
    int received_hops = 0;   // 0: as a client submits it; 1..3: relayed/delivered copies
    bool return_path = false;  // a delivered copy (POP3/IMAP) starts with Return-Path
    bool attachments = true;   // allow multipart/mixed with attachments
};

struct Message {
    std::string data;        // the message, CRLF lines, ending in CRLF
    std::string from;        // From address
    std::string subject;     // decoded (UTF-8)
    std::string message_id;  // "<...>"
    std::vector<std::string> attachments;  // file names (UTF-8), in order
};

Message build_message(const MessageSpec &spec, Rng &rng);

// Bytes of the header section including the blank line that ends it (what TOP n 0 returns).
size_t header_section_size(std::string_view message);

// Ground truth for one message: {"size","from","subject","message_id","attachments"}.
nlohmann::ordered_json message_truth(const Message &m);

}  // namespace postern::synth::mail
