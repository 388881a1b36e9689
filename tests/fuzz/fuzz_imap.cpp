// libFuzzer target: IMAP sessions. The input is a script of steps, as for fuzz_smtp: a control
// byte picks the direction and the step (data chunk of the next byte's length, gap, end), so the
// fuzzer explores both directions, literals across segment boundaries and losses.
#include <cstddef>
#include <cstdint>

#include "fuzz_sink.hpp"
#include "proto/imap/imap_eve.hpp"
#include "proto/imap/imap_parser.hpp"

namespace {

// Renders each IMAP transaction as EVE too, so hostile strings reach the JSON code.
class ImapTouchingSink : public postern::fuzz::TouchingSink {
public:
    using TouchingSink::on_transaction;
    void on_transaction(const postern::proto::ImapTransaction &tx) override {
        postern::output::FixedJsonWriter<65536> w;
        w.begin_object();
        postern::proto::write_imap_transaction(w, tx);
        w.end_object();
        for (char c : w.view()) sum += static_cast<unsigned char>(c);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using postern::stream::Direction;
    ImapTouchingSink sink;
    postern::proto::ImapLimits limits;
    if (size > 0 && (data[0] & 0x80)) {  // sometimes tiny limits, to hit every bound
        limits.command_line = 16, limits.response_line = 16, limits.parse_line = 64, limits.text_line = 24;
        limits.header_line = 24, limits.pending_commands = 2, limits.literal = 8;
        limits.mime.headers_per_message = 2, limits.mime.mime_depth = 2, limits.mime.header_field = 32;
    }
    postern::proto::ImapParser parser(sink, limits);
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
