#include "synth/pcap_reader.hpp"

#include <stdexcept>

namespace postern::synth {

namespace {

uint32_t le32(const uint8_t *p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

uint32_t be32(const uint8_t *p) {
    return uint32_t{p[3]} | uint32_t{p[2]} << 8 | uint32_t{p[1]} << 16 | uint32_t{p[0]} << 24;
}

}  // namespace

uint32_t PcapReader::u32(const uint8_t *p) const { return swapped_ ? be32(p) : le32(p); }

PcapReader::PcapReader(const std::string &path) : in_(path, std::ios::binary), path_(path) {
    if (!in_) throw std::runtime_error("cannot open " + path);
    uint8_t h[24];
    if (!in_.read(reinterpret_cast<char *>(h), sizeof h)) throw std::runtime_error("short pcap header: " + path);
    const uint32_t magic = le32(h);
    if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D) {
        swapped_ = false;
    } else if (be32(h) == 0xA1B2C3D4 || be32(h) == 0xA1B23C4D) {
        swapped_ = true;
    } else {
        throw std::runtime_error("not a classic pcap file: " + path);
    }
    nanos_ = u32(h) == 0xA1B23C4D;
    const uint32_t version = u32(h + 4);  // two u16 in file order
    major_ = static_cast<uint16_t>(swapped_ ? version >> 16 : version & 0xFFFF);
    minor_ = static_cast<uint16_t>(swapped_ ? version & 0xFFFF : version >> 16);
    snaplen_ = u32(h + 16);
    linktype_ = u32(h + 20);
}

bool PcapReader::next(PcapRecord &rec) {
    uint8_t h[16];
    in_.read(reinterpret_cast<char *>(h), sizeof h);
    if (in_.gcount() == 0) return false;
    if (in_.gcount() != sizeof h) throw std::runtime_error("truncated record header: " + path_);
    const uint64_t sec = u32(h), frac = u32(h + 4);
    rec.ts_us = sec * 1000000 + (nanos_ ? frac / 1000 : frac);
    const uint32_t caplen = u32(h + 8);
    rec.orig_len = u32(h + 12);
    if (caplen > (1u << 26)) throw std::runtime_error("implausible record length: " + path_);
    rec.data.resize(caplen);
    if (caplen && !in_.read(reinterpret_cast<char *>(rec.data.data()), caplen))
        throw std::runtime_error("truncated record: " + path_);
    return true;
}

}  // namespace postern::synth
