// The per-session detectors, one file each. Each returns true and fills `out` when it fires.
// They read what the DetectingSink collected (SessionState) or the event at hand; none allocates.
#pragma once

#include <cstdint>
#include <string_view>

#include "detect/detect_config.hpp"
#include "detect/detector_alert.hpp"
#include "detect/session_state.hpp"
#include "proto/events.hpp"

namespace postern::proto {
struct SmtpTransaction;
}

namespace postern::detect {

// encoded_fields.cpp: `where` names the field ("email.subject", "email.header", ...); `name`
// the header for custom headers.
bool check_encoded_field(const EncodedFieldConfig &c, std::string_view where, std::string_view name,
                         std::string_view value, DetectorAlert &out);
// The local part of a Message-ID: mail programs make it random (Gmail's are 60 base64-like
// characters), so only one of min_message_id_length or more that is an encoded token counts.
bool check_message_id(const EncodedFieldConfig &c, std::string_view value, DetectorAlert &out);
// True for X- headers that providers fill with opaque tokens (anti-spam verdicts, tenant ids).
bool provider_header(std::string_view name);

// attachments.cpp: type mismatch, executables/scripts, encrypted archives, image trailing data.
// Returns the number of alerts written to out[0..n) (at most 2).
int check_part(const AttachmentConfig &c, const proto::MimePartEnd &part, DetectorAlert out[2]);

// envelope.cpp: tool-sent mail shape. `submission`: port 587 or an authenticated session;
// `long_encoded_line`: one of the message's parts had one (MimePartEnd::long_encoded_line).
bool check_envelope(const EnvelopeConfig &c, const proto::SmtpTransaction &tx, bool submission,
                    bool long_encoded_line, DetectorAlert &out);
// The same signs on a message a client APPENDs over IMAP (it composed it).
bool check_appended_message(const EnvelopeConfig &c, const proto::EmailMessage &m, bool long_encoded_line,
                            DetectorAlert &out);

// nonconformance.cpp
bool check_nonconformance(const NonConformanceConfig &c, const SessionState &s, DetectorAlert &out);
// Feeds one anomaly name into the session's non-conformance counts.
void count_anomaly(SessionState &s, const proto::AnomalyEvent &anomaly);
// Command lines with control bytes or invalid UTF-8.
bool binary_line(std::string_view line);

// asymmetry.cpp
bool check_asymmetry(const AsymmetryConfig &c, proto::Protocol p, uint64_t up, uint64_t down, uint64_t opaque_appended,
                     DetectorAlert &out);

// ports.cpp: the app layer's port anomalies as alerts.
bool check_port_anomaly(const PortConfig &c, const proto::AnomalyEvent &anomaly, uint16_t port, DetectorAlert &out);

}  // namespace postern::detect
