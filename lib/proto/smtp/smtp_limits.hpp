// Bounds of the SMTP parser (defaults follow Snort 3's SMTP inspector). Compile-time maxima size
// the fixed buffers of a session; configured values above them are clamped.
#pragma once

#include <cstdint>

#include "proto/common/limit.hpp"
#include "proto/mime/mime_limits.hpp"

namespace postern::proto {

// The message's bounds are every parser's (MessageLimits); the others are SMTP's own, laid out
// like Pop3Limits and ImapLimits on purpose.
struct SmtpLimits : MessageLimits {
    static constexpr uint32_t kMaxCommandLine = 1024;
    static constexpr uint32_t kMaxReplyLine = 1024;
    static constexpr uint32_t kMaxTextLine = 2048;  // DATA/BDAT lines, header lines included
    static constexpr uint32_t kMaxPendingCommands = 128;
    static constexpr uint32_t kMaxRecipients = 64;
    static constexpr uint32_t kArenaBytes = 8192;  // strings of one transaction

    uint32_t command_line = 512;  // Snort max_command_line_len; RFC 5321 4.5.3.1.4: 512 with CRLF
    uint32_t reply_line = 512;  // Snort max_response_line_len; RFC 5321 4.5.3.1.5
    uint32_t pending_commands = 64;  // pipelined commands awaiting a reply
    uint32_t recipients_kept = 32;  // RCPT TO addresses kept per transaction

    // Each bound clamped to its compile-time maximum, field by field as in every *_limits.hpp
    // (the fields are this protocol's own, only the idiom is shared); the message's by MessageLimits.
    SmtpLimits clamped() const {
        SmtpLimits l = *this;
        clamp_limit(l.command_line, kMaxCommandLine);
        clamp_limit(l.reply_line, kMaxReplyLine);
        clamp_limit(l.pending_commands, kMaxPendingCommands);
        clamp_limit(l.recipients_kept, kMaxRecipients);
        l.clamp_message(kMaxTextLine);
        return l;
    }
};

}  // namespace postern::proto
