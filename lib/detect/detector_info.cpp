#include "detect/detector_alert.hpp"
#include "detect/detector_names.hpp"

namespace postern::detect {

namespace {

// Signature ids 9200001+ (rules use 91xxxxx). Never renumber: analysts key on them.
constexpr DetectorInfo kInfo[kDetectors] = {
    {9200001, kDetectorNames[0], "IMAP/POP3 session uploads far more than it downloads", 2, true},
    {9200002, kDetectorNames[1], "SMTP upload far above the host's own history", 2, true},
    {9200003, kDetectorNames[2], "Mail sessions at regular intervals (beaconing)", 1, false},
    {9200004, kDetectorNames[3], "Mail session that does not follow its protocol", 2, false},
    {9200005, kDetectorNames[4], "Mail protocol on a non-standard port", 2, false},
    {9200006, kDetectorNames[5], "Non-mail traffic on a mail port", 2, false},
    {9200007, kDetectorNames[6], "TLS without STARTTLS on a cleartext mail port", 3, false},
    {9200008, kDetectorNames[7], "Encoded data in a human-written mail field", 2, false},
    {9200009, kDetectorNames[8], "Repeated mailbox dead-drop sessions", 1, false},
    {9200010, kDetectorNames[9], "Drafts mailbox used as a dead drop by two clients", 1, false},
    {9200011, kDetectorNames[10], "Many failed mail authentications", 2, false},
    {9200012, kDetectorNames[11], "Mail credentials sent on an unencrypted session", 3, false},
    {9200013, kDetectorNames[12], "Attachment content disagrees with its declared type", 2, false},
    {9200014, kDetectorNames[13], "Image attachment with data after its end marker", 2, true},
    {9200015, kDetectorNames[14], "Executable or script attached", 2, false},
    {9200016, kDetectorNames[15], "Encrypted archive attached", 3, true},
    {9200017, kDetectorNames[16], "Envelope and headers shaped like tool-sent mail", 2, false},
    {9200018, kDetectorNames[17], "TCP retransmission disagrees with bytes already sent (insertion evasion)", 2, false},
    {9200019, kDetectorNames[18], "Cleartext continues after STARTTLS was accepted", 2, false},
};

}  // namespace

const DetectorInfo &detector_info(DetectorId id) {
    const auto i = static_cast<size_t>(id);
    return kInfo[i < kDetectors ? i : 0];
}

}  // namespace postern::detect
