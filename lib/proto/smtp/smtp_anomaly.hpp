// Anomalies of the SMTP parser. Names and triggers are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/anomaly_table.hpp"

namespace postern::proto {

#define POSTERN_SMTP_ANOMALIES(X)                                              \
    X(CommandLineTooLong, "smtp.command_line_too_long", LineTooLong)           \
    X(ReplyLineTooLong, "smtp.reply_line_too_long", LineTooLong)               \
    X(TextLineTooLong, "smtp.text_line_too_long", LineTooLong)                 \
    X(UnknownCommand, "smtp.unknown_command", Other)                           \
    X(BinaryInCommand, "smtp.binary_in_command", Other)                        \
    X(InvalidCommandSyntax, "smtp.invalid_command_syntax", Other)              \
    X(CommandOutOfSequence, "smtp.command_out_of_sequence", Other)             \
    X(ReplyWithoutCommand, "smtp.reply_without_command", InvalidReply)         \
    X(InvalidReply, "smtp.invalid_reply", InvalidReply)                        \
    X(InvalidPipelinedSequence, "smtp.invalid_pipelined_sequence", Other)      \
    X(TooManyPendingCommands, "smtp.too_many_pending_commands", Other)         \
    X(TooManyRecipients, "smtp.too_many_recipients", Other)                    \
    X(BdatSizeMismatch, "smtp.bdat_size_mismatch", Other)                      \
    X(NoGreeting, "smtp.no_greeting", Other)                                   \
    X(BareLf, "smtp.bare_lf", Other)                                           \
    X(InvalidAuthEncoding, "smtp.invalid_auth_encoding", Other)                \
    X(DataIncomplete, "smtp.data_incomplete", Other)                           \
    X(StarttlsCleartextContinues, "smtp.starttls_cleartext_continues", StarttlsCleartext) \
    X(StreamGap, "stream.gap", StreamGap)

// The same four lines in every *_anomaly.hpp on purpose: the declaration anomaly_table.hpp shows.
enum class SmtpAnomaly : uint8_t { POSTERN_SMTP_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<SmtpAnomaly> kSmtpAnomalies{AnomalySource::Smtp, "smtp.unknown",
    {POSTERN_SMTP_ANOMALIES(POSTERN_ANOMALY_NAME)}, {POSTERN_SMTP_ANOMALIES(POSTERN_ANOMALY_KIND)}};
constexpr std::string_view anomaly_name(SmtpAnomaly a) { return kSmtpAnomalies.name(a); }
constexpr AnomalyEvent anomaly_event(SmtpAnomaly a) { return kSmtpAnomalies.event(a); }

}  // namespace postern::proto
