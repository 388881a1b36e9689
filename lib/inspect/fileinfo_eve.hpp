// The "fileinfo" object of an EVE fileinfo record, as Suricata writes it for files carried by SMTP
// (filename, magic, mimetype, size, state, gaps, stored, md5/sha1/sha256), plus the "email" fields
// that link it to its message's email record (message_id, subject, from).
#pragma once

#include "output/json_writer.hpp"
#include "proto/events.hpp"

namespace postern::inspect {

void write_fileinfo(output::JsonWriter &w, const proto::FileEvent &file, bool stored);

}  // namespace postern::inspect
