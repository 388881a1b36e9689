// libFuzzer target: protocol identification and the TLS ClientHello reader, fed both
// directions in chunks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_sink.hpp"
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

    postern::fuzz::TouchingSink sink;
    postern::proto::ProtocolDetector detector(&sink);
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
