// Bounds of the POP3 parser. RFC 2449 limits a command to 255 octets and the first line of a
// response to 512, both with CRLF; lines past those are flagged but still parsed. Compile-time
// maxima size the fixed buffers of a session; configured values above them are clamped.
#pragma once

#include <cstdint>

#include "proto/common/limit.hpp"
#include "proto/mime/mime_limits.hpp"

namespace postern::proto {

// The message's bounds are every parser's (MessageLimits); the others are POP3's own, laid out
// like SmtpLimits and ImapLimits on purpose.
struct Pop3Limits : MessageLimits {
    static constexpr uint32_t kMaxClientLine = 1024;  // commands and SASL responses (XOAUTH2 is long)
    static constexpr uint32_t kMaxServerLine = 2048;  // status lines and multi-line data
    static constexpr uint32_t kMaxPendingCommands = 64;
    static constexpr uint32_t kCommandTextBytes = 4096;  // text of the commands awaiting a response
    static constexpr uint32_t kArenaBytes = 8192;  // strings of one transaction
    static constexpr uint32_t kMaxDataLines = 32;

    uint32_t command_line = 255;  // RFC 2449 4: octets of a command, CRLF included
    uint32_t response_line = 512;  // RFC 2449 4: octets of the first response line, CRLF included
    uint32_t client_line = 1024;  // bytes of a client line kept for parsing
    // text_line (MessageLimits) also bounds the lines of multi-line responses.
    uint32_t pending_commands = 32;  // pipelined commands awaiting a response (RFC 2449 PIPELINING)
    uint32_t data_lines_kept = 16;  // lines of a CAPA/LIST/UIDL response kept per transaction

    // Each bound clamped to its compile-time maximum, field by field as in every *_limits.hpp
    // (the fields are this protocol's own, only the idiom is shared); the message's by MessageLimits.
    Pop3Limits clamped() const {
        Pop3Limits l = *this;
        clamp_limit(l.command_line, kMaxClientLine);
        clamp_limit(l.response_line, kMaxServerLine);
        clamp_limit(l.client_line, kMaxClientLine);
        clamp_limit(l.pending_commands, kMaxPendingCommands);
        clamp_limit(l.data_lines_kept, kMaxDataLines);
        // A line cut at the parsing limit must be known too long: keep the limits below it.
        if (l.client_line < l.command_line) l.client_line = l.command_line;
        l.clamp_message(kMaxServerLine);
        return l;
    }
};

}  // namespace postern::proto
