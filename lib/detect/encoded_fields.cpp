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

namespace {

// X-Campaign-ID, X-Request-Id, X-Entity-ID: bulk senders and services label mail with a hex id (a
// UUID, an MD5 or SHA-256 of something). Up to 64 hex digits in such a header is an identifier;
// longer runs, and base64 anywhere, still count.
constexpr size_t kMaxIdentifierHex = 64;

bool identifier_header(std::string_view name) {
    return name.size() > 3 && proto::ascii::iequals(name.substr(name.size() - 3), "-id");
}

}  // namespace

bool check_encoded_field(const EncodedFieldConfig &c, std::string_view where, std::string_view name,
                         std::string_view value, DetectorAlert &out) {
    if (!c.enabled || value.size() < c.min_length) return false;
    const EncodedToken t = find_encoded_token(value, c.min_length, c.min_entropy_centibits / 100.0,
                                              c.min_hex_entropy_centibits / 100.0);
    if (t.shape == TokenShape::Text) return false;
    if (t.shape == TokenShape::Hex && t.token.size() <= kMaxIdentifierHex && identifier_header(name)) return false;
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

bool check_message_id(const EncodedFieldConfig &c, std::string_view value, DetectorAlert &out) {
    std::string_view local = value;
    while (!local.empty() && (local.front() == '<' || local.front() == ' ')) local.remove_prefix(1);
    local = local.substr(0, local.find('@'));
    if (local.size() < c.min_message_id_length) return false;
    EncodedFieldConfig longer = c;
    longer.min_length = c.min_message_id_length;
    return check_encoded_field(longer, "email.message_id", {}, local, out);
}

}  // namespace postern::detect
