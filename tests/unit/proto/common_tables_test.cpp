// The small shared pieces of lib/proto/common: keyword tables, the binary check, SASL exchanges
// and the line limit that changes only between lines.
#include <gtest/gtest.h>

#include <string>

#include "proto/common/binary_text.hpp"
#include "proto/common/keyword_table.hpp"
#include "proto/common/line_assembler.hpp"
#include "proto/common/sasl_exchange.hpp"

namespace postern::proto {
namespace {

enum class Color : uint8_t { Unknown, Red, Green };
constexpr Keyword<Color> kColors[] = {{Color::Red, "RED"}, {Color::Green, "GREEN"}};
constexpr std::string_view kFeatures[] = {"PIPELINING", "SIZE", "STARTTLS"};

TEST(ProtoKeywordTable, FindsNamesWhateverTheirCase) {
    EXPECT_EQ(find_keyword(kColors, "green", Color::Unknown), Color::Green);
    EXPECT_EQ(find_keyword(kColors, "blue", Color::Unknown), Color::Unknown);
    EXPECT_EQ(keyword_name(kColors, Color::Red, "UNKNOWN"), "RED");
    EXPECT_EQ(keyword_name(kColors, Color::Unknown, "UNKNOWN"), "UNKNOWN");
}

TEST(ProtoKeywordTable, CapabilityBitsFollowTheTable) {
    EXPECT_EQ(capability_bit(kFeatures, "pipelining"), 1u << 0);
    EXPECT_EQ(capability_bit(kFeatures, "StartTLS"), 1u << 2);
    EXPECT_EQ(capability_bit(kFeatures, "X-UNKNOWN"), kOtherCapability);
}

TEST(ProtoBinaryText, ControlBytesAndBrokenUtf8AreBinary) {
    EXPECT_FALSE(has_binary("MAIL FROM:<a@b>\tSIZE=10"));
    EXPECT_FALSE(has_binary("RCPT TO:<j\xC3\xBCrgen@example.de>"));  // UTF-8 (SMTPUTF8)
    EXPECT_TRUE(has_binary(std::string_view("USER a\0b", 8)));
    EXPECT_TRUE(has_binary("USER \x7F"));
    EXPECT_TRUE(has_binary("USER \xC3"));  // cut sequence
    EXPECT_TRUE(has_binary("USER \xC0\x80"));  // overlong encoding
}

bool is_command(std::string_view line) { return line.substr(0, 4) == "QUIT"; }

TEST(ProtoSaslExchange, ChallengedResponsesAndModelledCounts) {
    SaslExchange s;
    EXPECT_FALSE(s.takes("dXNlcg==", is_command));  // no exchange
    s.start("LOGIN", false);  // LOGIN: user, then password
    EXPECT_TRUE(s.takes("dXNlcg==", is_command));
    s.answered();
    EXPECT_TRUE(s.takes("cGFzcw==", is_command));
    s.answered();
    EXPECT_FALSE(s.takes("QUIT", is_command));
    s.on_challenge();  // the server asks once more
    EXPECT_TRUE(s.challenged());
    EXPECT_TRUE(s.takes("QUIT", is_command));
}

TEST(ProtoSaslExchange, UnknownMechanismTakesWhatIsNotACommand) {
    SaslExchange s;
    s.start("X-SECRET-SAUCE", false);
    EXPECT_TRUE(s.takes("Zm9v", is_command));
    EXPECT_FALSE(s.takes("QUIT", is_command));
    char user[16];
    EXPECT_TRUE(s.inspect("*", user, sizeof user).cancelled);
    EXPECT_TRUE(s.cancelled());
    s.stop();
    EXPECT_FALSE(s.active());
}

TEST(ProtoLineAssembler, LimitOfTheNextLineWaitsForTheLineInProgress) {
    FixedLineAssembler<32> a(32);
    Line line;
    const std::string first = "0123456789";  // no line end yet
    ByteSpan in{reinterpret_cast<const uint8_t *>(first.data()), first.size()};
    EXPECT_FALSE(a.next(in, line));
    a.limit_next_line(4);  // not for the line already begun
    EXPECT_EQ(a.max_line(), 32u);
    const std::string rest = "\r\n";
    in = {reinterpret_cast<const uint8_t *>(rest.data()), rest.size()};
    ASSERT_TRUE(a.next(in, line));
    EXPECT_EQ(line.text, "0123456789");
    a.limit_next_line(4);
    EXPECT_EQ(a.max_line(), 4u);
}

}  // namespace
}  // namespace postern::proto
