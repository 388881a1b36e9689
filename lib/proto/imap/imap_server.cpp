// ImapParser, server side: the greeting, tagged completions, untagged data (FETCH with message
// bodies, LIST, CAPABILITY, SEARCH, EXISTS...) and continuation requests.
#include "proto/common/ascii.hpp"
#include "proto/imap/imap_parser.hpp"
#include "proto/imap/imap_utf7.hpp"

namespace postern::proto {

using stream::Direction;

namespace {

ImapStatus classify_status(std::string_view word) {
    if (ascii::iequals(word, "OK")) return ImapStatus::Ok;
    if (ascii::iequals(word, "NO")) return ImapStatus::No;
    if (ascii::iequals(word, "BAD")) return ImapStatus::Bad;
    if (ascii::iequals(word, "BYE")) return ImapStatus::Bye;
    if (ascii::iequals(word, "PREAUTH")) return ImapStatus::Preauth;
    return ImapStatus::None;
}

// Whether a FETCH attribute carries a whole message or a message's header section, the bodies
// worth parsing as RFC 5322: BODY[] / BINARY[] / RFC822 (whole), BODY[HEADER...] / RFC822.HEADER
// and "<part>.HEADER" (headers of an embedded message). A partial body counts when it starts the
// message (origin 0). BODY[TEXT], BODY[1], BODY[1.MIME] are parts, not messages.
bool fetch_body_is_message(std::string_view name, bool &is_body, bool &partial) {
    partial = false;
    is_body = true;
    if (ascii::iequals(name, "RFC822") || ascii::iequals(name, "RFC822.HEADER")) return true;
    size_t open = std::string_view::npos;
    if (ascii::istarts_with(name, "BODY[") || ascii::istarts_with(name, "BINARY[")) {
        open = name.find('[');
    } else if (ascii::istarts_with(name, "BODY.PEEK[") || ascii::istarts_with(name, "BINARY.PEEK[")) {
        open = name.find('[');
    } else {
        is_body = ascii::iequals(name, "RFC822.TEXT");
        return false;
    }
    const size_t close = name.find(']', open);
    if (close == std::string_view::npos) return false;
    std::string_view section = name.substr(open + 1, close - open - 1);
    const std::string_view suffix = name.substr(close + 1);
    if (!suffix.empty() && suffix.front() == '<') {  // <origin> (RFC 3501 7.4.2)
        partial = true;
        std::string_view origin = suffix.substr(1);
        origin = origin.substr(0, origin.find_first_of(".>"));
        uint64_t at = 0;
        if (!ascii::parse_u64(origin, at) || at != 0) return false;
    }
    bool part = false;
    while (!section.empty() && ascii::is_digit(section.front())) {  // "1.2." part numbers
        part = true;
        while (!section.empty() && ascii::is_digit(section.front())) section.remove_prefix(1);
        if (!section.empty() && section.front() == '.') section.remove_prefix(1);
    }
    if (section.empty()) return !part;
    return ascii::istarts_with(section, "HEADER");
}

}  // namespace

void ImapParser::server_line(const Line &line, std::string_view tail) {
    check_line(Direction::ToClient, line, resp_.open, resp_.length, resp_.too_long);

    if (line.kind == LineKind::OverlongTail) {
        // The end of a cut line: only its literal marker matters.
        if (!resp_.open) return;
        ImapToken marker;
        if (imap_trailing_literal(tail, marker)) {
            if (resp_.what == Untagged::Fetch) fetch_item_before_literal(tail, marker);
            server_literal_token(marker);
        } else {
            end_response_line();
        }
        return;
    }
    const bool head_only = line.kind == LineKind::OverlongHead;
    if (resp_.open) {  // the response goes on after a literal
        ImapLexer lexer(line.text);
        response_tokens(lexer, head_only);
    } else {
        new_response(line.text, head_only);
    }
    if (resp_.open && !head_only && !server_literal_.active) end_response_line();
}

void ImapParser::new_response(std::string_view text, bool head_only) {
    ServerLine fresh;
    fresh.open = true;
    fresh.length = resp_.length;
    fresh.too_long = resp_.too_long;
    resp_.section.clear();
    resp_ = fresh;
    const bool first = !greeting_seen_;
    greeting_seen_ = true;

    if (!text.empty() && text.front() == '+') {  // "+ text" (RFC 3501 7.5)
        resp_.kind = ResponseKind::Continuation;
        if (first) anomaly(ImapAnomaly::NoGreeting);
        continuation();
        return;
    }
    ImapLexer lexer(text);
    const ImapToken head = lexer.next();
    if (head.kind == ImapToken::Kind::Atom && head.text == "*") {
        resp_.kind = ResponseKind::Untagged;
        ++stats_.untagged;
        if (pending_count_ > 0) ++data_.untagged;
        const ImapToken word = lexer.next();
        if (word.kind != ImapToken::Kind::Atom) {
            anomaly(ImapAnomaly::InvalidResponse);
            if (first) anomaly(ImapAnomaly::NoGreeting);
            return;
        }
        uint64_t number = 0;
        if (ascii::parse_u64(word.text, number)) {  // "* 12 FETCH (...)", "* 3 EXISTS"
            if (first) anomaly(ImapAnomaly::NoGreeting);
            const ImapToken kind = lexer.next();
            resp_.number = static_cast<uint32_t>(number);
            if (ascii::iequals(kind.text, "FETCH")) {
                resp_.what = Untagged::Fetch;
                response_tokens(lexer, head_only);
            } else if (ascii::iequals(kind.text, "EXISTS")) {
                data_.has_exists = true;
                data_.exists = static_cast<uint32_t>(number);
            } else if (ascii::iequals(kind.text, "EXPUNGE")) {
                ++data_.expunged;
            } else {
                response_tokens(lexer, head_only);
            }
            return;
        }
        const ImapStatus status = classify_status(word.text);
        if (status != ImapStatus::None) {
            status_response(status, lexer.rest(), first, {});
            return;
        }
        if (first) anomaly(ImapAnomaly::NoGreeting);
        if (ascii::iequals(word.text, "CAPABILITY")) {
            capability_list(lexer.rest());
        } else if (ascii::iequals(word.text, "LIST") || ascii::iequals(word.text, "LSUB") ||
                   ascii::iequals(word.text, "XLIST")) {
            resp_.what = Untagged::List;
            response_tokens(lexer, head_only);
        } else if (ascii::iequals(word.text, "SEARCH") || ascii::iequals(word.text, "SORT")) {
            std::string_view rest = ascii::trim(lexer.rest());
            uint64_t n = 0;
            while (!rest.empty()) {
                const auto [item, more] = ascii::split_word(rest);
                if (item.empty()) break;
                if (ascii::parse_u64(item, n)) ++data_.search_results;
                rest = more;
            }
        } else {
            response_tokens(lexer, head_only);  // FLAGS, STATUS, ID, NAMESPACE...: only literals matter
        }
        return;
    }
    // "tag OK|NO|BAD [code] text"
    if (first) anomaly(ImapAnomaly::NoGreeting);
    const ImapToken word = lexer.next();
    const ImapStatus status = word.kind == ImapToken::Kind::Atom ? classify_status(word.text) : ImapStatus::None;
    if (head.kind != ImapToken::Kind::Atom || (status != ImapStatus::Ok && status != ImapStatus::No &&
                                               status != ImapStatus::Bad)) {
        anomaly(ImapAnomaly::InvalidResponse);
        return;
    }
    resp_.kind = ResponseKind::Tagged;
    tagged_response(head.text, status, lexer.rest());
}

// "[code] text" after a status word.
void ImapParser::split_response_text(std::string_view rest, std::string_view &code, std::string_view &text) {
    rest = ascii::trim(rest);
    code = {};
    text = rest;
    if (rest.empty() || rest.front() != '[') return;
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) {
        code = rest.substr(1);
        text = {};
    } else {
        code = rest.substr(1, close - 1);
        text = ascii::trim(rest.substr(close + 1));
    }
    if (ascii::istarts_with(code, "CAPABILITY ")) capability_list(code.substr(11));
}

// An untagged OK/NO/BAD/PREAUTH/BYE: the greeting, a BYE, or information.
void ImapParser::status_response(ImapStatus status, std::string_view rest, bool first, std::string_view) {
    std::string_view code, text;
    split_response_text(rest, code, text);
    const bool greeting = first && (status == ImapStatus::Ok || status == ImapStatus::Preauth || status == ImapStatus::Bye);
    if (first && !greeting) anomaly(ImapAnomaly::NoGreeting);
    if (greeting || status == ImapStatus::Bye || status == ImapStatus::Preauth)
        sink_.on_reply(Protocol::Imap, imap_status_name(status));
    if (greeting) {
        session_start_seen_ = true;
        if (status == ImapStatus::Preauth) authenticated_ = true;  // RFC 3501 7.1.4
        tx_.greeting = true;
    } else if (status != ImapStatus::Bye || pending_count_ > 0) {
        return;  // information for the running command
    }
    tx_.status = status;
    tx_.response_code = code;
    tx_.response_text = text;
    emit(ImapTxEnd::Untagged);
}

void ImapParser::tagged_response(std::string_view tag, ImapStatus status, std::string_view rest) {
    ++stats_.responses;
    sink_.on_reply(Protocol::Imap, imap_status_name(status));
    std::string_view code, text;
    split_response_text(rest, code, text);
    const uint32_t slot = find_slot(tag);
    if (slot == kNoSlot) {
        if (dropped_commands_ > 0) {  // the command did not fit the table
            --dropped_commands_;
            return;
        }
        // A client gap may have swallowed the command; a server-only capture has none at all.
        if (!client_gap_ && seen(Direction::ToServer)) anomaly(ImapAnomaly::UnmatchedTag);
        return;
    }
    client_gap_ = false;
    completion(slot, status, code, text);
}

void ImapParser::completion(uint32_t slot, ImapStatus status, std::string_view code, std::string_view text) {
    Command &cmd = commands_[slot];
    // A synchronising literal the server refused: the client will not send it (RFC 3501 7.5).
    if (cmd_.slot == slot && client_literal_.active && !client_literal_.started && client_literal_.sync) {
        client_literal_ = Literal{};
        if (sync_literals_due_ > 0) --sync_literals_due_;
        end_command_line();
    }
    const ImapVerb verb = cmd.verb;
    const bool opaque = (verb == ImapVerb::Starttls || verb == ImapVerb::Compress) && status == ImapStatus::Ok;
    apply_completion(cmd, status);
    if (opaque && verb == ImapVerb::Starttls) {
        start_tls(Protocol::Imap);
    } else if (opaque) {
        start_compression();
    }
    fill_command(cmd);
    tx_.status = status;
    tx_.response_code = code;
    tx_.response_text = text;
    fill_response_data();
    if (verb == ImapVerb::Append && ascii::istarts_with(code, "APPENDUID ")) {  // RFC 4315 3
        const std::string_view uid = ascii::split_word(ascii::split_word(code.substr(10)).rest).word;
        tx_.has_uid = ascii::parse_u64(uid, tx_.uid_value);
    }
    bool attached = false;
    if (msg_.phase == MessageState::Phase::Held && msg_.slot == slot && message_owner_alive()) {
        fill_message();
        attached = true;
    } else if (msg_.phase == MessageState::Phase::Parsing && msg_.slot == slot) {
        msg_.slot = kNoSlot;  // still arriving: it will be emitted on its own
    }
    emit(ImapTxEnd::Completed);
    if (attached) {
        msg_ = MessageState{};
        message_arena_.clear();
    }
    clear_response_data();
    release_slot(slot);
    if (opaque) go_opaque(verb == ImapVerb::Starttls);
}

void ImapParser::apply_completion(Command &cmd, ImapStatus status) {
    const bool ok = status == ImapStatus::Ok;
    switch (cmd.verb) {
    case ImapVerb::Login:
    case ImapVerb::Authenticate:
        if (cmd.arguments.empty()) break;  // no user or mechanism: nothing was attempted
        if (ok) authenticated_ = true;
        finish_auth(ok ? AuthResult::Success
                       : cmd.verb == ImapVerb::Authenticate && auth_.sasl.cancelled() ? AuthResult::Aborted
                                                                               : AuthResult::Failure);
        break;
    case ImapVerb::Select:
    case ImapVerb::Examine:
        selected_ = ok;  // a failed SELECT leaves no mailbox selected (RFC 3501 6.3.1)
        selected_mailbox_.assign(ok ? cmd.mailbox.view() : std::string_view{});
        break;
    case ImapVerb::Close:
    case ImapVerb::Unselect:
        if (ok) selected_ = false;
        break;
    case ImapVerb::Unauthenticate:
        if (ok) authenticated_ = selected_ = false;
        break;
    case ImapVerb::Starttls:
    case ImapVerb::Compress: opaque_pending_ = false; break;
    case ImapVerb::Idle:
        idle_ = false;
        idle_continuation_due_ = false;
        break;
    default: break;
    }
}

void ImapParser::finish_auth(AuthResult result) { auth_.finish(result, sink_, Protocol::Imap); }

void ImapParser::continuation() {
    ++stats_.continuations;
    ++data_.continuations;
    if (sync_literals_due_ > 0) {  // the client may send its literal
        --sync_literals_due_;
        return;
    }
    if (idle_continuation_due_) {  // RFC 2177: "+ idling"
        idle_continuation_due_ = false;
        return;
    }
    if (auth_.sasl.active()) {  // a SASL challenge
        auth_.sasl.on_challenge();
        return;
    }
    if (seen(Direction::ToServer)) anomaly(ImapAnomaly::UnexpectedContinuation);
}

void ImapParser::capability_list(std::string_view list) {
    ImapLexer lexer(list);
    for (ImapToken t = lexer.next(); t.kind != ImapToken::Kind::End; t = lexer.next())
        if (t.kind == ImapToken::Kind::Atom) capabilities_ |= classify_imap_capability(t.text);
}

void ImapParser::response_tokens(ImapLexer &lexer, bool head_only) {
    for (;;) {
        const ImapToken t = lexer.next();
        if (t.kind == ImapToken::Kind::End) return;
        if (t.kind == ImapToken::Kind::Literal) {
            if (!head_only) server_literal_token(t);  // in a cut line, the marker is in the tail
            return;
        }
        if (resp_.what == Untagged::Fetch) {
            fetch_token(t);
            continue;
        }
        if (t.kind == ImapToken::Kind::ListOpen) {
            ++resp_.depth;
            continue;
        }
        if (t.kind == ImapToken::Kind::ListClose) {
            if (resp_.depth > 0 && --resp_.depth == 0) ++resp_.index;  // a list is one value
            continue;
        }
        if (resp_.depth > 0) continue;
        if (resp_.what == Untagged::List && resp_.index == 2) {  // "* LIST (flags) "/" mailbox"
            char unquoted[ImapLimits::kMaxCapture];
            listed_mailbox(t.kind == ImapToken::Kind::Quoted
                               ? std::string_view{unquoted, imap_unquote(t.text, unquoted, sizeof unquoted)}
                               : t.text);
        }
        ++resp_.index;
    }
}

void ImapParser::listed_mailbox(std::string_view raw) {
    char decoded[ImapLimits::kMaxCapture * 2];
    bool valid = true;
    const size_t n = decode_mailbox_name(raw, decoded, sizeof decoded, valid);
    if (!valid) anomaly(ImapAnomaly::InvalidMailboxName);
    if (data_.mailboxes.kept < ImapTransaction::kMaxMailboxes) {
        data_.mailboxes.push(arena_.store({decoded, n}));
    } else {
        ++data_.mailboxes.total;
    }
}

// "* n FETCH (name value name value ...)": names and values alternate inside the outer list;
// a value may be a list of its own (FLAGS, ENVELOPE, BODYSTRUCTURE).
void ImapParser::fetch_token(const ImapToken &t) {
    if (t.kind == ImapToken::Kind::ListOpen) {
        ++resp_.depth;
        return;
    }
    if (t.kind == ImapToken::Kind::ListClose) {
        if (resp_.depth > 0) --resp_.depth;
        if (resp_.depth == 1 && resp_.expect_value) resp_.expect_value = false;  // a list value ended
        return;
    }
    if (resp_.depth != 1) return;
    if (!resp_.expect_value) {
        resp_.expect_value = true;
        resp_.item = FetchItem::Other;
        resp_.body_is_message = false;
        resp_.body_partial = false;
        if (ascii::iequals(t.text, "UID")) {
            resp_.item = FetchItem::Uid;
            return;
        }
        bool is_body = false;
        resp_.body_is_message = fetch_body_is_message(t.text, is_body, resp_.body_partial);
        if (is_body) {
            resp_.item = FetchItem::Body;
            resp_.section.assign(t.text);
        }
        return;
    }
    if (resp_.item == FetchItem::Uid) resp_.has_uid = ascii::parse_u64(t.text, resp_.uid);
    resp_.expect_value = false;
}

// The head of a cut FETCH line was parsed, its middle was skipped: take the attribute the literal
// belongs to from the line's tail, e.g. "... NIL NIL) BODY[] {4096}".
void ImapParser::fetch_item_before_literal(std::string_view tail, const ImapToken &marker) {
    std::string_view before = tail.substr(0, static_cast<size_t>(marker.raw.data() - tail.data()));
    while (!before.empty() && ascii::is_wsp(before.back())) before.remove_suffix(1);
    size_t at = std::string_view::npos;
    for (std::string_view name : {"BODY[", "BINARY[", "RFC822"}) {
        for (size_t pos = ascii::ifind(before, name); pos != std::string_view::npos;) {
            if (at == std::string_view::npos || pos > at) at = pos;
            const size_t next = ascii::ifind(before.substr(pos + 1), name);
            pos = next == std::string_view::npos ? next : pos + 1 + next;
        }
    }
    resp_.depth = 1;
    resp_.expect_value = true;
    resp_.item = FetchItem::Other;
    resp_.body_is_message = false;
    if (at == std::string_view::npos) return;
    const std::string_view name = before.substr(at);
    bool is_body = false;
    resp_.body_is_message = fetch_body_is_message(name, is_body, resp_.body_partial);
    if (is_body) {
        resp_.item = FetchItem::Body;
        resp_.section.assign(name);
    }
}

void ImapParser::server_literal_token(const ImapToken &marker) {
    LiteralUse use = LiteralUse::Skip;
    if (resp_.what == Untagged::Fetch && resp_.depth == 1 && resp_.expect_value && resp_.item == FetchItem::Body &&
        resp_.body_is_message) {
        use = LiteralUse::Message;
        resp_.carried_message = true;
    } else if (resp_.what == Untagged::List && resp_.depth == 0 && resp_.index == 2) {
        use = LiteralUse::Capture;
    }
    start_literal(Direction::ToClient, marker, use);
}

// The literal that ended the previous fragment is over; the response goes on.
void ImapParser::server_literal_done() {
    if (server_literal_.use == LiteralUse::Capture) listed_mailbox(server_capture_.view());
    if (resp_.what == Untagged::Fetch) {
        if (resp_.depth == 1) resp_.expect_value = false;
    } else if (resp_.depth == 0) {
        ++resp_.index;
    }
}

void ImapParser::end_response_line() {
    resp_.open = false;
    if (resp_.what != Untagged::Fetch) return;
    ++data_.fetches;
    // The fetched message is settled once its response is over: its UID may follow the body.
    if (resp_.carried_message && msg_.phase == MessageState::Phase::Held && msg_.source == ImapMessageSource::Fetch) {
        if (resp_.has_uid) {
            msg_.has_uid = true;
            msg_.uid = resp_.uid;
        }
        settle_message();
    }
}

}  // namespace postern::proto
