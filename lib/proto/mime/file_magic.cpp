#include "proto/mime/file_magic.hpp"

#include "proto/common/ascii.hpp"

namespace postern::proto {

namespace {

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view extension(std::string_view filename) {
    const size_t dot = filename.rfind('.');
    if (dot == std::string_view::npos) return {};
    std::string_view e = filename.substr(dot + 1);
    while (!e.empty() && (e.back() == ' ' || e.back() == '"')) e.remove_suffix(1);
    return e;
}

bool ext_in(std::string_view ext, std::initializer_list<std::string_view> list) {
    for (std::string_view e : list)
        if (proto::ascii::iequals(ext, e)) return true;
    return false;
}

FileKind kind_from_extension(std::string_view ext) {
    if (ext_in(ext, {"pdf"})) return FileKind::Pdf;
    if (ext_in(ext, {"zip", "docx", "xlsx", "pptx", "docm", "xlsm", "odt", "ods", "jar", "apk"})) return FileKind::Zip;
    if (ext_in(ext, {"doc", "xls", "ppt", "msg", "msi"})) return FileKind::Ole;
    if (ext_in(ext, {"png"})) return FileKind::Png;
    if (ext_in(ext, {"jpg", "jpeg", "jpe"})) return FileKind::Jpeg;
    if (ext_in(ext, {"gif"})) return FileKind::Gif;
    if (ext_in(ext, {"gz", "tgz"})) return FileKind::Gzip;
    if (ext_in(ext, {"7z"})) return FileKind::SevenZip;
    if (ext_in(ext, {"rar"})) return FileKind::Rar;
    if (ext_in(ext, {"rtf"})) return FileKind::Rtf;
    if (ext_in(ext, {"exe", "dll", "scr", "com", "pif", "cpl", "sys"})) return FileKind::Executable;
    if (ext_in(ext, {"js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "bat", "cmd", "sh", "lnk"}))
        return FileKind::Script;
    if (ext_in(ext, {"txt", "csv", "log", "htm", "html", "xml", "json", "ics", "vcf"})) return FileKind::Text;
    return FileKind::Unknown;
}

}  // namespace

FileKind sniff_magic(std::string_view h) {
    if (starts(h, "%PDF-")) return FileKind::Pdf;
    if (starts(h, "PK\x03\x04")) return FileKind::Zip;
    if (starts(h, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return FileKind::Ole;
    if (starts(h, "\x89PNG\r\n\x1A\n")) return FileKind::Png;
    if (starts(h, "\xFF\xD8\xFF")) return FileKind::Jpeg;
    if (starts(h, "GIF87a") || starts(h, "GIF89a")) return FileKind::Gif;
    if (starts(h, "\x1F\x8B")) return FileKind::Gzip;
    if (starts(h, "7z\xBC\xAF\x27\x1C")) return FileKind::SevenZip;
    if (starts(h, "Rar!\x1A\x07")) return FileKind::Rar;
    if (starts(h, "{\\rtf")) return FileKind::Rtf;
    if (starts(h, "MZ") || starts(h, "\x7F" "ELF") || starts(h, "\xCF\xFA\xED\xFE") || starts(h, "\xCE\xFA\xED\xFE") ||
        starts(h, "\xFE\xED\xFA\xCF") || starts(h, "\xFE\xED\xFA\xCE"))
        return FileKind::Executable;
    if (starts(h, "#!")) return FileKind::Script;
    return FileKind::Unknown;
}

FileKind declared_kind(std::string_view ct, std::string_view filename) {
    using proto::ascii::iequals;
    if (iequals(ct, "application/pdf")) return FileKind::Pdf;
    if (iequals(ct, "application/zip") || iequals(ct, "application/x-zip-compressed") ||
        proto::ascii::istarts_with(ct, "application/vnd.openxmlformats") ||
        proto::ascii::istarts_with(ct, "application/vnd.oasis.opendocument"))
        return FileKind::Zip;
    if (iequals(ct, "application/msword") || iequals(ct, "application/vnd.ms-excel") ||
        iequals(ct, "application/vnd.ms-powerpoint"))
        return FileKind::Ole;
    if (iequals(ct, "image/png")) return FileKind::Png;
    if (iequals(ct, "image/jpeg") || iequals(ct, "image/jpg")) return FileKind::Jpeg;
    if (iequals(ct, "image/gif")) return FileKind::Gif;
    if (iequals(ct, "application/gzip") || iequals(ct, "application/x-gzip")) return FileKind::Gzip;
    if (iequals(ct, "application/x-7z-compressed")) return FileKind::SevenZip;
    if (iequals(ct, "application/rtf")) return FileKind::Rtf;
    if (iequals(ct, "application/x-msdownload") || iequals(ct, "application/x-dosexec")) return FileKind::Executable;
    if (proto::ascii::istarts_with(ct, "text/")) return FileKind::Text;
    return kind_from_extension(extension(filename));
}

bool executable_extension(std::string_view filename) {
    const FileKind k = kind_from_extension(extension(filename));
    return k == FileKind::Executable || k == FileKind::Script;
}

bool zip_encrypted(std::string_view h) {
    return starts(h, "PK\x03\x04") && h.size() >= 8 && (static_cast<unsigned char>(h[6]) & 1) != 0;
}

}  // namespace postern::proto
