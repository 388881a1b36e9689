#include "capture_files.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cerrno>
#include <cstring>

namespace postern::capture {

namespace {

namespace fs = std::filesystem;

// What the first bytes say the file is, when it is not a capture.
std::string describe_non_capture(const std::string &path) {
    FILE *in = std::fopen(path.c_str(), "rb");
    if (!in) return std::string("cannot be read (") + std::strerror(errno) + ")";
    unsigned char b[4] = {};
    const size_t got = std::fread(b, 1, sizeof b, in);
    std::fclose(in);
    if (got == 0) return "is empty, not a pcap or pcapng capture";
    const uint32_t be = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    const uint32_t le = uint32_t{b[3]} << 24 | uint32_t{b[2]} << 16 | uint32_t{b[1]} << 8 | b[0];
    for (uint32_t magic : {0xa1b2c3d4u, 0xa1b23c4du, 0xa1b2cd34u, 0x0a0d0d0au})
        if (got == 4 && (be == magic || le == magic)) return "";  // a capture; libpcap says what is wrong
    if (b[0] == 0x1f && got >= 2 && b[1] == 0x8b) return "is gzip-compressed; gunzip it first";
    if (b[0] == 0x28 && got == 4 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return "is zstd-compressed; unzstd it first";
    char hex[16];
    std::snprintf(hex, sizeof hex, "%02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
    return std::string("is not a pcap or pcapng capture (it starts with ") + std::string(hex, got * 3 - 1) + ")";
}

std::string linktype_name(int dlt) {
    const char *n = pcap_datalink_val_to_name(dlt);
    return n ? n : std::to_string(dlt);
}

}  // namespace

uint64_t CaptureList::packets() const {
    uint64_t n = 0;
    for (const auto &f : files) n += f.packets;
    return n;
}

std::string scan_capture(const std::string &path, CaptureFile &out) {
    out = CaptureFile{};
    out.path = path;
    std::error_code ec;
    if (!fs::exists(path, ec)) return "does not exist";
    if (!fs::is_regular_file(path, ec)) return "is not a regular file";
    if (std::string what = describe_non_capture(path); !what.empty()) return what;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t *pc = pcap_open_offline(path.c_str(), errbuf);
    if (!pc) return std::string("is a damaged capture: ") + errbuf;
    out.linktype = pcap_datalink(pc);
    if (out.linktype != DLT_EN10MB) {
        pcap_close(pc);
        return "has link type " + linktype_name(out.linktype) + "; Postern decodes Ethernet (EN10MB) captures only";
    }
    out.snaplen = pcap_snapshot(pc);
    pcap_pkthdr *hdr;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(pc, &hdr, &data)) == 1) ++out.packets;
    if (rc == PCAP_ERROR) out.damage = pcap_geterr(pc);
    pcap_close(pc);
    return "";
}

std::string damage_warning(const CaptureFile &f) {
    return f.path + " is damaged after " + std::to_string(f.packets) + " whole packets (" + f.damage +
           "); those are read, the rest is not";
}

CaptureList list_captures(const std::vector<std::string> &args) {
    CaptureList list;
    for (const std::string &arg : args) {
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            std::vector<std::string> names;
            for (const auto &e : fs::directory_iterator(arg, ec))
                if (e.is_regular_file() && e.path().filename().string()[0] != '.') names.push_back(e.path().string());
            if (ec) return list.error = arg + ": cannot list the folder (" + ec.message() + ")", list;
            std::sort(names.begin(), names.end());
            size_t taken = 0;
            for (const std::string &n : names) {
                CaptureFile f;
                if (std::string e = scan_capture(n, f); !e.empty()) {
                    list.warnings.push_back(n + " " + e + "; skipped");
                    continue;
                }
                list.files.push_back(f), ++taken;
            }
            if (taken == 0) return list.error = arg + ": the folder holds no pcap or pcapng capture", list;
            continue;
        }
        CaptureFile f;
        if (std::string e = scan_capture(arg, f); !e.empty()) return list.error = arg + " " + e, list;
        list.files.push_back(f);
    }
    for (const CaptureFile &f : list.files)
        if (!f.damage.empty()) list.warnings.push_back(damage_warning(f));
    return list;
}

}  // namespace postern::capture
