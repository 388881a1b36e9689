// File kinds from an attachment's first bytes (magic numbers) and from what the mail declares
// (media type, file name extension): the file.magic rule field, fileinfo's "magic" and the
// attachment detectors.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/named_enum.hpp"

namespace postern::proto {

// (kind, name, libmagic's wording as Suricata's fileinfo "magic" reads it: magic_description)
#define POSTERN_FILE_KINDS(X)                                                                   \
    X(Unknown, "unknown", "")                                                                   \
    X(Pdf, "pdf", "PDF document")                                                               \
    X(Zip, "zip", "Zip archive data") /* also Office Open XML, ODF, JAR, APK */                 \
    X(Ole, "ole", "Composite Document File V2 Document") /* legacy Office, MSI, Outlook .msg */ \
    X(Png, "png", "PNG image data")                                                             \
    X(Jpeg, "jpeg", "JPEG image data")                                                          \
    X(Gif, "gif", "GIF image data")                                                             \
    X(Gzip, "gzip", "gzip compressed data")                                                     \
    X(SevenZip, "7z", "7-zip archive data")                                                     \
    X(Rar, "rar", "RAR archive data")                                                           \
    X(Rtf, "rtf", "Rich Text Format data")                                                      \
    X(Executable, "executable", "executable") /* PE, ELF, Mach-O */                             \
    X(Script, "script", "script text") /* shebang, or a script extension */                     \
    X(Text, "text", "") /* declared text/..., no magic */
POSTERN_NAMED_ENUM(FileKind, POSTERN_FILE_KINDS);
#define POSTERN_FILE_KIND_MAGIC(kind, name, magic) magic,
inline constexpr std::string_view kFileKindMagic[] = {POSTERN_FILE_KINDS(POSTERN_FILE_KIND_MAGIC)};
constexpr std::string_view file_kind_name(FileKind k) { return util::enum_name(kFileKindNames, k, "unknown"); }

FileKind sniff_magic(std::string_view head);
// libmagic's wording for a kind sniff_magic recognises ("PDF document"), as Suricata's fileinfo
// "magic" reads; empty for Unknown and Text.
constexpr std::string_view magic_description(FileKind k) { return util::enum_name(kFileKindMagic, k, ""); }
// Kind implied by the media type, else by the file name extension; Unknown for generic types
// (application/octet-stream) without a telling extension.
FileKind declared_kind(std::string_view content_type, std::string_view filename);
// Extensions Windows runs or scripts: .exe .scr .js .vbs .ps1 .hta .lnk ...
bool executable_extension(std::string_view filename);
// A ZIP whose first local header has the encryption bit set (general purpose flag bit 0).
bool zip_encrypted(std::string_view head);

}  // namespace postern::proto
