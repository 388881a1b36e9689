// One POP3 transaction as handed to EventSink::on_transaction: a command and its response (the
// server greeting is a transaction without a command), the session facts that apply to it (user,
// authentication, capabilities, STLS) and, for RETR and TOP, the message. Views point into the
// session or its transaction storage: valid during the call.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/events.hpp"
#include "proto/mime/email_message.hpp"
#include "proto/pop3/pop3_command.hpp"
#include "proto/pop3/pop3_limits.hpp"
#include "util/named_enum.hpp"

namespace postern::proto {

#define POSTERN_POP3_STATUSES(X) X(None, "") X(Ok, "OK") X(Err, "ERR") X(Invalid, "INVALID")
POSTERN_NAMED_ENUM(Pop3Status, POSTERN_POP3_STATUSES);
constexpr std::string_view pop3_status_name(Pop3Status s) { return util::enum_name(kPop3StatusNames, s, ""); }

// Why the transaction was emitted.
#define POSTERN_POP3_TX_ENDS(X)                                                                 \
    X(Response, "response") /* the response (or the greeting) was complete */                   \
    X(Starttls, "starttls") /* the session turned encrypted before this command was answered */ \
    /* bytes of the server side were lost: the response cannot be matched any more */           \
    X(Gap, "gap")                                                                               \
    X(SessionEnd, "session_end") /* on_end() before the response was complete */
POSTERN_NAMED_ENUM(Pop3TxEnd, POSTERN_POP3_TX_ENDS);
constexpr std::string_view pop3_tx_end_name(Pop3TxEnd e) { return util::enum_name(kPop3TxEndNames, e, "unknown"); }

struct Pop3Transaction {
    static constexpr size_t kMaxArgs = 4;

    uint32_t id = 0;  // 0, 1, ... within the session
    Pop3TxEnd end = Pop3TxEnd::SessionEnd;

    // The command; none for the greeting.
    bool has_command = false;
    Pop3Verb verb = Pop3Verb::Unknown;
    std::string_view command;  // verb as sent, upper-cased
    BoundedList<std::string_view, kMaxArgs> args;  // blank-separated, secrets removed
    bool args_redacted = false;  // a password, digest or SASL response was cut off
    bool pipelined = false;  // sent while earlier commands were still unanswered

    // The response.
    Pop3Status status = Pop3Status::None;
    std::string_view header;  // first response line after the status indicator
    BoundedList<std::string_view, Pop3Limits::kMaxDataLines> data;  // CAPA/LIST/UIDL... lines, unstuffed
    bool multiline = false;
    bool response_complete = false;  // the single line, or the "." closing a multi-line response
    uint32_t response_lines = 0;  // data lines of a multi-line response (message lines included)
    uint32_t continuations = 0;  // "+ " SASL challenges (RFC 5034)

    // Session facts.
    bool greeting = false;  // this is the server greeting
    std::string_view apop_timestamp;  // "<pid.clock@host>" of the greeting (RFC 1939 7)
    std::string_view user;  // USER, APOP or the SASL user, as far as the session got
    bool auth_command = false;  // USER/PASS/APOP/AUTH: the auth fields describe this exchange
    std::string_view auth_mechanism;  // "USER" (USER/PASS), "APOP" or the SASL mechanism
    AuthResult auth_result = AuthResult::Pending;
    bool auth_secret_seen = false;  // a password/digest/SASL secret was sent (never kept)
    uint32_t capabilities = 0;  // Pop3Capability bits from CAPA
    bool starttls = false;  // STLS was accepted: nothing after it was parsed

    // Message (RETR, TOP).
    bool has_message = false;
    uint64_t declared_size = 0;  // "+OK 1234 octets", 0 when absent
    EmailMessage message;

    bool gap = false;  // bytes of this transaction were lost

    void clear() { *this = Pop3Transaction{}; }
};

}  // namespace postern::proto
