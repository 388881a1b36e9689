#include "proto/common/line_assembler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postern::proto {
namespace {

std::string describe(const Line &l) {
    const char *kind = l.kind == LineKind::Complete       ? "C"
                       : l.kind == LineKind::OverlongHead ? "H"
                       : l.kind == LineKind::OverlongTail ? "T"
                       : l.kind == LineKind::OverlongMiddle ? "M"
                                                          : "U";
    const char *end = l.end == LineEnd::CrLf ? "crlf" : l.end == LineEnd::Lf ? "lf" : "none";
    return std::string(kind) + ":" + std::string(l.text) + ":" + end + ":" + std::to_string(l.length) + ":" +
           std::to_string(l.wire_size());
}

// Feeds `input` in chunks of `chunk` bytes (0: whole) and collects the lines, flushed at the end.
std::vector<std::string> run(std::string_view input, uint32_t max_line, size_t chunk = 0) {
    FixedLineAssembler<64> a(max_line);
    std::vector<std::string> out;
    Line line;
    if (chunk == 0) chunk = input.size() == 0 ? 1 : input.size();
    for (size_t i = 0; i < input.size(); i += chunk) {
        const std::string piece(input.substr(i, chunk));
        ByteSpan in{reinterpret_cast<const uint8_t *>(piece.data()), piece.size()};
        while (a.next(in, line)) out.push_back(describe(line));
        EXPECT_TRUE(in.empty());
    }
    while (a.flush(line)) out.push_back(describe(line));
    return out;
}

TEST(ProtoLineAssembler, SplitsCrlfAndBareLf) {
    const auto lines = run("HELO a\r\nMAIL\nx", 20);
    const std::vector<std::string> want = {"C:HELO a:crlf:6:8", "C:MAIL:lf:4:5", "U:x:none:1:1"};
    EXPECT_EQ(lines, want);
}

TEST(ProtoLineAssembler, SameLinesForEveryChunkSize) {
    const std::string input = "one\r\n\r\ntwo\nthree-is-longer-than-ten\r\nfour\r\r\n\n";
    const auto whole = run(input, 10);
    for (size_t chunk = 1; chunk <= input.size(); ++chunk) EXPECT_EQ(run(input, 10, chunk), whole) << chunk;
}

TEST(ProtoLineAssembler, OverlongLineReportsHeadThenTail) {
    const auto lines = run("0123456789ABC\r\nok\r\n", 10);
    const std::vector<std::string> want = {"H:0123456789:none:10:10", "T::crlf:13:5", "C:ok:crlf:2:4"};
    EXPECT_EQ(lines, want);
    for (size_t chunk = 1; chunk < 20; ++chunk) EXPECT_EQ(run("0123456789ABC\r\nok\r\n", 10, chunk), want);
}

TEST(ProtoLineAssembler, LineOfExactlyTheLimitWithCrIsNotOverlong) {
    const std::vector<std::string> want = {"C:0123456789:crlf:10:12"};
    for (size_t chunk = 1; chunk <= 12; ++chunk) EXPECT_EQ(run("0123456789\r\n", 10, chunk), want) << chunk;
}

TEST(ProtoLineAssembler, CrNotFollowedByLfIsContent) {
    const auto lines = run("ab\rc\r\n", 10, 3);
    const std::vector<std::string> want = {"C:ab\rc:crlf:4:6"};
    EXPECT_EQ(lines, want);
}

TEST(ProtoLineAssembler, OverlongWithoutEndIsFlushedAsTail) {
    const auto lines = run("0123456789ABCDEF", 10, 4);
    const std::vector<std::string> want = {"H:0123456789:none:10:10", "T::none:16:6"};
    EXPECT_EQ(lines, want);
}

TEST(ProtoLineAssembler, GapSkipsToNextLine) {
    FixedLineAssembler<64> a(32);
    Line line;
    std::string first = "partial li";
    ByteSpan in{reinterpret_cast<const uint8_t *>(first.data()), first.size()};
    EXPECT_FALSE(a.next(in, line));
    a.on_gap();
    std::string rest = "ne tail\r\nNEXT\r\n";
    in = {reinterpret_cast<const uint8_t *>(rest.data()), rest.size()};
    ASSERT_TRUE(a.next(in, line));
    EXPECT_EQ(line.text, "NEXT");
    EXPECT_FALSE(a.next(in, line));
}

TEST(ProtoLineAssembler, ZeroCopyWhenLineIsInsideOneSpan) {
    FixedLineAssembler<64> a(32);
    const std::string s = "QUIT\r\n";
    ByteSpan in{reinterpret_cast<const uint8_t *>(s.data()), s.size()};
    Line line;
    ASSERT_TRUE(a.next(in, line));
    EXPECT_EQ(line.text.data(), s.data());
}

TEST(ProtoLineAssembler, TailKeepsHeadSizeWhenLimitChanges) {
    FixedLineAssembler<64> a(8);
    const std::string s = "0123456789ABCDEF\r\n";
    ByteSpan in{reinterpret_cast<const uint8_t *>(s.data()), 12};
    Line line;
    ASSERT_TRUE(a.next(in, line));
    EXPECT_EQ(line.kind, LineKind::OverlongHead);
    a.set_max_line(32);
    in = {reinterpret_cast<const uint8_t *>(s.data()) + 12, s.size() - 12};
    ASSERT_TRUE(a.next(in, line));
    EXPECT_EQ(line.kind, LineKind::OverlongTail);
    EXPECT_EQ(line.length, 16u);
    EXPECT_EQ(line.wire_size(), 10u);
}

TEST(ProtoLineAssembler, LimitIsClampedToCapacity) {
    FixedLineAssembler<8> a(1000);
    EXPECT_EQ(a.max_line(), 8u);
}

}  // namespace
}  // namespace postern::proto

namespace postern::proto {
namespace {

// With report_middle, an overlong line's head and middle pieces put together are its whole content
// (CRs inside it and at piece boundaries included), at every chunk size and every single split;
// the other events are those a reader without middles gets.
struct Reassembled {
    std::vector<std::string> lines;  // content of each line, overlong ones put together
    std::vector<std::string> events;  // describe() of every event but the middles
};

Reassembled run_middles(const std::string &input, uint32_t max_line, const std::vector<size_t> &cuts) {
    FixedLineAssembler<64> a(max_line);
    a.set_report_middle(true);
    Reassembled r;
    std::string open;
    Line line;
    auto take = [&](const Line &l) {
        if (l.kind == LineKind::OverlongHead) open = std::string(l.text);
        else if (l.kind == LineKind::OverlongMiddle) open += l.text;
        else if (l.kind == LineKind::OverlongTail) {
            EXPECT_EQ(open.size(), l.length);
            r.lines.push_back(open);
        } else {
            r.lines.emplace_back(l.text);
        }
        if (l.kind != LineKind::OverlongMiddle) r.events.push_back(describe(l));
    };
    size_t at = 0;
    for (size_t i = 0; i <= cuts.size(); ++i) {
        const size_t end = i < cuts.size() ? cuts[i] : input.size();
        const std::string piece = input.substr(at, end - at);
        ByteSpan in{reinterpret_cast<const uint8_t *>(piece.data()), piece.size()};
        while (a.next(in, line)) take(line);
        at = end;
    }
    while (a.flush(line)) take(line);
    return r;
}

std::vector<std::string> contents(const std::string &input) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at < input.size()) {
        const size_t lf = input.find('\n', at);
        std::string l = input.substr(at, lf == std::string::npos ? std::string::npos : lf - at);
        if (lf != std::string::npos && !l.empty() && l.back() == '\r') l.pop_back();
        out.push_back(l);
        at = lf == std::string::npos ? input.size() : lf + 1;
    }
    return out;
}

TEST(ProtoLineAssembler, MiddlePiecesMakeTheWholeLineAtEverySplit) {
    const std::string inputs[] = {
        "0123456789ABCDEFGHIJ\r\nok\r\n" + std::string(70, 'x') + "\r\n",
        "0123456789\r\rAB\rC\r\r\nshort\n0123456789abc\r",  // CRs inside, at the limit, at the end
        std::string(25, 'y') + "\n" + std::string(11, 'z') + "\r\n\r\n",
    };
    for (const std::string &input : inputs) {
        const std::vector<std::string> want = contents(input);
        const auto without = run(input, 10);
        for (size_t split = 0; split <= input.size(); ++split) {
            const Reassembled r = run_middles(input, 10, {split});
            ASSERT_EQ(r.lines, want) << "split at " << split << " of " << input;
            ASSERT_EQ(r.events, without) << "split at " << split;
        }
        for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
            std::vector<size_t> cuts;
            for (size_t c = chunk; c < input.size(); c += chunk) cuts.push_back(c);
            ASSERT_EQ(run_middles(input, 10, cuts).lines, want) << "chunk " << chunk;
        }
    }
}

}  // namespace
}  // namespace postern::proto
