// Encoded data where people write: a long base64/hex-shaped, high-entropy token (or raw binary)
// in a Subject, a display name, a custom X- header, an IMAP mailbox name or an SMTP HELO. Mail
// C2 hides commands and stolen data in exactly these fields (docs/detections.md).
#include "detect/session_detectors.hpp"
#include "detect/text_shape.hpp"
#include "proto/common/ascii.hpp"

namespace postern::detect {

bool provider_header(std::string_view name) {
    static constexpr std::string_view kPrefixes[] = {
        "X-MS-", "X-Microsoft-", "X-Forefront-", "X-Google-", "X-Gm-", "X-Received", "X-SG-", "X-Mailgun-",
        "X-SES-", "X-Amazon-", "X-Proofpoint-", "X-Mimecast-", "X-Barracuda-", "X-IronPort-", "X-Spam-",
        "X-Virus-", "X-ME-", "X-Originating-", "X-Auth-", "X-Report-Abuse", "X-CSA-", "X-MC-", "X-Feedback-"};
    for (std::string_view p : kPrefixes)
        if (proto::ascii::istarts_with(name, p)) return true;
    return false;
}

bool check_encoded_field(const EncodedFieldConfig &c, std::string_view where, std::string_view name,
                         std::string_view value, DetectorAlert &out) {
    if (!c.enabled || value.size() < c.min_length) return false;
    const EncodedToken t = find_encoded_token(value, c.min_length, c.min_entropy_centibits / 100.0,
                                              c.min_hex_entropy_centibits / 100.0);
    if (t.shape == TokenShape::Text) return false;
    out = DetectorAlert(DetectorId::EncodedHumanField);
    out.text("field", where);
    if (!name.empty()) out.text("header", name);
    out.text("shape", token_shape_name(t.shape))
        .num("token_length", t.token.size())
        .real("entropy_bits_per_char", static_cast<double>(static_cast<int>(t.entropy * 100)) / 100)
        .text("value_prefix", t.token.substr(0, 64))
        .num("min_length", c.min_length)
        .real("min_entropy", (t.shape == TokenShape::Hex ? c.min_hex_entropy_centibits : c.min_entropy_centibits) / 100.0);
    return true;
}

}  // namespace postern::detect
