// Upload asymmetry: an IMAP or POP3 client normally downloads. A session whose client sends
// `ratio` times what it receives, above `min_bytes`, is uploading (APPEND exfiltration, or a
// channel that only looks like POP3/IMAP). SMTP is judged against the host's history instead.
#include "detect/session_detectors.hpp"

namespace postern::detect {

bool check_asymmetry(const AsymmetryConfig &c, proto::Protocol p, uint64_t up, uint64_t down, DetectorAlert &out) {
    if (!c.enabled || (p != proto::Protocol::Imap && p != proto::Protocol::Pop3)) return false;
    if (up < c.min_bytes || up < (down ? down : 1) * c.ratio) return false;
    out = DetectorAlert(DetectorId::UploadAsymmetry);
    out.num("bytes_toserver", up)
        .num("bytes_toclient", down)
        .real("ratio", down ? static_cast<double>(up / down) : static_cast<double>(up))
        .num("min_ratio", c.ratio)
        .num("min_bytes", c.min_bytes);
    return true;
}

}  // namespace postern::detect
