// After STARTTLS: TLS records are walked (whatever the segment cuts), and the first byte that is
// not a record header is found, with the carried header bytes before it.
#include <gtest/gtest.h>

#include <string>

#include "proto/common/tls_upgrade.hpp"
#include "recording_sink.hpp"

namespace {

using postern::proto::ByteSpan;
using postern::proto::TlsUpgrade;
using postern::proto::test::tls_record;
using postern::stream::Direction;

// Feeds `bytes` cut at `cut`; returns the offset where TLS broke (npos: it did not).
size_t break_at(const std::string &bytes, size_t cut) {
    TlsUpgrade t;
    t.begin();
    size_t consumed = 0;
    for (ByteSpan part : {ByteSpan{reinterpret_cast<const uint8_t *>(bytes.data()), cut},
                          ByteSpan{reinterpret_cast<const uint8_t *>(bytes.data()) + cut, bytes.size() - cut}}) {
        ByteSpan in = part;
        if (t.take(Direction::ToServer, in)) return consumed + (part.size - in.size) - t.carried(Direction::ToServer).size;
        consumed += part.size;
    }
    return std::string::npos;
}

TEST(TlsUpgrade, RecordsAreWalkedWhateverTheCut) {
    const std::string tls = tls_record(22, std::string(300, 'h')) + tls_record(20, "\x01") + tls_record(23, std::string(1000, 'd'));
    for (size_t cut = 0; cut <= tls.size(); ++cut) EXPECT_EQ(break_at(tls, cut), std::string::npos) << cut;
}

TEST(TlsUpgrade, CleartextIsFoundWhereItStarts) {
    const std::string first = tls_record(22, "hello");
    for (const std::string &clear : {std::string("EHLO bot\r\n"), std::string("\x16\x03\x09 junk"),
                                     std::string("\x17\x03\x03\x00\x00", 5), std::string("\x16\x02\x00\x00\x01", 5)}) {
        const std::string bytes = first + clear;
        for (size_t cut = 0; cut <= bytes.size(); ++cut) EXPECT_EQ(break_at(bytes, cut), first.size()) << cut;
    }
    // Straight away: a session that never spoke TLS.
    EXPECT_EQ(break_at("MAIL FROM:<a@b>\r\n", 3), 0u);
}

TEST(TlsUpgrade, CarriedHeaderBytesComeBack) {
    TlsUpgrade t;
    t.begin();
    const std::string head = "\x16\x03";  // two bytes that could still be TLS
    ByteSpan in{reinterpret_cast<const uint8_t *>(head.data()), head.size()};
    EXPECT_FALSE(t.take(Direction::ToClient, in));
    EXPECT_EQ(t.carried(Direction::ToClient).size, 2u);
    const std::string rest = "\x07 not tls";
    ByteSpan more{reinterpret_cast<const uint8_t *>(rest.data()), rest.size()};
    EXPECT_TRUE(t.take(Direction::ToClient, more));
    EXPECT_EQ(more.size, rest.size());  // nothing of it was taken
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(t.carried(Direction::ToClient).data), 2), head);
}

}  // namespace
