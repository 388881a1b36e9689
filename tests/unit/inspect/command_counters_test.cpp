// Commands are counted by protocol and verb from the parsers' closed verb sets (the parser names
// the verb; UID FETCH is FETCH); anything else is "other".
#include <gtest/gtest.h>

#include "inspect/command_counters.hpp"
#include "proto/imap/imap_command.hpp"
#include "proto/pop3/pop3_command.hpp"
#include "proto/smtp/smtp_command.hpp"

namespace {

using postern::inspect::CommandCounters;
using postern::proto::CommandEvent;
using postern::proto::Protocol;

template <class Verb>
CommandEvent command(Protocol p, Verb v, std::string_view name) {
    return {p, static_cast<uint8_t>(v), name, false};
}

size_t index_of(Protocol p, std::string_view label) {
    for (size_t i = 0; i < CommandCounters::verb_count(p); ++i)
        if (CommandCounters::verb_label(p, i) == label) return i;
    return SIZE_MAX;
}

TEST(CommandCounters, ByVerbWithOther) {
    CommandCounters c;
    using namespace postern::proto;
    c.add(command(Protocol::Smtp, SmtpVerb::Mail, "MAIL"));
    c.add(command(Protocol::Smtp, SmtpVerb::Mail, "MAIL"));
    c.add(command(Protocol::Smtp, SmtpVerb::Unknown, "UNKNOWN"));
    c.add(command(Protocol::Smtp, SmtpVerb::DataEnd, "DATA_END"));  // not a command: other
    c.add(command(Protocol::Imap, ImapVerb::Fetch, "UID FETCH"));
    c.add(command(Protocol::Pop3, Pop3Verb::Retr, "RETR"));
    c.add(command(Protocol::Tls, 3, "whatever"));  // no commands: ignored
    EXPECT_EQ(c.get(Protocol::Smtp, index_of(Protocol::Smtp, "MAIL")), 2u);
    EXPECT_EQ(c.get(Protocol::Smtp, index_of(Protocol::Smtp, "other")), 2u);
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
