// Bounds of the message parser. Each has a compile-time maximum (it sizes a fixed buffer) and a
// configurable value; hitting one is counted in MimeStats and reported as an anomaly.
#pragma once

#include <cstdint>

#include "proto/common/limit.hpp"
#include "proto/mime/file_hasher.hpp"

namespace postern::proto {

struct MimeLimits {
    static constexpr uint32_t kMaxHeaderField = 4096;  // unfolded header field buffer
    static constexpr uint32_t kMaxDepth = 16;
    static constexpr uint32_t kMaxBodyPrefix = 1024;
    static constexpr uint32_t kMaxBoundary = 128;  // RFC 2046 5.1.1 says 70; longer ones are flagged

    uint32_t header_field = 2048;  // bytes of one unfolded header field kept
    uint32_t headers_per_message = 256;  // header fields per header section
    uint32_t header_bytes = 64 * 1024;  // bytes of one header section
    uint32_t mime_depth = 8;  // nested multiparts / message/rfc822
    uint32_t parts_per_message = 1000;
    uint32_t body_prefix = 256;  // decoded bytes of each leaf part kept for detectors
    uint8_t file_hashes = 0;  // FileHash bits computed for attachments and messages (output.files.hashes)
    bool hash_messages = true;  // whole messages too (output.files.hash_messages), not only attachments
    uint8_t message_hashes = 0;  // set by clamped(): the FileHash bits of whole messages
    uint8_t file_store = 0;  // FileStoreKind bits whose bytes are offered to EventSink::on_file_begin

    // Values clamped to the compile-time maxima.
    MimeLimits clamped() const {
        MimeLimits l = *this;
        if (l.header_field > kMaxHeaderField) l.header_field = kMaxHeaderField;
        if (l.mime_depth > kMaxDepth) l.mime_depth = kMaxDepth;
        if (l.body_prefix > kMaxBodyPrefix) l.body_prefix = kMaxBodyPrefix;
        if (l.file_store) l.file_hashes |= kSha256;  // stored files are named by their sha256
        l.message_hashes = l.hash_messages ? l.file_hashes : 0;
        if (l.file_store & kStoreMessages) l.message_hashes |= kSha256;
        return l;
    }
};

// The bounds of the message a mail parser carries (SMTP DATA/BDAT, POP3 RETR/TOP, an IMAP
// literal), alike in every parser: how long a header line and a body line may be before they are
// flagged, and the message parser's own bounds. SmtpLimits, Pop3Limits and ImapLimits derive from it.
struct MessageLimits {
    uint32_t header_line = 1000;  // RFC 5322 2.1.1: 998 + CRLF (Snort max_header_line_len)
    uint32_t text_line = 1000;  // SMTP's, RFC 5321 4.5.3.1.6
    MimeLimits mime;

    // The bound of the next message line: a header line until the header section ends.
    uint32_t message_line(bool in_headers) const { return in_headers ? header_line : text_line; }

protected:
    // Both line bounds clamped to the parser's line buffer (1..max_line), the MIME bounds to theirs.
    void clamp_message(uint32_t max_line) {
        clamp_limit(header_line, max_line);
        clamp_limit(text_line, max_line);
        mime = mime.clamped();
    }
};

}  // namespace postern::proto
