// The interface through which every mail parser reports what it sees. The worker implements
// EventSink; parsers call it synchronously from on_data/on_gap/on_end. Views passed to a call are
// valid only during that call (they point into packet data, a carry buffer or a session arena):
// copy what must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/anomaly.hpp"
#include "proto/mime/file_hasher.hpp"
#include "proto/protocol.hpp"
#include "util/named_enum.hpp"

namespace postern::proto {

// Every value a rule can match on, reported through EventSink::on_field as soon as it is parsed.
#define POSTERN_FIELDS(X)                                                                       \
    X(SmtpHelo, "smtp.helo")                                                                    \
    X(SmtpMailFrom, "smtp.mail_from")                                                           \
    X(SmtpRcptTo, "smtp.rcpt_to")                                                               \
    X(SmtpAuthMechanism, "smtp.auth_mechanism")                                                 \
    X(SmtpAuthUser, "smtp.auth_user")                                                           \
    X(SmtpCommandLine, "smtp.command_line") /* whole command line; AUTH secrets are cut off */  \
    X(Pop3CommandLine, "pop3.command_line")                                                     \
    X(Pop3User, "pop3.user")                                                                    \
    X(ImapCommandLine, "imap.command_line")                                                     \
    X(ImapMailbox, "imap.mailbox")                                                              \
    X(ImapUser, "imap.user")                                                                    \
    X(EmailFrom, "email.from")                                                                  \
    X(EmailTo, "email.to") /* one call per address */                                           \
    X(EmailCc, "email.cc") /* one call per address */                                           \
    X(EmailSubject, "email.subject") /* RFC 2047 decoded to UTF-8 */                            \
    X(EmailXMailer, "email.x_mailer")                                                           \
    X(EmailUserAgent, "email.user_agent")                                                       \
    X(EmailMessageId, "email.message_id")                                                       \
    /* never passed to on_field: headers arrive through on_header(name, value) */               \
    X(EmailHeader, "email.header")                                                              \
    X(EmailAttachmentFilename, "email.attachment.filename")                                     \
    X(EmailAttachmentContentType, "email.attachment.content_type")                              \
    /* the first decoded bytes of each leaf part (bounded, see MimeLimits) */                   \
    X(EmailBodyPrefix, "email.body_prefix")                                                     \
    /* lower-case hex sha256 of each attachment and message, when output.files.hashes has it */ \
    X(FileSha256, "file.sha256")                                                                \
    /* each attachment's type from its first bytes, in libmagic's words ("PDF document") */     \
    X(FileMagic, "file.magic")                                                                  \
    X(TlsSni, "tls.sni")
POSTERN_NAMED_ENUM_COUNTED(Field, POSTERN_FIELDS);

// Dotted name used in rules and EVE evidence, e.g. "smtp.mail_from".
constexpr std::string_view field_name(Field f) { return util::enum_name(kFieldNames, f, "unknown"); }

#define POSTERN_AUTH_RESULTS(X) X(Pending, "pending") X(Success, "success") X(Failure, "failure") X(Aborted, "aborted")
POSTERN_NAMED_ENUM(AuthResult, POSTERN_AUTH_RESULTS);
constexpr std::string_view auth_result_name(AuthResult r) { return util::enum_name(kAuthResultNames, r, "unknown"); }

struct SmtpTransaction;  // smtp/smtp_transaction.hpp
struct Pop3Transaction;  // pop3/ (defined by the POP3 parser)
struct ImapTransaction;  // imap/ (defined by the IMAP parser)
struct EmailMessage;  // mime/email_message.hpp

// A leaf MIME part ended (MIME parser): what it declared, its first decoded bytes and, for PNG and
// JPEG content, how many decoded bytes followed the image's end marker (IEND chunk, EOI marker).
struct MimePartEnd {
    static constexpr size_t kHead = 16;
    std::string_view content_type;  // lower case; empty: text/plain
    std::string_view filename;
    bool attachment = false;
    std::string_view head;  // the first decoded bytes, at most kHead
    std::string_view prefix;  // the first decoded bytes kept (MimeLimits::body_prefix), head included
    uint64_t decoded_bytes = 0;
    bool end_marker = false;  // image content whose end marker was seen
    uint64_t after_end_marker = 0;  // decoded bytes after the last end marker
    bool gap = false;  // bytes of the part were lost
    // A base64 or quoted-printable line over 998 octets (RFC 5322 2.1.1; RFC 2045 wants 76, which
    // mail programs write): a script encoded the whole file in one call.
    bool long_encoded_line = false;
};

// A file carried by a mail protocol starts and its bytes are offered for extraction
// (output.files.store). The stages of the chain fill in what they know; the end of the chain
// answers with a handle for on_file_data and FileEvent::store_handle, or 0: not stored.
struct FileBegin {
    bool message = false;
    std::string_view filename;
    uint32_t store_rule = 0;  // a rule with "filestore" fired in this transaction already (MatchingSink)
    bool rules_may_select = false;  // the rule set has "filestore" rules that may still fire (MatchingSink)
};

// A file carried by a mail protocol ended: an attachment (decoded) or a whole message (as
// transferred, after dot-unstuffing). Suricata's fileinfo.
struct FileEvent {
    std::string_view filename;  // the attachment's, or empty for a message
    std::string_view content_type;  // lower case; "message/rfc822" for a message
    std::string_view head;  // the first decoded bytes (email.body_prefix)
    std::string_view magic;  // the attachment's kind from its head, libmagic's words; empty: unknown
    bool message = false;
    bool gap = false;  // bytes were lost: size is what was seen, no digests
    uint64_t size = 0;  // decoded bytes (attachment) or bytes transferred (message)
    FileDigests digests;  // those configured and computable
    // The message it belongs to, to link the record to its email record.
    std::string_view message_id, subject, from;
    uint32_t tx_id = 0;  // the transaction that carries the message (EVE tx_id of its record)
    uint32_t store_handle = 0;  // from on_file_begin; 0: its bytes were not handed out
    uint32_t store_rule = 0;  // the rule with "filestore" that selected it (MatchingSink)
};

// A command as parsed, with what detectors and counters need, so nobody turns its name back into
// a verb.
struct CommandEvent {
    Protocol protocol = Protocol::Unknown;
    uint8_t verb = 0;  // the value of SmtpVerb, Pop3Verb or ImapVerb: 0 is Unknown in each
    std::string_view name;  // as shown: "MAIL", "UID FETCH", "UNKNOWN"
    bool ends_session = false;  // QUIT, LOGOUT

    bool unknown() const { return verb == 0; }
};

class EventSink {
public:
    virtual ~EventSink() = default;

    // A protocol violation or a limit that was hit (proto/anomaly.hpp), e.g. smtp.command_line_too_long.
    // Each is reported at most once per transaction; parser stats count every occurrence.
    virtual void on_anomaly(const AnomalyEvent &anomaly) = 0;

    // A rule-matchable value (see Field), as it is parsed.
    virtual void on_field(Field field, std::string_view value) = 0;

    // Every header field of a message or MIME part (Field::EmailHeader): name as written,
    // value unfolded (CRLF + WSP removed), not decoded.
    virtual void on_header(std::string_view name, std::string_view value) { (void)name, (void)value; }

    // Each command, and each final reply status for statistics:
    // SMTP "250", POP3 "+OK"/"-ERR", IMAP "OK"/"NO"/"BAD"/"BYE"/"PREAUTH".
    virtual void on_command(const CommandEvent &command) { (void)command; }
    virtual void on_reply(Protocol protocol, std::string_view status) { (void)protocol, (void)status; }

    // An authentication exchange finished (or the session ended during one: Pending). The user is
    // decoded when the mechanism carries it in the clear (PLAIN, LOGIN, CRAM-MD5, XOAUTH2); it is
    // empty otherwise. Secrets are never passed.
    virtual void on_auth(Protocol protocol, std::string_view mechanism, std::string_view user,
                         AuthResult result) {
        (void)protocol, (void)mechanism, (void)user, (void)result;
    }

    // A leaf part of a message ended (after its email.body_prefix field).
    virtual void on_part_end(const MimePartEnd &part) { (void)part; }

    // Extraction (only for the kinds in MimeLimits::file_store): a file starts; its bytes as
    // decoded (attachments) or transferred (messages) follow, then on_file with the handle.
    virtual uint32_t on_file_begin(const FileBegin &file) { (void)file; return 0; }
    virtual void on_file_data(uint32_t handle, const uint8_t *data, size_t len) { (void)handle, (void)data, (void)len; }

    // An attachment or a whole message ended (after on_part_end, and after the file.* fields).
    virtual void on_file(const FileEvent &file) { (void)file; }

    // The server accepted STARTTLS/STLS: from here on the session is encrypted and not parsed.
    virtual void on_starttls(Protocol protocol) { (void)protocol; }

    // A finished transaction, ready to render as EVE. Valid only during the call.
    virtual void on_transaction(const SmtpTransaction &tx) { (void)tx; }
    virtual void on_transaction(const Pop3Transaction &tx) { (void)tx; }
    virtual void on_transaction(const ImapTransaction &tx) { (void)tx; }
};

// A sink that drops everything: handy default and base for sinks that care about a few events.
class NullEventSink : public EventSink {
public:
    void on_anomaly(const AnomalyEvent &) override {}
    void on_field(Field, std::string_view) override {}
};

}  // namespace postern::proto
