// Test-side decoding of what the synthesizer wrote, written independently of lib/synth so the
// tests check the bytes, not the builder against itself.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "synth/pcap_reader.hpp"
#include "../test_temp_dir.hpp"

namespace postern::synth::testing {

// Plain big-endian 16-bit ones'-complement sum, the textbook way.
inline uint32_t be_sum(const uint8_t *p, size_t n, uint32_t acc = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) acc += uint32_t{p[i]} << 8 | p[i + 1];
    if (n % 2) acc += uint32_t{p[n - 1]} << 8;
    return acc;
}
inline uint16_t fold16(uint32_t acc) {
    while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
    return static_cast<uint16_t>(acc);
}
inline uint16_t rd16(const uint8_t *p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t rd32(const uint8_t *p) { return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]; }

struct Frame {
    uint64_t ts_us = 0;
    size_t len = 0;
    std::vector<uint16_t> vlans;
    std::vector<uint16_t> tpids;
    int ip_version = 0;
    std::string src, dst;  // raw address bytes
    uint16_t sport = 0, dport = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;
    uint16_t window = 0;
    uint16_t mss = 0;  // from the MSS option, 0 if absent
    bool ip_csum_ok = true;
    bool tcp_csum_ok = false;
    std::vector<uint8_t> payload;
};

// Decodes Ethernet/[VLAN...]/IPv4|IPv6/TCP; false for anything else.
inline bool decode(const uint8_t *f, size_t n, Frame &out) {
    out = Frame{};
    out.len = n;
    if (n < 14) return false;
    size_t off = 12;
    uint16_t type = rd16(f + off);
    while (type == 0x8100 || type == 0x88A8) {
        out.tpids.push_back(type);
        out.vlans.push_back(static_cast<uint16_t>(rd16(f + off + 2) & 0x0FFF));
        off += 4;
        type = rd16(f + off);
    }
    off += 2;
    const uint8_t *ip = f + off;
    uint32_t pseudo = 0;
    size_t tcp_len = 0;
    const uint8_t *tcp = nullptr;
    if (type == 0x0800) {
        out.ip_version = 4;
        const size_t ihl = (ip[0] & 0x0F) * 4u;
        const size_t total = rd16(ip + 2);
        if (ip[9] != 6 || off + total != n) return false;
        out.ip_csum_ok = fold16(be_sum(ip, ihl)) == 0xFFFF;
        out.src.assign(reinterpret_cast<const char *>(ip + 12), 4);
        out.dst.assign(reinterpret_cast<const char *>(ip + 16), 4);
        tcp = ip + ihl;
        tcp_len = total - ihl;
        pseudo = be_sum(ip + 12, 8) + 6 + static_cast<uint32_t>(tcp_len);
    } else if (type == 0x86DD) {
        out.ip_version = 6;
        const size_t plen = rd16(ip + 4);
        if (ip[6] != 6 || off + 40 + plen != n) return false;
        out.src.assign(reinterpret_cast<const char *>(ip + 8), 16);
        out.dst.assign(reinterpret_cast<const char *>(ip + 24), 16);
        tcp = ip + 40;
        tcp_len = plen;
        pseudo = be_sum(ip + 8, 32) + 6 + static_cast<uint32_t>(tcp_len);
    } else {
        return false;
    }
    out.tcp_csum_ok = fold16(be_sum(tcp, tcp_len, pseudo)) == 0xFFFF;
    out.sport = rd16(tcp);
    out.dport = rd16(tcp + 2);
    out.seq = rd32(tcp + 4);
    out.ack = rd32(tcp + 8);
    const size_t hlen = (tcp[12] >> 4) * 4u;
    out.flags = tcp[13];
    out.window = rd16(tcp + 14);
    if (hlen >= 24 && tcp[20] == 2 && tcp[21] == 4) out.mss = rd16(tcp + 22);
    out.payload.assign(tcp + hlen, tcp + tcp_len);
    return true;
}

inline std::vector<Frame> read_frames(const std::string &path) {
    PcapReader r(path);
    std::vector<Frame> frames;
    PcapRecord rec;
    while (r.next(rec)) {
        Frame f;
        if (!decode(rec.data.data(), rec.data.size(), f)) f.len = rec.data.size();
        f.ts_us = rec.ts_us;
        frames.push_back(std::move(f));
    }
    return frames;
}

inline std::string temp_path(const std::string &name) {
    return postern::testing::temp_file("synth_" + name);
}

}  // namespace postern::synth::testing
