// Thresholds of the behavioural detectors (config section `detect`, docs/detections.md). Plain
// values with their defaults; config.cpp reads and range-checks them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace postern::detect {

struct AsymmetryConfig {  // IMAP/POP3 client uploading far more than it downloads
    bool enabled = true;
    uint64_t min_bytes = 1u << 20;  // client→server application bytes
    uint32_t ratio = 10;            // client→server / server→client
    // APPENDed messages of opaque content with no human text (content_shape.hpp): in one session,
    // and per (client, user) within window_s across sessions (history).
    uint64_t min_opaque_bytes = 96u << 10;
    uint64_t min_opaque_total_bytes = 256u << 10;
    uint32_t window_s = 3600;
};

struct NonConformanceConfig {
    bool enabled = true;
    uint32_t min_unknown_commands = 3;
    uint32_t unknown_share_percent = 25;  // of all commands
    uint32_t min_binary_lines = 2;        // command lines with control bytes or invalid UTF-8
    uint32_t min_overlong_lines = 2;
    uint32_t min_invalid_replies = 3;     // replies that break the grammar (or look like commands)
    uint32_t min_after_quit = 1;          // commands after QUIT/LOGOUT
};

struct PortConfig {  // mail on odd ports, other traffic (or bare TLS) on mail ports
    bool enabled = true;
};

struct EncodedFieldConfig {  // base64/hex-shaped high-entropy tokens where people write
    bool enabled = true;
    uint32_t min_length = 32;          // characters of one whitespace-free token
    uint32_t min_entropy_centibits = 420;  // Shannon entropy per character × 100 (base64 shape)
    uint32_t min_hex_entropy_centibits = 300;  // hex shape (at most 400)
    uint32_t min_message_id_length = 128;  // Message-ID local parts are random by design: only long ones
};

struct AttachmentConfig {
    bool enabled = true;
    uint32_t min_trailing_bytes = 64;  // bytes after a JPEG EOI / PNG IEND to call it stego
};

struct EnvelopeConfig {  // tool-sent mail shape
    bool enabled = true;
    uint32_t min_indicators = 2;
};

struct CleartextAuthConfig {  // credentials on an unencrypted session (informational)
    bool enabled = false;
};

struct BeaconConfig {
    bool enabled = true;
    uint32_t min_sessions = 12;
    uint32_t max_jitter_percent = 25;  // median absolute deviation of intervals / median interval
    uint32_t max_spread_percent = 60;  // (90th - 10th percentile interval) / median interval
    uint32_t min_period_s = 1;
    uint32_t max_period_s = 240;
    uint32_t realert_s = 3600;
};

struct DeadDropConfig {
    bool enabled = true;
    uint32_t min_sessions = 3;     // dead-drop-shaped sessions of one client/user in the window
    uint32_t window_s = 3600;
    uint32_t max_session_s = 120;  // "short" session
    uint32_t min_shared_exchanges = 2;  // Drafts: sessions of the other client after a drop
};

struct AuthAbuseConfig {
    bool enabled = true;
    uint32_t min_failures = 10;
    uint32_t window_s = 600;
};

struct SmtpSizeConfig {  // an SMTP upload far above the host's own history
    bool enabled = true;
    uint32_t min_history = 8;
    uint32_t ratio = 20;             // × the largest upload in the history
    uint64_t min_bytes = 1u << 20;
};

struct EvasionConfig {  // TCP tricks (stream.overlap_different_data) and fake STARTTLS
    bool enabled = true;
};

struct HistoryConfig {  // bounded tables of the control-plane detectors
    uint32_t max_keys = 16384;  // per table; the least recently used key is evicted
};

// What a detector's alert does to its flow (detect.<detector name>.action), as a rule's action:
// in inline mode drop and reject block the flow. Default: alert, so nothing is dropped until an
// operator opts in.
enum class AlertAction : uint8_t { Alert, Drop, Reject };
inline constexpr size_t kMaxDetectorActions = 32;  // >= detect::kDetectors

struct DetectConfig {
    AsymmetryConfig asymmetry;
    NonConformanceConfig nonconformance;
    PortConfig ports;
    EncodedFieldConfig encoded_fields;
    AttachmentConfig attachments;
    EnvelopeConfig envelope;
    CleartextAuthConfig cleartext_auth;
    BeaconConfig beacon;
    DeadDropConfig dead_drop;
    AuthAbuseConfig auth_abuse;
    SmtpSizeConfig smtp_size;
    EvasionConfig evasion;
    HistoryConfig history;
    std::array<AlertAction, kMaxDetectorActions> actions{};  // by DetectorId
};

}  // namespace postern::detect
