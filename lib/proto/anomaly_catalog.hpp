// Every anomaly a parser or the app layer reports, one X-macro list per source (enumerator, EVE
// name, AnomalyKind), each declared by POSTERN_DECLARE_ANOMALIES (common/anomaly_table.hpp). In
// one file, in the order of docs/anomalies.md, which says what triggers each; lib/inspect names
// them all in /metrics from these lists. TCP-level events are stream::StreamEvent
// (proto/session_anomaly.hpp).
#pragma once

#include "proto/common/anomaly_table.hpp"

namespace postern::proto {

// The SMTP parser (proto/smtp).
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

POSTERN_DECLARE_ANOMALIES(Smtp, POSTERN_SMTP_ANOMALIES, "smtp.unknown")

// The POP3 parser (proto/pop3).
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

POSTERN_DECLARE_ANOMALIES(Pop3, POSTERN_POP3_ANOMALIES, "pop3.unknown")

// The IMAP parser (proto/imap).
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

POSTERN_DECLARE_ANOMALIES(Imap, POSTERN_IMAP_ANOMALIES, "imap.unknown")

// The message parser (proto/mime), under any of the three.
#define POSTERN_MIME_ANOMALIES(X)                                              \
    X(HeaderTooLong, "mime.header_too_long", LineTooLong)                      \
    X(TooManyHeaders, "mime.too_many_headers", Other)                          \
    X(HeaderSectionTooLong, "mime.header_section_too_long", LineTooLong)       \
    X(InvalidHeaderLine, "mime.invalid_header_line", Other)                    \
    X(DuplicateHeader, "mime.duplicate_header", Other)                         \
    X(MissingBoundary, "mime.missing_boundary", Other)                         \
    X(InvalidBoundary, "mime.invalid_boundary", Other)                         \
    X(MissingCloseBoundary, "mime.missing_close_boundary", Other)              \
    X(DepthExceeded, "mime.depth_exceeded", Other)                             \
    X(TooManyParts, "mime.too_many_parts", Other)                              \
    X(InvalidBase64, "mime.invalid_base64", Other)                             \
    X(InvalidQuotedPrintable, "mime.invalid_quoted_printable", Other)          \
    X(EncodedLineTooLong, "mime.encoded_line_too_long", LineTooLong)           \
    X(InvalidEncodedWord, "mime.invalid_encoded_word", Other)                  \
    X(UnknownTransferEncoding, "mime.unknown_transfer_encoding", Other)

POSTERN_DECLARE_ANOMALIES(Mime, POSTERN_MIME_ANOMALIES, "mime.unknown")

// How the app layer classified a session (inspect/app_layer.cpp, engine/flow_end.cpp).
#define POSTERN_APPLAYER_ANOMALIES(X)                                          \
    X(NonMailOnMailPort, "applayer.non_mail_on_mail_port", NonMailOnMailPort)  \
    X(MailOnNonstandardPort, "applayer.mail_on_nonstandard_port", MailOnOddPort) \
    X(TlsWithoutStarttlsOnMailPort, "applayer.tls_without_starttls_on_mail_port", TlsOnPlainMailPort) \
    X(SessionReclaimed, "applayer.session_reclaimed", Other)

POSTERN_DECLARE_ANOMALIES(AppLayer, POSTERN_APPLAYER_ANOMALIES, "applayer.unknown")

}  // namespace postern::proto
