// libFuzzer target: the L2-L4 decoder and the fragment parser must accept any bytes without
// reading past them (also when only a prefix of the frame is contiguous), and a decoded view must
// point inside the frame.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "net/defrag.hpp"
#include "net/flow_key.hpp"
#include "net/packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    // The first byte says how much of the frame is contiguous (a chained frame's first buffer).
    const size_t frame_len = size - 1;
    const size_t contiguous = frame_len * data[0] / 255;
    // An exact-size copy of the contiguous part so ASan catches any read past it.
    std::vector<uint8_t> frame(data + 1, data + 1 + contiguous);
    postern::net::PacketView v;
    const auto r = postern::net::decode_packet(frame.data(), contiguous, frame_len, v);
    if (r == postern::net::DecodeResult::Ok) {
        if (v.payload_offset > contiguous && contiguous == frame_len) std::abort();
        if (size_t{v.payload_offset} + v.payload_len > frame_len) std::abort();
        static const postern::net::FlowHasher hasher(1);
        (void)hasher(v.tuple);
    } else if (r == postern::net::DecodeResult::Ipv4Fragment || r == postern::net::DecodeResult::Ipv6Fragment) {
        postern::net::Fragment f;
        if (postern::net::parse_fragment(frame.data(), contiguous, frame_len, v, f) ==
                postern::net::FragmentParse::Ok &&
            f.len > 0 && static_cast<size_t>(f.data - frame.data()) + f.len > frame_len)
            std::abort();
    }
    return 0;
}
