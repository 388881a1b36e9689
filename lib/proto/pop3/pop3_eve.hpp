// Renders a finished Pop3Transaction for EVE: Suricata's `pop3` object (request {command, args[]},
// response {success, status, header, data[]}) with Postern's additions beside them (user, auth,
// capabilities, APOP timestamp, sizes...) and, for RETR and TOP, the `email` object
// (mime/email_eve.hpp).
#pragma once

#include "output/json_writer.hpp"
#include "proto/pop3/pop3_transaction.hpp"

namespace postern::proto {

// Writes `"pop3": {...}` into the object the writer is in.
void write_pop3_object(output::JsonWriter &w, const Pop3Transaction &tx);

// Writes `"pop3": {...}` and, if the transaction carried a message, `"email": {...}`.
void write_pop3_transaction(output::JsonWriter &w, const Pop3Transaction &tx);

}  // namespace postern::proto
