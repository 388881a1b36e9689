// Renders a finished SmtpTransaction for EVE: Suricata's `smtp` object (helo, mail_from,
// rcpt_to[]) with Postern's additions beside them (auth, starttls, capabilities, reply codes...)
// and, when a message was sent, the `email` object (mime/email_eve.hpp).
#pragma once

#include "output/json_writer.hpp"
#include "proto/smtp/smtp_transaction.hpp"

namespace postern::proto {

// Writes `"smtp": {...}` into the object the writer is in.
void write_smtp_object(output::JsonWriter &w, const SmtpTransaction &tx);

// Writes `"smtp": {...}` and, if the transaction carried a message, `"email": {...}`.
void write_smtp_transaction(output::JsonWriter &w, const SmtpTransaction &tx);

}  // namespace postern::proto
