#include "detect/detecting_sink.hpp"

#include "detect/content_shape.hpp"

#include "detect/session_detectors.hpp"
#include "proto/common/ascii.hpp"
#include "proto/imap/imap_transaction.hpp"
#include "proto/pop3/pop3_transaction.hpp"
#include "proto/smtp/smtp_transaction.hpp"

namespace postern::detect {

namespace {

// Drafts, INBOX.Drafts, [Gmail]/Drafts, Entwürfe is missed: a name, not a special-use flag.
bool drafts_mailbox(std::string_view name) { return proto::ascii::ifind(name, "draft") != std::string_view::npos; }

bool has_flag(const proto::ImapTransaction &tx, std::string_view flag) {
    for (std::string_view f : tx.flags)
        if (proto::ascii::iequals(f, flag)) return true;
    return false;
}

// "Name" <a@b> → Name; no angle brackets → empty (a bare address has no display name).
std::string_view display_name(std::string_view v) {
    const size_t lt = v.rfind('<');
    if (lt == std::string_view::npos) return {};
    v = v.substr(0, lt);
    while (!v.empty() && (v.back() == ' ' || v.back() == '"')) v.remove_suffix(1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '"')) v.remove_prefix(1);
    return v;
}

// "Sent", "Sent Items", "INBOX.Sent", "[Gmail]/Sent Mail": the last level of the name starts with
// "sent" ("Consent" is not one).
bool sent_mailbox(std::string_view name) {
    const size_t cut = name.find_last_of("/.");
    return proto::ascii::istarts_with(cut == std::string_view::npos ? name : name.substr(cut + 1), "sent");
}

// The folders a mail program writes its own copies to.
bool own_folder(std::string_view name) { return drafts_mailbox(name) || sent_mailbox(name); }

// IMAP work outside Drafts and Sent: another mailbox selected or examined, read, changed or
// appended to, or IDLE (SessionState::other_mailbox_ops).
bool outside_own_folders(const proto::ImapTransaction &tx) {
    using V = proto::ImapVerb;
    switch (tx.verb) {
    case V::Append: return !own_folder(tx.mailbox) && !has_flag(tx, "\\Draft");
    case V::Select: case V::Examine: return !own_folder(tx.mailbox);
    case V::Idle: return true;
    case V::Fetch: case V::Store: case V::Search: case V::Expunge:
        return !tx.selected.empty() && !own_folder(tx.selected);
    default: return false;
    }
}

}  // namespace

void DetectingSink::emit(const DetectorAlert &a, const AppObject &app) {
    ++alerts_[static_cast<size_t>(a.id)];
    out_.on_detector_alert(a, app);
}

void DetectingSink::defer(const DetectorAlert &a) {
    if (!state_ || state_->has_alerted(a.id)) return;
    state_->mark(a.id);
    if (state_->pending_count < SessionState::kMaxPending) {
        state_->pending[state_->pending_count++] = a;
        return;
    }
    ++state_->pending_dropped;  // no room to wait: out now, without the transaction
    emit(a, {});
}

void DetectingSink::flush(const AppObject &app, bool gap) {
    if (!state_) return;
    // After a gap the parser resynchronises at a guess (a lost "." joins two messages): nothing
    // message-level of the rest of the session is evidence either.
    gap = gap || state_->gap;
    for (uint8_t i = 0; i < state_->pending_count; ++i) {
        const DetectorAlert &a = state_->pending[i];
        if (!gap) {
            emit(a, app);
            continue;
        }
        // A message that lost bytes is no evidence (a cut header, a misread image tail): withdraw
        // the alert.
        ++state_->suppressed_by_gap;
        state_->alerted &= ~(1u << static_cast<unsigned>(a.id));
    }
    state_->pending_count = 0;
}

void DetectingSink::set_user(std::string_view user) {
    if (!state_ || user.empty()) return;
    const size_t n = user.size() < SessionState::kMaxUser ? user.size() : SessionState::kMaxUser;
    for (size_t i = 0; i < n; ++i) state_->user[i] = user[i];
    state_->user_len = static_cast<uint8_t>(n);
}

void DetectingSink::on_anomaly(const proto::AnomalyEvent &anomaly) {
    using proto::AnomalyKind;
    // Evasions: the stream layer reports each once per flow, so they alert whatever the session.
    if (config_.evasion.enabled && anomaly.kind == AnomalyKind::OverlapDifferentData) {
        DetectorAlert a(DetectorId::StreamEvasion);
        a.text("anomaly", anomaly.name);
        if (!state_ || !state_->has_alerted(a.id)) {
            if (state_) state_->mark(a.id);
            emit(a, {});
        }
    }
    if (config_.evasion.enabled && state_ && anomaly.kind == AnomalyKind::StarttlsCleartext &&
        !state_->has_alerted(DetectorId::StarttlsCleartext)) {
        DetectorAlert a(DetectorId::StarttlsCleartext);
        a.text("anomaly", anomaly.name);
        state_->mark(a.id);
        emit(a, {});
    }
    if (state_) {
        if (anomaly.kind == AnomalyKind::StreamGap) state_->gap = true;
        count_anomaly(*state_, anomaly);
        DetectorAlert a;
        // A session picked up mid-stream cannot be judged "not mail" by its first bytes.
        const bool judged = !(state_->midstream && anomaly.kind == AnomalyKind::NonMailOnMailPort);
        if (judged && check_port_anomaly(config_.ports, anomaly, state_->server_port, a) && !state_->has_alerted(a.id)) {
            state_->mark(a.id);
            emit(a, {});
        }
    }
    if (next_) next_->on_anomaly(anomaly);
}

void DetectingSink::on_field(proto::Field field, std::string_view value) {
    if (state_) {
        using F = proto::Field;
        const auto &c = config_.encoded_fields;
        DetectorAlert a;
        bool hit = false;
        switch (field) {
        case F::SmtpHelo: hit = check_encoded_field(c, "smtp.helo", {}, value, a); break;
        case F::ImapMailbox: hit = check_encoded_field(c, "imap.mailbox", {}, value, a); break;
        case F::EmailSubject: hit = check_encoded_field(c, "email.subject", {}, value, a); break;
        case F::EmailMessageId: hit = check_message_id(c, value, a); break;
        case F::EmailFrom:
        case F::EmailTo:
        case F::EmailCc: hit = check_encoded_field(c, "email.display_name", {}, display_name(value), a); break;
        case F::SmtpCommandLine:
        case F::Pop3CommandLine:
        case F::ImapCommandLine:
            if (binary_line(value)) ++state_->binary_lines;
            break;
        case F::SmtpAuthUser:
        case F::Pop3User:
        case F::ImapUser: set_user(value); break;
        default: break;
        }
        if (hit) defer(a);
    }
    if (next_) next_->on_field(field, value);
}

void DetectingSink::on_header(std::string_view name, std::string_view value) {
    if (state_ && proto::ascii::istarts_with(name, "X-") && !provider_header(name)) {
        DetectorAlert a;
        if (check_encoded_field(config_.encoded_fields, "email.header", name, value, a)) defer(a);
    }
    if (next_) next_->on_header(name, value);
}

void DetectingSink::on_command(const proto::CommandEvent &command) {
    if (state_) {
        ++state_->commands;
        if (command.unknown()) ++state_->unknown_commands;
        if (state_->quit_seen) ++state_->after_quit;
        if (command.ends_session) state_->quit_seen = true;
    }
    if (next_) next_->on_command(command);
}

void DetectingSink::on_reply(proto::Protocol protocol, std::string_view status) {
    if (next_) next_->on_reply(protocol, status);
}

void DetectingSink::on_auth(proto::Protocol protocol, std::string_view mechanism, std::string_view user,
                            proto::AuthResult result) {
    if (state_) {
        if (result == proto::AuthResult::Failure && state_->auth_failures < UINT16_MAX) ++state_->auth_failures;
        if (result == proto::AuthResult::Success && state_->auth_successes < UINT16_MAX) ++state_->auth_successes;
        if (!state_->starttls) state_->credentials_sent = true;
        set_user(user);
    }
    if (next_) next_->on_auth(protocol, mechanism, user, result);
}

void DetectingSink::on_starttls(proto::Protocol protocol) {
    if (state_) state_->starttls = true;
    if (next_) next_->on_starttls(protocol);
}

void DetectingSink::on_part_end(const proto::MimePartEnd &part) {
    if (state_) {
        const ContentShape shape = content_shape(part);
        state_->message_human = state_->message_human || shape == ContentShape::Human;
        state_->message_opaque = state_->message_opaque || shape == ContentShape::Opaque;
        state_->message_long_line = state_->message_long_line || part.long_encoded_line;
        DetectorAlert a[2];
        const int n = check_part(config_.attachments, part, a);
        for (int i = 0; i < n; ++i) defer(a[i]);
    }
    if (next_) next_->on_part_end(part);
}

void DetectingSink::on_transaction(const proto::SmtpTransaction &tx) {
    if (state_) {
        if (tx.has_message && state_->smtp_messages < UINT16_MAX) ++state_->smtp_messages;
        const bool submission = state_->server_port == 587 || tx.auth_result == proto::AuthResult::Success;
        const bool gap = tx.gap || (tx.has_message && !tx.message.complete);
        DetectorAlert a;
        if (!gap && check_envelope(config_.envelope, tx, submission, state_->message_long_line, a)) defer(a);
        state_->message_long_line = false;
        AppObject app;
        app.smtp = &tx;
        flush(app, gap);
    }
    if (next_) next_->on_transaction(tx);
}

void DetectingSink::on_transaction(const proto::Pop3Transaction &tx) {
    if (state_) {
        const bool ok = tx.status == proto::Pop3Status::Ok;
        if (ok && (tx.verb == proto::Pop3Verb::Retr || tx.verb == proto::Pop3Verb::Top)) ++state_->fetched;
        if (ok && tx.verb == proto::Pop3Verb::Dele) ++state_->deletes;
        AppObject app;
        app.pop3 = &tx;
        flush(app, tx.gap);
    }
    if (next_) next_->on_transaction(tx);
}

void DetectingSink::on_transaction(const proto::ImapTransaction &tx) {
    if (state_ && tx.has_command) {
        using V = proto::ImapVerb;
        const bool in_drafts = drafts_mailbox(tx.selected);
        if (outside_own_folders(tx)) ++state_->other_mailbox_ops;
        if (tx.verb == V::Append) {
            ++state_->appends;
            if (drafts_mailbox(tx.mailbox) || has_flag(tx, "\\Draft")) ++state_->drafts_appends;
            else if (sent_mailbox(tx.mailbox)) ++state_->sent_appends;
            if (tx.message != nullptr && state_->message_opaque && !state_->message_human)
                state_->opaque_append_bytes += tx.message->size;
            DetectorAlert a;
            if (tx.message != nullptr && !tx.gap && tx.message->complete &&
                check_appended_message(config_.envelope, *tx.message, state_->message_long_line, a))
                defer(a);
        } else if (tx.verb == V::Fetch && tx.message != nullptr) {
            ++state_->fetched;
            if (in_drafts) ++state_->drafts_pickups;
        } else if ((tx.verb == V::Store && has_flag(tx, "\\Deleted") && !tx.store_action.starts_with("-")) ||
                   tx.verb == V::Expunge) {
            ++state_->deletes;
            if (in_drafts) ++state_->drafts_pickups;
        }
    }
    if (state_) {
        state_->message_human = state_->message_opaque = state_->message_long_line = false;  // the next message afresh
        AppObject app;
        app.imap = &tx;
        flush(app, tx.gap);
    }
    if (next_) next_->on_transaction(tx);
}

void DetectingSink::finish_session(SessionState *state, const SessionEnd &end) {
    SessionState *saved = state_;
    state_ = state;
    if (state) {
        flush({}, state->gap);
        DetectorAlert a;
        auto once = [&](bool fired) {
            if (fired && !state->has_alerted(a.id)) state->mark(a.id), emit(a, {});
        };
        once(check_asymmetry(config_.asymmetry, end.protocol, end.bytes_toserver, end.bytes_toclient,
                             state->opaque_append_bytes, a));
        // Lost bytes and mid-stream pickups make any parser see "invalid" lines: not judged.
        if (!state->gap && !state->midstream) once(check_nonconformance(config_.nonconformance, *state, a));
        if (config_.cleartext_auth.enabled && state->credentials_sent) {
            a = DetectorAlert(DetectorId::CleartextCredentials);
            a.text("user", state->user_name()).num("server_port", state->server_port);
            once(true);
        }
    }
    state_ = saved;
    if (end.protocol == proto::Protocol::Unknown) return;
    // Field by field: the summary is a flat record that crosses the channel as bytes, where
    // SessionEnd holds views (the interface name) into the worker's memory.
    SessionSummary s;
    s.flow_id = end.flow_id;
    s.start_ns = end.start_ns;
    s.end_ns = end.end_ns;
    s.decided_ns = end.decided_ns;
    s.bytes_toserver = end.bytes_toserver;
    s.bytes_toclient = end.bytes_toclient;
    s.endpoints = end.endpoints;
    s.protocol = end.protocol;
    s.handshake = end.handshake;
    s.set_iface(end.in_iface);
    if (state) {
        s.quit = state->quit_seen;
        s.set_user(state->user_name());
        s.auth_failures = state->auth_failures;
        s.auth_successes = state->auth_successes;
        s.appends = state->appends;
        s.fetched = state->fetched;
        s.deletes = state->deletes;
        s.drafts_appends = state->drafts_appends;
        s.sent_appends = state->sent_appends;
        s.drafts_pickups = state->drafts_pickups;
        s.other_mailbox_ops = state->other_mailbox_ops;
        s.opaque_append_bytes = state->opaque_append_bytes;
        s.smtp_messages = state->smtp_messages;
    }
    out_.on_session_summary(s);
}

}  // namespace postern::detect
