// The fast base64 paths against the plain ones on any input: the AVX2 block decoder against the
// scalar one (same quanta, same bytes), and the streaming decoder fed in pieces against the same
// decoder fed one character at a time (same bytes, count and verdict). Any difference aborts.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "proto/common/base64.hpp"
#include "proto/common/base64_block.hpp"

using namespace postern::proto;

namespace {

struct Fed {
    std::vector<uint8_t> out;
    uint64_t decoded = 0;
    bool invalid = false;
};

Fed feed(std::string_view text, size_t cap, size_t piece) {
    Fed f;
    f.out.resize(cap + 32);
    Base64Decoder d;
    size_t len = 0;
    for (size_t at = 0; at < text.size(); at += piece) d.feed(text.substr(at, piece), f.out.data(), cap, len);
    d.finish(f.out.data(), cap, len);
    f.out.resize(len);
    f.decoded = d.decoded();
    f.invalid = d.invalid();
    return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const size_t room = data[0] * 4u;  // output room, 0..1020 bytes
    const size_t piece = 1 + data[1] % 97;
    const std::string_view text(reinterpret_cast<const char *>(data + 2), size - 2);
    const auto *in = reinterpret_cast<const uint8_t *>(text.data());

    std::vector<uint8_t> a(room + 32), b(room + 32);
    const auto scalar = base64_block::decode_scalar(in, text.size(), a.data(), room);
    if (base64_block::avx2_supported()) {
        const auto avx2 = base64_block::decode_avx2(in, text.size(), b.data(), room);
        if (avx2.consumed != scalar.consumed || avx2.written != scalar.written ||
            std::memcmp(a.data(), b.data(), scalar.written) != 0)
            std::abort();
    }
    if (scalar.written > room || scalar.written != scalar.consumed / 4 * 3) std::abort();

    const Fed one = feed(text, room, 1), pieces = feed(text, room, piece);
    if (one.out != pieces.out || one.decoded != pieces.decoded || one.invalid != pieces.invalid) std::abort();
    return 0;
}
