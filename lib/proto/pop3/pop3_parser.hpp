// Streaming POP3 parser for one TCP session (RFC 1939 with CAPA and PIPELINING 2449, STLS 2595,
// SASL AUTH 5034, UTF8/LANG 6856). The dataplane feeds it ordered byte spans per direction, in the
// order they arrived; it reports commands, responses, fields, anomalies and one transaction per
// command (plus one for the greeting) to an EventSink. Messages of RETR and TOP go through the
// MIME parser. Pipelined commands are matched to responses in order through a bounded queue;
// whether a response is multi-line depends on its command and arguments. No heap, no
// exceptions, no syscalls; the object has a fixed size. It never gives up on a session: whatever
// it sees, it keeps counting and resynchronises at the next line.
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
#include "proto/pop3/pop3_command.hpp"
#include "proto/pop3/pop3_limits.hpp"
#include "proto/pop3/pop3_transaction.hpp"

namespace postern::proto {

struct Pop3Stats : LineSessionStats<Pop3Anomaly> {
    uint64_t responses = 0;
    uint64_t responses_unmatched = 0;  // responses whose command was lost in a gap
    // Bounds hit.
    uint64_t client_lines_truncated = 0;
    uint64_t server_lines_truncated = 0;
    uint64_t data_lines_dropped = 0;
};

// Like every mail parser, a LineSession: on_data, on_gap, on_end, encrypted(), stats(), mime_stats() come from it.
class Pop3Parser : public LineSession<Pop3Parser, Pop3Anomaly, Pop3Stats> {
public:
    explicit Pop3Parser(EventSink &sink, const Pop3Limits &limits = {});

private:
    friend LineSession;
    struct PendingCommand {
        Pop3Verb verb = Pop3Verb::Unknown;
        bool has_argument = false;
        bool pipelined = false;
        bool redacted = false;
        uint16_t text_offset = 0;  // "VERB args" (secrets removed) in command_text_
        uint16_t text_length = 0;
    };

    // Called by LineSession.
    void client_data(ByteSpan in);
    void server_data(ByteSpan in);
    void after_gap(stream::Direction dir, uint32_t len);
    // Flushes the side's unfinished line; once the server side has ended, commands still
    // unanswered are emitted.
    void after_end(stream::Direction dir);
    bool server_line_open() const { return server_lines_.mid_line(); }
    void input_done() { mime_.input_done(); }

    // Client side.
    void client_line(const Line &line);
    void command_line(const Line &line);
    void auth_response(std::string_view text, bool initial);
    std::string_view start_auth(std::string_view args);
    void push_pending(Pop3Verb verb, std::string_view verb_text, std::string_view args, bool redacted);
    std::string_view store_command_text(std::string_view verb_text, std::string_view args, uint16_t &offset);

    // Server side.
    void server_line(const Line &line);
    void status_line(const Line &line);
    void greeting(Pop3Status status, std::string_view text);
    void multiline_line(const Line &line);
    void begin_response(Pop3Status status, std::string_view text);
    void finish_response(Pop3TxEnd why);
    void apply_response(const PendingCommand &cmd);
    void finish_auth(AuthResult result);

    // Transactions.
    void fill_command(const PendingCommand &cmd);
    void emit(Pop3TxEnd why);
    void pop_pending();
    void flush_pending(Pop3TxEnd why);
    bool auth_in_flight() const;
    uint32_t server_max_line() const;

    Pop3Limits limits_;

    FixedLineAssembler<Pop3Limits::kMaxClientLine> client_lines_;
    FixedLineAssembler<Pop3Limits::kMaxServerLine> server_lines_;
    FixedStringArena<Pop3Limits::kArenaBytes> arena_;
    MimeParser mime_;

    // Session state.
    SessionAuth auth_;  // USER/PASS, APOP or SASL
    FixedText<128> apop_timestamp_;
    bool authenticated_ = false;
    uint32_t capabilities_ = 0;
    bool greeting_seen_ = false;  // a first server line was seen
    bool session_start_seen_ = false;  // ...and it was a greeting: state checks make sense
    bool quit_sent_ = false;
    bool stls_pending_ = false;  // STLS sent, its response not seen yet
    bool gap_seen_ = false;  // sequence checks are off once bytes were lost
    uint32_t spare_responses_ = 0;  // responses to expect for commands lost in a gap or dropped
    Pop3Verb last_verb_ = Pop3Verb::Unknown;

    // Commands awaiting a response, oldest first.
    PendingCommand pending_[Pop3Limits::kMaxPendingCommands];
    uint32_t pending_head_ = 0;
    uint32_t pending_count_ = 0;
    char command_text_[Pop3Limits::kCommandTextBytes];
    size_t command_text_used_ = 0;

    // The response being read.
    bool multiline_ = false;
    bool message_started_ = false;  // the MIME parser is inside this response's message
    bool resync_ = false;  // after a server gap: skip lines until a status line
    Pop3Transaction tx_;
};

}  // namespace postern::proto
