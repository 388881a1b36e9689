// libFuzzer target: POP3 sessions (pipelined responses, segment boundaries, losses), split
// invariance checked by session_fuzz.hpp.
#include "proto/pop3/pop3_eve.hpp"
#include "proto/pop3/pop3_parser.hpp"
#include "session_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    postern::proto::Pop3Limits limits;
    limits.mime.file_hashes = postern::proto::kMd5 | postern::proto::kSha256;  // digests: split-invariant too
    if (size > 0 && (data[0] & 0x80)) {  // sometimes tiny limits, to hit every bound
        limits.command_line = 16, limits.response_line = 16, limits.client_line = 24, limits.text_line = 24;
        limits.header_line = 24, limits.pending_commands = 2, limits.data_lines_kept = 1;
        limits.mime.headers_per_message = 2, limits.mime.mime_depth = 2, limits.mime.header_field = 32;
    }
    using Sink = postern::fuzz::RecordingSink<postern::proto::Pop3Transaction, postern::proto::write_pop3_transaction>;
    postern::fuzz::check_split_invariance<postern::proto::Pop3Parser, Sink>(data, size, limits);
    return 0;
}
