#include "proto/smtp/smtp_parser.hpp"

#include "proto/common/ascii.hpp"
#include "proto/common/binary_text.hpp"

namespace postern::proto {

using stream::Direction;

namespace {

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

// A line that starts with a verb we know, as opposed to a SASL response.
bool is_command(std::string_view line) { return classify_smtp_verb(ascii::split_word(line).word) != SmtpVerb::Unknown; }

bool parse_reply_code(std::string_view text, uint16_t &code, char &sep) {
    if (text.size() < 3) return false;
    const char a = text[0], b = text[1], c = text[2];
    if (a < '2' || a > '5' || b < '0' || b > '5' || !ascii::is_digit(c)) return false;
    code = static_cast<uint16_t>((a - '0') * 100 + (b - '0') * 10 + (c - '0'));
    sep = text.size() > 3 ? text[3] : ' ';
    return sep == ' ' || sep == '-';
}

}  // namespace

SmtpParser::SmtpParser(EventSink &sink, const SmtpLimits &limits)
    : LineSession(sink),
      limits_(limits.clamped()),
      command_lines_(limits_.command_line),
      reply_lines_(limits_.reply_line),
      text_lines_(limits_.text_line),
      mime_(limits_.mime, sink, arena_) {
    text_lines_.set_report_middle(true);  // the message parser takes long lines in pieces
}

void SmtpParser::server_data(ByteSpan in) {
    Line line;
    while (parsing() && reply_lines_.next(in, line)) {
        reply_line(line);
        server_line_done();
    }
    if (!parsing()) read(Direction::ToClient, in);  // STARTTLS was accepted
}

void SmtpParser::client_data(ByteSpan in) {
    Line line;
    while (parsing()) {
        switch (mode_) {
        case ClientMode::Command:
            if (!command_lines_.next(in, line)) return;
            command_line(line);
            break;
        case ClientMode::Data:
            text_lines_.set_max_line(content_line_limit());
            if (message_started_ && !pipelining_data_early()) mime_.count_body_lines(in, text_lines_);
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
    read(Direction::ToServer, in);  // STARTTLS was accepted
}

// ---- client commands -------------------------------------------------------------------------

void SmtpParser::auth_response(std::string_view text, bool initial) {
    ++stats_.auth_responses;
    const AuthResponseInfo info = auth_.take_response(text, !initial);
    if (!info.cancelled && !info.valid_base64) anomaly(SmtpAnomaly::InvalidAuthEncoding);
    if (!info.cancelled && info.has_user) sink_.on_field(Field::SmtpAuthUser, auth_.user.view());
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

    auth_.attempt(split.word);
    sink_.on_field(Field::SmtpAuthMechanism, auth_.mechanism.view());
    auth_.user.clear();
    auth_attempted_ = true;
    const std::string_view initial = ascii::trim(split.rest);
    auth_.sasl.start(split.word, !initial.empty());
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
    if (line.bare_lf()) anomaly(SmtpAnomaly::BareLf);
    const std::string_view text = line.text;

    if (auth_.sasl.takes(text, is_command)) {
        auth_response(text, false);
        return;
    }
    // The client moved on without finishing the exchange (or we lost the server side).
    auth_.sasl.stop();

    const auto [verb_text, args] = ascii::split_word(text);
    SmtpVerb verb = classify_smtp_verb(verb_text);
    ++stats_.commands;
    if (has_binary(text)) anomaly(SmtpAnomaly::BinaryInCommand);
    // RFC 3207 4.2. Only with the server side in view: on a one-sided capture nothing is answered.
    if (starttls_pending_ && stats_.replies > 0) anomaly(SmtpAnomaly::InvalidPipelinedSequence);
    sink_.on_command({Protocol::Smtp, static_cast<uint8_t>(verb), smtp_verb_name(verb), verb == SmtpVerb::Quit});

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
    return limits_.message_line(!message_started_ || mime_.in_headers());
}

void SmtpParser::start_message() {
    if (message_started_) return;
    mime_.begin(tx_.message, next_tx_id());
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
    if (line.bare_lf()) anomaly(SmtpAnomaly::BareLf);  // RFC 5321 2.3.8; SMTP smuggling
    if (pipelining_data_early()) anomaly(SmtpAnomaly::InvalidPipelinedSequence);
    if (line.starts_line() && line.text == ".") {  // end of data (RFC 5321 4.1.1.4)
        start_message();  // an empty message is still a message
        mime_.end();
        message_started_ = false;
        tx_.message_complete = true;
        mode_ = ClientMode::Command;
        push_pending(SmtpVerb::DataEnd);
        return;
    }
    if (line.starts_line() && !line.text.empty() && line.text.front() == '.') {
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
            capabilities_ |= capability_bit(kSmtpCapabilities, keyword);
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
        if (auth_.sasl.active()) auth_.sasl.on_challenge();
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
        if (auth_attempted_ && auth_.result == AuthResult::Pending)
            auth_.finish(code == 235 ? AuthResult::Success
                         : auth_.sasl.cancelled() ? AuthResult::Aborted
                                                  : AuthResult::Failure,
                         sink_, Protocol::Smtp);
        break;
    case SmtpVerb::Starttls:
        starttls_pending_ = false;
        if (code == 220) enter_encrypted();
        break;
    default:
        break;
    }
}

void SmtpParser::enter_encrypted() {
    start_tls(Protocol::Smtp);
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
    tx_.end = why;
    tx_.helo = helo_.view();
    tx_.ehlo = ehlo_;
    tx_.capabilities = capabilities_;
    tx_.auth_attempted = auth_attempted_;
    tx_.auth_user = auth_.user.view();
    auth_.write_to(tx_);
    if (encrypted()) tx_.starttls = true;
    emit_transaction(tx_);

    tx_.clear();
    arena_.clear();
    tx_open_ = false;
    tx_interesting_ = false;
    tx_has_mail_ = false;
    ++tx_seq_;
    if (mode_ == ClientMode::Data) mode_ = ClientMode::Command;
}

// ---- gaps and ends ---------------------------------------------------------------------------

void SmtpParser::after_gap(Direction dir, uint32_t len) {
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

void SmtpParser::after_end(Direction dir) {
    if (parsing()) {
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
        if (auth_.sasl.active()) auth_.finish(AuthResult::Pending, sink_, Protocol::Smtp);
        end_transaction(SmtpTxEnd::SessionEnd);
    }
}

}  // namespace postern::proto
