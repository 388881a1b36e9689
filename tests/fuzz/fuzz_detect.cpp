// libFuzzer target: protocol identification (from a session's start, and mid-stream) and the
// TLS ClientHello reader, fed both directions in chunks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_sink.hpp"
#include "proto/detect/midstream_lines.hpp"
#include "proto/detect/protocol_detector.hpp"
#include "proto/detect/tls_client_hello.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using postern::stream::Direction;
    std::string_view sni;
    postern::proto::probe_tls(data, size, sni);
    for (char c : sni) (void)c;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    postern::proto::detect_client_start(text);
    postern::proto::detect_server_start(text);
    postern::proto::detect_client_midstream(text, 25);
    postern::proto::detect_server_midstream(text, 143);

    postern::fuzz::TouchingSink sink;
    postern::proto::ProtocolDetector detector(&sink);
    if (size > 0 && (data[0] & 0x80)) detector.set_midstream(110);  // a session picked up mid-stream
    size_t i = 0;
    while (i < size && !detector.done()) {
        const uint8_t control = data[i++];
        const Direction dir = (control & 1) ? Direction::ToClient : Direction::ToServer;
        const size_t n = (control >> 1) + 1 < size - i ? size_t{(control >> 1) + 1u} : size - i;
        detector.on_data(dir, data + i, n);
        i += n;
    }
    const auto result = detector.result();
    for (char c : result.sni) (void)c;
    return 0;
}
