#include "proto/pop3/pop3_parser.hpp"

#include <cstring>

#include "proto/common/ascii.hpp"
#include "proto/common/binary_text.hpp"

namespace postern::proto {

using stream::Direction;

namespace {

// A line that starts with a verb we know, as opposed to a SASL response.
bool is_command(std::string_view line) { return classify_pop3_verb(ascii::split_word(line).word) != Pop3Verb::Unknown; }

// A line longer than `limit` octets with its line end. The parsing limit is never below `limit`
// (see Pop3Limits::clamped), so an overlong head already proves it.
bool exceeds(const Line &line, uint32_t limit) {
    return line.kind == LineKind::OverlongHead ||
           (line.kind != LineKind::OverlongTail && line.length + line.eol_size() > limit);
}

enum class StatusKind : uint8_t { Ok, Err, Continuation, Invalid };

// "+OK text", "-ERR text" (RFC 1939 3; upper case, accepted in any case), "+ challenge" (RFC 5034).
StatusKind parse_status(std::string_view text, std::string_view &rest) {
    auto indicator = [&](std::string_view word) {
        if (!ascii::istarts_with(text, word)) return false;
        if (text.size() > word.size() && !ascii::is_wsp(text[word.size()])) return false;
        rest = text.substr(word.size());
        while (!rest.empty() && ascii::is_wsp(rest.front())) rest.remove_prefix(1);
        return true;
    };
    if (indicator("+OK")) return StatusKind::Ok;
    if (indicator("-ERR")) return StatusKind::Err;
    if (indicator("+")) return StatusKind::Continuation;
    rest = text;
    return StatusKind::Invalid;
}

// "<1896.697170952@dbc.mtview.ca.us>" in the greeting (RFC 1939 7).
std::string_view apop_timestamp(std::string_view greeting) {
    const size_t open = greeting.find('<');
    if (open == std::string_view::npos) return {};
    const size_t close = greeting.find('>', open);
    if (close == std::string_view::npos) return {};
    const std::string_view ts = greeting.substr(open, close - open + 1);
    return ts.find('@') == std::string_view::npos ? std::string_view{} : ts;
}

}  // namespace

Pop3Parser::Pop3Parser(EventSink &sink, const Pop3Limits &limits)
    : LineSession(sink),
      limits_(limits.clamped()),
      client_lines_(limits_.client_line),
      server_lines_(limits_.text_line),
      mime_(limits_.mime, sink, arena_) {
    server_lines_.set_report_middle(true);  // for a message's long lines; other lines drop the pieces
}

void Pop3Parser::client_data(ByteSpan in) {
    Line line;
    while (parsing() && client_lines_.next(in, line)) client_line(line);
    if (!parsing()) read(Direction::ToServer, in);  // STLS was accepted
}

uint32_t Pop3Parser::server_max_line() const {
    if (message_started_) return limits_.message_line(mime_.in_headers());
    if (multiline_) return limits_.text_line;
    return limits_.text_line > limits_.response_line ? limits_.text_line : limits_.response_line;
}

void Pop3Parser::server_data(ByteSpan in) {
    Line line;
    while (parsing()) {
        server_lines_.limit_next_line(server_max_line());  // it changes with the mode
        if (message_started_ && !upgrade_pending())
            tx_.response_lines += static_cast<uint32_t>(mime_.count_body_lines(in, server_lines_));
        if (!server_lines_.next(in, line)) break;
        server_line(line);
        server_line_done();
    }
    if (!parsing()) read(Direction::ToClient, in);  // STLS was accepted
}

// ---- client commands -------------------------------------------------------------------------

void Pop3Parser::client_line(const Line &line) {
    if (line.kind == LineKind::OverlongTail) return;
    if (line.kind == LineKind::OverlongHead) ++stats_.client_lines_truncated;
    if (auth_.sasl.takes(line.text, is_command)) {
        if (line.bare_lf()) anomaly(Pop3Anomaly::BareLf);
        auth_response(line.text, false);
        return;
    }
    // The client moved on without finishing the exchange (or we lost the server side).
    auth_.sasl.stop();
    command_line(line);
}

void Pop3Parser::auth_response(std::string_view text, bool initial) {
    if (!initial) ++stats_.auth_responses;
    const AuthResponseInfo info = auth_.take_response(text, !initial);
    if (!info.cancelled && !info.valid_base64) anomaly(Pop3Anomaly::InvalidAuthEncoding);
    if (!info.cancelled && info.has_user) sink_.on_field(Field::Pop3User, auth_.user.view());
}

// Starts a SASL exchange (RFC 5034 4). Returns the mechanism: what the command line keeps of the
// arguments, as the initial response may hold a secret.
std::string_view Pop3Parser::start_auth(std::string_view args) {
    const auto split = ascii::split_word(args);
    if (split.word.empty()) return {};  // AUTH alone: the server lists its mechanisms
    auth_.attempt(split.word);
    const std::string_view initial = ascii::trim(split.rest);
    auth_.sasl.start(split.word, !initial.empty());
    if (!initial.empty()) auth_response(initial, true);
    return split.word;
}

bool Pop3Parser::auth_in_flight() const {
    for (uint32_t i = 0; i < pending_count_; ++i) {
        const Pop3Verb v = pending_[(pending_head_ + i) % Pop3Limits::kMaxPendingCommands].verb;
        if (v == Pop3Verb::Pass || v == Pop3Verb::Apop || v == Pop3Verb::Auth) return true;
    }
    return false;
}

void Pop3Parser::command_line(const Line &line) {
    ++stats_.commands;
    const std::string_view text = line.text;
    if (exceeds(line, limits_.command_line)) anomaly(Pop3Anomaly::CommandTooLong);
    if (line.bare_lf()) anomaly(Pop3Anomaly::BareLf);
    if (has_binary(text)) anomaly(Pop3Anomaly::BinaryInCommand);

    const ascii::WordSplit split = ascii::split_word(text);  // no structured binding: a lambda uses it
    const std::string_view verb_text = split.word, args = split.rest;
    const Pop3Verb verb = classify_pop3_verb(verb_text);
    sink_.on_command({Protocol::Pop3, static_cast<uint8_t>(verb), pop3_verb_name(verb), verb == Pop3Verb::Quit});
    if (quit_sent_) anomaly(Pop3Anomaly::CommandsAfterQuit);
    // RFC 2595 4, CVE-2011-0411. Only with the server side in view: on a one-sided capture
    // nothing is ever answered.
    if (stls_pending_ && stats_.responses > 0) anomaly(Pop3Anomaly::InvalidPipelinedSequence);
    if (verb == Pop3Verb::Unknown) {
        anomaly(Pop3Anomaly::UnknownCommand);
    } else if (!pop3_arguments_valid(verb, args)) {
        anomaly(Pop3Anomaly::InvalidArguments);
    }
    // RFC 1939 states; pipelined commands behind a PASS/APOP/AUTH are taken as authenticated.
    if (session_start_seen_ && !gap_seen_) {
        const bool authenticated = authenticated_ || auth_in_flight();
        if ((pop3_needs_authentication(verb) && !authenticated) ||
            (pop3_before_authentication_only(verb) && authenticated_) ||
            (verb == Pop3Verb::Pass && last_verb_ != Pop3Verb::User))
            anomaly(Pop3Anomaly::CommandOutOfSequence);
    }
    last_verb_ = verb;

    // What the command line and the transaction keep of the arguments: secrets are cut off.
    std::string_view kept = ascii::trim(args);
    bool redacted = false;
    auto up_to = [&](std::string_view part) {  // the line up to the end of `part`
        return part.empty() ? verb_text : text.substr(0, static_cast<size_t>(part.data() + part.size() - text.data()));
    };
    std::string_view shown = text;
    switch (verb) {
    case Pop3Verb::User:
        auth_.user.assign(kept);
        auth_.attempt("USER");
        sink_.on_field(Field::Pop3User, auth_.user.view());
        break;
    case Pop3Verb::Pass:
        redacted = !kept.empty();
        if (redacted) auth_.secret_seen = true;
        kept = {};
        shown = verb_text;
        break;
    case Pop3Verb::Apop: {
        const auto [name, digest] = ascii::split_word(args);
        redacted = !digest.empty();
        kept = name;
        shown = up_to(name);
        auth_.user.assign(name);
        auth_.attempt("APOP");
        auth_.secret_seen = redacted;
        sink_.on_field(Field::Pop3User, auth_.user.view());
        break;
    }
    case Pop3Verb::Auth: {
        const std::string_view mechanism = start_auth(args);
        redacted = !ascii::trim(ascii::split_word(args).rest).empty();
        kept = mechanism;
        shown = up_to(mechanism);
        break;
    }
    case Pop3Verb::Stls: stls_pending_ = true; break;
    case Pop3Verb::Quit: quit_sent_ = true; break;
    default: break;
    }
    sink_.on_field(Field::Pop3CommandLine, shown);
    push_pending(verb, verb_text, kept, redacted);
}

std::string_view Pop3Parser::store_command_text(std::string_view verb_text, std::string_view args, uint16_t &offset) {
    const size_t need = verb_text.size() + (args.empty() ? 0 : 1 + args.size());
    if (command_text_used_ + need > sizeof command_text_ && pending_count_ > 0) {
        // Compact: move the text of the commands still pending to the front.
        const size_t start = pending_[pending_head_].text_offset;
        std::memmove(command_text_, command_text_ + start, command_text_used_ - start);
        command_text_used_ -= start;
        for (uint32_t i = 0; i < pending_count_; ++i)
            pending_[(pending_head_ + i) % Pop3Limits::kMaxPendingCommands].text_offset -= static_cast<uint16_t>(start);
    }
    offset = static_cast<uint16_t>(command_text_used_);
    size_t n = 0;
    auto put = [&](char c) {
        if (command_text_used_ < sizeof command_text_) {
            command_text_[command_text_used_++] = c;
            ++n;
        }
    };
    for (char c : verb_text) put(ascii::to_upper(c));
    if (!args.empty()) put(' ');
    for (char c : args) put(c);
    if (n < need) ++stats_.strings_truncated;
    return {command_text_ + offset, n};
}

void Pop3Parser::push_pending(Pop3Verb verb, std::string_view verb_text, std::string_view args, bool redacted) {
    if (pending_count_ >= limits_.pending_commands) {
        anomaly(Pop3Anomaly::TooManyPendingCommands);
        ++stats_.pending_commands_dropped;
        ++spare_responses_;
        return;
    }
    PendingCommand cmd;
    cmd.verb = verb;
    cmd.has_argument = !args.empty() || redacted;
    cmd.pipelined = pending_count_ > 0;
    cmd.redacted = redacted;
    const std::string_view stored = store_command_text(verb_text, args, cmd.text_offset);
    cmd.text_length = static_cast<uint16_t>(stored.size());
    pending_[(pending_head_ + pending_count_) % Pop3Limits::kMaxPendingCommands] = cmd;
    ++pending_count_;
}

// ---- server responses ------------------------------------------------------------------------

void Pop3Parser::server_line(const Line &line) {
    if (multiline_) {
        multiline_line(line);
        return;
    }
    status_line(line);
}

void Pop3Parser::status_line(const Line &line) {
    if (!line.starts_line()) return;
    std::string_view rest;
    const StatusKind kind = parse_status(line.text, rest);
    if (resync_) {
        // After a server gap: skip what is left of the lost response up to a status line that
        // answers a command sent since.
        if (kind != StatusKind::Ok && kind != StatusKind::Err) return;
        if (pending_count_ == 0) {
            ++stats_.responses_unmatched;
            return;
        }
        resync_ = false;
    }
    if (line.kind == LineKind::OverlongHead) ++stats_.server_lines_truncated;
    if (exceeds(line, limits_.response_line)) anomaly(Pop3Anomaly::ResponseTooLong);
    if (line.bare_lf()) anomaly(Pop3Anomaly::BareLf);

    if (kind == StatusKind::Continuation) {
        if (auth_.sasl.active() && pending_count_ > 0 && pending_[pending_head_].verb == Pop3Verb::Auth) {
            auth_.sasl.on_challenge();
            ++tx_.continuations;
            return;
        }
        anomaly(Pop3Anomaly::InvalidResponse);  // a challenge outside AUTH
        return;
    }
    const Pop3Status status =
        kind == StatusKind::Ok ? Pop3Status::Ok : kind == StatusKind::Err ? Pop3Status::Err : Pop3Status::Invalid;
    if (status == Pop3Status::Invalid) anomaly(Pop3Anomaly::InvalidResponse);

    if (!greeting_seen_) {
        greeting_seen_ = true;
        if (pending_count_ == 0) {
            greeting(status, rest);
            return;
        }
        anomaly(Pop3Anomaly::NoGreeting);  // picked up mid-session, or the client spoke first
    }
    if (pending_count_ == 0) {
        ++stats_.responses_unmatched;
        if (spare_responses_ > 0) {
            --spare_responses_;
            return;
        }
        // A server-only capture (asymmetric routing) has no commands to match.
        if (status != Pop3Status::Invalid && seen(Direction::ToServer))
            anomaly(Pop3Anomaly::ResponseWithoutCommand);
        return;
    }
    begin_response(status, rest);
}

void Pop3Parser::greeting(Pop3Status status, std::string_view text) {
    ++stats_.responses;
    if (status != Pop3Status::Invalid) sink_.on_reply(Protocol::Pop3, status == Pop3Status::Ok ? "+OK" : "-ERR");
    session_start_seen_ = true;
    apop_timestamp_.assign(apop_timestamp(text));
    tx_.greeting = true;
    tx_.status = status;
    tx_.header = arena_.store(text);
    tx_.response_complete = true;
    emit(Pop3TxEnd::Response);
}

void Pop3Parser::begin_response(Pop3Status status, std::string_view text) {
    ++stats_.responses;
    if (status != Pop3Status::Invalid) sink_.on_reply(Protocol::Pop3, status == Pop3Status::Ok ? "+OK" : "-ERR");
    tx_.status = status;
    tx_.header = arena_.store(text);
    const PendingCommand &cmd = pending_[pending_head_];
    if (status == Pop3Status::Ok && pop3_response_is_multiline(cmd.verb, cmd.has_argument)) {
        multiline_ = true;
        tx_.multiline = true;
        if (cmd.verb == Pop3Verb::Retr || cmd.verb == Pop3Verb::Top) {
            uint64_t size = 0;
            if (ascii::parse_u64(ascii::split_word(text).word, size)) tx_.declared_size = size;
            mime_.begin(tx_.message, next_tx_id());
            message_started_ = true;
            tx_.has_message = true;
            ++stats_.messages;
        }
        return;
    }
    tx_.response_complete = true;
    finish_response(Pop3TxEnd::Response);
}

void Pop3Parser::multiline_line(const Line &line) {
    if (line.starts_line() && line.text == ".") {  // RFC 1939 3: end of the response
        tx_.response_complete = true;
        finish_response(Pop3TxEnd::Response);
        return;
    }
    Line data = line;
    if (line.starts_line() && !line.text.empty() && line.text.front() == '.') {
        data.text.remove_prefix(1);  // byte-stuffing
        data.length -= 1;
    }
    if (line.starts_line()) ++tx_.response_lines;
    if (line.kind == LineKind::OverlongHead) ++stats_.server_lines_truncated;
    if (message_started_) {
        mime_.on_line(data);
        return;
    }
    if (!line.starts_line()) return;
    if (pending_[pending_head_].verb == Pop3Verb::Capa)
        capabilities_ |= capability_bit(kPop3Capabilities, ascii::split_word(data.text).word);
    if (tx_.data.kept < limits_.data_lines_kept) {
        tx_.data.push(arena_.store(data.text));
    } else {
        ++tx_.data.total;
        ++stats_.data_lines_dropped;
    }
}

void Pop3Parser::finish_response(Pop3TxEnd why) {
    const PendingCommand cmd = pending_[pending_head_];
    if (message_started_) {
        mime_.end();
        message_started_ = false;
    }
    multiline_ = false;
    apply_response(cmd);
    const bool stls = cmd.verb == Pop3Verb::Stls && tx_.status == Pop3Status::Ok;
    if (stls) start_tls(Protocol::Pop3);
    fill_command(cmd);
    emit(why);
    pop_pending();
    if (stls) flush_pending(Pop3TxEnd::Starttls);  // commands injected behind STLS get no clear response
}

void Pop3Parser::apply_response(const PendingCommand &cmd) {
    const bool ok = tx_.status == Pop3Status::Ok;
    switch (cmd.verb) {
    case Pop3Verb::User:
        if (!ok && tx_.status != Pop3Status::None) finish_auth(AuthResult::Failure);
        break;
    case Pop3Verb::Pass:
    case Pop3Verb::Apop:
        if (tx_.status == Pop3Status::None) break;
        if (ok) authenticated_ = true;
        finish_auth(ok ? AuthResult::Success : AuthResult::Failure);
        break;
    case Pop3Verb::Auth:
        if (!cmd.has_argument || tx_.status == Pop3Status::None) break;  // the mechanism list
        if (ok) authenticated_ = true;
        finish_auth(ok                       ? AuthResult::Success
                    : auth_.sasl.cancelled() ? AuthResult::Aborted
                                             : AuthResult::Failure);
        break;
    case Pop3Verb::Stls: stls_pending_ = false; break;
    default: break;
    }
}

void Pop3Parser::finish_auth(AuthResult result) { auth_.finish(result, sink_, Protocol::Pop3); }

// ---- transactions ----------------------------------------------------------------------------

void Pop3Parser::fill_command(const PendingCommand &cmd) {
    tx_.has_command = true;
    tx_.verb = cmd.verb;
    tx_.pipelined = cmd.pipelined;
    tx_.args_redacted = cmd.redacted;
    const auto [verb_text, args] = ascii::split_word({command_text_ + cmd.text_offset, cmd.text_length});
    tx_.command = verb_text;
    std::string_view rest = args;
    while (!rest.empty()) {
        const auto [word, more] = ascii::split_word(rest);
        if (word.empty()) break;
        tx_.args.push(word);
        rest = more;
    }
    tx_.auth_command =
        cmd.verb == Pop3Verb::User || cmd.verb == Pop3Verb::Pass || cmd.verb == Pop3Verb::Apop ||
        (cmd.verb == Pop3Verb::Auth && cmd.has_argument);
}

void Pop3Parser::emit(Pop3TxEnd why) {
    tx_.end = why;
    tx_.user = auth_.user.view();
    auth_.write_to(tx_);
    tx_.capabilities = capabilities_;
    if (tx_.greeting) tx_.apop_timestamp = apop_timestamp_.view();
    if (encrypted()) tx_.starttls = true;
    emit_transaction(tx_);
    if (arena_.truncated()) ++stats_.strings_truncated;

    tx_.clear();
    arena_.clear();
}

void Pop3Parser::pop_pending() {
    if (pending_count_ == 0) return;
    pending_head_ = (pending_head_ + 1) % Pop3Limits::kMaxPendingCommands;
    if (--pending_count_ == 0) command_text_used_ = 0;
}

// Emits the commands still waiting for a response; the first one may hold part of its response.
void Pop3Parser::flush_pending(Pop3TxEnd why) {
    if (message_started_) {
        mime_.end();
        message_started_ = false;
    }
    multiline_ = false;
    while (pending_count_ > 0) {
        const PendingCommand cmd = pending_[pending_head_];
        fill_command(cmd);
        emit(why);
        pop_pending();
    }
}

// ---- gaps and ends ---------------------------------------------------------------------------

void Pop3Parser::after_gap(Direction dir, uint32_t /*len*/) {
    gap_seen_ = true;
    if (dir == Direction::ToServer) {
        client_lines_.on_gap();
        if (spare_responses_ < Pop3Limits::kMaxPendingCommands) ++spare_responses_;  // a lost command
        return;
    }
    server_lines_.on_gap();
    // Which responses were lost is unknown: emit what is pending and wait for a status line
    // that answers a command sent after the gap.
    if (pending_count_ > 0) {
        tx_.gap = true;
        if (message_started_) mime_.on_gap();
        flush_pending(Pop3TxEnd::Gap);
    }
    tx_.clear();
    resync_ = true;
}

void Pop3Parser::after_end(Direction dir) {
    if (parsing()) {
        Line line;
        if (dir == Direction::ToClient) {
            while (parsing() && server_lines_.flush(line)) server_line(line);
            if (multiline_ && pending_count_ > 0) {
                anomaly(Pop3Anomaly::ResponseIncomplete);
                finish_response(Pop3TxEnd::SessionEnd);
            }
        } else {
            while (parsing() && client_lines_.flush(line)) client_line(line);
        }
    }
    // Once the server is gone, nothing pending will be answered.
    if (ended(Direction::ToClient) && pending_count_ > 0) {
        if (auth_.sasl.active()) finish_auth(AuthResult::Pending);
        flush_pending(Pop3TxEnd::SessionEnd);
    }
}

}  // namespace postern::proto
