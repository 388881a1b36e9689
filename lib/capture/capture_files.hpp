// The captures of an offline run (-r): which files, in which order, how many whole packets each
// holds, and what is wrong with those that are damaged. Checked before DPDK starts, so a file that
// is not a capture is reported as such, not as a missing port.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace postern::capture {

struct CaptureFile {
    std::string path;
    uint64_t packets = 0;  // whole packets, the ones that are read
    std::string damage;    // why reading stops before the end of the file (tcpdump killed mid-write), or ""
    int linktype = 0;
    int snaplen = 0;
};

struct CaptureList {
    std::vector<CaptureFile> files;
    std::vector<std::string> warnings;  // damaged captures, files of a folder that are skipped
    std::string error;                  // set: nothing is run
    uint64_t packets() const;
};

// Opens one file and counts its whole packets. On failure returns what is wrong, worded to
// follow the path ("is not a pcap or pcapng capture (...)"). Only Ethernet captures pass: it is
// the only link type Postern decodes.
std::string scan_capture(const std::string &path, CaptureFile &out);

// The warning line for a damaged capture, or what to print when `damage` is set.
std::string damage_warning(const CaptureFile &f);

// The -r arguments: files as given, folders' files in name order (those that are not captures are
// skipped with a warning).
CaptureList list_captures(const std::vector<std::string> &args);

}  // namespace postern::capture
