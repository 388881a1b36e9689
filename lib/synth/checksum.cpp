#include "synth/checksum.hpp"

#include <cstring>

namespace postern::synth {

namespace {

uint16_t fold(uint64_t acc) {
    acc = (acc & 0xFFFFFFFFULL) + (acc >> 32);
    acc = (acc & 0xFFFFFFFFULL) + (acc >> 32);
    acc = (acc & 0xFFFFULL) + (acc >> 16);
    acc = (acc & 0xFFFFULL) + (acc >> 16);
    return static_cast<uint16_t>(acc);
}

}  // namespace

uint64_t checksum_add(const uint8_t *data, size_t len, uint64_t acc) {
    // 64-bit words with end-around carry: the same ones'-complement sum as 16-bit words, faster.
    while (len >= 8) {
        uint64_t w;
        std::memcpy(&w, data, 8);
        acc += w;
        acc += (acc < w);
        data += 8;
        len -= 8;
    }
    while (len >= 2) {
        uint16_t w;
        std::memcpy(&w, data, 2);
        acc += w;
        acc += (acc < w);
        data += 2;
        len -= 2;
    }
    if (len) {
        const uint8_t last[2] = {data[0], 0};  // odd tail is padded with a zero byte
        uint16_t w;
        std::memcpy(&w, last, 2);
        acc += w;
        acc += (acc < w);
    }
    return acc;
}

void store_checksum(uint64_t acc, uint8_t *where) {
    const uint16_t c = static_cast<uint16_t>(~fold(acc));
    std::memcpy(where, &c, 2);
}

bool checksum_ok(uint64_t acc) { return fold(acc) == 0xFFFF; }

}  // namespace postern::synth
