// libFuzzer target: IMAP sessions (literals across segment boundaries, losses), split invariance
// checked by session_fuzz.hpp.
#include "proto/imap/imap_eve.hpp"
#include "proto/imap/imap_parser.hpp"
#include "session_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    postern::proto::ImapLimits limits;
    limits.mime.file_hashes = postern::proto::kMd5 | postern::proto::kSha256;  // digests: split-invariant too
    if (size > 0 && (data[0] & 0x80)) {  // sometimes tiny limits, to hit every bound
        limits.command_line = 16, limits.response_line = 16, limits.parse_line = 64, limits.text_line = 24;
        limits.header_line = 24, limits.pending_commands = 2, limits.literal = 8;
        limits.mime.headers_per_message = 2, limits.mime.mime_depth = 2, limits.mime.header_field = 32;
    }
    using Sink = postern::fuzz::RecordingSink<postern::proto::ImapTransaction, postern::proto::write_imap_transaction>;
    postern::fuzz::check_split_invariance<postern::proto::ImapParser, Sink>(data, size, limits);
    return 0;
}
