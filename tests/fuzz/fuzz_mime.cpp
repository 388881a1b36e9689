// libFuzzer target: a message (as after dot-unstuffing) fed to the MIME parser in chunks whose
// size comes from the first byte; also RFC 2047 decoding of the raw input. Extraction is on and
// checked: bytes only for open files, each file closed once, and a file with a digest was handed
// out whole (as many bytes as its size).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_sink.hpp"
#include "proto/mime/email_eve.hpp"
#include "proto/mime/encoded_words.hpp"
#include "proto/mime/mime_parser.hpp"

namespace {

struct ExtractCheckingSink : postern::fuzz::TouchingSink {
    static constexpr uint32_t kMax = 4096;
    uint64_t handed[kMax] = {};
    bool open[kMax] = {};
    uint32_t next = 1;
    uint32_t on_file_begin(const postern::proto::FileBegin &) override {
        if (next >= kMax) return 0;
        open[next] = true;
        return next++;
    }
    void on_file_data(uint32_t h, const uint8_t *, size_t n) override {
        if (h >= kMax || !open[h]) __builtin_trap();
        handed[h] += n;
    }
    void on_file(const postern::proto::FileEvent &f) override {
        TouchingSink::on_file(f);
        const uint32_t h = f.store_handle;
        if (h == 0) return;
        if (h >= kMax || !open[h]) __builtin_trap();
        open[h] = false;
        if ((f.digests.present & postern::proto::kSha256) && handed[h] != f.size) __builtin_trap();
    }
    bool all_closed() const {
        for (uint32_t h = 1; h < next; ++h)
            if (open[h]) return false;
        return true;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const size_t chunk = size_t{data[0]} + 1;
    ++data, --size;
    ExtractCheckingSink sink;
    postern::proto::FixedStringArena<8192> arena;
    postern::proto::EmailMessage msg;
    postern::proto::MimeLimits limits;
    limits.file_hashes = postern::proto::kMd5 | postern::proto::kSha1 | postern::proto::kSha256;
    limits.file_store = postern::proto::kStoreAttachments | postern::proto::kStoreMessages;
    if (chunk & 1) limits.mime_depth = 3, limits.headers_per_message = 4, limits.header_field = 40;
    postern::proto::MimeStreamParser parser(limits, sink, arena, chunk & 2 ? 40 : 1000);
    parser.begin(msg);
    for (size_t i = 0; i < size; i += chunk) {
        const size_t n = chunk < size - i ? chunk : size - i;
        if (chunk % 7 == 3 && i > 0 && i % (chunk * 5) == 0) parser.on_gap();
        parser.feed(data + i, n);
    }
    parser.end();
    if (!sink.all_closed()) __builtin_trap();
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
