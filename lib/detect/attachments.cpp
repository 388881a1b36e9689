// Attachment checks on a leaf MIME part's first decoded bytes and tail (MimePartEnd): declared
// type versus magic number, executables and scripts, encrypted ZIPs, and data hidden after an
// image's end marker.
#include "proto/mime/file_magic.hpp"
#include "detect/session_detectors.hpp"

namespace postern::detect {

using proto::FileKind;
using proto::declared_kind;
using proto::executable_extension;
using proto::file_kind_name;
using proto::sniff_magic;
using proto::zip_encrypted;

namespace {

void describe(DetectorAlert &a, const proto::MimePartEnd &p) {
    a.text("filename", p.filename).text("content_type", p.content_type.empty() ? "text/plain" : p.content_type);
}

// Kinds that may legitimately carry another's magic (a ZIP-based Office file is a ZIP).
bool compatible(FileKind declared, FileKind actual) {
    if (declared == actual) return true;
    if (declared == FileKind::Text) return actual != FileKind::Executable;  // CSV/HTML: any text
    return false;
}

}  // namespace

int check_part(const AttachmentConfig &c, const proto::MimePartEnd &p, DetectorAlert out[2]) {
    if (!c.enabled || p.gap) return 0;
    int n = 0;
    const FileKind magic = sniff_magic(p.head);
    const FileKind declared = p.attachment ? declared_kind(p.content_type, p.filename) : FileKind::Unknown;
    if (magic == FileKind::Executable || magic == FileKind::Script ||
        (p.attachment && executable_extension(p.filename))) {
        DetectorAlert &a = out[n++] = DetectorAlert(DetectorId::ExecutableAttachment);
        describe(a, p);
        a.text("magic", file_kind_name(magic)).text("declared", file_kind_name(declared));
        if (declared != FileKind::Unknown && !compatible(declared, magic) && magic != FileKind::Unknown)
            a.flag("type_mismatch", true);
    } else if (magic != FileKind::Unknown && declared != FileKind::Unknown && !compatible(declared, magic)) {
        DetectorAlert &a = out[n++] = DetectorAlert(DetectorId::AttachmentTypeMismatch);
        describe(a, p);
        a.text("magic", file_kind_name(magic)).text("declared", file_kind_name(declared));
    }
    if (zip_encrypted(p.head)) {
        DetectorAlert &a = out[n++] = DetectorAlert(DetectorId::EncryptedArchive);
        describe(a, p);
        a.flag("zip_encryption_bit", true);
    } else if (p.end_marker && p.after_end_marker >= c.min_trailing_bytes) {
        DetectorAlert &a = out[n++] = DetectorAlert(DetectorId::ImageTrailingData);
        describe(a, p);
        a.text("image", file_kind_name(magic))
            .num("bytes_after_end_marker", p.after_end_marker)
            .num("decoded_bytes", p.decoded_bytes)
            .num("min_trailing_bytes", c.min_trailing_bytes);
    }
    return n;
}

}  // namespace postern::detect
