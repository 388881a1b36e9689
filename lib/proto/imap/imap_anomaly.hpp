// Anomalies of the IMAP parser. Names and triggers are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/anomaly_table.hpp"

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

// The same three lines in every *_anomaly.hpp on purpose: the declaration anomaly_table.hpp shows.
enum class ImapAnomaly : uint8_t { POSTERN_IMAP_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<ImapAnomaly> kImapAnomalies{AnomalySource::Imap, "imap.unknown",
                                                          {POSTERN_IMAP_ANOMALIES(POSTERN_ANOMALY_NAME)}};
constexpr std::string_view anomaly_name(ImapAnomaly a) { return kImapAnomalies.name(a); }

constexpr AnomalyKind anomaly_kind(ImapAnomaly a) {
    switch (a) {
    case ImapAnomaly::LineTooLong: return AnomalyKind::LineTooLong;
    case ImapAnomaly::InvalidResponse: return AnomalyKind::InvalidReply;
    case ImapAnomaly::StarttlsCleartextContinues: return AnomalyKind::StarttlsCleartext;
    case ImapAnomaly::StreamGap: return AnomalyKind::StreamGap;
    default: return AnomalyKind::Other;
    }
}
constexpr AnomalyEvent anomaly_event(ImapAnomaly a) { return kImapAnomalies.event(a, anomaly_kind(a)); }

}  // namespace postern::proto
