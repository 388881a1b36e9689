// libFuzzer target: a message (as after dot-unstuffing) fed to the MIME parser in chunks whose
// size comes from the first byte; also RFC 2047 decoding of the raw input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_sink.hpp"
#include "proto/mime/email_eve.hpp"
#include "proto/mime/encoded_words.hpp"
#include "proto/mime/mime_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const size_t chunk = size_t{data[0]} + 1;
    ++data, --size;
    postern::fuzz::TouchingSink sink;
    postern::proto::FixedStringArena<8192> arena;
    postern::proto::EmailMessage msg;
    postern::proto::MimeLimits limits;
    limits.file_hashes = postern::proto::kMd5 | postern::proto::kSha1 | postern::proto::kSha256;
    if (chunk & 1) limits.mime_depth = 3, limits.headers_per_message = 4, limits.header_field = 40;
    postern::proto::MimeStreamParser parser(limits, sink, arena, chunk & 2 ? 40 : 1000);
    parser.begin(msg);
    for (size_t i = 0; i < size; i += chunk) {
        const size_t n = chunk < size - i ? chunk : size - i;
        if (chunk % 7 == 3 && i > 0 && i % (chunk * 5) == 0) parser.on_gap();
        parser.feed(data + i, n);
    }
    parser.end();
    postern::output::FixedJsonWriter<65536> w;
    w.begin_object();
    postern::proto::write_email_object(w, msg);
    w.end_object();

    postern::proto::FixedStringArena<512> words;
    words.open();
    postern::proto::append_decoded_words({reinterpret_cast<const char *>(data), size}, words);
    words.close();
    return 0;
}
