#include "detect/detector_alert.hpp"

namespace postern::detect {

namespace {

// Signature ids 9200001+ (rules use 91xxxxx). Never renumber: analysts key on them.
constexpr DetectorInfo kInfo[kDetectors] = {
    {9200001, "upload_asymmetry", "IMAP/POP3 session uploads far more than it downloads", 2, true},
    {9200002, "smtp_size_outlier", "SMTP upload far above the host's own history", 2, true},
    {9200003, "beaconing", "Mail sessions at regular intervals (beaconing)", 1, false},
    {9200004, "nonconformance", "Mail session that does not follow its protocol", 2, false},
    {9200005, "mail_on_odd_port", "Mail protocol on a non-standard port", 2, false},
    {9200006, "non_mail_on_mail_port", "Non-mail traffic on a mail port", 2, false},
    {9200007, "tls_on_plain_mail_port", "TLS without STARTTLS on a cleartext mail port", 3, false},
    {9200008, "encoded_human_field", "Encoded data in a human-written mail field", 2, false},
    {9200009, "dead_drop", "Repeated mailbox dead-drop sessions", 1, false},
    {9200010, "drafts_shared_drop", "Drafts mailbox used as a dead drop by two clients", 1, false},
    {9200011, "auth_abuse", "Many failed mail authentications", 2, false},
    {9200012, "cleartext_credentials", "Mail credentials sent on an unencrypted session", 3, false},
    {9200013, "attachment_type_mismatch", "Attachment content disagrees with its declared type", 2, false},
    {9200014, "image_trailing_data", "Image attachment with data after its end marker", 2, true},
    {9200015, "executable_attachment", "Executable or script attached", 2, false},
    {9200016, "encrypted_archive", "Encrypted archive attached", 3, true},
    {9200017, "tool_envelope", "Envelope and headers shaped like tool-sent mail", 2, false},
    {9200018, "stream_evasion", "TCP retransmission disagrees with bytes already sent (insertion evasion)", 2, false},
    {9200019, "starttls_cleartext", "Cleartext continues after STARTTLS was accepted", 2, false},
};

}  // namespace

const DetectorInfo &detector_info(DetectorId id) {
    const auto i = static_cast<size_t>(id);
    return kInfo[i < kDetectors ? i : 0];
}

}  // namespace postern::detect
