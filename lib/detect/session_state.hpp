// What the per-session detectors keep about one application-layer session: counts fed by the
// DetectingSink as the parser reports, alerts waiting for the transaction they belong to, and
// which detectors already alerted. Fixed size: one lives in each app-layer slot.
#pragma once

#include <cstdint>
#include <string_view>

#include "detect/detector_alert.hpp"
#include "proto/protocol.hpp"

namespace postern::detect {

struct SessionState {
    static constexpr size_t kMaxPending = 2;
    static constexpr size_t kMaxUser = 48;

    proto::Protocol protocol = proto::Protocol::Unknown;
    uint16_t server_port = 0;
    bool midstream = false;  // picked up mid-session: its first bytes say nothing about the protocol
    bool gap = false;  // bytes were lost: the parser resynchronised, its counts are not evidence

    // Non-conformance.
    uint32_t commands = 0;
    uint32_t unknown_commands = 0;
    uint32_t binary_lines = 0;
    uint32_t overlong_lines = 0;
    uint32_t invalid_replies = 0;
    uint32_t after_quit = 0;
    bool quit_seen = false;

    // Authentication.
    uint16_t auth_failures = 0;
    uint16_t auth_successes = 0;
    bool credentials_sent = false;  // an AUTH/LOGIN/USER-PASS exchange before STARTTLS
    bool starttls = false;
    char user[kMaxUser] = {};
    uint8_t user_len = 0;

    // Mailbox use (dead drops).
    uint16_t appends = 0;
    uint16_t fetched = 0;  // messages fetched (IMAP FETCH, POP3 RETR/TOP)
    uint16_t deletes = 0;  // IMAP STORE \Deleted, EXPUNGE; POP3 DELE
    uint16_t drafts_appends = 0;
    uint16_t sent_appends = 0;  // APPENDs to a Sent folder: a mail program's copy of what it sent
    uint16_t drafts_pickups = 0;  // fetches or deletes in a Drafts mailbox
    // IMAP work outside Drafts and Sent (another mailbox selected, examined, read, changed or
    // appended to, IDLE): what a person's mail client does and a dead-drop tool has no reason to.
    uint16_t other_mailbox_ops = 0;
    // IMAP APPEND of opaque content: the parts of the message in flight (content_shape.hpp), and
    // the bytes of appended messages with an opaque part and no human text.
    bool message_human = false, message_opaque = false;
    bool message_long_line = false;  // a part of the message in flight had an over-long encoded line
    uint64_t opaque_append_bytes = 0;
    uint16_t smtp_messages = 0;

    // Alerts.
    uint32_t alerted = 0;  // bit per DetectorId: one alert per detector and session
    uint8_t pending_count = 0;
    uint16_t pending_dropped = 0;
    uint16_t suppressed_by_gap = 0;  // message alerts withdrawn because the message lost bytes
    DetectorAlert pending[kMaxPending];

    void reset(proto::Protocol p, uint16_t port) {
        // Field by field: the pending alerts (most of the object) need no clearing.
        protocol = p, server_port = port, midstream = false, gap = false;
        commands = unknown_commands = binary_lines = overlong_lines = invalid_replies = after_quit = 0;
        quit_seen = credentials_sent = starttls = false;
        auth_failures = auth_successes = 0;
        user_len = 0;
        appends = fetched = deletes = drafts_appends = sent_appends = drafts_pickups = smtp_messages = other_mailbox_ops = 0;
        message_human = message_opaque = message_long_line = false, opaque_append_bytes = 0;
        alerted = 0, pending_count = 0, pending_dropped = 0, suppressed_by_gap = 0;
    }
    std::string_view user_name() const { return {user, user_len}; }
    bool has_alerted(DetectorId id) const { return alerted & (1u << static_cast<unsigned>(id)); }
    void mark(DetectorId id) { alerted |= 1u << static_cast<unsigned>(id); }
};

}  // namespace postern::detect
