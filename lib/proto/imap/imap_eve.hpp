// Renders a finished ImapTransaction for EVE. Suricata has no `imap` object; ours follows its
// `pop3`/`smtp` objects and Zeek's imap.log: tag, command, arguments with secrets removed,
// mailbox, flags, status, response code and text, what untagged responses said, the UID and size
// of the message, session facts (user, auth, capabilities, STARTTLS, COMPRESS). A message fetched
// or appended is rendered beside it as the `email` object (mime/email_eve.hpp).
#pragma once

#include "output/json_writer.hpp"
#include "proto/imap/imap_transaction.hpp"

namespace postern::proto {

// Writes `"imap": {...}` into the object the writer is in.
void write_imap_object(output::JsonWriter &w, const ImapTransaction &tx);

// Writes `"imap": {...}` and, if the transaction carried a message, `"email": {...}`.
void write_imap_transaction(output::JsonWriter &w, const ImapTransaction &tx);

}  // namespace postern::proto
