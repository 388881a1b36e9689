// Streaming IMAP parser for one TCP session (RFC 3501 / 9051 with LITERAL+ 7888, IDLE 2177,
// UIDPLUS 4315, BINARY 3516, COMPRESS 4978, SASL-IR 4959, MOVE 6851, CONDSTORE/QRESYNC 7162,
// UTF8=ACCEPT 6855). The dataplane feeds it ordered byte spans per direction, in the order they
// arrived; it reports commands, responses, fields, anomalies and one transaction per tagged
// command (see imap_transaction.hpp) to an EventSink.
//
// Both directions are lines interleaved with literals: "{n}" at the end of a line announces n
// bytes that are not lines. Literals are counted exactly, never buffered: small ones that name a
// user or a mailbox are captured (bounded), messages (APPEND, FETCH BODY[]...) go through the
// MIME parser line by line, passwords and everything else are skipped. Tags match commands to
// their completions through a bounded table. No heap, no exceptions, no syscalls; the object has
// a fixed size. It never gives up on a session: whatever it sees, it keeps counting and
// resynchronises at the next line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/anomaly_catalog.hpp"
#include "proto/common/fixed_text.hpp"
#include "proto/common/line_assembler.hpp"
#include "proto/common/line_session.hpp"
#include "proto/common/session_auth.hpp"
#include "proto/common/string_arena.hpp"
#include "proto/events.hpp"
#include "proto/imap/imap_command.hpp"
#include "proto/imap/imap_lexer.hpp"
#include "proto/imap/imap_limits.hpp"
#include "proto/imap/imap_line_reader.hpp"
#include "proto/imap/imap_transaction.hpp"
#include "proto/mime/mime_parser.hpp"

namespace postern::proto {

struct ImapStats : LineSessionStats<ImapAnomaly> {
    uint64_t responses = 0;  // tagged
    uint64_t untagged = 0;
    uint64_t continuations = 0;
    uint64_t messages_skipped = 0;  // a second message while one was being parsed
    uint64_t literals[2] = {};
    uint64_t literal_bytes[2] = {};
    // Bounds hit.
    uint64_t lines_truncated[2] = {};
};

// Like every mail parser, a LineSession: on_data, on_gap, on_end, encrypted(), stats(), mime_stats() come from it.
class ImapParser : public LineSession<ImapParser, ImapAnomaly, ImapStats> {
public:
    explicit ImapParser(EventSink &sink, const ImapLimits &limits = {});

private:
    friend LineSession;
    static constexpr uint32_t kNoSlot = 0xFFFFFFFF;

    // A command whose tagged response is awaited.
    struct Command {
        bool used = false;
        bool receiving = false;  // the client is still sending it (a literal is coming)
        ImapVerb verb = ImapVerb::Unknown;
        bool uid = false;
        bool pipelined = false;
        bool redacted = false;
        uint32_t order = 0;  // sending order, to find the oldest
        FixedText<32> tag;
        FixedText<24> name;
        FixedText<160> arguments;
        FixedText<100> mailbox;
        FixedText<100> destination;
        FixedText<96> flags;  // blank-separated
        FixedText<20> store_action;
        FixedText<48> sequence_set;
        FixedText<40> date;
        uint32_t literals = 0;
        uint64_t literal_bytes = 0;
        bool truncated() const;
    };

    // The command line being received (it goes on after each literal).
    struct ClientLine {
        bool open = false;
        uint32_t slot = kNoSlot;
        ImapVerb verb = ImapVerb::Unknown;
        uint32_t arg = 0;  // index of the next top-level argument
        int depth = 0;  // parentheses
        bool flags_list = false;  // the open list holds flags (APPEND, STORE)
        bool args_closed = false;  // a secret was met: nothing more goes to the argument text
        uint64_t length = 0;  // octets so far, literals excluded
        bool too_long = false;
    };

    enum class LiteralUse : uint8_t { Skip, Capture, Message, Secret };

    struct Literal {
        bool active = false;
        uint64_t size = 0;
        uint64_t remaining = 0;
        LiteralUse use = LiteralUse::Skip;
        bool started = false;  // bytes of it arrived
        bool sync = false;  // client, synchronising: sent only after the server's "+"
        bool gap = false;
    };

    enum class ResponseKind : uint8_t { Tagged, Untagged, Continuation };
    enum class Untagged : uint8_t { Other, Fetch, List };
    enum class FetchItem : uint8_t { None, Uid, Body, Other };

    // The response line being received (it goes on after each literal).
    struct ServerLine {
        bool open = false;
        ResponseKind kind = ResponseKind::Untagged;
        Untagged what = Untagged::Other;
        uint32_t index = 0;  // tokens read after the response keyword
        int depth = 0;
        uint64_t length = 0;
        bool too_long = false;
        // FETCH: attribute names and values alternate inside the outer list.
        uint32_t number = 0;
        bool expect_value = false;
        FetchItem item = FetchItem::None;
        bool body_is_message = false;
        bool body_partial = false;
        bool carried_message = false;  // a message literal was in this response
        bool has_uid = false;
        uint64_t uid = 0;
        FixedText<64> section;
    };

    // The message being parsed, or parsed and waiting for its command to complete.
    struct MessageState {
        enum class Phase : uint8_t { None, Parsing, Held } phase = Phase::None;
        ImapMessageSource source = ImapMessageSource::None;
        uint32_t slot = kNoSlot;
        uint32_t order = 0;  // of the owning command, to notice slot reuse
        uint32_t sequence = 0;
        bool has_uid = false;
        uint64_t uid = 0;
        FixedText<64> section;
        uint64_t literal_size = 0;
        bool complete = false;
        bool partial = false;
        bool gap = false;
    };

    // What untagged responses said, kept for the next completion.
    struct ResponseData {
        uint32_t untagged = 0;
        uint32_t continuations = 0;
        uint32_t fetches = 0;
        uint32_t expunged = 0;
        bool has_exists = false;
        uint32_t exists = 0;
        uint32_t search_results = 0;
        BoundedList<std::string_view, ImapTransaction::kMaxMailboxes> mailboxes;
    };

    // Framing (imap_parser.cpp); the first four are called by LineSession.
    void client_data(ByteSpan in);
    void server_data(ByteSpan in);
    void after_gap(stream::Direction dir, uint32_t len);
    // Flushes the side's unfinished line; once the server side has ended, commands still running
    // are emitted.
    void after_end(stream::Direction dir);
    bool server_line_open() const { return server_lines_.mid_line(); }
    void input_done() { mime_.input_done(); }
    void read_side(stream::Direction dir, ByteSpan in);
    void check_line(stream::Direction dir, const Line &line, bool open, uint64_t &length, bool &reported);
    void start_literal(stream::Direction dir, const ImapToken &marker, LiteralUse use);
    void literal_started(stream::Direction dir);
    void literal_bytes(stream::Direction dir, ByteSpan chunk);
    void end_literal(stream::Direction dir);

    // Client side (imap_client.cpp).
    void client_line(const Line &line, std::string_view tail);
    void new_command(std::string_view text, bool head_only);
    size_t command_tokens(ImapLexer &lexer, std::string_view text, size_t from, bool head_only);
    void command_literal(const ImapToken &marker, std::string_view text, size_t from);
    void command_argument(const ImapToken &token, std::string_view value);
    void client_literal_done();
    void cut_arguments(std::string_view text, size_t from, const char *secret_start);
    void flag_token(std::string_view flag);
    void store_mailbox(FixedText<100> *out, std::string_view raw);
    bool mailbox_argument(uint32_t arg) const;
    bool secret_argument(uint32_t arg) const;
    LiteralUse literal_use(uint32_t arg) const;
    void end_command_line();
    void start_auth(std::string_view mechanism);
    void auth_response(std::string_view text, bool initial);
    uint32_t new_slot(std::string_view tag);
    Command *current_command();
    bool in_flight(ImapVerb a, ImapVerb b) const;

    // Server side (imap_server.cpp).
    void server_line(const Line &line, std::string_view tail);
    void new_response(std::string_view text, bool head_only);
    void split_response_text(std::string_view rest, std::string_view &code, std::string_view &text);
    void status_response(ImapStatus status, std::string_view rest, bool first, std::string_view tag);
    void tagged_response(std::string_view tag, ImapStatus status, std::string_view rest);
    void completion(uint32_t slot, ImapStatus status, std::string_view code, std::string_view text);
    void apply_completion(Command &cmd, ImapStatus status);
    void finish_auth(AuthResult result);
    void continuation();
    void capability_list(std::string_view list);
    void response_tokens(ImapLexer &lexer, bool head_only);
    void listed_mailbox(std::string_view raw);
    void fetch_token(const ImapToken &token);
    void fetch_item_before_literal(std::string_view tail, const ImapToken &marker);
    void server_literal_token(const ImapToken &marker);
    void server_literal_done();
    void end_response_line();

    // Messages and transactions (imap_parser.cpp).
    bool begin_message(ImapMessageSource source, uint32_t slot);
    void message_bytes(ByteSpan chunk);
    void end_message(bool complete);
    bool message_owner_alive() const;
    void settle_message();
    void emit_held_message();
    uint32_t fetch_owner() const;
    void fill_command(const Command &cmd);
    void fill_message();
    void fill_response_data();
    void clear_response_data();
    void emit(ImapTxEnd why);
    uint32_t find_slot(std::string_view tag) const;
    uint32_t oldest_slot() const;
    void release_slot(uint32_t slot);
    void flush_commands(ImapTxEnd why);
    void go_opaque(bool tls);

    ImapLimits limits_;

    ImapLineReader<ImapLimits::kMaxLine> client_lines_;
    ImapLineReader<ImapLimits::kMaxLine> server_lines_;
    FixedLineAssembler<ImapLimits::kMaxTextLine> message_lines_;
    FixedStringArena<ImapLimits::kArenaBytes> arena_;
    FixedStringArena<ImapLimits::kMessageArenaBytes> message_arena_;
    MimeParser mime_;
    EmailMessage message_;

    // Session state.
    SessionAuth auth_;  // LOGIN or SASL
    bool authenticated_ = false;
    bool selected_ = false;
    FixedText<100> selected_mailbox_;
    uint32_t capabilities_ = 0;
    bool greeting_seen_ = false;  // a first server response was seen
    bool session_start_seen_ = false;  // ...and it was a greeting: state checks make sense
    bool logout_sent_ = false;
    bool idle_ = false;  // the client is in IDLE: its next line should be DONE
    bool idle_continuation_due_ = false;  // IDLE sent, its "+" not seen yet
    bool opaque_pending_ = false;  // STARTTLS or COMPRESS sent, not answered yet
    uint32_t sync_literals_due_ = 0;  // synchronising literals announced, their "+" not seen yet
    bool gap_seen_ = false;  // state checks are off once bytes were lost
    bool client_gap_ = false;  // tagged responses may answer commands lost in a gap
    uint32_t dropped_commands_ = 0;  // commands not tracked (table full): their tags are expected

    // Commands awaiting completion.
    Command commands_[ImapLimits::kMaxPendingCommands];
    uint32_t pending_count_ = 0;
    uint32_t order_ = 0;

    // Per direction.
    ClientLine cmd_;
    ServerLine resp_;
    Literal client_literal_;
    Literal server_literal_;
    FixedText<ImapLimits::kMaxCapture> client_capture_;
    FixedText<ImapLimits::kMaxCapture> server_capture_;

    ResponseData data_;
    MessageState msg_;
    ImapTransaction tx_;
};

}  // namespace postern::proto
