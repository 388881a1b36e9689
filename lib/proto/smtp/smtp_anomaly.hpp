// Anomalies of the SMTP parser. Names and triggers are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/anomaly_table.hpp"

namespace postern::proto {

#define POSTERN_SMTP_ANOMALIES(X)                                          \
    X(CommandLineTooLong, "smtp.command_line_too_long")                    \
    X(ReplyLineTooLong, "smtp.reply_line_too_long")                        \
    X(TextLineTooLong, "smtp.text_line_too_long")                          \
    X(UnknownCommand, "smtp.unknown_command")                              \
    X(BinaryInCommand, "smtp.binary_in_command")                           \
    X(InvalidCommandSyntax, "smtp.invalid_command_syntax")                 \
    X(CommandOutOfSequence, "smtp.command_out_of_sequence")                \
    X(ReplyWithoutCommand, "smtp.reply_without_command")                   \
    X(InvalidReply, "smtp.invalid_reply")                                  \
    X(InvalidPipelinedSequence, "smtp.invalid_pipelined_sequence")         \
    X(TooManyPendingCommands, "smtp.too_many_pending_commands")            \
    X(TooManyRecipients, "smtp.too_many_recipients")                       \
    X(BdatSizeMismatch, "smtp.bdat_size_mismatch")                         \
    X(NoGreeting, "smtp.no_greeting")                                      \
    X(BareLf, "smtp.bare_lf")                                              \
    X(InvalidAuthEncoding, "smtp.invalid_auth_encoding")                   \
    X(DataIncomplete, "smtp.data_incomplete")                              \
    X(StarttlsCleartextContinues, "smtp.starttls_cleartext_continues") \
    X(StreamGap, "stream.gap")

// The same three lines in every *_anomaly.hpp on purpose: the declaration anomaly_table.hpp shows.
enum class SmtpAnomaly : uint8_t { POSTERN_SMTP_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<SmtpAnomaly> kSmtpAnomalies{AnomalySource::Smtp, "smtp.unknown",
                                                          {POSTERN_SMTP_ANOMALIES(POSTERN_ANOMALY_NAME)}};
constexpr std::string_view anomaly_name(SmtpAnomaly a) { return kSmtpAnomalies.name(a); }

constexpr AnomalyKind anomaly_kind(SmtpAnomaly a) {
    switch (a) {
    case SmtpAnomaly::CommandLineTooLong: return AnomalyKind::LineTooLong;
    case SmtpAnomaly::ReplyLineTooLong: return AnomalyKind::LineTooLong;
    case SmtpAnomaly::TextLineTooLong: return AnomalyKind::LineTooLong;
    case SmtpAnomaly::ReplyWithoutCommand: return AnomalyKind::InvalidReply;
    case SmtpAnomaly::InvalidReply: return AnomalyKind::InvalidReply;
    case SmtpAnomaly::StarttlsCleartextContinues: return AnomalyKind::StarttlsCleartext;
    case SmtpAnomaly::StreamGap: return AnomalyKind::StreamGap;
    default: return AnomalyKind::Other;
    }
}
constexpr AnomalyEvent anomaly_event(SmtpAnomaly a) { return kSmtpAnomalies.event(a, anomaly_kind(a)); }

}  // namespace postern::proto
