// Commands are counted by protocol and verb from the parsers' closed verb sets; anything else is
// "other", and UID commands count as the command after UID.
#include <gtest/gtest.h>

#include "inspect/command_counters.hpp"

namespace {

using postern::inspect::CommandCounters;
using postern::proto::Protocol;

size_t index_of(Protocol p, std::string_view label) {
    for (size_t i = 0; i < CommandCounters::verb_count(p); ++i)
        if (CommandCounters::verb_label(p, i) == label) return i;
    return SIZE_MAX;
}

TEST(CommandCounters, ByVerbWithOther) {
    CommandCounters c;
    c.add(Protocol::Smtp, "MAIL");
    c.add(Protocol::Smtp, "mail");
    c.add(Protocol::Smtp, "XYZZY");
    c.add(Protocol::Imap, "UID FETCH");
    c.add(Protocol::Pop3, "RETR");
    c.add(Protocol::Tls, "whatever");  // no commands: ignored
    EXPECT_EQ(c.get(Protocol::Smtp, index_of(Protocol::Smtp, "MAIL")), 2u);
    EXPECT_EQ(c.get(Protocol::Smtp, index_of(Protocol::Smtp, "other")), 1u);
    EXPECT_EQ(c.get(Protocol::Imap, index_of(Protocol::Imap, "FETCH")), 1u);
    EXPECT_EQ(c.get(Protocol::Pop3, index_of(Protocol::Pop3, "RETR")), 1u);
    EXPECT_EQ(CommandCounters::verb_label(Protocol::Smtp, 0), "other");
    EXPECT_EQ(CommandCounters::verb_count(Protocol::Tls), 0u);
    // Labels are unique per protocol and never the DATA terminator.
    for (Protocol p : {Protocol::Smtp, Protocol::Pop3, Protocol::Imap})
        for (size_t i = 0; i < CommandCounters::verb_count(p); ++i) {
            EXPECT_EQ(index_of(p, CommandCounters::verb_label(p, i)), i);
            EXPECT_NE(CommandCounters::verb_label(p, i), "DATA_END");
            EXPECT_NE(CommandCounters::verb_label(p, i), "UNKNOWN");
        }
}

}  // namespace
