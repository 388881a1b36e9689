// Minimal classic-pcap reader, used to check what the synthesizer wrote (tests, `--verify`).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace postern::synth {

struct PcapRecord {
    uint64_t ts_us = 0;  // nanosecond files are converted to microseconds
    uint32_t orig_len = 0;
    std::vector<uint8_t> data;  // the captured bytes (caplen)
};

class PcapReader {
public:
    // Throws std::runtime_error when the file cannot be opened or has no valid pcap header.
    explicit PcapReader(const std::string &path);

    uint32_t linktype() const { return linktype_; }
    uint32_t snaplen() const { return snaplen_; }
    uint16_t version_major() const { return major_; }
    uint16_t version_minor() const { return minor_; }
    bool nanosecond() const { return nanos_; }

    // Reads the next record; false at a clean end of file. Throws on a truncated record.
    bool next(PcapRecord &rec);

private:
    uint32_t u32(const uint8_t *p) const;

    std::ifstream in_;
    std::string path_;
    bool swapped_ = false;
    bool nanos_ = false;
    uint16_t major_ = 0, minor_ = 0;
    uint32_t snaplen_ = 0, linktype_ = 0;
};

}  // namespace postern::synth
