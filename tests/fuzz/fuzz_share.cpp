// Shared-history messages as `postern history` reads them from Redis, where anyone with write
// access to the streams can put any bytes: decode never reads outside the input, and what it
// accepts encodes back to the same bytes (the format has one spelling per message).
#include <cstdint>
#include <cstring>
#include <string_view>

#include "share/share_wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view in(reinterpret_cast<const char *>(data), size);
    const auto m = postern::share::decode(in);
    if (!m) return 0;
    char out[postern::share::kMaxMessageBytes];
    const size_t n = postern::share::encode(*m, out);
    // Fields the encoding leaves out (a Clock's summary) are not compared: a Summary must round-trip.
    if (m->kind == postern::share::MessageKind::Summary && (n != size || std::memcmp(out, data, n) != 0))
        __builtin_trap();
    return 0;
}
