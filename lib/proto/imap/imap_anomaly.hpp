// Anomalies of the IMAP parser. Names and triggers are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

namespace postern::proto {

#define POSTERN_IMAP_ANOMALIES(X)                                          \
    X(UnknownCommand, "imap.unknown_command")                              \
    X(InvalidCommandSyntax, "imap.invalid_command_syntax")                 \
    X(BinaryInCommand, "imap.binary_in_command")                           \
    X(LineTooLong, "imap.line_too_long")                                   \
    X(LiteralTooLarge, "imap.literal_too_large")                           \
    X(LiteralBeforeContinuation, "imap.literal_before_continuation")       \
    X(LiteralIncomplete, "imap.literal_incomplete")                        \
    X(UnmatchedTag, "imap.unmatched_tag")                                  \
    X(DuplicateTag, "imap.duplicate_tag")                                  \
    X(TooManyPendingCommands, "imap.too_many_pending_commands")            \
    X(InvalidResponse, "imap.invalid_response")                            \
    X(UnexpectedContinuation, "imap.unexpected_continuation")              \
    X(CommandOutOfSequence, "imap.command_out_of_sequence")                \
    X(CommandsAfterLogout, "imap.commands_after_logout")                   \
    X(CommandDuringIdle, "imap.command_during_idle")                       \
    X(InvalidPipelinedSequence, "imap.invalid_pipelined_sequence")         \
    X(InvalidMailboxName, "imap.invalid_mailbox_name")                     \
    X(InvalidAuthEncoding, "imap.invalid_auth_encoding")                   \
    X(NoGreeting, "imap.no_greeting")                                      \
    X(BareLf, "imap.bare_lf")                                              \
    X(StarttlsCleartextContinues, "imap.starttls_cleartext_continues") \
    X(StreamGap, "stream.gap")

enum class ImapAnomaly : uint8_t {
#define POSTERN_X(id, name) id,
    POSTERN_IMAP_ANOMALIES(POSTERN_X)
#undef POSTERN_X
        Count
};

constexpr std::string_view imap_anomaly_name(ImapAnomaly a) {
    constexpr std::string_view names[] = {
#define POSTERN_X(id, name) name,
        POSTERN_IMAP_ANOMALIES(POSTERN_X)
#undef POSTERN_X
    };
    const auto i = static_cast<unsigned>(a);
    return i < static_cast<unsigned>(ImapAnomaly::Count) ? names[i] : std::string_view{"imap.unknown"};
}

}  // namespace postern::proto
