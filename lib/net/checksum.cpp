#include "net/checksum.hpp"

#include <cstring>

namespace postern::net {

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
    // 32-bit words summed in four 64-bit lanes: no lane can carry out (a frame has far fewer than
    // 2^32 words), 2^16 = 1 modulo 0xFFFF makes it the same ones'-complement sum as 16-bit words,
    // and four independent adds (which the compiler may vectorize) run in parallel.
    uint64_t lane0 = 0, lane1 = 0, lane2 = 0, lane3 = 0;
    while (len >= 16) {
        uint32_t w[4];
        std::memcpy(w, data, 16);
        lane0 += w[0], lane1 += w[1], lane2 += w[2], lane3 += w[3];
        data += 16;
        len -= 16;
    }
    uint64_t sum = lane0 + lane1 + lane2 + lane3;
    while (len >= 4) {
        uint32_t w;
        std::memcpy(&w, data, 4);
        sum += w;
        data += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t w;
        std::memcpy(&w, data, 2);
        sum += w;
        data += 2;
        len -= 2;
    }
    if (len) {
        const uint8_t last[2] = {data[0], 0};  // odd tail is padded with a zero byte
        uint16_t w;
        std::memcpy(&w, last, 2);
        sum += w;
    }
    acc += sum;
    return acc + (acc < sum);  // end-around carry
}

void store_checksum(uint64_t acc, uint8_t *where) {
    const uint16_t c = static_cast<uint16_t>(~fold(acc));
    std::memcpy(where, &c, 2);
}

bool checksum_ok(uint64_t acc) { return fold(acc) == 0xFFFF; }

void ChecksumSum::add(const uint8_t *data, size_t len) {
    if (len == 0) return;
    if (odd_) {
        // The first byte completes the previous piece's last word: sum it as the low-order
        // (second) byte of that word, then continue aligned.
        const uint8_t word[2] = {0, data[0]};
        acc_ = checksum_add(word, 2, acc_);
        ++data, --len;
        odd_ = false;
        if (len == 0) return;
    }
    acc_ = checksum_add(data, len, acc_);
    odd_ = len & 1;
}

bool ipv4_header_checksum_ok(const uint8_t *frame, const PacketView &view) {
    const uint8_t *ip = frame + view.l3_offset;
    const size_t ihl = size_t{static_cast<uint8_t>(ip[0] & 0x0F)} * 4;
    return checksum_ok(checksum_add(ip, ihl, 0));
}

ChecksumSum l4_checksum_start(const uint8_t *frame, const PacketView &view) {
    ChecksumSum sum;
    const uint8_t *ip = frame + view.l3_offset;
    const uint32_t l4_len = uint32_t{view.payload_offset} - view.l4_offset + view.payload_len;
    // Pseudo-header: the addresses, then the protocol and the L4 length (RFC 793, RFC 8200 §8.1;
    // zero bytes do not change the sum, so both families use the same four bytes).
    if (view.tuple.family == IpFamily::V6) sum.add(ip + 8, 32);
    else sum.add(ip + 12, 8);
    const uint8_t tail[4] = {0, view.tuple.proto, static_cast<uint8_t>(l4_len >> 8), static_cast<uint8_t>(l4_len)};
    sum.add(tail, sizeof tail);
    sum.add(frame + view.l4_offset, size_t{view.payload_offset} - view.l4_offset);
    return sum;
}

}  // namespace postern::net
