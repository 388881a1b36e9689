// Bounds of the IMAP parser. Lines are parsed up to a fixed head (the end of an overlong line is
// still read for its literal marker); the configured line limits only decide imap.line_too_long.
// Literals are counted, never buffered: a literal is skipped byte for byte whatever its size, and
// one announced above `literal` is flagged. Compile-time maxima size the fixed buffers of a
// session; configured values above them are clamped.
#pragma once

#include <cstdint>

#include "proto/common/limit.hpp"
#include "proto/mime/mime_limits.hpp"

namespace postern::proto {

// The message's bounds are every parser's (MessageLimits); the others are IMAP's own, laid out
// like SmtpLimits and Pop3Limits on purpose.
struct ImapLimits : MessageLimits {
    static constexpr uint32_t kMaxLine = 2048;  // head of a command or response line kept for parsing
    static constexpr uint32_t kMaxTextLine = 2048;  // message lines inside literals
    static constexpr uint32_t kMaxPendingCommands = 16;
    static constexpr uint32_t kArenaBytes = 4096;  // response strings of one transaction
    static constexpr uint32_t kMessageArenaBytes = 8192;  // strings of the message being parsed
    static constexpr uint32_t kMaxCapture = 256;  // a literal kept as a string (user, mailbox name)

    // RFC 7162 4: clients should keep a command under about 8192 octets, literals excluded.
    uint32_t command_line = 8192;
    // Responses have no limit in the RFCs; SEARCH and FETCH lines can be long.
    uint32_t response_line = 65536;
    uint32_t parse_line = 2048;  // bytes of a line kept for parsing
    uint64_t literal = 64ull * 1024 * 1024;  // literals larger than this are flagged (and skipped)
    uint32_t pending_commands = 16;  // commands whose tagged response is awaited

    // Each bound clamped to its compile-time maximum, field by field as in every *_limits.hpp
    // (the fields are this protocol's own, only the idiom is shared); the message's by MessageLimits.
    ImapLimits clamped() const {
        ImapLimits l = *this;
        clamp_limit(l.parse_line, kMaxLine);
        clamp_limit(l.pending_commands, kMaxPendingCommands);
        if (l.parse_line < 64) l.parse_line = 64;  // room for a tag, a verb and a literal marker
        if (l.command_line == 0) l.command_line = 1;
        if (l.response_line == 0) l.response_line = 1;
        l.clamp_message(kMaxTextLine);
        return l;
    }
};

}  // namespace postern::proto
