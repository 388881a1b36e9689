// Streaming SMTP parser for one TCP session (RFC 5321 with SIZE 1870, PIPELINING 2920,
// CHUNKING/BDAT 3030, STARTTLS 3207, AUTH 4954, 8BITMIME 6152). The dataplane feeds it ordered
// byte spans per direction, in the order they arrived; it reports commands, replies, fields,
// anomalies and finished transactions to an EventSink. Messages (DATA, BDAT) go through the
// MIME parser. No heap, no exceptions, no syscalls; the object has a fixed size so a worker can
// keep sessions in a preallocated pool. It never gives up on a session: whatever it sees, it
// keeps counting and resynchronises at the next line.
#pragma once

#include <cstddef>
#include <cstdint>

#include "proto/anomaly_catalog.hpp"
#include "proto/common/fixed_text.hpp"
#include "proto/common/line_assembler.hpp"
#include "proto/common/line_session.hpp"
#include "proto/common/session_auth.hpp"
#include "proto/common/string_arena.hpp"
#include "proto/events.hpp"
#include "proto/mime/mime_parser.hpp"
#include "proto/smtp/smtp_command.hpp"
#include "proto/smtp/smtp_limits.hpp"
#include "proto/smtp/smtp_transaction.hpp"

namespace postern::proto {

struct SmtpStats : LineSessionStats<SmtpAnomaly> {
    uint64_t replies = 0;
    // Bounds hit.
    uint64_t command_lines_truncated = 0;
    uint64_t reply_lines_truncated = 0;
    uint64_t text_lines_truncated = 0;
    uint64_t recipients_dropped = 0;
};

// Like every mail parser, a LineSession: on_data, on_gap, on_end, encrypted(), stats(), mime_stats() come from it.
class SmtpParser : public LineSession<SmtpParser, SmtpAnomaly, SmtpStats> {
public:
    explicit SmtpParser(EventSink &sink, const SmtpLimits &limits = {});

private:
    friend LineSession;
    enum class ClientMode : uint8_t { Command, Data, BdatChunk };

    struct PendingCommand {
        SmtpVerb verb = SmtpVerb::Unknown;
        bool bdat_last = false;
        uint32_t tx_seq = 0;  // the transaction it belongs to
    };

    // Called by LineSession.
    void client_data(ByteSpan in);
    void server_data(ByteSpan in);
    void after_gap(stream::Direction dir, uint32_t len);
    // Flushes the side's unfinished line; emits the open transaction.
    void after_end(stream::Direction dir);
    bool server_line_open() const { return reply_lines_.mid_line(); }
    void input_done() { mime_.input_done(); }

    // Client side.
    void command_line(const Line &line);
    void auth_response(std::string_view text, bool initial);
    void start_auth(std::string_view args, std::string_view line);
    void mail_command(std::string_view args);
    void rcpt_command(std::string_view args);
    void bdat_command(std::string_view args);
    void data_line(const Line &line);
    void bdat_line(const Line &line);
    void start_message();
    uint32_t content_line_limit() const;
    // RFC 2920 3.1: the client waits for 354 before sending the message; this one did not.
    bool pipelining_data_early() const { return data_reply_pending_ && stats_.replies > 0; }
    void message_line(const Line &line);
    void end_bdat_chunk();
    bool push_pending(SmtpVerb verb, bool bdat_last = false);
    void open_transaction(SmtpVerb verb);

    // Server side.
    void reply_line(const Line &line);
    void final_reply(uint16_t code);
    void enter_encrypted();

    void end_transaction(SmtpTxEnd why);

    SmtpLimits limits_;

    FixedLineAssembler<SmtpLimits::kMaxCommandLine> command_lines_;
    FixedLineAssembler<SmtpLimits::kMaxReplyLine> reply_lines_;
    FixedLineAssembler<SmtpLimits::kMaxTextLine> text_lines_;
    FixedStringArena<SmtpLimits::kArenaBytes> arena_;
    MimeParser mime_;

    // Session state.
    FixedText<256> helo_;
    SessionAuth auth_;
    bool auth_attempted_ = false;
    bool ehlo_ = false;
    uint32_t capabilities_ = 0;
    bool greeting_seen_ = false;

    // Client side.
    ClientMode mode_ = ClientMode::Command;
    uint64_t bdat_remaining_ = 0;
    bool bdat_last_ = false;
    bool data_reply_pending_ = false;  // DATA sent, its reply not seen yet
    bool starttls_pending_ = false;  // STARTTLS sent, its reply not seen yet
    bool message_started_ = false;  // the MIME parser is inside this transaction's message

    // Replies.
    PendingCommand pending_[SmtpLimits::kMaxPendingCommands];
    uint32_t pending_head_ = 0;
    uint32_t pending_count_ = 0;
    bool pending_overflowed_ = false;
    bool reply_resync_ = false;  // after a gap: replies may have lost their commands
    bool multiline_ = false;
    uint16_t multiline_code_ = 0;
    uint32_t reply_line_index_ = 0;

    // The open transaction.
    SmtpTransaction tx_;
    bool tx_open_ = false;
    bool tx_interesting_ = false;  // something other than NOOP/RSET/QUIT happened
    bool tx_has_mail_ = false;
    uint32_t tx_seq_ = 0;
};

}  // namespace postern::proto
