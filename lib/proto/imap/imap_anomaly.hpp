// Anomalies of the IMAP parser. Names and triggers are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/anomaly_table.hpp"

namespace postern::proto {

#define POSTERN_IMAP_ANOMALIES(X)                                              \
    X(UnknownCommand, "imap.unknown_command", Other)                           \
    X(InvalidCommandSyntax, "imap.invalid_command_syntax", Other)              \
    X(BinaryInCommand, "imap.binary_in_command", Other)                        \
    X(LineTooLong, "imap.line_too_long", LineTooLong)                          \
    X(LiteralTooLarge, "imap.literal_too_large", Other)                        \
    X(LiteralBeforeContinuation, "imap.literal_before_continuation", Other)    \
    X(LiteralIncomplete, "imap.literal_incomplete", Other)                     \
    X(UnmatchedTag, "imap.unmatched_tag", Other)                               \
    X(DuplicateTag, "imap.duplicate_tag", Other)                               \
    X(TooManyPendingCommands, "imap.too_many_pending_commands", Other)         \
    X(InvalidResponse, "imap.invalid_response", InvalidReply)                  \
    X(UnexpectedContinuation, "imap.unexpected_continuation", Other)           \
    X(CommandOutOfSequence, "imap.command_out_of_sequence", Other)             \
    X(CommandsAfterLogout, "imap.commands_after_logout", Other)                \
    X(CommandDuringIdle, "imap.command_during_idle", Other)                    \
    X(InvalidPipelinedSequence, "imap.invalid_pipelined_sequence", Other)      \
    X(InvalidMailboxName, "imap.invalid_mailbox_name", Other)                  \
    X(InvalidAuthEncoding, "imap.invalid_auth_encoding", Other)                \
    X(NoGreeting, "imap.no_greeting", Other)                                   \
    X(BareLf, "imap.bare_lf", Other)                                           \
    X(StarttlsCleartextContinues, "imap.starttls_cleartext_continues", StarttlsCleartext) \
    X(StreamGap, "stream.gap", StreamGap)

// The same four lines in every *_anomaly.hpp on purpose: the declaration anomaly_table.hpp shows.
enum class ImapAnomaly : uint8_t { POSTERN_IMAP_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<ImapAnomaly> kImapAnomalies{AnomalySource::Imap, "imap.unknown",
    {POSTERN_IMAP_ANOMALIES(POSTERN_ANOMALY_NAME)}, {POSTERN_IMAP_ANOMALIES(POSTERN_ANOMALY_KIND)}};
constexpr std::string_view anomaly_name(ImapAnomaly a) { return kImapAnomalies.name(a); }
constexpr AnomalyEvent anomaly_event(ImapAnomaly a) { return kImapAnomalies.event(a); }

}  // namespace postern::proto
