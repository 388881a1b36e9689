// File kinds from an attachment's first bytes (magic numbers) and from what the mail declares
// (media type, file name extension): the file.magic rule field, fileinfo's "magic" and the
// attachment detectors.
#pragma once

#include <cstdint>
#include <string_view>

namespace postern::proto {

enum class FileKind : uint8_t {
    Unknown,
    Pdf,
    Zip,  // also Office Open XML, ODF, JAR, APK
    Ole,  // legacy Office, MSI, Outlook .msg
    Png,
    Jpeg,
    Gif,
    Gzip,
    SevenZip,
    Rar,
    Rtf,
    Executable,  // PE, ELF, Mach-O
    Script,  // shebang, or a script extension
    Text,  // declared text/* (no magic)
};
std::string_view file_kind_name(FileKind k);

FileKind sniff_magic(std::string_view head);
// libmagic's wording for a kind sniff_magic recognises ("PDF document"), as Suricata's fileinfo
// "magic" reads; empty for Unknown and Text.
std::string_view magic_description(FileKind k);
// Kind implied by the media type, else by the file name extension; Unknown for generic types
// (application/octet-stream) without a telling extension.
FileKind declared_kind(std::string_view content_type, std::string_view filename);
// Extensions Windows runs or scripts: .exe .scr .js .vbs .ps1 .hta .lnk ...
bool executable_extension(std::string_view filename);
// A ZIP whose first local header has the encryption bit set (general purpose flag bit 0).
bool zip_encrypted(std::string_view head);

}  // namespace postern::proto
