#include "proto/smtp/smtp_parser.hpp"

#include "proto/common/ascii.hpp"

namespace postern::proto {

using stream::Direction;

namespace {

// Control characters (TAB aside) or malformed UTF-8 in a command line. Valid UTF-8 is allowed:
// SMTPUTF8 (RFC 6531) puts it in addresses.
bool has_binary(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            if ((b < 0x20 && b != '\t') || b == 0x7F) return true;
            ++i;
            continue;
        }
        size_t n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || b == 0xC0 || b == 0xC1 || i + n > s.size()) return true;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return true;
        i += n;
    }
    return false;
}

// "<addr> params" or "addr params" after "FROM:" / "TO:". Returns false on a syntax error
// (no angle brackets), still extracting what it can.
bool parse_path(std::string_view s, std::string_view &address, std::string_view &params) {
    while (!s.empty() && ascii::is_wsp(s.front())) s.remove_prefix(1);  // "FROM: <a>" is common
    if (!s.empty() && s.front() == '<') {
        const size_t close = s.find('>');
        if (close != std::string_view::npos) {
            address = s.substr(1, close - 1);
            params = ascii::trim(s.substr(close + 1));
            return true;
        }
        address = s.substr(1);
        params = {};
        return false;
    }
    const auto split = ascii::split_word(s);
    address = split.word;
    params = split.rest;
    return false;
}

bool parse_reply_code(std::string_view text, uint16_t &code, char &sep) {
    if (text.size() < 3) return false;
    const char a = text[0], b = text[1], c = text[2];
    if (a < '2' || a > '5' || b < '0' || b > '5' || !ascii::is_digit(c)) return false;
    code = static_cast<uint16_t>((a - '0') * 100 + (b - '0') * 10 + (c - '0'));
    sep = text.size() > 3 ? text[3] : ' ';
    return sep == ' ' || sep == '-';
}

}  // namespace

std::string_view smtp_tx_end_name(SmtpTxEnd e) {
    switch (e) {
    case SmtpTxEnd::MessageDone: return "message_done";
    case SmtpTxEnd::Reset: return "reset";
    case SmtpTxEnd::Starttls: return "starttls";
    case SmtpTxEnd::SessionEnd: return "session_end";
    }
    return "unknown";
}

SmtpParser::SmtpParser(EventSink &sink, const SmtpLimits &limits)
    : limits_(limits.clamped()),
      sink_(sink),
      command_lines_(limits_.command_line),
      reply_lines_(limits_.reply_line),
      text_lines_(limits_.text_line),
      mime_(limits_.mime, sink, arena_) {}

void SmtpParser::anomaly(SmtpAnomaly a) {
    ++stats_.anomalies[static_cast<size_t>(a)];
    if (reported_.first(static_cast<unsigned>(a))) sink_.on_anomaly(smtp_anomaly_name(a));
}

void SmtpParser::on_data(Direction dir, const uint8_t *data, size_t len) {
    stats_.bytes[stream::index(dir)] += len;
    if (encrypted_) return encrypted_data(dir, {data, len});
    if (dir == Direction::ToServer) {
        client_data({data, len});
    } else {
        server_data({data, len});
    }
}

void SmtpParser::server_data(ByteSpan in) {
    Line line;
    while (!encrypted_ && reply_lines_.next(in, line)) reply_line(line);
    if (encrypted_) encrypted_data(Direction::ToClient, in);
}

void SmtpParser::client_data(ByteSpan in) {
    Line line;
    while (!encrypted_) {
        switch (mode_) {
        case ClientMode::Command:
            if (!command_lines_.next(in, line)) return;
            command_line(line);
            break;
        case ClientMode::Data:
            text_lines_.set_max_line(content_line_limit());
            if (!text_lines_.next(in, line)) return;
            data_line(line);
            break;
        case ClientMode::BdatChunk: {
            if (bdat_remaining_ > 0) {
                if (in.empty()) return;
                ByteSpan chunk = in.first(bdat_remaining_ < in.size ? static_cast<size_t>(bdat_remaining_) : in.size);
                const size_t n = chunk.size;
                text_lines_.set_max_line(content_line_limit());
                while (text_lines_.next(chunk, line)) bdat_line(line);
                in.advance(n);
                bdat_remaining_ -= n;
            }
            if (bdat_remaining_ == 0) end_bdat_chunk();
            break;
        }
        }
    }
    encrypted_data(Direction::ToServer, in);
}

// ---- client commands -------------------------------------------------------------------------

bool SmtpParser::is_auth_response(std::string_view text) const {
    if (!auth_.active) return false;
    if (auth_.permits > 0) return true;
    if (auth_.expected == kUnknownAuthResponses)
        return classify_smtp_verb(ascii::split_word(text).word) == SmtpVerb::Unknown;
    return auth_.expected > 0;
}

void SmtpParser::auth_response(std::string_view text, bool initial) {
    ++stats_.auth_responses;
    char user[256];
    const AuthResponseInfo info = inspect_auth_response(auth_.mechanism, auth_.responses, text, user, sizeof user);
    ++auth_.responses;
    if (!initial) {
        if (auth_.permits > 0) --auth_.permits;
        if (auth_.expected != kUnknownAuthResponses && auth_.expected > 0) --auth_.expected;
    }
    if (info.cancelled) {
        auth_.cancelled = true;
        auth_.expected = 0;
        return;
    }
    if (!info.valid_base64) anomaly(SmtpAnomaly::InvalidAuthEncoding);
    if (info.has_secret) auth_secret_seen_ = true;
    if (info.has_user) {
        auth_user_.assign({user, info.user_len});
        sink_.on_field(Field::SmtpAuthUser, auth_user_.view());
    }
}

void SmtpParser::start_auth(std::string_view args, std::string_view line) {
    const auto split = ascii::split_word(args);
    if (split.word.empty()) {
        anomaly(SmtpAnomaly::InvalidCommandSyntax);
        sink_.on_field(Field::SmtpCommandLine, line);
        return;
    }
    // The command line is reported without the initial response: it may be a secret.
    const auto upto = static_cast<size_t>(split.word.data() + split.word.size() - line.data());
    sink_.on_field(Field::SmtpCommandLine, line.substr(0, upto));

    char upper[32];
    size_t n = 0;
    for (char c : split.word)
        if (n < sizeof upper) upper[n++] = ascii::to_upper(c);
    auth_mechanism_.assign({upper, n});
    sink_.on_field(Field::SmtpAuthMechanism, auth_mechanism_.view());
    auth_user_.clear();
    auth_attempted_ = true;
    auth_secret_seen_ = false;
    auth_result_ = AuthResult::Pending;
    const std::string_view initial = ascii::trim(split.rest);
    auth_ = AuthExchange{};
    auth_.active = true;
    auth_.mechanism = classify_auth_mechanism(split.word);
    auth_.expected = expected_auth_responses(auth_.mechanism, !initial.empty());
    if (!initial.empty()) auth_response(initial, true);
}

void SmtpParser::open_transaction(SmtpVerb verb) {
    tx_open_ = true;
    if (verb != SmtpVerb::Quit && verb != SmtpVerb::Noop && verb != SmtpVerb::Rset) tx_interesting_ = true;
}

bool SmtpParser::push_pending(SmtpVerb verb, bool bdat_last) {
    if (pending_count_ >= limits_.pending_commands) {
        anomaly(SmtpAnomaly::TooManyPendingCommands);
        ++stats_.pending_commands_dropped;
        pending_overflowed_ = true;
        return false;
    }
    pending_[(pending_head_ + pending_count_) % SmtpLimits::kMaxPendingCommands] = {verb, bdat_last, tx_seq_};
    ++pending_count_;
    reply_resync_ = false;
    return true;
}

void SmtpParser::command_line(const Line &line) {
    if (line.kind == LineKind::OverlongTail) return;
    if (line.kind == LineKind::OverlongHead) {
        anomaly(SmtpAnomaly::CommandLineTooLong);
        ++stats_.command_lines_truncated;
    }
    if (line.end == LineEnd::Lf) anomaly(SmtpAnomaly::BareLf);
    const std::string_view text = line.text;

    if (is_auth_response(text)) {
        auth_response(text, false);
        return;
    }
    if (auth_.active) {
        // The client moved on without finishing the exchange (or we lost the server side).
        auth_.active = false;
    }

    const auto [verb_text, args] = ascii::split_word(text);
    SmtpVerb verb = classify_smtp_verb(verb_text);
    ++stats_.commands;
    if (has_binary(text)) anomaly(SmtpAnomaly::BinaryInCommand);
    // RFC 3207 4.2. Only with the server side in view: on a one-sided capture nothing is answered.
    if (starttls_pending_ && stats_.replies > 0) anomaly(SmtpAnomaly::InvalidPipelinedSequence);
    sink_.on_command(Protocol::Smtp, smtp_verb_name(verb));

    // After a BDAT chunk that is not the last, only BDAT (or RSET/QUIT/NOOP) may follow; garbage
    // here means the declared size did not match what was sent.
    if (tx_.data_mode == SmtpDataMode::Bdat && message_started_ && verb == SmtpVerb::Unknown)
        anomaly(SmtpAnomaly::BdatSizeMismatch);

    if ((verb == SmtpVerb::Helo || verb == SmtpVerb::Ehlo || verb == SmtpVerb::Lhlo || verb == SmtpVerb::Mail) &&
        tx_has_mail_)
        end_transaction(SmtpTxEnd::Reset);
    open_transaction(verb);
    ++tx_.commands;
    if (verb != SmtpVerb::Auth) sink_.on_field(Field::SmtpCommandLine, text);

    switch (verb) {
    case SmtpVerb::Helo:
    case SmtpVerb::Ehlo:
    case SmtpVerb::Lhlo: {
        const std::string_view name = ascii::trim(args);
        helo_.assign(name);
        ehlo_ = verb != SmtpVerb::Helo;
        capabilities_ = 0;
        if (name.empty()) anomaly(SmtpAnomaly::InvalidCommandSyntax);
        sink_.on_field(Field::SmtpHelo, helo_.view());
        push_pending(verb);
        break;
    }
    case SmtpVerb::Mail:
        if (helo_.empty()) anomaly(SmtpAnomaly::CommandOutOfSequence);
        mail_command(args);
        push_pending(verb);
        break;
    case SmtpVerb::Rcpt:
        if (!tx_has_mail_) anomaly(SmtpAnomaly::CommandOutOfSequence);
        rcpt_command(args);
        push_pending(verb);
        break;
    case SmtpVerb::Data:
        if (!tx_has_mail_) anomaly(SmtpAnomaly::CommandOutOfSequence);
        push_pending(verb);
        mode_ = ClientMode::Data;
        tx_.data_mode = SmtpDataMode::Data;
        data_reply_pending_ = true;
        break;
    case SmtpVerb::Bdat:
        if (!tx_has_mail_) anomaly(SmtpAnomaly::CommandOutOfSequence);
        bdat_command(args);
        break;
    case SmtpVerb::Rset:
        if (tx_has_mail_) end_transaction(SmtpTxEnd::Reset);
        push_pending(verb);
        break;
    case SmtpVerb::Auth:
        start_auth(args, text);
        push_pending(verb);
        break;
    case SmtpVerb::Starttls:
        starttls_pending_ = true;
        push_pending(verb);
        break;
    case SmtpVerb::Unknown:
        anomaly(SmtpAnomaly::UnknownCommand);
        ++tx_.unknown_commands;
        push_pending(verb);
        break;
    default:
        push_pending(verb);
        break;
    }
}

void SmtpParser::mail_command(std::string_view args) {
    tx_has_mail_ = true;
    if (!ascii::istarts_with(args, "FROM:")) {
        anomaly(SmtpAnomaly::InvalidCommandSyntax);
        return;
    }
    std::string_view address, params;
    if (!parse_path(args.substr(5), address, params)) anomaly(SmtpAnomaly::InvalidCommandSyntax);
    const uint64_t truncations = arena_.truncations();
    tx_.mail_from = arena_.store(address);
    sink_.on_field(Field::SmtpMailFrom, address);
    // ESMTP parameters (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8).
    while (!params.empty()) {
        const auto [param, rest] = ascii::split_word(params);
        params = rest;
        if (ascii::istarts_with(param, "SIZE=")) {
            if (!ascii::parse_u64(param.substr(5), tx_.declared_size)) anomaly(SmtpAnomaly::InvalidCommandSyntax);
        } else if (ascii::istarts_with(param, "BODY=")) {
            tx_.body_type = arena_.store(param.substr(5));
        } else if (ascii::iequals(param, "SMTPUTF8")) {
            tx_.smtputf8 = true;
        }
    }
    if (arena_.truncations() != truncations) ++stats_.strings_truncated;
}

void SmtpParser::rcpt_command(std::string_view args) {
    if (!ascii::istarts_with(args, "TO:")) {
        anomaly(SmtpAnomaly::InvalidCommandSyntax);
        return;
    }
    std::string_view address, params;
    if (!parse_path(args.substr(3), address, params)) anomaly(SmtpAnomaly::InvalidCommandSyntax);
    sink_.on_field(Field::SmtpRcptTo, address);
    if (tx_.rcpt_to.kept < limits_.recipients_kept) {
        const uint64_t truncations = arena_.truncations();
        tx_.rcpt_to.push(arena_.store(address));
        if (arena_.truncations() != truncations) ++stats_.strings_truncated;
    } else {
        ++tx_.rcpt_to.total;
        ++stats_.recipients_dropped;
        anomaly(SmtpAnomaly::TooManyRecipients);
    }
}

void SmtpParser::bdat_command(std::string_view args) {
    const auto [size_text, rest] = ascii::split_word(args);
    const std::string_view last = ascii::trim(rest);
    uint64_t size = 0;
    if (!ascii::parse_u64(size_text, size) || !(last.empty() || ascii::iequals(last, "LAST"))) {
        // Without a size the chunk cannot be skipped: stay in command mode and let the next line
        // tell what it is.
        anomaly(SmtpAnomaly::InvalidCommandSyntax);
        push_pending(SmtpVerb::Bdat);
        return;
    }
    tx_.data_mode = SmtpDataMode::Bdat;
    ++tx_.bdat_chunks;
    bdat_remaining_ = size;
    bdat_last_ = !last.empty();
    push_pending(SmtpVerb::Bdat, bdat_last_);
    start_message();
    mode_ = ClientMode::BdatChunk;
}

// ---- message content -------------------------------------------------------------------------

// A message starts with its header section, which has its own line limit.
uint32_t SmtpParser::content_line_limit() const {
    return !message_started_ || mime_.in_headers() ? limits_.header_line : limits_.text_line;
}

void SmtpParser::start_message() {
    if (message_started_) return;
    mime_.begin(tx_.message);
    message_started_ = true;
    tx_.has_message = true;
    ++stats_.messages;
}

void SmtpParser::message_line(const Line &line) {
    start_message();
    if (line.kind == LineKind::OverlongHead && !mime_.in_headers()) {
        // Lines of BINARYMIME bodies (RFC 3030) have no length limit.
        if (!ascii::iequals(tx_.body_type, "BINARYMIME")) anomaly(SmtpAnomaly::TextLineTooLong);
        ++stats_.text_lines_truncated;
    }
    mime_.on_line(line);
}

void SmtpParser::data_line(const Line &line) {
    if (line.end == LineEnd::Lf) anomaly(SmtpAnomaly::BareLf);  // RFC 5321 2.3.8; SMTP smuggling
    // RFC 2920 3.1: the client waits for 354 before sending the message.
    if (data_reply_pending_ && stats_.replies > 0) anomaly(SmtpAnomaly::InvalidPipelinedSequence);
    if (line.kind != LineKind::OverlongTail && line.text == ".") {  // end of data (RFC 5321 4.1.1.4)
        start_message();  // an empty message is still a message
        mime_.end();
        message_started_ = false;
        tx_.message_complete = true;
        mode_ = ClientMode::Command;
        push_pending(SmtpVerb::DataEnd);
        return;
    }
    if (line.kind != LineKind::OverlongTail && !line.text.empty() && line.text.front() == '.') {
        Line unstuffed = line;  // RFC 5321 4.5.2
        unstuffed.text.remove_prefix(1);
        unstuffed.length -= 1;
        message_line(unstuffed);
        return;
    }
    message_line(line);
}

void SmtpParser::bdat_line(const Line &line) { message_line(line); }

void SmtpParser::end_bdat_chunk() {
    mode_ = ClientMode::Command;
    if (!bdat_last_) return;
    Line line;
    while (text_lines_.flush(line)) bdat_line(line);
    if (message_started_) mime_.end();
    message_started_ = false;
    tx_.message_complete = true;
    bdat_last_ = false;
}

// ---- server replies --------------------------------------------------------------------------

void SmtpParser::reply_line(const Line &line) {
    if (line.kind == LineKind::OverlongTail) return;
    if (line.kind == LineKind::OverlongHead) {
        anomaly(SmtpAnomaly::ReplyLineTooLong);
        ++stats_.reply_lines_truncated;
    }
    uint16_t code = 0;
    char sep = ' ';
    if (!parse_reply_code(line.text, code, sep)) {
        anomaly(SmtpAnomaly::InvalidReply);
        return;
    }
    if (multiline_ && code != multiline_code_) anomaly(SmtpAnomaly::InvalidReply);  // RFC 5321 4.2.1
    if (!multiline_) reply_line_index_ = 0;
    // EHLO reply: every line after the first names a capability.
    if (reply_line_index_ > 0 && pending_count_ > 0 && code == 250) {
        const SmtpVerb front = pending_[pending_head_].verb;
        if (front == SmtpVerb::Ehlo || front == SmtpVerb::Lhlo) {
            const std::string_view text = line.text.size() > 4 ? line.text.substr(4) : std::string_view{};
            std::string_view keyword = ascii::split_word(ascii::trim(text)).word;
            keyword = keyword.substr(0, keyword.find('='));  // old "AUTH=LOGIN" form
            capabilities_ |= classify_smtp_capability(keyword);
        }
    }
    ++reply_line_index_;
    if (sep == '-') {
        multiline_ = true;
        multiline_code_ = code;
        return;
    }
    multiline_ = false;
    final_reply(code);
}

void SmtpParser::final_reply(uint16_t code) {
    ++stats_.replies;
    const char status[3] = {static_cast<char>('0' + code / 100), static_cast<char>('0' + code / 10 % 10),
                            static_cast<char>('0' + code % 10)};
    sink_.on_reply(Protocol::Smtp, {status, 3});
    if (tx_open_) tx_.reply_codes.push(code);

    if (!greeting_seen_) {
        greeting_seen_ = true;
        if (code == 220 || code == 421 || code == 554) return;  // RFC 5321 3.1
        anomaly(SmtpAnomaly::NoGreeting);
    }
    if (pending_count_ == 0 && mode_ == ClientMode::Data && message_started_ && tx_.gap && !data_reply_pending_) {
        // The "." was lost in a gap: the server answering tells that the message is over.
        text_lines_.reset();
        mime_.end();
        message_started_ = false;
        mode_ = ClientMode::Command;
        tx_.message_accepted = code / 100 == 2;
        end_transaction(SmtpTxEnd::MessageDone);
        return;
    }
    if (pending_count_ == 0) {
        if (!reply_resync_ && !pending_overflowed_) anomaly(SmtpAnomaly::ReplyWithoutCommand);
        return;
    }
    const PendingCommand cmd = pending_[pending_head_];
    if (cmd.verb == SmtpVerb::Auth && code == 334) {  // a challenge: the exchange goes on
        if (auth_.active && auth_.permits < 255) ++auth_.permits;
        return;
    }
    pending_head_ = (pending_head_ + 1) % SmtpLimits::kMaxPendingCommands;
    --pending_count_;

    const bool ok = code / 100 == 2;
    const bool current = cmd.tx_seq == tx_seq_;
    switch (cmd.verb) {
    case SmtpVerb::Rcpt:
        if (!ok && current) ++tx_.rcpt_rejected;
        break;
    case SmtpVerb::Data:
        data_reply_pending_ = false;
        if (code != 354 && mode_ == ClientMode::Data && !message_started_) {
            mode_ = ClientMode::Command;  // refused: the client will not send a message
            if (current) tx_.data_mode = SmtpDataMode::None;
        }
        break;
    case SmtpVerb::DataEnd:
    case SmtpVerb::Bdat:
        if (current && (cmd.verb == SmtpVerb::DataEnd || cmd.bdat_last)) {
            tx_.message_accepted = ok;
            end_transaction(SmtpTxEnd::MessageDone);
        }
        break;
    case SmtpVerb::Auth:
        if (auth_attempted_ && auth_result_ == AuthResult::Pending)
            finish_auth(code == 235 ? AuthResult::Success
                                    : auth_.cancelled ? AuthResult::Aborted : AuthResult::Failure);
        break;
    case SmtpVerb::Starttls:
        starttls_pending_ = false;
        if (code == 220) enter_encrypted();
        break;
    default:
        break;
    }
}

void SmtpParser::finish_auth(AuthResult result) {
    auth_.active = false;
    auth_result_ = result;
    sink_.on_auth(Protocol::Smtp, auth_mechanism_.view(), auth_user_.view(), result);
}

void SmtpParser::encrypted_data(Direction dir, ByteSpan in) {
    // Not TLS after all is what a server that "upgraded" and carried on in cleartext receives.
    tls_.walk(
        dir, in, stats_.encrypted_bytes[stream::index(dir)],
        [&] {
            anomaly(SmtpAnomaly::StarttlsCleartextContinues);
            encrypted_ = false;
        },
        [&](ByteSpan b) { dir == Direction::ToServer ? client_data(b) : server_data(b); });
}

void SmtpParser::enter_encrypted() {
    encrypted_ = true;
    tls_.begin();
    sink_.on_starttls(Protocol::Smtp);
    tx_open_ = true;
    tx_.starttls = true;
    end_transaction(SmtpTxEnd::Starttls);
    pending_count_ = 0;
}

// ---- transactions ----------------------------------------------------------------------------

void SmtpParser::end_transaction(SmtpTxEnd why) {
    if (message_started_) {  // the message did not reach its end
        mime_.end();
        message_started_ = false;
    }
    tx_.id = static_cast<uint32_t>(stats_.transactions);
    tx_.end = why;
    tx_.helo = helo_.view();
    tx_.ehlo = ehlo_;
    tx_.capabilities = capabilities_;
    tx_.auth_attempted = auth_attempted_;
    tx_.auth_mechanism = auth_mechanism_.view();
    tx_.auth_user = auth_user_.view();
    tx_.auth_result = auth_result_;
    tx_.auth_secret_seen = auth_secret_seen_;
    if (encrypted_) tx_.starttls = true;
    sink_.on_transaction(tx_);
    ++stats_.transactions;

    tx_.clear();
    arena_.clear();
    reported_.reset();
    tx_open_ = false;
    tx_interesting_ = false;
    tx_has_mail_ = false;
    ++tx_seq_;
    if (mode_ == ClientMode::Data) mode_ = ClientMode::Command;
}

// ---- gaps and ends ---------------------------------------------------------------------------

void SmtpParser::on_gap(Direction dir, uint32_t len) {
    ++stats_.gaps;
    stats_.gap_bytes += len;
    if (encrypted_) return;  // nothing is parsed any more: a lost TLS record changes nothing
    anomaly(SmtpAnomaly::StreamGap);
    tx_.gap = true;
    if (dir == Direction::ToClient) {
        reply_lines_.on_gap();
        multiline_ = false;
        pending_count_ = 0;  // which replies were lost is unknown: stop matching until new commands
        reply_resync_ = true;
        return;
    }
    switch (mode_) {
    case ClientMode::Command:
        command_lines_.on_gap();
        break;
    case ClientMode::Data:
        text_lines_.on_gap();
        mime_.on_gap();
        break;
    case ClientMode::BdatChunk:
        text_lines_.on_gap();
        mime_.on_gap();
        if (len <= bdat_remaining_) {
            bdat_remaining_ -= len;  // the chunk length still tells where the next command starts
            if (bdat_remaining_ == 0) end_bdat_chunk();
        } else {
            bdat_remaining_ = 0;
            end_bdat_chunk();
            command_lines_.on_gap();
        }
        break;
    }
}

void SmtpParser::on_end(Direction dir) {
    const int d = stream::index(dir);
    if (ended_[d]) return;
    ended_[d] = true;
    if (!encrypted_) {
        Line line;
        if (dir == Direction::ToClient) {
            while (reply_lines_.flush(line)) reply_line(line);
        } else {
            switch (mode_) {
            case ClientMode::Command:
                while (command_lines_.flush(line)) command_line(line);
                break;
            case ClientMode::Data:
                while (mode_ == ClientMode::Data && text_lines_.flush(line)) data_line(line);
                if (mode_ == ClientMode::Data) anomaly(SmtpAnomaly::DataIncomplete);
                break;
            case ClientMode::BdatChunk:
                anomaly(SmtpAnomaly::BdatSizeMismatch);  // the chunk is shorter than declared
                while (text_lines_.flush(line)) bdat_line(line);
                bdat_remaining_ = 0;
                mode_ = ClientMode::Command;
                break;
            }
        }
    }
    if (tx_open_ && tx_interesting_) {
        if (auth_.active) finish_auth(AuthResult::Pending);
        end_transaction(SmtpTxEnd::SessionEnd);
    }
}

}  // namespace postern::proto
