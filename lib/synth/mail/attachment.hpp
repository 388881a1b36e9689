// Attachment files: real magic numbers and headers (PDF, ZIP-based Office files, ZIP, PNG, JPEG)
// followed by seeded filler that looks like compressed data, so file-type checks on decoded
// attachments see what they would see in real mail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "synth/rng.hpp"

namespace postern::synth::mail {

struct Attachment {
    std::string filename;  // UTF-8; non-ASCII names are written with RFC 2231
    std::string_view content_type;
    std::vector<uint8_t> data;
};

// A file of about `size` bytes (never less than its format's minimal header) with a random kind
// and name.
Attachment make_attachment(Rng &rng, uint64_t size);

// The file body for an extension ("pdf", "docx", "xlsx", "zip", "png", "jpg"); other extensions
// get plain filler.
void make_file(std::string_view extension, uint64_t size, Rng &rng, std::vector<uint8_t> &out);

}  // namespace postern::synth::mail
