#include "proto/pop3/pop3_command.hpp"

#include "proto/common/ascii.hpp"

namespace postern::proto {

namespace {

constexpr Keyword<Pop3Verb> kVerbs[] = {
    {Pop3Verb::User, "USER"}, {Pop3Verb::Pass, "PASS"}, {Pop3Verb::Apop, "APOP"}, {Pop3Verb::Auth, "AUTH"},
    {Pop3Verb::Stls, "STLS"}, {Pop3Verb::Capa, "CAPA"}, {Pop3Verb::Stat, "STAT"}, {Pop3Verb::List, "LIST"},
    {Pop3Verb::Retr, "RETR"}, {Pop3Verb::Dele, "DELE"}, {Pop3Verb::Noop, "NOOP"}, {Pop3Verb::Rset, "RSET"},
    {Pop3Verb::Quit, "QUIT"}, {Pop3Verb::Top, "TOP"},   {Pop3Verb::Uidl, "UIDL"}, {Pop3Verb::Utf8, "UTF8"},
    {Pop3Verb::Lang, "LANG"},
};

// Counts blank-separated words, and whether the first `numeric` of them are decimal numbers.
unsigned count_words(std::string_view s, unsigned numeric, bool &numbers_ok) {
    unsigned n = 0;
    numbers_ok = true;
    while (!s.empty()) {
        const auto [word, rest] = ascii::split_word(s);
        if (word.empty()) break;
        uint64_t value = 0;
        if (n < numeric && !ascii::parse_u64(word, value)) numbers_ok = false;
        ++n;
        s = rest;
    }
    return n;
}

}  // namespace

Pop3Verb classify_pop3_verb(std::string_view verb) { return find_keyword(kVerbs, verb, Pop3Verb::Unknown); }

std::string_view pop3_verb_name(Pop3Verb v) { return keyword_name(kVerbs, v, "UNKNOWN"); }

bool pop3_response_is_multiline(Pop3Verb v, bool has_argument) {
    switch (v) {
    case Pop3Verb::Capa:
    case Pop3Verb::Retr:
    case Pop3Verb::Top: return true;
    case Pop3Verb::List:
    case Pop3Verb::Uidl:
    case Pop3Verb::Auth:
    case Pop3Verb::Lang: return !has_argument;
    default: return false;
    }
}

bool pop3_needs_authentication(Pop3Verb v) {
    switch (v) {
    case Pop3Verb::Stat:
    case Pop3Verb::List:
    case Pop3Verb::Retr:
    case Pop3Verb::Dele:
    case Pop3Verb::Noop:
    case Pop3Verb::Rset:
    case Pop3Verb::Top:
    case Pop3Verb::Uidl: return true;
    default: return false;
    }
}

bool pop3_before_authentication_only(Pop3Verb v) {
    switch (v) {
    case Pop3Verb::User:
    case Pop3Verb::Pass:
    case Pop3Verb::Apop:
    case Pop3Verb::Auth:
    case Pop3Verb::Stls:
    case Pop3Verb::Utf8: return true;
    default: return false;
    }
}

bool pop3_arguments_valid(Pop3Verb v, std::string_view args) {
    bool numbers_ok = true;
    switch (v) {
    case Pop3Verb::User:
    case Pop3Verb::Pass: return !ascii::trim(args).empty();  // names and passwords may hold blanks
    case Pop3Verb::Apop: return count_words(args, 0, numbers_ok) == 2;
    case Pop3Verb::Auth: return count_words(args, 0, numbers_ok) <= 2;
    case Pop3Verb::Stls:
    case Pop3Verb::Capa:
    case Pop3Verb::Stat:
    case Pop3Verb::Noop:
    case Pop3Verb::Rset:
    case Pop3Verb::Quit:
    case Pop3Verb::Utf8: return count_words(args, 0, numbers_ok) == 0;
    case Pop3Verb::List:
    case Pop3Verb::Uidl: return count_words(args, 1, numbers_ok) <= 1 && numbers_ok;
    case Pop3Verb::Retr:
    case Pop3Verb::Dele: return count_words(args, 1, numbers_ok) == 1 && numbers_ok;
    case Pop3Verb::Top: return count_words(args, 2, numbers_ok) == 2 && numbers_ok;
    case Pop3Verb::Lang: return count_words(args, 0, numbers_ok) <= 1;
    case Pop3Verb::Unknown: break;
    }
    return true;
}

}  // namespace postern::proto
