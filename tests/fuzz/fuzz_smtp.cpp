// libFuzzer target: SMTP sessions. The input is a script of steps: a control byte picks the
// direction and the step (data chunk of the next byte's length, gap, end), so the fuzzer explores
// both directions, segment boundaries and losses.
#include <cstddef>
#include <cstdint>

#include "fuzz_sink.hpp"
#include "proto/smtp/smtp_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using postern::stream::Direction;
    postern::fuzz::TouchingSink sink;
    postern::proto::SmtpLimits limits;
    limits.mime.file_hashes = postern::proto::kMd5 | postern::proto::kSha256;  // digests: split-invariant too
    if (size > 0 && (data[0] & 0x80)) {  // sometimes tiny limits, to hit every bound
        limits.command_line = 16, limits.reply_line = 16, limits.text_line = 24, limits.header_line = 24;
        limits.pending_commands = 2, limits.recipients_kept = 1;
        limits.mime.headers_per_message = 2, limits.mime.mime_depth = 2, limits.mime.header_field = 32;
    }
    postern::proto::SmtpParser parser(sink, limits);
    size_t i = size > 0 ? 1 : 0;
    while (i < size) {
        const uint8_t control = data[i++];
        const Direction dir = (control & 1) ? Direction::ToClient : Direction::ToServer;
        const unsigned op = (control >> 1) & 0x1F;
        const size_t arg = i < size ? data[i++] : 0;
        if (op == 0) {
            parser.on_gap(dir, static_cast<uint32_t>(arg));
        } else if (op == 1) {
            parser.on_end(dir);
        } else {
            const size_t n = arg + 1 < size - i ? arg + 1 : size - i;
            parser.on_data(dir, data + i, n);
            i += n;
        }
    }
    parser.on_end(Direction::ToServer);
    parser.on_end(Direction::ToClient);
    return 0;
}
