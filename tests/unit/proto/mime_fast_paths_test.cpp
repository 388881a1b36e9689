// The fast paths of MIME decoding give exactly the results of the byte-by-byte code they
// replace: the bulk base64 decoder (scalar and AVX2) against each other and against a decoder
// fed one character at a time, the quoted-printable run copy against a byte-by-byte decoder, and
// the image end-marker scan against a byte-by-byte watcher, and the counting paths a leaf part
// takes past its kept prefix against decoding it all.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "proto/common/base64.hpp"
#include "proto/common/base64_block.hpp"
#include "proto/common/lf_scanner.hpp"
#include "proto/mime/image_tail.hpp"
#include "proto/mime/mime_parser.hpp"
#include "recording_sink.hpp"

namespace {

using namespace postern::proto;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string random_base64(std::mt19937 &rng, size_t n) {
    std::string s(n, 'A');
    for (auto &c : s) c = kAlphabet[rng() % 64];
    return s;
}

struct BlockRun {
    base64_block::Decoded d;
    std::vector<uint8_t> out;
};

template <typename Fn>
BlockRun run_block(Fn fn, const std::string &in, size_t room) {
    BlockRun r;
    r.out.assign(room + 32, 0xEE);  // the AVX2 version stores whole vectors within `room`
    r.d = fn(reinterpret_cast<const uint8_t *>(in.data()), in.size(), r.out.data(), room);
    r.out.resize(r.d.written);
    return r;
}

void expect_same(const BlockRun &a, const BlockRun &b, const std::string &what) {
    EXPECT_EQ(a.d.consumed, b.d.consumed) << what;
    EXPECT_EQ(a.d.written, b.d.written) << what;
    EXPECT_EQ(a.out, b.out) << what;
}

// Every byte value at every place of a 64-character run: where the scalar loop stops, the AVX2
// version stops, with the same bytes before it.
TEST(ProtoBase64Block, EveryByteAtEveryPlaceStopsBothAlike) {
    if (!base64_block::avx2_supported()) GTEST_SKIP() << "no AVX2 on this CPU";
    std::mt19937 rng(3);
    const std::string base = random_base64(rng, 64);
    for (size_t at = 0; at < base.size(); ++at) {
        for (int b = 0; b < 256; ++b) {
            std::string s = base;
            s[at] = static_cast<char>(b);
            const BlockRun scalar = run_block(base64_block::decode_scalar, s, 1000);
            const BlockRun avx2 = run_block(base64_block::decode_avx2, s, 1000);
            expect_same(scalar, avx2, "byte " + std::to_string(b) + " at " + std::to_string(at));
            const bool in_alphabet = std::string_view(kAlphabet).find(static_cast<char>(b)) != std::string_view::npos;
            EXPECT_EQ(scalar.d.consumed, in_alphabet ? 64 : at / 4 * 4) << b << " at " << at;
        }
    }
}

TEST(ProtoBase64Block, RandomRunsAndRoomsDecodeAlike) {
    std::mt19937 rng(4);
    const std::string foreign = "=\r\n \t-.*\x80\xff";
    for (int round = 0; round < 20000; ++round) {
        std::string s = random_base64(rng, rng() % 300);
        if (!s.empty() && rng() % 2) s[rng() % s.size()] = foreign[rng() % foreign.size()];
        const size_t room = rng() % 4 == 0 ? rng() % 40 : 400;
        const BlockRun scalar = run_block(base64_block::decode_scalar, s, room);
        expect_same(scalar, run_block(base64_block::decode, s, room), "decode, round " + std::to_string(round));
        if (base64_block::avx2_supported())
            expect_same(scalar, run_block(base64_block::decode_avx2, s, room), "avx2, round " + std::to_string(round));
        EXPECT_LE(scalar.d.written, room);
        EXPECT_EQ(scalar.d.written, scalar.d.consumed / 4 * 3);
    }
}

// The known answer: RFC 4648 §10's vectors, long enough to take the vector path.
TEST(ProtoBase64Block, DecodesTheRfcText) {
    std::string plain, encoded;
    for (int i = 0; i < 20; ++i) plain += "foobar", encoded += "Zm9vYmFy";
    std::vector<uint8_t> out(plain.size() + 32);
    const auto d = base64_block::decode(reinterpret_cast<const uint8_t *>(encoded.data()), encoded.size(), out.data(), out.size());
    ASSERT_EQ(d.written, plain.size());
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(out.data()), d.written), plain);
}

struct FeedResult {
    std::vector<uint8_t> out;
    uint64_t decoded = 0;
    bool invalid = false;
    bool operator==(const FeedResult &) const = default;
};

// Feeds `text` in pieces of the given sizes (cycled) into a buffer of `cap`, then finishes.
FeedResult feed(const std::string &text, size_t cap, const std::vector<size_t> &pieces) {
    Base64Decoder d;
    FeedResult r;
    r.out.resize(cap + 32);
    size_t len = 0;
    for (size_t at = 0, k = 0; at < text.size(); ++k) {
        const size_t n = std::min(pieces[k % pieces.size()], text.size() - at);
        d.feed(std::string_view(text).substr(at, n), r.out.data(), cap, len);
        at += n;
    }
    d.finish(r.out.data(), cap, len);
    r.out.resize(len);
    r.decoded = d.decoded();
    r.invalid = d.invalid();
    return r;
}

// MIME bodies as mail has them (76-character lines) and as an attacker may send them (odd
// lengths, blanks, padding in the middle, foreign bytes), fed whole or in random pieces: the same
// bytes, count and verdict as one character at a time, which never takes the bulk path.
TEST(ProtoBase64Block, DecoderFedInAnyPiecesMatchesCharacterByCharacter) {
    std::mt19937 rng(5);
    const std::string noise[] = {"\r\n", " ", "=", "==", "-", "\t", "A", "\xC3\xA9", "=\r\n"};
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        const size_t lines = rng() % 12;
        for (size_t l = 0; l < lines; ++l) {
            text += random_base64(rng, rng() % 3 == 0 ? rng() % 120 : 76);
            if (rng() % 5 == 0) text.insert(rng() % (text.size() + 1), noise[rng() % std::size(noise)]);
            text += "\r\n";
        }
        if (rng() % 3 == 0) text += rng() % 2 ? "==" : "=";
        const size_t cap = rng() % 3 == 0 ? rng() % 64 : 4096;
        const FeedResult slow = feed(text, cap, {1});
        EXPECT_EQ(feed(text, cap, {text.size() + 1}), slow) << "whole, round " << round;
        std::vector<size_t> pieces;
        for (int i = 0; i < 7; ++i) pieces.push_back(1 + rng() % 90);
        EXPECT_EQ(feed(text, cap, pieces), slow) << "pieces, round " << round;
    }
}

// The counting scan stops where the byte loop stops, for every byte value at every place of runs
// around the 32-byte steps, and both count a run that reaches the end.
TEST(ProtoBase64Block, AlphabetRunStopsWhereTheByteLoopStops) {
    if (!base64_block::avx2_supported()) GTEST_SKIP() << "no AVX2 on this CPU";
    std::mt19937 rng(11);
    for (size_t len : {0, 1, 31, 32, 33, 63, 64, 65, 76, 100}) {
        const std::string run = random_base64(rng, len);
        const auto *p = reinterpret_cast<const uint8_t *>(run.data());
        EXPECT_EQ(base64_block::alphabet_run_avx2(p, len), len) << len;
        for (size_t at = 0; at < len; ++at) {
            for (int b = 0; b < 256; ++b) {
                std::string s = run;
                s[at] = static_cast<char>(b);
                const auto *q = reinterpret_cast<const uint8_t *>(s.data());
                ASSERT_EQ(base64_block::alphabet_run_avx2(q, len), base64_block::alphabet_run_scalar(q, len))
                    << "length " << len << " byte " << b << " at " << at;
            }
        }
    }
}

// The block scan of line ends finds what memchr finds, from any later place, within any bound,
// over LF densities from none to every byte.
TEST(ProtoLfScanner, FindsWhatMemchrFinds) {
    std::mt19937 rng(12);
    for (int round = 0; round < 5000; ++round) {
        std::vector<uint8_t> buf(rng() % 400);
        const size_t density = 1 + rng() % 90;
        for (auto &b : buf) b = rng() % density == 0 ? '\n' : static_cast<uint8_t>('a' + rng() % 26);
        const uint8_t *begin = buf.data(), *end = begin + buf.size();
        LfScanner scanner(begin, end);
        for (const uint8_t *from = begin; from < end;) {
            const uint8_t *bound = from + rng() % static_cast<size_t>(end - from + 1);
            const void *want = std::memchr(from, '\n', static_cast<size_t>(bound - from));
            const uint8_t *got = scanner.next(from, bound);
            ASSERT_EQ(static_cast<const void *>(got), want) << "round " << round;
            from = got && rng() % 2 ? got + 1 : from + 1 + rng() % 50;
        }
    }
}

// The byte-by-byte quoted-printable decoder the run copy replaced, kept as the reference.
bool reference_qp(std::string_view line, uint8_t *out, size_t cap, size_t &len, bool &hard_break) {
    auto hex = [](char c) { return std::string_view("0123456789ABCDEF").find(static_cast<char>(std::toupper(c))); };
    auto put = [&](uint8_t b) {
        if (len < cap) out[len++] = b;
    };
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    hard_break = true;
    bool ok = true;
    for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] != '=') {
            put(static_cast<uint8_t>(line[i]));
            continue;
        }
        if (i + 1 == line.size()) {
            hard_break = false;
            break;
        }
        const size_t hi = i + 2 < line.size() ? hex(line[i + 1]) : std::string_view::npos;
        const size_t lo = i + 2 < line.size() ? hex(line[i + 2]) : std::string_view::npos;
        if (hi == std::string_view::npos || lo == std::string_view::npos) {
            ok = false;
            put('=');
            continue;
        }
        put(static_cast<uint8_t>(hi << 4 | lo));
        i += 2;
    }
    return ok;
}

TEST(ProtoQuotedPrintable, RunCopyMatchesByteByByte) {
    std::mt19937 rng(8);
    const std::string atoms[] = {"=", "=3D", "=C3=A9", "=4", "=G1", "=\t", " ", "\t", "abc", "Hello world", "="};
    for (int round = 0; round < 20000; ++round) {
        std::string line;
        const size_t n = rng() % 12;
        for (size_t i = 0; i < n; ++i) line += atoms[rng() % std::size(atoms)];
        const size_t cap = rng() % 3 == 0 ? rng() % 20 : 200;
        const size_t start = cap ? rng() % (cap + 1) : 0;  // bytes already in the buffer
        std::vector<uint8_t> want(cap + 1, 0), got(cap + 1, 0);
        size_t want_len = start, got_len = start;
        bool want_hard = false, got_hard = false;
        const bool want_ok = reference_qp(line, want.data(), cap, want_len, want_hard);
        const bool got_ok = decode_quoted_printable_line(line, got.data(), cap, got_len, got_hard);
        EXPECT_EQ(got_ok, want_ok) << line;
        EXPECT_EQ(got_hard, want_hard) << line;
        ASSERT_EQ(got_len, want_len) << line << " cap " << cap;
        EXPECT_EQ(got, want) << line;
    }
}

// The count a part past its prefix takes is the size the decoder writes, with the same verdict.
TEST(ProtoQuotedPrintable, SizeMatchesDecodedLength) {
    std::mt19937 rng(9);
    const std::string atoms[] = {"=", "=3D", "=C3=a9", "=4", "=G1", "=\t", " ", "\t", "abc", "Hello world", "=", "= "};
    for (int round = 0; round < 20000; ++round) {
        std::string line;
        const size_t n = rng() % 12;
        for (size_t i = 0; i < n; ++i) line += atoms[rng() % std::size(atoms)];
        uint8_t out[512];
        size_t len = 0, size = 99;
        bool hard = false, size_hard = false;
        const bool ok = reference_qp(line, out, sizeof out, len, hard);
        EXPECT_EQ(quoted_printable_line_size(line, size, size_hard), ok) << line;
        EXPECT_EQ(size, len) << line;
        EXPECT_EQ(size_hard, hard) << line;
    }
}

// What a part's end reports of its decoded bytes (not the prefix, which depends on the bound).
struct PartEndSink : test::RecordingSink {
    void on_part_end(const MimePartEnd &e) override {
        events.push_back("part_end decoded=" + std::to_string(e.decoded_bytes) +
                         (e.long_encoded_line ? " long" : "") + (e.gap ? " gap" : ""));
    }
    void on_field(Field, std::string_view) override {}  // the body prefix differs by design
    void on_file(const FileEvent &f) override {  // digests differ by design
        events.push_back("file size=" + std::to_string(f.size) + (f.gap ? " gap" : ""));
    }
};

std::string random_part_body(std::mt19937 &rng, bool base64, size_t max_lines) {
    const std::string b64_noise[] = {" ", "=", "==", "-", "\t", "\xC3\xA9", "=A", "A"};
    const std::string qp_atoms[] = {"=", "=3D", "=C3=A9", "=4", "=G1", " ", "\t", "abc", "Hello world ", "<br>"};
    std::string body;
    const size_t lines = rng() % max_lines;
    for (size_t l = 0; l < lines; ++l) {
        std::string line;
        if (base64) {
            line = random_base64(rng, rng() % 4 == 0 ? rng() % 1200 : 76);
            if (rng() % 6 == 0) line.insert(rng() % (line.size() + 1), b64_noise[rng() % std::size(b64_noise)]);
        } else {
            const size_t atoms = rng() % 20;
            for (size_t i = 0; i < atoms; ++i) line += qp_atoms[rng() % std::size(qp_atoms)];
            if (rng() % 40 == 0) line += std::string(1100, 'q');
        }
        body += line + (rng() % 10 == 0 ? "\n" : "\r\n");
    }
    if (base64 && rng() % 3 == 0) body += rng() % 2 ? "QQ==\r\n" : "QUI=\r\n";
    return body;
}

std::vector<std::string> parse_part_ends(const std::string &msg, const MimeLimits &limits, std::mt19937 &split_rng) {
    PartEndSink sink;
    FixedStringArena<65536> arena;
    MimeStreamParser parser(limits, sink, arena);
    EmailMessage out;
    parser.begin(out);
    for (size_t at = 0; at < msg.size();) {
        const size_t n = std::min<size_t>(msg.size() - at, 1 + split_rng() % 200);
        parser.feed(reinterpret_cast<const uint8_t *>(msg.data() + at), n);
        at += n;
    }
    parser.end();
    return sink.events;
}

// Past the kept prefix base64 and quoted-printable lines are counted, not decoded: a part's
// decoded size, its anomalies, its long-line flag and its file's size are those of decoding every
// line, fed in random pieces. The reference decodes all of an attachment (it is hashed) and all of
// a text part (a short one, within the largest prefix).
TEST(ProtoMimeCounting, PastThePrefixCountsWhatDecodingGives) {
    std::mt19937 rng(21), split_a(1), split_b(2);
    MimeLimits counting, decoding;
    decoding.file_hashes = kSha256;
    decoding.hash_messages = false;  // the whole message is a file then: not in the other run
    decoding.body_prefix = MimeLimits::kMaxBodyPrefix;
    for (int round = 0; round < 1500; ++round) {
        std::string msg = "Subject: t\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
        const size_t parts = 1 + rng() % 4;
        for (size_t i = 0; i < parts; ++i) {
            const bool base64 = rng() % 2 == 0, attachment = rng() % 3 != 0;
            msg += "--b\r\nContent-Type: " + std::string(attachment ? "application/octet-stream" : "text/plain") +
                   (attachment ? "\r\nContent-Disposition: attachment; filename=f" + std::to_string(i) : "") +
                   "\r\nContent-Transfer-Encoding: " + (base64 ? "base64" : "quoted-printable") + "\r\n\r\n" +
                   random_part_body(rng, base64, attachment ? 40 : 6);
        }
        msg += "--b--\r\n";
        counting.body_prefix = static_cast<uint32_t>(4 + rng() % 60);
        ASSERT_EQ(parse_part_ends(msg, counting, split_a), parse_part_ends(msg, decoding, split_b)) << "round " << round;
    }
}

// The byte-by-byte end-marker watcher ImageTail replaced, kept here as the reference.
class ByteImageTail {
public:
    void feed(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; ++i) byte(p[i]);
    }
    bool seen = false;
    uint64_t after = 0;

private:
    void byte(uint8_t b) {
        window_ = window_ << 8 | b;
        if (kind_ == 3) return;
        ++count_;
        if (kind_ == 0) {
            if (count_ == 3 && (window_ & 0xFFFFFF) == 0xFFD8FF) kind_ = 2;
            else if (count_ == 8 && window_ == 0x89504E470D0A1A0Aull) kind_ = 1;
            else if (count_ >= 8) kind_ = 3;
            return;
        }
        if ((kind_ == 1 && window_ == 0x49454E44AE426082ull) || (kind_ == 2 && (window_ & 0xFFFF) == 0xFFD9)) {
            seen = true;
            after = 0;
        } else if (seen) {
            ++after;
        }
    }
    uint64_t window_ = 0, count_ = 0;
    int kind_ = 0;
};

TEST(ProtoImageTail, ScanMatchesByteByByteAtAnySplit) {
    std::mt19937 rng(6);
    const std::vector<uint8_t> png_head = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    const std::vector<uint8_t> iend = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    for (int round = 0; round < 4000; ++round) {
        const int kind = round % 3;  // PNG, JPEG, neither
        std::vector<uint8_t> data;
        if (kind == 0) data = png_head;
        if (kind == 1) data = {0xFF, 0xD8, 0xFF};
        const size_t body = rng() % 400;
        for (size_t i = 0; i < body; ++i) {
            // Marker bytes, near misses of them and plain bytes.
            const auto pick = rng() % 40;
            if (pick == 0) data.insert(data.end(), iend.begin(), iend.end());
            else if (pick == 1) data.insert(data.end(), {0xFF, 0xD9});
            else if (pick < 6) data.push_back(pick % 2 ? 0x82 : 0xD9);
            else data.push_back(static_cast<uint8_t>(rng()));
        }
        ByteImageTail want;
        want.feed(data.data(), data.size());
        ImageTail got;
        for (size_t at = 0; at < data.size();) {
            const size_t n = std::min<size_t>(data.size() - at, 1 + rng() % 20);
            got.feed(data.data() + at, n);
            at += n;
        }
        EXPECT_EQ(got.marker_seen(), want.seen) << round;
        EXPECT_EQ(got.after_marker(), want.after) << round;
    }
}

}  // namespace
