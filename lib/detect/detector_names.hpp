// Detector short names by DetectorId: evidence.detector in alerts, detect.<name> in the config,
// docs/detections.md. Header-only so the config reader knows them. Never rename: analysts and
// configs key on them.
#pragma once

#include <array>
#include <string_view>

#include "detect/detector_alert.hpp"

namespace postern::detect {

inline constexpr std::array<std::string_view, kDetectors> kDetectorNames = {
    "upload_asymmetry",
    "smtp_size_outlier",
    "beaconing",
    "nonconformance",
    "mail_on_odd_port",
    "non_mail_on_mail_port",
    "tls_on_plain_mail_port",
    "encoded_human_field",
    "dead_drop",
    "drafts_shared_drop",
    "auth_abuse",
    "cleartext_credentials",
    "attachment_type_mismatch",
    "image_trailing_data",
    "executable_attachment",
    "encrypted_archive",
    "tool_envelope",
    "stream_evasion",
    "starttls_cleartext",
};

}  // namespace postern::detect
