// Anomalies of the POP3 parser. Names and triggers are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/anomaly_table.hpp"

namespace postern::proto {

#define POSTERN_POP3_ANOMALIES(X)                                              \
    X(CommandTooLong, "pop3.command_too_long", LineTooLong)                    \
    X(ResponseTooLong, "pop3.response_too_long", LineTooLong)                  \
    X(UnknownCommand, "pop3.unknown_command", Other)                           \
    X(BinaryInCommand, "pop3.binary_in_command", Other)                        \
    X(InvalidArguments, "pop3.invalid_arguments", Other)                       \
    X(CommandOutOfSequence, "pop3.command_out_of_sequence", Other)             \
    X(CommandsAfterQuit, "pop3.commands_after_quit", Other)                    \
    X(InvalidResponse, "pop3.invalid_response", InvalidReply)                  \
    X(ResponseWithoutCommand, "pop3.response_without_command", InvalidReply)   \
    X(InvalidPipelinedSequence, "pop3.invalid_pipelined_sequence", Other)      \
    X(TooManyPendingCommands, "pop3.too_many_pending_commands", Other)         \
    X(NoGreeting, "pop3.no_greeting", Other)                                   \
    X(BareLf, "pop3.bare_lf", Other)                                           \
    X(InvalidAuthEncoding, "pop3.invalid_auth_encoding", Other)                \
    X(ResponseIncomplete, "pop3.response_incomplete", Other)                   \
    X(StarttlsCleartextContinues, "pop3.starttls_cleartext_continues", StarttlsCleartext) \
    X(StreamGap, "stream.gap", StreamGap)

// The same four lines in every *_anomaly.hpp on purpose: the declaration anomaly_table.hpp shows.
enum class Pop3Anomaly : uint8_t { POSTERN_POP3_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<Pop3Anomaly> kPop3Anomalies{AnomalySource::Pop3, "pop3.unknown",
    {POSTERN_POP3_ANOMALIES(POSTERN_ANOMALY_NAME)}, {POSTERN_POP3_ANOMALIES(POSTERN_ANOMALY_KIND)}};
constexpr std::string_view anomaly_name(Pop3Anomaly a) { return kPop3Anomalies.name(a); }
constexpr AnomalyEvent anomaly_event(Pop3Anomaly a) { return kPop3Anomalies.event(a); }

}  // namespace postern::proto
