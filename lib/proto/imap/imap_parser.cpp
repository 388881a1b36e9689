// ImapParser: framing of lines and literals in both directions, messages, transactions, gaps and
// ends. Commands are parsed in imap_client.cpp, responses in imap_server.cpp.
#include "proto/imap/imap_parser.hpp"

#include "proto/common/ascii.hpp"

namespace postern::proto {

using stream::Direction;

bool ImapParser::Command::truncated() const {
    return tag.truncated() || name.truncated() || arguments.truncated() || mailbox.truncated() ||
           destination.truncated() || flags.truncated() || store_action.truncated() || sequence_set.truncated() ||
           date.truncated();
}

ImapParser::ImapParser(EventSink &sink, const ImapLimits &limits)
    : LineSession(sink),
      limits_(limits.clamped()),
      client_lines_(limits_.parse_line),
      server_lines_(limits_.parse_line),
      message_lines_(limits_.text_line),
      mime_(limits_.mime, sink, message_arena_) {
    message_lines_.set_report_middle(true);  // the message parser takes long lines in pieces
}

// ---- framing ---------------------------------------------------------------------------------

void ImapParser::client_data(ByteSpan in) { read_side(Direction::ToServer, in); }
void ImapParser::server_data(ByteSpan in) { read_side(Direction::ToClient, in); }

// Both directions are lines interleaved with literals, which are counted off byte for byte.
void ImapParser::read_side(Direction dir, ByteSpan in) {
    const bool client = dir == Direction::ToServer;
    Literal &lit = client ? client_literal_ : server_literal_;
    ImapLineReader<ImapLimits::kMaxLine> &lines = client ? client_lines_ : server_lines_;
    Line line;
    while (parsing()) {
        if (lit.active) {
            if (lit.remaining > 0) {
                if (in.empty()) return;
                const size_t n = lit.remaining < in.size ? static_cast<size_t>(lit.remaining) : in.size;
                literal_bytes(dir, in.first(n));
                in.advance(n);
                lit.remaining -= n;
            }
            if (lit.remaining == 0) end_literal(dir);  // {0} ends here too
            continue;
        }
        if (!lines.next(in, line)) return;
        if (client) {
            client_line(line, lines.tail());
        } else {
            server_line(line, lines.tail());
            server_line_done();
        }
    }
    read(dir, in);  // STARTTLS or COMPRESS was accepted
}

// What every line of a command or response is checked for. The logical line goes on after each
// literal (`open`): its octets are summed, literals excluded, and it is flagged once when too long.
void ImapParser::check_line(Direction dir, const Line &line, bool open, uint64_t &length, bool &reported) {
    if (line.kind == LineKind::OverlongHead) ++stats_.lines_truncated[stream::index(dir)];
    if (!open && line.kind != LineKind::OverlongTail) length = 0, reported = false;
    length += line.wire_size();
    const uint64_t limit = dir == Direction::ToServer ? limits_.command_line : limits_.response_line;
    if (length > limit && !reported) {
        reported = true;
        anomaly(ImapAnomaly::LineTooLong);
    }
    if (line.bare_lf()) anomaly(ImapAnomaly::BareLf);
}

void ImapParser::start_literal(Direction dir, const ImapToken &marker, LiteralUse use) {
    const bool client = dir == Direction::ToServer;
    Literal &lit = client ? client_literal_ : server_literal_;
    lit = Literal{};
    lit.active = true;
    lit.size = marker.literal_size;
    lit.remaining = marker.literal_size;
    lit.use = use;
    lit.sync = client && !marker.nonsync;
    ++stats_.literals[stream::index(dir)];
    // Too large or beyond 64 bits: flagged, and still skipped byte for byte (an overflowed size
    // skips the rest of the stream, which is what the peer announced).
    if (marker.overflow || marker.literal_size > limits_.literal) anomaly(ImapAnomaly::LiteralTooLarge);
    if (lit.sync) ++sync_literals_due_;
    if (client) {
        if (Command *c = current_command()) {
            ++c->literals;
            c->literal_bytes += marker.literal_size;
        }
        client_capture_.clear();
    } else {
        server_capture_.clear();
    }
}

void ImapParser::literal_started(Direction dir) {
    const bool client = dir == Direction::ToServer;
    Literal &lit = client ? client_literal_ : server_literal_;
    lit.started = true;
    // The client sent a synchronising literal before the server's "+" (RFC 3501 7.5). Only
    // knowable with the server side in view.
    if (client && lit.sync && sync_literals_due_ > 0 && seen(Direction::ToClient))
        anomaly(ImapAnomaly::LiteralBeforeContinuation);
    if (lit.use != LiteralUse::Message) return;
    if (client) {
        if (!begin_message(ImapMessageSource::Append, cmd_.slot)) {
            lit.use = LiteralUse::Skip;
            return;
        }
        msg_.literal_size = lit.size;
        return;
    }
    if (!begin_message(ImapMessageSource::Fetch, fetch_owner())) {
        lit.use = LiteralUse::Skip;
        return;
    }
    msg_.sequence = resp_.number;
    msg_.section.assign(resp_.section.view());
    msg_.partial = resp_.body_partial;
    msg_.literal_size = lit.size;
}

void ImapParser::literal_bytes(Direction dir, ByteSpan chunk) {
    const bool client = dir == Direction::ToServer;
    Literal &lit = client ? client_literal_ : server_literal_;
    if (!lit.started) literal_started(dir);
    stats_.literal_bytes[stream::index(dir)] += chunk.size;
    switch (lit.use) {
    case LiteralUse::Capture: {
        FixedText<ImapLimits::kMaxCapture> &capture = client ? client_capture_ : server_capture_;
        const size_t room = ImapLimits::kMaxCapture - capture.size();
        capture.append({reinterpret_cast<const char *>(chunk.data), chunk.size < room ? chunk.size : room});
        if (chunk.size > room) capture.append('\0');  // marks it truncated
        break;
    }
    case LiteralUse::Message: message_bytes(chunk); break;
    case LiteralUse::Skip:
    case LiteralUse::Secret: break;
    }
}

void ImapParser::end_literal(Direction dir) {
    const bool client = dir == Direction::ToServer;
    Literal &lit = client ? client_literal_ : server_literal_;
    lit.active = false;
    if (lit.use == LiteralUse::Message && lit.started && msg_.phase == MessageState::Phase::Parsing) {
        end_message(!lit.gap);
        // An APPEND message is settled now; a fetched one when its FETCH response ends (its UID
        // may come after the body).
        if (client) settle_message();
    }
    if (client) {
        client_literal_done();
    } else {
        server_literal_done();
    }
}

// ---- messages --------------------------------------------------------------------------------

bool ImapParser::begin_message(ImapMessageSource source, uint32_t slot) {
    if (msg_.phase == MessageState::Phase::Parsing) {  // the other direction is in a message
        ++stats_.messages_skipped;
        return false;
    }
    if (msg_.phase == MessageState::Phase::Held) emit_held_message();
    msg_ = MessageState{};
    msg_.phase = MessageState::Phase::Parsing;
    msg_.source = source;
    msg_.slot = slot;
    msg_.order = slot != kNoSlot ? commands_[slot].order : 0;
    message_arena_.clear();
    message_lines_.reset();
    mime_.begin(message_, next_tx_id());  // IMAP: the next to end, which a pipelined command may be
    ++stats_.messages;
    return true;
}

void ImapParser::message_bytes(ByteSpan chunk) {
    Line line;
    for (;;) {
        message_lines_.limit_next_line(limits_.message_line(mime_.in_headers()));
        mime_.count_body_lines(chunk, message_lines_);
        if (!message_lines_.next(chunk, line)) return;
        mime_.on_line(line);
    }
}

void ImapParser::end_message(bool complete) {
    Line line;
    while (message_lines_.flush(line)) mime_.on_line(line);
    mime_.end();
    msg_.complete = complete;
    msg_.phase = MessageState::Phase::Held;
}

bool ImapParser::message_owner_alive() const {
    return msg_.slot != kNoSlot && commands_[msg_.slot].used && commands_[msg_.slot].order == msg_.order;
}

// A finished message waits for its command's completion; without a command it goes now.
void ImapParser::settle_message() {
    if (msg_.phase == MessageState::Phase::Held && !message_owner_alive()) emit_held_message();
}

void ImapParser::emit_held_message() {
    if (msg_.phase != MessageState::Phase::Held) return;
    if (message_owner_alive()) fill_command(commands_[msg_.slot]);
    fill_message();
    emit(ImapTxEnd::Message);
    msg_ = MessageState{};
    message_arena_.clear();
}

uint32_t ImapParser::fetch_owner() const {
    // The oldest running FETCH; untagged FETCH data cannot name its command.
    uint32_t best = kNoSlot;
    for (uint32_t i = 0; i < ImapLimits::kMaxPendingCommands; ++i) {
        const Command &c = commands_[i];
        if (!c.used || c.verb != ImapVerb::Fetch) continue;
        if (best == kNoSlot || c.order < commands_[best].order) best = i;
    }
    return best;
}

// ---- transactions ----------------------------------------------------------------------------

void ImapParser::fill_command(const Command &cmd) {
    tx_.has_command = true;
    tx_.tag = cmd.tag.view();
    tx_.verb = cmd.verb;
    tx_.uid = cmd.uid;
    tx_.command = cmd.name.view();
    tx_.arguments = cmd.arguments.view();
    tx_.arguments_redacted = cmd.redacted;
    tx_.pipelined = cmd.pipelined;
    tx_.mailbox = cmd.mailbox.view();
    tx_.destination = cmd.destination.view();
    std::string_view flags = cmd.flags.view();
    while (!flags.empty()) {
        const auto [flag, rest] = ascii::split_word(flags);
        if (flag.empty()) break;
        tx_.flags.push(flag);
        flags = rest;
    }
    tx_.store_action = cmd.store_action.view();
    tx_.sequence_set = cmd.sequence_set.view();
    tx_.date = cmd.date.view();
    tx_.literals = cmd.literals;
    tx_.literal_bytes = cmd.literal_bytes;
    tx_.auth_command = cmd.verb == ImapVerb::Login || cmd.verb == ImapVerb::Authenticate;
    if (cmd.truncated()) ++stats_.strings_truncated;
}

void ImapParser::fill_message() {
    tx_.message = &message_;
    tx_.message_source = msg_.source;
    tx_.message_sequence = msg_.sequence;
    tx_.section = msg_.section.view();
    tx_.message_literal = msg_.literal_size;
    tx_.message_complete = msg_.complete;
    tx_.message_partial = msg_.partial;
    if (msg_.has_uid) {
        tx_.has_uid = true;
        tx_.uid_value = msg_.uid;
    }
    if (msg_.gap) tx_.gap = true;
    if (message_arena_.truncated()) ++stats_.strings_truncated;
}

// The untagged data gathered while the command ran, into the transaction EVE and the rules read
// (the transaction keeps the names its record uses; data_ starts over with the next command).
void ImapParser::fill_response_data() {
    tx_.untagged = data_.untagged;
    tx_.continuations = data_.continuations;
    tx_.fetches = data_.fetches;
    tx_.expunged = data_.expunged;
    tx_.has_exists = data_.has_exists;
    tx_.exists = data_.exists;
    tx_.search_results = data_.search_results;
    tx_.mailboxes = data_.mailboxes;
}

void ImapParser::clear_response_data() {
    if (arena_.truncated()) ++stats_.strings_truncated;
    data_ = ResponseData{};
    arena_.clear();
}

void ImapParser::emit(ImapTxEnd why) {
    tx_.end = why;
    tx_.user = auth_.user.view();
    auth_.write_to(tx_);
    tx_.capabilities = capabilities_;
    tx_.selected = selected_ ? selected_mailbox_.view() : std::string_view{};
    if (encrypted()) tx_.starttls = true;
    if (compressed()) tx_.compressed = true;
    emit_transaction(tx_);
    tx_.clear();
}

uint32_t ImapParser::find_slot(std::string_view tag) const {
    for (uint32_t i = 0; i < ImapLimits::kMaxPendingCommands; ++i)
        if (commands_[i].used && commands_[i].tag.view() == tag) return i;
    return kNoSlot;
}

uint32_t ImapParser::oldest_slot() const {
    uint32_t best = kNoSlot;
    for (uint32_t i = 0; i < ImapLimits::kMaxPendingCommands; ++i)
        if (commands_[i].used && (best == kNoSlot || commands_[i].order < commands_[best].order)) best = i;
    return best;
}

void ImapParser::release_slot(uint32_t slot) {
    if (slot == kNoSlot || !commands_[slot].used) return;
    commands_[slot].used = false;
    --pending_count_;
    if (cmd_.slot == slot) cmd_.slot = kNoSlot;  // the client is still sending it: parsed, not kept
}

// Emits what is left: the message in progress or held, then every running command.
void ImapParser::flush_commands(ImapTxEnd why) {
    if (msg_.phase == MessageState::Phase::Parsing) {
        msg_.gap = msg_.gap || why == ImapTxEnd::SessionEnd;
        end_message(false);
    }
    if (msg_.phase == MessageState::Phase::Held && !message_owner_alive()) emit_held_message();
    bool first = true;
    for (uint32_t slot = oldest_slot(); slot != kNoSlot; slot = oldest_slot()) {
        fill_command(commands_[slot]);
        if (first) fill_response_data();  // what arrived was most likely for the oldest
        first = false;
        const bool attached = msg_.phase == MessageState::Phase::Held && msg_.slot == slot;
        if (attached) fill_message();
        emit(why);
        if (attached) {
            msg_ = MessageState{};
            message_arena_.clear();
        }
        release_slot(slot);
    }
    clear_response_data();
}

// STARTTLS or COMPRESS=DEFLATE was accepted: from here on nothing can be read.
void ImapParser::go_opaque(bool tls) {
    if (client_literal_.active) end_literal(Direction::ToServer);
    if (server_literal_.active) end_literal(Direction::ToClient);
    flush_commands(tls ? ImapTxEnd::Starttls : ImapTxEnd::Compress);
    cmd_ = ClientLine{};
    resp_.open = false;
}

// ---- gaps and ends ---------------------------------------------------------------------------

void ImapParser::after_gap(Direction dir, uint32_t len) {
    gap_seen_ = true;
    const bool client = dir == Direction::ToServer;
    Literal &lit = client ? client_literal_ : server_literal_;
    uint64_t lost = len;
    if (lit.active) {
        // Inside a literal the byte count still tells where the line after it starts.
        if (!lit.started) literal_started(dir);
        lit.gap = true;
        if (lit.use == LiteralUse::Message && msg_.phase == MessageState::Phase::Parsing) {
            message_lines_.on_gap();
            mime_.on_gap();
            msg_.gap = true;
        }
        if (lost < lit.remaining) {
            lit.remaining -= lost;
            stats_.literal_bytes[stream::index(dir)] += lost;
            return;
        }
        lost -= lit.remaining;
        lit.remaining = 0;
        end_literal(dir);
        if (lost == 0) return;
    }
    // Lost inside a line: skip to the next line and close the logical line that was open.
    if (client) {
        client_lines_.on_gap();
        client_gap_ = true;
        if (cmd_.open) end_command_line();
        if (client_literal_.active) client_literal_ = Literal{};  // a marker after the gap
    } else {
        server_lines_.on_gap();
        if (resp_.open) end_response_line();
        if (server_literal_.active) server_literal_ = Literal{};
    }
}

void ImapParser::after_end(Direction dir) {
    const bool client = dir == Direction::ToServer;
    if (parsing()) {
        Line line;
        if (client) {
            while (!client_literal_.active && parsing() && client_lines_.flush(line))
                client_line(line, client_lines_.tail());
        } else {
            while (!server_literal_.active && parsing() && server_lines_.flush(line))
                server_line(line, server_lines_.tail());
        }
        Literal &lit = client ? client_literal_ : server_literal_;
        if (lit.active && lit.remaining == 0) end_literal(dir);
        if (lit.active && parsing()) {
            anomaly(ImapAnomaly::LiteralIncomplete);
            lit.gap = true;
            if (lit.use == LiteralUse::Message && msg_.phase == MessageState::Phase::Parsing) msg_.gap = true;
            end_literal(dir);
        }
        if (client && cmd_.open) end_command_line();
        if (!client && resp_.open) end_response_line();
    }
    // Once the server is gone, nothing running will complete.
    if (ended(Direction::ToClient)) {
        if (auth_.sasl.active()) finish_auth(AuthResult::Pending);
        if (msg_.phase == MessageState::Phase::Parsing && !client_literal_.active && !server_literal_.active)
            end_message(false);
        if (pending_count_ > 0 || msg_.phase != MessageState::Phase::None) flush_commands(ImapTxEnd::SessionEnd);
    }
}

}  // namespace postern::proto
