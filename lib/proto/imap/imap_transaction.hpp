// One IMAP transaction as handed to EventSink::on_transaction: a tagged command with the untagged
// responses that arrived while it ran and its tagged completion, plus the message it carried
// (APPEND) or fetched (FETCH BODY[], RFC822, BINARY[]...). A FETCH that returns several messages
// gives one transaction per message: all but the last are emitted as they finish (end "message",
// no status yet), the last one with the completion. The greeting, and a BYE or message with no
// command to belong to, are transactions without a command. Views point into the session, its
// pending-command table or its arenas: valid during the call.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/events.hpp"
#include "proto/imap/imap_command.hpp"
#include "proto/mime/email_message.hpp"
#include "util/named_enum.hpp"

namespace postern::proto {

#define POSTERN_IMAP_STATUSES(X) X(None, "") X(Ok, "OK") X(No, "NO") X(Bad, "BAD") X(Bye, "BYE") X(Preauth, "PREAUTH")
POSTERN_NAMED_ENUM(ImapStatus, POSTERN_IMAP_STATUSES);
constexpr std::string_view imap_status_name(ImapStatus s) { return util::enum_name(kImapStatusNames, s, ""); }

// Why the transaction was emitted.
#define POSTERN_IMAP_TX_ENDS(X)                                                          \
    X(Completed, "completed") /* the tagged response arrived */                          \
    /* a message finished before its command completed, or without a command */          \
    X(Message, "message")                                                                \
    X(Untagged, "untagged") /* the greeting, or a BYE with no command running */         \
    /* the session turned encrypted before this command completed */                     \
    X(Starttls, "starttls")                                                              \
    /* the session turned compressed (COMPRESS=DEFLATE) before this command completed */ \
    X(Compress, "compress")                                                              \
    X(SessionEnd, "session_end") /* on_end() before the command completed */
POSTERN_NAMED_ENUM(ImapTxEnd, POSTERN_IMAP_TX_ENDS);
constexpr std::string_view imap_tx_end_name(ImapTxEnd e) { return util::enum_name(kImapTxEndNames, e, "unknown"); }

#define POSTERN_IMAP_MESSAGE_SOURCES(X) X(None, "none") X(Append, "append") X(Fetch, "fetch")
POSTERN_NAMED_ENUM(ImapMessageSource, POSTERN_IMAP_MESSAGE_SOURCES);

struct ImapTransaction {
    static constexpr size_t kMaxFlags = 16;
    static constexpr size_t kMaxMailboxes = 16;

    uint32_t id = 0;  // 0, 1, ... within the session
    ImapTxEnd end = ImapTxEnd::SessionEnd;

    // The command.
    bool has_command = false;
    std::string_view tag;
    ImapVerb verb = ImapVerb::Unknown;
    bool uid = false;  // UID FETCH, UID STORE...
    std::string_view command;  // upper case; the name as sent for unknown commands
    std::string_view arguments;  // as sent, literals as "{n}", secrets removed
    bool arguments_redacted = false;  // a password or SASL response was cut off
    bool pipelined = false;  // sent while other commands were running
    std::string_view mailbox;  // SELECT/EXAMINE/CREATE/DELETE/RENAME/STATUS/APPEND...: UTF-8
    std::string_view destination;  // RENAME new name, COPY/MOVE target: UTF-8
    BoundedList<std::string_view, kMaxFlags> flags;  // APPEND and STORE flags, e.g. "\Deleted"
    std::string_view store_action;  // "+FLAGS", "-FLAGS.SILENT"...
    std::string_view sequence_set;  // FETCH/STORE/COPY/MOVE/UID EXPUNGE
    std::string_view date;  // APPEND date-time
    uint32_t literals = 0;  // literals the client sent with the command
    uint64_t literal_bytes = 0;

    // Responses.
    ImapStatus status = ImapStatus::None;
    std::string_view response_code;  // the [...] of the tagged response, without brackets
    std::string_view response_text;
    uint32_t untagged = 0;  // untagged responses that arrived while it ran
    uint32_t continuations = 0;  // "+" requests it got
    uint32_t fetches = 0;  // "* n FETCH" responses
    uint32_t expunged = 0;  // "* n EXPUNGE" responses
    bool has_exists = false;
    uint32_t exists = 0;  // "* n EXISTS"
    uint32_t search_results = 0;  // numbers in "* SEARCH" responses
    BoundedList<std::string_view, kMaxMailboxes> mailboxes;  // LIST/LSUB results, UTF-8
    bool has_uid = false;
    uint64_t uid_value = 0;  // APPENDUID of APPEND (RFC 4315), or UID of the fetched message

    // Session facts.
    bool greeting = false;
    std::string_view user;  // LOGIN or SASL user, as far as the session got
    bool auth_command = false;  // LOGIN/AUTHENTICATE: the auth fields describe this exchange
    std::string_view auth_mechanism;  // "LOGIN" for the LOGIN command, else the SASL mechanism
    AuthResult auth_result = AuthResult::Pending;
    bool auth_secret_seen = false;  // a password or SASL secret was sent (never kept)
    uint32_t capabilities = 0;  // ImapCapability bits seen so far
    std::string_view selected;  // the mailbox selected when the command ran, UTF-8
    bool starttls = false;  // STARTTLS was accepted: nothing after it was parsed
    bool compressed = false;  // COMPRESS was accepted: nothing after it was parsed

    // Message.
    const EmailMessage *message = nullptr;  // set when a message was parsed
    ImapMessageSource message_source = ImapMessageSource::None;
    uint32_t message_sequence = 0;  // FETCH: the message sequence number
    std::string_view section;  // FETCH: "BODY[]", "RFC822", "BINARY[]", "BODY[HEADER]"...
    uint64_t message_literal = 0;  // announced literal size
    bool message_complete = false;  // every byte of the literal was seen
    bool message_partial = false;  // FETCH <0.n>: the start of the message only

    bool gap = false;  // bytes of this transaction were lost

    void clear() { *this = ImapTransaction{}; }
};

}  // namespace postern::proto
