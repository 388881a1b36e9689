// One alert of a behavioural detector: which detector (a stable signature id, 92000xx) and the
// measured values and thresholds that triggered it. Fixed size, no heap: built in the worker
// path and rendered by detector_alert_eve.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "detect/detect_config.hpp"

namespace postern::detect {

enum class DetectorId : uint8_t {
    UploadAsymmetry,
    SmtpSizeOutlier,
    Beaconing,
    NonConformance,
    MailOnOddPort,
    NonMailOnMailPort,
    TlsOnPlainMailPort,
    EncodedHumanField,
    DeadDrop,
    DraftsSharedDrop,
    AuthAbuse,
    CleartextCredentials,
    AttachmentTypeMismatch,
    ImageTrailingData,
    ExecutableAttachment,
    EncryptedArchive,
    ToolEnvelope,
    StreamEvasion,
    StarttlsCleartext,
    Count
};
inline constexpr size_t kDetectors = static_cast<size_t>(DetectorId::Count);
static_assert(kDetectors <= kMaxDetectorActions, "raise kMaxDetectorActions (detect_config.hpp)");

struct DetectorInfo {
    uint32_t signature_id;
    std::string_view name;  // short name, e.g. "beaconing" (docs/detections.md, tests)
    std::string_view title;  // EVE alert.signature
    uint8_t severity;  // 1 high … 3 low
    bool exfiltration;  // adds TA0010 / T1048.003
};
const DetectorInfo &detector_info(DetectorId id);

struct EvidenceItem {
    enum class Kind : uint8_t { None, Uint, Real, Text, Bool };
    static constexpr size_t kMaxText = 96;
    std::string_view key;  // static string
    Kind kind = Kind::None;
    uint64_t u = 0;
    double d = 0;
    uint8_t len = 0;
    char text[kMaxText];
};

struct DetectorAlert {
    static constexpr size_t kMaxEvidence = 12;
    DetectorId id = DetectorId::Count;
    uint8_t count = 0;
    std::array<EvidenceItem, kMaxEvidence> evidence;

    DetectorAlert() = default;
    explicit DetectorAlert(DetectorId d) : id(d) {}
    EvidenceItem *add(std::string_view key, EvidenceItem::Kind kind) {
        if (count == kMaxEvidence) return nullptr;
        EvidenceItem &e = evidence[count++];
        e.key = key, e.kind = kind;
        return &e;
    }
    DetectorAlert &num(std::string_view key, uint64_t v) {
        if (auto *e = add(key, EvidenceItem::Kind::Uint)) e->u = v;
        return *this;
    }
    DetectorAlert &real(std::string_view key, double v) {
        if (auto *e = add(key, EvidenceItem::Kind::Real)) e->d = v;
        return *this;
    }
    DetectorAlert &flag(std::string_view key, bool v) {
        if (auto *e = add(key, EvidenceItem::Kind::Bool)) e->u = v;
        return *this;
    }
    // Cut to kMaxText bytes (the EVE writer escapes what is not UTF-8).
    DetectorAlert &text(std::string_view key, std::string_view v) {
        if (auto *e = add(key, EvidenceItem::Kind::Text)) {
            e->len = static_cast<uint8_t>(v.size() < EvidenceItem::kMaxText ? v.size() : EvidenceItem::kMaxText);
            if (e->len) std::memcpy(e->text, v.data(), e->len);  // an empty view may be null
        }
        return *this;
    }
};

}  // namespace postern::detect
