// The Internet checksum (RFC 1071) over IPv4 headers and TCP/UDP segments, verified the way the
// receiving host does: a segment that fails it never reaches the application there.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/packet.hpp"

namespace postern::net {

// Ones'-complement sum of `len` bytes, continuing `acc`. Every piece but the last must have an
// even length so 16-bit words stay aligned across pieces (ChecksumSum handles any split). Sums
// host-order words: the folded result is byte-order independent (RFC 1071 §2(B)) as long as it is
// stored back with store_checksum.
uint64_t checksum_add(const uint8_t *data, size_t len, uint64_t acc);

// Folds, complements and stores the checksum at `where` (2 bytes, in the frame's memory order).
void store_checksum(uint64_t acc, uint8_t *where);

// True when the bytes (with their checksum field filled in) sum to 0xFFFF.
bool checksum_ok(uint64_t acc);

// A running sum over pieces of any length (payload split across buffers at odd offsets).
class ChecksumSum {
public:
    void add(const uint8_t *data, size_t len);
    bool ok() const { return checksum_ok(acc_); }

private:
    uint64_t acc_ = 0;
    bool odd_ = false;  // the bytes so far have an odd length: the next piece starts mid-word
};

// The IPv4 header of a decoded frame (its bytes start at frame + view.l3_offset) sums correctly.
bool ipv4_header_checksum_ok(const uint8_t *frame, const PacketView &view);

// Starts the TCP/UDP checksum of a decoded frame: the pseudo-header and the L4 header bytes
// (frame + l4_offset up to payload_offset). Add the payload pieces, then ask ok().
ChecksumSum l4_checksum_start(const uint8_t *frame, const PacketView &view);

}  // namespace postern::net
