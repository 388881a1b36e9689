// Renders an EmailMessage as EVE's `email` object: Suricata's field names where its schema has
// them (from, to[], cc[], subject, date, message_id, x_mailer, received[], attachment[], status),
// our additions beside them. Empty arrays are left out (the schema wants minItems 1).
#pragma once

#include "output/json_writer.hpp"
#include "proto/mime/email_message.hpp"

namespace postern::proto {

// Writes `"email": {...}` into the object the writer is in.
void write_email_object(output::JsonWriter &w, const EmailMessage &msg);

}  // namespace postern::proto
