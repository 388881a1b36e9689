// Upload asymmetry: an IMAP or POP3 client normally downloads. A session whose client sends
// `ratio` times what it receives, above `min_bytes`, is uploading (APPEND exfiltration, or a
// channel that only looks like POP3/IMAP). An IMAP session that APPENDs at least
// `min_opaque_bytes` of messages with opaque content and no human text (content_shape.hpp) is
// exfiltrating whatever it downloads: stolen data is encoded or encrypted, a person's saved drafts
// and sent copies are not. SMTP is judged against the host's history instead.
#include "detect/session_detectors.hpp"

namespace postern::detect {

bool check_asymmetry(const AsymmetryConfig &c, proto::Protocol p, uint64_t up, uint64_t down, uint64_t opaque_appended,
                     DetectorAlert &out) {
    if (!c.enabled || (p != proto::Protocol::Imap && p != proto::Protocol::Pop3)) return false;
    const bool lopsided = up >= c.min_bytes && up >= (down ? down : 1) * c.ratio;
    if (!lopsided && opaque_appended < c.min_opaque_bytes) return false;
    out = DetectorAlert(DetectorId::UploadAsymmetry);
    out.text("scope", "session")
        .num("bytes_toserver", up)
        .num("bytes_toclient", down)
        .real("ratio", down ? static_cast<double>(up / down) : static_cast<double>(up))
        .num("opaque_append_bytes", opaque_appended)
        .num("min_ratio", c.ratio)
        .num("min_bytes", c.min_bytes)
        .num("min_opaque_bytes", c.min_opaque_bytes);
    return true;
}

}  // namespace postern::detect
