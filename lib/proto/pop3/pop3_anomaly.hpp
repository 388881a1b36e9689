// Anomalies of the POP3 parser. Names and triggers are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/anomaly_table.hpp"

namespace postern::proto {

#define POSTERN_POP3_ANOMALIES(X)                                          \
    X(CommandTooLong, "pop3.command_too_long")                             \
    X(ResponseTooLong, "pop3.response_too_long")                           \
    X(UnknownCommand, "pop3.unknown_command")                              \
    X(BinaryInCommand, "pop3.binary_in_command")                           \
    X(InvalidArguments, "pop3.invalid_arguments")                          \
    X(CommandOutOfSequence, "pop3.command_out_of_sequence")                \
    X(CommandsAfterQuit, "pop3.commands_after_quit")                       \
    X(InvalidResponse, "pop3.invalid_response")                            \
    X(ResponseWithoutCommand, "pop3.response_without_command")             \
    X(InvalidPipelinedSequence, "pop3.invalid_pipelined_sequence")         \
    X(TooManyPendingCommands, "pop3.too_many_pending_commands")            \
    X(NoGreeting, "pop3.no_greeting")                                      \
    X(BareLf, "pop3.bare_lf")                                              \
    X(InvalidAuthEncoding, "pop3.invalid_auth_encoding")                   \
    X(ResponseIncomplete, "pop3.response_incomplete")                      \
    X(StarttlsCleartextContinues, "pop3.starttls_cleartext_continues") \
    X(StreamGap, "stream.gap")

// The same three lines in every *_anomaly.hpp on purpose: the declaration anomaly_table.hpp shows.
enum class Pop3Anomaly : uint8_t { POSTERN_POP3_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<Pop3Anomaly> kPop3Anomalies{AnomalySource::Pop3, "pop3.unknown",
                                                          {POSTERN_POP3_ANOMALIES(POSTERN_ANOMALY_NAME)}};
constexpr std::string_view anomaly_name(Pop3Anomaly a) { return kPop3Anomalies.name(a); }

constexpr AnomalyKind anomaly_kind(Pop3Anomaly a) {
    switch (a) {
    case Pop3Anomaly::CommandTooLong: return AnomalyKind::LineTooLong;
    case Pop3Anomaly::ResponseTooLong: return AnomalyKind::LineTooLong;
    case Pop3Anomaly::InvalidResponse: return AnomalyKind::InvalidReply;
    case Pop3Anomaly::ResponseWithoutCommand: return AnomalyKind::InvalidReply;
    case Pop3Anomaly::StarttlsCleartextContinues: return AnomalyKind::StarttlsCleartext;
    case Pop3Anomaly::StreamGap: return AnomalyKind::StreamGap;
    default: return AnomalyKind::Other;
    }
}
constexpr AnomalyEvent anomaly_event(Pop3Anomaly a) { return kPop3Anomalies.event(a, anomaly_kind(a)); }

}  // namespace postern::proto
