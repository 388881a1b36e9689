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

#include "proto/common/anomaly_limiter.hpp"
#include "proto/common/line_assembler.hpp"
#include "proto/common/string_arena.hpp"
#include "proto/common/tls_upgrade.hpp"
#include "proto/events.hpp"
#include "proto/mime/mime_parser.hpp"
#include "proto/smtp/smtp_anomaly.hpp"
#include "proto/smtp/smtp_auth.hpp"
#include "proto/smtp/smtp_command.hpp"
#include "proto/smtp/smtp_limits.hpp"
#include "proto/smtp/smtp_transaction.hpp"
#include "stream/direction.hpp"

namespace postern::proto {

struct SmtpStats {
    uint64_t bytes[2] = {};  // by stream::index(direction)
    uint64_t encrypted_bytes[2] = {};  // after STARTTLS, not parsed
    uint64_t commands = 0;
    uint64_t replies = 0;
    uint64_t transactions = 0;
    uint64_t messages = 0;
    uint64_t auth_responses = 0;
    uint64_t gaps = 0;
    uint64_t gap_bytes = 0;
    // Bounds hit.
    uint64_t command_lines_truncated = 0;
    uint64_t reply_lines_truncated = 0;
    uint64_t text_lines_truncated = 0;
    uint64_t pending_commands_dropped = 0;
    uint64_t recipients_dropped = 0;
    uint64_t strings_truncated = 0;  // transaction arena full
    uint64_t anomalies[static_cast<size_t>(SmtpAnomaly::Count)] = {};
};

class SmtpParser {
public:
    explicit SmtpParser(EventSink &sink, const SmtpLimits &limits = {});
    SmtpParser(const SmtpParser &) = delete;
    SmtpParser &operator=(const SmtpParser &) = delete;

    // Bytes of one direction, in stream order.
    void on_data(stream::Direction dir, const uint8_t *data, size_t len);
    // `len` bytes of one direction were lost.
    void on_gap(stream::Direction dir, uint32_t len);
    // The direction ended (FIN, RST, flow timeout): flushes its unfinished line and emits the
    // open transaction. Call it for both directions when the flow goes.
    void on_end(stream::Direction dir);

    bool encrypted() const { return encrypted_; }
    // Upgraded, and both sides have sent TLS records since (a few: hellos, key exchange, finished).
    bool tls_established() const { return encrypted_ && tls_.established(); }
    const SmtpStats &stats() const { return stats_; }
    const MimeStats &mime_stats() const { return mime_.stats(); }

private:
    enum class ClientMode : uint8_t { Command, Data, BdatChunk };

    struct PendingCommand {
        SmtpVerb verb = SmtpVerb::Unknown;
        bool bdat_last = false;
        uint32_t tx_seq = 0;  // the transaction it belongs to
    };

    struct AuthExchange {
        bool active = false;
        AuthMechanism mechanism = AuthMechanism::Other;
        uint8_t expected = 0;  // client responses still due (kUnknownAuthResponses: unknown)
        uint8_t permits = 0;  // 334 challenges not answered yet
        uint8_t responses = 0;
        bool cancelled = false;
    };

    void anomaly(SmtpAnomaly a);
    void client_data(ByteSpan in);
    void server_data(ByteSpan in);

    // Client side.
    void command_line(const Line &line);
    bool is_auth_response(std::string_view text) const;
    void auth_response(std::string_view text, bool initial);
    void start_auth(std::string_view args, std::string_view line);
    void mail_command(std::string_view args);
    void rcpt_command(std::string_view args);
    void bdat_command(std::string_view args);
    void data_line(const Line &line);
    void bdat_line(const Line &line);
    void start_message();
    uint32_t content_line_limit() const;
    void message_line(const Line &line);
    void end_bdat_chunk();
    bool push_pending(SmtpVerb verb, bool bdat_last = false);
    void open_transaction(SmtpVerb verb);

    // Server side.
    void reply_line(const Line &line);
    void final_reply(uint16_t code);
    void finish_auth(AuthResult result);
    void enter_encrypted();
    // Bytes after an accepted STARTTLS: TLS records are skipped; cleartext is reported and parsed.
    void encrypted_data(stream::Direction dir, ByteSpan in);

    void end_transaction(SmtpTxEnd why);

    SmtpLimits limits_;
    EventSink &sink_;
    SmtpStats stats_;
    AnomalyLimiter reported_;

    FixedLineAssembler<SmtpLimits::kMaxCommandLine> command_lines_;
    FixedLineAssembler<SmtpLimits::kMaxReplyLine> reply_lines_;
    FixedLineAssembler<SmtpLimits::kMaxTextLine> text_lines_;
    FixedStringArena<SmtpLimits::kArenaBytes> arena_;
    MimeParser mime_;

    // Session state.
    BoundedString<256> helo_;
    BoundedString<32> auth_mechanism_;
    BoundedString<256> auth_user_;
    AuthExchange auth_;
    AuthResult auth_result_ = AuthResult::Pending;
    bool auth_attempted_ = false;
    bool auth_secret_seen_ = false;
    bool ehlo_ = false;
    uint32_t capabilities_ = 0;
    bool greeting_seen_ = false;
    bool encrypted_ = false;
    TlsUpgrade tls_;
    bool ended_[2] = {false, false};

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
