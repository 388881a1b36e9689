// The compact record a worker sends to the control plane when a session ends, for the detectors
// that need history across sessions (beaconing, dead drops, AUTH abuse, SMTP size). A client's
// sessions land on different workers (the flow hash includes ports), so history cannot live in a
// worker. Trivially copyable: it crosses the worker → control channel as raw bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "output/eve.hpp"
#include "proto/protocol.hpp"

namespace postern::detect {

struct SessionSummary {
    uint64_t flow_id = 0;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    // The worker's clock when it decided the session (its FIN, its timeout, the end of the run):
    // never less than the previous summary of the same worker, so summaries can be merged in time.
    uint64_t decided_ns = 0;
    uint64_t bytes_toserver = 0;  // application bytes
    uint64_t bytes_toclient = 0;
    output::EveEndpoints endpoints;  // src = client
    proto::Protocol protocol = proto::Protocol::Unknown;
    bool handshake = false;  // the session's start was captured (not picked up mid-stream)
    bool quit = false;  // QUIT/LOGOUT sent
    uint8_t user_len = 0;
    uint8_t iface_len = 0;
    char user[40] = {};
    char in_iface[15] = {};
    uint16_t auth_failures = 0;
    uint16_t auth_successes = 0;
    uint16_t appends = 0;
    uint16_t fetched = 0;
    uint16_t deletes = 0;
    uint16_t drafts_appends = 0;
    uint16_t sent_appends = 0;
    uint16_t drafts_pickups = 0;
    uint16_t smtp_messages = 0;
    uint16_t other_mailbox_ops = 0;  // IMAP work outside Drafts and Sent (SessionState::other_mailbox_ops)
    uint64_t opaque_append_bytes = 0;  // APPENDed messages of opaque content, no human text

    std::string_view user_name() const { return {user, user_len}; }
    std::string_view iface() const { return {in_iface, iface_len}; }
    void set_user(std::string_view u) {
        user_len = static_cast<uint8_t>(u.size() < sizeof user ? u.size() : sizeof user);
        if (user_len) std::memcpy(user, u.data(), user_len);  // an empty view may be null
    }
    void set_iface(std::string_view s) {
        iface_len = static_cast<uint8_t>(s.size() < sizeof in_iface ? s.size() : sizeof in_iface);
        if (iface_len) std::memcpy(in_iface, s.data(), iface_len);
    }
};
static_assert(std::is_trivially_copyable_v<SessionSummary>);
static_assert(sizeof(SessionSummary) <= 256, "must fit EventChannel::push");

inline std::string_view as_bytes(const SessionSummary &s) {
    return {reinterpret_cast<const char *>(&s), sizeof s};
}
inline std::optional<SessionSummary> summary_from_bytes(std::string_view b) {
    if (b.size() != sizeof(SessionSummary)) return std::nullopt;
    SessionSummary s;
    std::memcpy(&s, b.data(), sizeof s);
    return s;
}

}  // namespace postern::detect
