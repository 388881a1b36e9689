// libFuzzer target: the L2-L4 decoder must accept any bytes without reading past them, and a
// decoded view must point inside the frame.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "net/flow_key.hpp"
#include "net/packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // An exact-size copy so ASan catches any read past the end.
    std::vector<uint8_t> frame(data, data + size);
    postern::net::PacketView v;
    if (postern::net::decode_packet(frame.data(), frame.size(), v) == postern::net::DecodeResult::Ok) {
        if (size_t{v.payload_offset} + v.payload_len > size) std::abort();
        bool src_is_a = false;
        const auto key = postern::net::canonical_key(v.tuple, src_is_a);
        (void)postern::net::symmetric_hash(key);
    }
    return 0;
}
