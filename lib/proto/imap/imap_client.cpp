// ImapParser, client side: tagged commands, their arguments (atoms, quoted strings, lists and
// literals, across the line fragments a literal splits them into), SASL responses and IDLE.
#include <cstring>

#include "proto/common/ascii.hpp"
#include "proto/common/binary_text.hpp"
#include "proto/imap/imap_parser.hpp"
#include "proto/imap/imap_utf7.hpp"

namespace postern::proto {

using stream::Direction;

namespace {

// RFC 3501 9: tag = 1*<any ASTRING-CHAR except "+">; list wildcards and quoted specials excluded.
bool valid_tag(std::string_view tag) {
    if (tag.empty()) return false;
    for (char c : tag)
        if (c == '+' || c == '*' || c == '%' || c == '\\' || c == ']') return false;
    return true;
}

// "tag VERB ...": what a command looks like, as opposed to a SASL response (one base64 word).
bool looks_like_command(std::string_view text) {
    const auto [tag, rest] = ascii::split_word(text);
    const std::string_view verb = ascii::split_word(rest).word;
    return !tag.empty() && classify_imap_verb(verb) != ImapVerb::Unknown;
}

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && ascii::is_wsp(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

ImapParser::Command *ImapParser::current_command() {
    return cmd_.slot != kNoSlot && commands_[cmd_.slot].used ? &commands_[cmd_.slot] : nullptr;
}

bool ImapParser::in_flight(ImapVerb a, ImapVerb b) const {
    for (const Command &c : commands_)
        if (c.used && (c.verb == a || c.verb == b)) return true;
    return false;
}

uint32_t ImapParser::new_slot(std::string_view tag) {
    if (pending_count_ >= limits_.pending_commands) {
        anomaly(ImapAnomaly::TooManyPendingCommands);
        ++stats_.pending_commands_dropped;
        if (dropped_commands_ < ImapLimits::kMaxPendingCommands) ++dropped_commands_;
        return kNoSlot;
    }
    for (uint32_t i = 0; i < ImapLimits::kMaxPendingCommands; ++i) {
        if (commands_[i].used) continue;
        Command &c = commands_[i];
        c = Command{};
        c.used = true;
        c.receiving = true;
        c.order = ++order_;
        c.pipelined = pending_count_ > 0;
        c.tag.assign(tag);
        ++pending_count_;
        return i;
    }
    return kNoSlot;
}

void ImapParser::client_line(const Line &line, std::string_view tail) {
    check_line(Direction::ToServer, line, cmd_.open, cmd_.length, cmd_.too_long);

    if (line.kind == LineKind::OverlongTail) {
        // The end of a cut line: only its literal marker matters.
        if (!cmd_.open) return;
        ImapToken marker;
        if (imap_trailing_literal(tail, marker)) {
            command_literal(marker, {}, 0);
        } else {
            end_command_line();
        }
        return;
    }
    const bool head_only = line.kind == LineKind::OverlongHead;
    if (cmd_.open) {  // the command goes on after a literal
        if (has_binary(line.text)) anomaly(ImapAnomaly::BinaryInCommand);
        ImapLexer lexer(line.text);
        command_tokens(lexer, line.text, 0, head_only);
    } else if (auth_.sasl.active() && (auth_.sasl.challenged() || !looks_like_command(line.text))) {
        auth_response(line.text, false);  // a SASL response (RFC 3501 6.2.2), never a command
        return;
    } else if (idle_ && ascii::iequals(ascii::trim(line.text), "DONE")) {
        idle_ = false;  // RFC 2177 3
        return;
    } else {
        if (idle_) {
            anomaly(ImapAnomaly::CommandDuringIdle);
            idle_ = false;
        }
        new_command(line.text, head_only);
    }
    if (cmd_.open && !head_only && !client_literal_.active) end_command_line();
}

void ImapParser::new_command(std::string_view text, bool head_only) {
    ++stats_.commands;
    ClientLine fresh;
    fresh.open = true;
    fresh.length = cmd_.length;
    fresh.too_long = cmd_.too_long;
    cmd_ = fresh;
    if (has_binary(text)) anomaly(ImapAnomaly::BinaryInCommand);
    if (!auth_.sasl.challenged()) auth_.sasl.stop();  // the client moved on

    ImapLexer lexer(text);
    const ImapToken tag = lexer.next();
    const ImapToken word = lexer.next();
    bool syntax_ok = tag.kind == ImapToken::Kind::Atom && valid_tag(tag.text) && word.kind == ImapToken::Kind::Atom;
    ImapVerb verb = word.kind == ImapToken::Kind::Atom ? classify_imap_verb(word.text) : ImapVerb::Unknown;
    bool uid = false;
    char name[24];
    size_t name_len = 0;
    auto add_name = [&](std::string_view s) {
        for (char c : s)
            if (name_len < sizeof name) name[name_len++] = ascii::to_upper(c);
    };
    add_name(word.kind == ImapToken::Kind::Atom ? word.text : std::string_view{});
    if (verb == ImapVerb::Uid) {
        const ImapToken sub = lexer.next();
        const ImapVerb inner = sub.kind == ImapToken::Kind::Atom ? classify_imap_verb(sub.text) : ImapVerb::Unknown;
        if (imap_verb_takes_uid(inner)) {
            verb = inner;
            uid = true;
            add_name(" ");
            add_name(sub.text);
        } else {
            syntax_ok = false;
        }
    }
    const std::string_view command_name{name, name_len};
    if (!syntax_ok) anomaly(ImapAnomaly::InvalidCommandSyntax);
    if (verb == ImapVerb::Unknown) anomaly(ImapAnomaly::UnknownCommand);
    sink_.on_command({Protocol::Imap, static_cast<uint8_t>(verb), verb == ImapVerb::Unknown ? imap_verb_name(verb) : command_name,
                      verb == ImapVerb::Logout});
    if (logout_sent_) anomaly(ImapAnomaly::CommandsAfterLogout);
    // RFC 3501 6.2.1, RFC 4978 3: nothing may follow STARTTLS/COMPRESS before the answer. Only
    // with the server side in view: on a one-sided capture nothing is answered.
    if (opaque_pending_ && seen(Direction::ToClient))
        anomaly(ImapAnomaly::InvalidPipelinedSequence);
    if (session_start_seen_ && !gap_seen_) {  // RFC 3501 3 states; pipelined commands count as done
        const bool authenticated = authenticated_ || in_flight(ImapVerb::Login, ImapVerb::Authenticate);
        const bool selected = selected_ || in_flight(ImapVerb::Select, ImapVerb::Examine);
        if ((imap_needs_authentication(verb) && !authenticated) ||
            (imap_needs_selection(verb) && authenticated && !selected) ||
            (imap_before_authentication_only(verb) && authenticated_))
            anomaly(ImapAnomaly::CommandOutOfSequence);
    }
    if (tag.kind != ImapToken::Kind::Atom || tag.text.empty()) {
        cmd_.slot = kNoSlot;  // nothing to match a response with
    } else {
        if (find_slot(tag.text) != kNoSlot) anomaly(ImapAnomaly::DuplicateTag);
        cmd_.slot = new_slot(tag.text);
    }
    cmd_.verb = verb;
    if (Command *c = current_command()) {
        c->verb = verb;
        c->uid = uid;
        c->name.assign(command_name);
    }
    const size_t shown = command_tokens(lexer, text, lexer.position(), head_only);
    sink_.on_field(Field::ImapCommandLine, trim_right(text.substr(0, shown)));
}

// Which argument positions hold a mailbox name, a secret, or the message (RFC 3501 6).
bool ImapParser::mailbox_argument(uint32_t arg) const {
    switch (cmd_.verb) {
    case ImapVerb::Select:
    case ImapVerb::Examine:
    case ImapVerb::Create:
    case ImapVerb::Delete:
    case ImapVerb::Subscribe:
    case ImapVerb::Unsubscribe:
    case ImapVerb::Status:
    case ImapVerb::Append:
    case ImapVerb::GetQuotaRoot:
    case ImapVerb::GetAcl:
    case ImapVerb::MyRights: return arg == 0;
    case ImapVerb::Rename: return arg <= 1;
    case ImapVerb::Copy:
    case ImapVerb::Move: return arg == 1;
    default: return false;
    }
}

bool ImapParser::secret_argument(uint32_t arg) const {
    return (cmd_.verb == ImapVerb::Login || cmd_.verb == ImapVerb::Authenticate) && arg == 1;
}

ImapParser::LiteralUse ImapParser::literal_use(uint32_t arg) const {
    if (cmd_.depth > 0) return LiteralUse::Skip;
    if (secret_argument(arg)) return LiteralUse::Secret;
    if (cmd_.verb == ImapVerb::Append && arg >= 1) return LiteralUse::Message;
    if (mailbox_argument(arg) || (cmd_.verb == ImapVerb::Login && arg == 0)) return LiteralUse::Capture;
    return LiteralUse::Skip;
}

// Argument text kept for EVE ends where a secret starts.
void ImapParser::cut_arguments(std::string_view text, size_t from, const char *secret_start) {
    if (Command *c = current_command()) {
        if (!cmd_.args_closed && secret_start >= text.data() + from) {
            std::string_view kept = text.substr(from, static_cast<size_t>(secret_start - text.data()) - from);
            if (c->arguments.empty())
                while (!kept.empty() && ascii::is_wsp(kept.front())) kept.remove_prefix(1);
            c->arguments.append(trim_right(kept));
        }
        c->redacted = true;
    }
    cmd_.args_closed = true;
}

// Reads the tokens of a command fragment from the lexer's position. Returns how much of `text`
// may be shown (all of it, or up to where a secret starts).
size_t ImapParser::command_tokens(ImapLexer &lexer, std::string_view text, size_t from, bool head_only) {
    size_t shown = text.size();
    const bool closed_before = cmd_.args_closed;
    for (;;) {
        const ImapToken t = lexer.next();
        if (t.kind == ImapToken::Kind::End) break;
        if (t.kind == ImapToken::Kind::Literal) {
            if (head_only) break;  // a cut line: the real end, and any marker, are in the tail
            if (literal_use(cmd_.arg) == LiteralUse::Secret) {
                cut_arguments(text, from, t.raw.data());
                shown = static_cast<size_t>(t.raw.data() - text.data());
            }
            command_literal(t, text, from);
            break;
        }
        if (t.kind == ImapToken::Kind::ListOpen) {
            if (cmd_.depth == 0) {
                Command *c = current_command();
                cmd_.flags_list = (cmd_.verb == ImapVerb::Append && cmd_.arg >= 1) ||
                                  (cmd_.verb == ImapVerb::Store && c != nullptr && !c->store_action.empty());
            }
            ++cmd_.depth;
            continue;
        }
        if (t.kind == ImapToken::Kind::ListClose) {
            if (cmd_.depth > 0 && --cmd_.depth == 0) {
                cmd_.flags_list = false;
                ++cmd_.arg;  // a list is one argument
            }
            continue;
        }
        if (cmd_.depth > 0) {
            if (cmd_.flags_list && t.kind == ImapToken::Kind::Atom) flag_token(t.text);
            continue;
        }
        char unquoted[ImapLimits::kMaxCapture];
        const std::string_view value =
            t.kind == ImapToken::Kind::Quoted ? std::string_view{unquoted, imap_unquote(t.text, unquoted, sizeof unquoted)}
                                              : t.text;
        if (secret_argument(cmd_.arg)) {
            if (cmd_.verb == ImapVerb::Authenticate) {
                auth_response(value, true);  // SASL-IR (RFC 4959): may name the user
            } else if (!value.empty()) {
                auth_.secret_seen = true;
            }
            cut_arguments(text, from, t.raw.data());
            shown = static_cast<size_t>(t.raw.data() - text.data());
            ++cmd_.arg;
            continue;
        }
        command_argument(t, value);
        ++cmd_.arg;
    }
    if (!closed_before && !cmd_.args_closed) {
        if (Command *c = current_command()) {
            std::string_view rest = text.substr(from < text.size() ? from : text.size());
            if (c->arguments.empty())
                while (!rest.empty() && ascii::is_wsp(rest.front())) rest.remove_prefix(1);
            c->arguments.append(rest);
        }
    }
    return closed_before ? 0 : shown;
}

void ImapParser::command_literal(const ImapToken &marker, std::string_view text, size_t from) {
    const LiteralUse use = literal_use(cmd_.arg);
    if (use == LiteralUse::Secret) {
        if (!cmd_.args_closed && !text.empty()) cut_arguments(text, from, marker.raw.data());
        cmd_.args_closed = true;
        if (Command *c = current_command()) c->redacted = true;
        if (marker.literal_size > 0) auth_.secret_seen = true;
    }
    start_literal(Direction::ToServer, marker, use);
}

// The literal that ended the previous fragment is over; the command goes on.
void ImapParser::client_literal_done() {
    if (client_literal_.use == LiteralUse::Capture) {
        ImapToken t;
        t.kind = ImapToken::Kind::Quoted;  // a literal is a string, like a quoted one
        t.text = client_capture_.view();
        command_argument(t, client_capture_.view());
    }
    if (cmd_.depth == 0) ++cmd_.arg;
}

void ImapParser::flag_token(std::string_view flag) {
    if (Command *c = current_command()) {
        if (!c->flags.empty()) c->flags.append(' ');
        c->flags.append(flag);
    }
}

void ImapParser::store_mailbox(FixedText<100> *out, std::string_view raw) {
    char decoded[ImapLimits::kMaxCapture * 2];
    bool valid = true;
    const size_t n = decode_mailbox_name(raw, decoded, sizeof decoded, valid);
    if (!valid) anomaly(ImapAnomaly::InvalidMailboxName);
    const std::string_view name{decoded, n};
    sink_.on_field(Field::ImapMailbox, name);
    if (out != nullptr) out->assign(name);
}

void ImapParser::command_argument(const ImapToken &token, std::string_view value) {
    Command *c = current_command();
    const uint32_t arg = cmd_.arg;
    if (mailbox_argument(arg)) {
        const bool second = (cmd_.verb == ImapVerb::Rename && arg == 1) || cmd_.verb == ImapVerb::Copy ||
                            cmd_.verb == ImapVerb::Move;
        store_mailbox(c == nullptr ? nullptr : second ? &c->destination : &c->mailbox, value);
        return;
    }
    switch (cmd_.verb) {
    case ImapVerb::Login:
        if (arg == 0) {
            auth_.user.assign(value);
            auth_.attempt("LOGIN");
            sink_.on_field(Field::ImapUser, auth_.user.view());
        }
        break;
    case ImapVerb::Authenticate:
        if (arg == 0) start_auth(value);
        break;
    case ImapVerb::Fetch:
    case ImapVerb::Store:
    case ImapVerb::Copy:
    case ImapVerb::Move:
    case ImapVerb::Expunge:
        if (arg == 0 && c != nullptr) {
            c->sequence_set.assign(value);
        } else if (cmd_.verb == ImapVerb::Store && c != nullptr && token.kind == ImapToken::Kind::Atom) {
            if (c->store_action.empty() && ascii::ifind(value, "FLAGS") != std::string_view::npos) {
                c->store_action.assign(value);
            } else if (!c->store_action.empty()) {
                flag_token(value);  // a single flag without parentheses
            }
        }
        break;
    case ImapVerb::Append:
        if (c != nullptr && token.kind == ImapToken::Kind::Quoted && arg >= 1) c->date.assign(value);
        break;
    default: break;
    }
}

void ImapParser::end_command_line() {
    cmd_.open = false;
    switch (cmd_.verb) {
    case ImapVerb::Idle:
        idle_ = true;
        idle_continuation_due_ = true;
        break;
    case ImapVerb::Starttls:
    case ImapVerb::Compress: opaque_pending_ = true; break;
    case ImapVerb::Logout: logout_sent_ = true; break;
    default: break;
    }
    if (Command *c = current_command()) c->receiving = false;
}

// ---- SASL ------------------------------------------------------------------------------------

void ImapParser::start_auth(std::string_view mechanism) {
    auth_.attempt(mechanism);
    auth_.sasl.start(mechanism, false);  // a SASL-IR initial response is a later argument
}

void ImapParser::auth_response(std::string_view text, bool initial) {
    if (!initial) ++stats_.auth_responses;
    const AuthResponseInfo info = auth_.take_response(text, !initial);
    if (!info.cancelled && !info.valid_base64) anomaly(ImapAnomaly::InvalidAuthEncoding);
    if (!info.cancelled && info.has_user) sink_.on_field(Field::ImapUser, auth_.user.view());
}

}  // namespace postern::proto
