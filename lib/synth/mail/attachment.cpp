#include "synth/mail/attachment.hpp"

#include <algorithm>
#include <array>

#include "synth/mail/corpus.hpp"

namespace postern::synth::mail {

namespace {

uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc = 0) {
    static const auto table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

void put(std::vector<uint8_t> &out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }
void put16le(std::vector<uint8_t> &out, uint32_t v) {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
}
void put32le(std::vector<uint8_t> &out, uint32_t v) {
    put16le(out, v & 0xFFFF);
    put16le(out, v >> 16);
}
void put32be(std::vector<uint8_t> &out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
void filler(std::vector<uint8_t> &out, uint64_t n, Rng &rng) {
    const size_t at = out.size();
    out.resize(at + n);
    rng.fill(out.data() + at, n);
}
uint64_t room(uint64_t size, size_t used, size_t tail) { return size > used + tail ? size - used - tail : 16; }

void pdf(uint64_t size, Rng &rng, std::vector<uint8_t> &out) {
    put(out, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
             "3 0 obj\n<< /Filter /FlateDecode >>\nstream\n");
    const std::string_view tail = "\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
    filler(out, room(size, out.size(), tail.size()), rng);
    put(out, tail);
}

// A ZIP with one deflated member named `member` (Office files start with [Content_Types].xml).
void zip(std::string_view member, uint64_t size, Rng &rng, std::vector<uint8_t> &out) {
    const uint64_t body = room(size, 30 + member.size(), 46 + member.size() + 22);
    const uint32_t crc = static_cast<uint32_t>(rng.next());
    const uint32_t dos_time = 0x5B6E0000U | static_cast<uint32_t>(rng.below(0x10000));
    auto entry_fields = [&](std::vector<uint8_t> &o) {
        put16le(o, 20);  // version needed
        put16le(o, 0);   // flags
        put16le(o, 8);   // deflate
        put32le(o, dos_time);
        put32le(o, crc);
        put32le(o, static_cast<uint32_t>(body));
        put32le(o, static_cast<uint32_t>(body * 3));
        put16le(o, static_cast<uint32_t>(member.size()));
        put16le(o, 0);  // extra length
    };
    put(out, "PK\x03\x04");
    entry_fields(out);
    put(out, member);
    filler(out, body, rng);
    const size_t central = out.size();
    put(out, "PK\x01\x02");
    put16le(out, 20);  // version made by
    entry_fields(out);
    put16le(out, 0);  // comment length
    put16le(out, 0);  // disk
    put16le(out, 0);  // internal attributes
    put32le(out, 0);  // external attributes
    put32le(out, 0);  // local header offset
    put(out, member);
    const size_t central_size = out.size() - central;
    put(out, std::string_view("PK\x05\x06\0\0\0\0\x01\0\x01\0", 12));  // one entry, one disk
    put32le(out, static_cast<uint32_t>(central_size));
    put32le(out, static_cast<uint32_t>(central));
    put16le(out, 0);
}

void png_chunk(std::vector<uint8_t> &out, std::string_view type, const uint8_t *data, size_t n) {
    put32be(out, static_cast<uint32_t>(n));
    const size_t at = out.size();
    put(out, type);
    out.insert(out.end(), data, data + n);
    put32be(out, crc32(out.data() + at, out.size() - at));
}

void png(uint64_t size, Rng &rng, std::vector<uint8_t> &out) {
    put(out, "\x89PNG\r\n\x1A\n");
    std::vector<uint8_t> ihdr;
    put32be(ihdr, static_cast<uint32_t>(rng.between(64, 2048)));
    put32be(ihdr, static_cast<uint32_t>(rng.between(64, 2048)));
    ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit RGB, deflate, no filter, no interlace
    png_chunk(out, "IHDR", ihdr.data(), ihdr.size());
    std::vector<uint8_t> idat;
    filler(idat, room(size, out.size(), 12 + 12), rng);
    png_chunk(out, "IDAT", idat.data(), idat.size());
    png_chunk(out, "IEND", nullptr, 0);
}

void jpeg(uint64_t size, Rng &rng, std::vector<uint8_t> &out) {
    put(out, std::string_view("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20));
    put(out, "\xFF\xDA");
    filler(out, room(size, out.size(), 2), rng);
    put(out, "\xFF\xD9");
}

}  // namespace

void make_file(std::string_view extension, uint64_t size, Rng &rng, std::vector<uint8_t> &out) {
    out.clear();
    if (extension == "pdf") {
        pdf(size, rng, out);
    } else if (extension == "docx" || extension == "xlsx") {
        zip("[Content_Types].xml", size, rng, out);
    } else if (extension == "zip") {
        zip(rng.chance(0.5) ? "report.csv" : "logs/server.log", size, rng, out);
    } else if (extension == "png") {
        png(size, rng, out);
    } else if (extension == "jpg") {
        jpeg(size, rng, out);
    } else {
        filler(out, size, rng);
    }
}

Attachment make_attachment(Rng &rng, uint64_t size) {
    const auto kinds = file_kinds();
    const FileKind &kind = kinds[rng.below(kinds.size())];
    Attachment a;
    a.content_type = kind.content_type;
    a.filename = std::string(rng.chance(0.1) ? foreign_file_stem(rng) : file_stem(rng)) + "." +
                 std::string(kind.extension);
    make_file(kind.extension, size, rng, a.data);
    return a;
}

}  // namespace postern::synth::mail
