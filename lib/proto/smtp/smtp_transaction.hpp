// One SMTP transaction as handed to EventSink::on_transaction: the envelope, the session facts
// that apply to it (HELO, AUTH, STARTTLS, capabilities) and the message, if one was sent.
// Views point into the session (HELO, AUTH) or its transaction arena: valid during the call.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/events.hpp"
#include "proto/mime/email_message.hpp"
#include "proto/smtp/smtp_limits.hpp"
#include "util/named_enum.hpp"

namespace postern::proto {

#define POSTERN_SMTP_DATA_MODES(X) X(None, "none") X(Data, "data") X(Bdat, "bdat")
POSTERN_NAMED_ENUM(SmtpDataMode, POSTERN_SMTP_DATA_MODES);

// Why the transaction was emitted.
#define POSTERN_SMTP_TX_ENDS(X)                                                                     \
    X(MessageDone, "message_done") /* the server answered the end of DATA or the last BDAT chunk */ \
    X(Reset, "reset") /* RSET, a new EHLO/HELO, or a new MAIL before the previous one finished */   \
    X(Starttls, "starttls") /* the session turned encrypted */                                      \
    X(SessionEnd, "session_end") /* on_end() */
POSTERN_NAMED_ENUM(SmtpTxEnd, POSTERN_SMTP_TX_ENDS);
constexpr std::string_view smtp_tx_end_name(SmtpTxEnd e) { return util::enum_name(kSmtpTxEndNames, e, "unknown"); }

struct SmtpTransaction {
    static constexpr size_t kMaxReplyCodes = 32;

    uint32_t id = 0;  // 0, 1, ... within the session
    SmtpTxEnd end = SmtpTxEnd::SessionEnd;

    // Session facts.
    std::string_view helo;
    bool ehlo = false;  // EHLO (not HELO) was used
    uint32_t capabilities = 0;  // SmtpCapability bits from the EHLO reply
    std::string_view auth_mechanism;
    std::string_view auth_user;
    AuthResult auth_result = AuthResult::Pending;
    bool auth_attempted = false;
    bool auth_secret_seen = false;  // a password/token/digest was sent (never kept)
    bool starttls = false;  // STARTTLS was accepted: nothing after it was parsed

    // Envelope.
    std::string_view mail_from;
    uint64_t declared_size = 0;  // MAIL FROM SIZE= (RFC 1870), 0 when absent
    std::string_view body_type;  // MAIL FROM BODY= (7BIT, 8BITMIME, BINARYMIME)
    bool smtputf8 = false;
    BoundedList<std::string_view, SmtpLimits::kMaxRecipients> rcpt_to;
    uint32_t rcpt_rejected = 0;

    // Commands and replies.
    uint32_t commands = 0;
    uint32_t unknown_commands = 0;
    BoundedList<uint16_t, kMaxReplyCodes> reply_codes;  // final reply codes, in order

    // Message.
    SmtpDataMode data_mode = SmtpDataMode::None;
    uint32_t bdat_chunks = 0;
    bool has_message = false;  // message bytes were seen (message is filled)
    bool message_accepted = false;  // 2xx to the end of data
    bool message_complete = false;  // the end of data was seen
    bool gap = false;  // bytes of this transaction were lost
    EmailMessage message;

    void clear() { *this = SmtpTransaction{}; }
};

}  // namespace postern::proto
