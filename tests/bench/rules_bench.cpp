// Rule engine cost: compile time and matching cost per field event, for the default rule set and for
// 1,000 and 10,000 synthetic rules. Run from the repository root (it reads config/rules):
//   build-rules-rel/tests/bench/rules_bench
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rules/loader.hpp"
#include "rules/matcher.hpp"
#include "rules/scratch.hpp"

namespace {

using namespace postern;
using proto::Field;

std::string rules_dir() {
    for (const char *p : {"config/rules", "../config/rules", "../../config/rules"})
        if (std::filesystem::is_directory(p)) return p;
    return "config/rules";
}

// Synthetic rules over the fields the default set uses most, with expressions of the shapes it uses:
// anchored prefixes, words with character classes, domain lists. One in five rules needs two fields.
std::string synthetic_rules(size_t n) {
    std::mt19937 rng(7);
    auto word = [&](size_t len) {
        std::string w;
        for (size_t i = 0; i < len; ++i) w += static_cast<char>('a' + rng() % 26);
        return w;
    };
    const char *fields[] = {"email.subject", "email.x_mailer", "smtp.helo", "smtp.rcpt_to",
                            "email.attachment.filename", "email.header.x-campaign", "email.body_prefix"};
    std::string out = R"({"rules": [)";
    for (size_t i = 0; i < n; ++i) {
        const std::string f = fields[rng() % 7];
        std::string pattern;
        switch (rng() % 4) {
        case 0: pattern = "\\\\A" + word(4) + "_[A-Za-z0-9]{2,16}/" + word(3); break;
        case 1: pattern = word(6) + "\\\\s+" + word(5) + "[0-9]{2,4}"; break;
        case 2: pattern = "@(?:" + word(5) + "|" + word(6) + ")\\\\." + word(3) + "\\\\z"; break;
        default: pattern = "\\\\." + word(3) + word(2) + "[\\\\s.]*\\\\z"; break;
        }
        std::string match = R"({"field": ")" + f + R"(", "patterns": [")" + pattern + R"("], "flags": ["caseless"]})";
        if (rng() % 5 == 0) match += R"(, {"field": "smtp.helo", "patterns": ["\\A)" + word(7) + R"(-"]})";
        out += (i ? "," : "") + std::string(R"({"id": )") + std::to_string(1000000 + i) +
               R"(, "rev": 1, "title": "synthetic", "level": "low", "protocols": ["smtp"], "match": {"all": [)" + match +
               "]}}";
    }
    return out + "]}";
}

struct Loaded {
    std::shared_ptr<const rules::RuleSet> set;
    double load_seconds = 0;  // parse, check every expression, compile
    double compile_seconds = 0;
};

Loaded load(const std::string &which) {
    rules::LoadOptions o;
    o.run_tests = false;
    const auto t0 = std::chrono::steady_clock::now();
    rules::LoadReport r = which == "default" ? rules::load_rule_files({rules_dir()}, o)
                                             : rules::validate_rule_text(synthetic_rules(std::stoul(which)), "synthetic", o);
    Loaded l;
    l.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    l.compile_seconds = r.compile_seconds;
    l.set = r.set;
    if (!l.set)
        for (const auto &d : r.diagnostics) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return l;
}

Loaded &cached(const std::string &which) {
    static std::map<std::string, Loaded> sets;
    auto it = sets.find(which);
    if (it == sets.end()) it = sets.emplace(which, load(which)).first;
    return it->second;
}

// A benign message's worth of field events, as the SMTP and MIME parsers report them.
struct Event {
    bool header;
    Field field;
    std::string name, value;
};
const std::vector<Event> &benign_events() {
    static const std::vector<Event> events = {
        {false, Field::SmtpHelo, "", "mail.example.org"},
        {false, Field::SmtpCommandLine, "", "EHLO mail.example.org"},
        {false, Field::SmtpMailFrom, "", "alice@example.org"},
        {false, Field::SmtpRcptTo, "", "bob@example.com"},
        {false, Field::SmtpRcptTo, "", "carol@example.com"},
        {true, Field::EmailHeader, "From", "Alice <alice@example.org>"},
        {false, Field::EmailFrom, "", "Alice <alice@example.org>"},
        {true, Field::EmailHeader, "To", "bob@example.com, carol@example.com"},
        {false, Field::EmailTo, "", "bob@example.com"},
        {true, Field::EmailHeader, "Subject", "Minutes of Tuesday's meeting and the budget for next quarter"},
        {false, Field::EmailSubject, "", "Minutes of Tuesday's meeting and the budget for next quarter"},
        {true, Field::EmailHeader, "Message-ID", "<20240101.1234.5678@example.org>"},
        {false, Field::EmailMessageId, "", "<20240101.1234.5678@example.org>"},
        {true, Field::EmailHeader, "X-Mailer", "Microsoft Outlook 16.0"},
        {false, Field::EmailXMailer, "", "Microsoft Outlook 16.0"},
        {true, Field::EmailHeader, "Content-Type", "multipart/mixed; boundary=\"b1\""},
        {false, Field::EmailBodyPrefix, "", "Hi Bob, the minutes are attached. The budget review moved to Thursday at "
                                            "10:00 in room 4.12; please bring the figures for the second half."},
        {false, Field::EmailAttachmentFilename, "", "minutes-2024-01-02.pdf"},
        {false, Field::EmailAttachmentContentType, "", "application/pdf"},
    };
    return events;
}

class NullMatchSink final : public rules::MatchSink {
public:
    uint64_t matches = 0;
    void on_match(const rules::RuleMatch &) override { ++matches; }
};

void BM_Compile(benchmark::State &state, std::string which) {
    double load_s = 0, compile_s = 0;
    size_t rules = 0, expressions = 0, databases = 0;
    for (auto _ : state) {
        const Loaded l = load(which);
        if (!l.set) return state.SkipWithError("rule set did not load");
        load_s += l.load_seconds, compile_s += l.compile_seconds;
        rules = l.set->rules().size(), expressions = l.set->expression_count(), databases = l.set->database_count();
    }
    state.counters["rules"] = static_cast<double>(rules);
    state.counters["expressions"] = static_cast<double>(expressions);
    state.counters["databases"] = static_cast<double>(databases);
    state.counters["load_ms"] = load_s * 1e3 / static_cast<double>(state.iterations());
    state.counters["compile_ms"] = compile_s * 1e3 / static_cast<double>(state.iterations());
}

// Cost of one field event through the matcher (scan + bookkeeping), over a benign message; the
// transaction end is included once per message.
void BM_MatchEvent(benchmark::State &state, std::string which) {
    const Loaded &l = cached(which);
    if (!l.set) return state.SkipWithError("rule set did not load");
    const rules::Scratch scratch = l.set->make_scratch();
    rules::ThresholdTable thresholds(4096);
    rules::Matcher matcher(&thresholds);
    matcher.bind(l.set.get(), scratch.get());
    auto st = std::make_unique<rules::MatchState>();
    NullMatchSink sink;
    const rules::MatchContext ctx{1, 2, 3};
    const auto &events = benign_events();
    rules::TransactionFacts facts;
    facts.set(rules::Metric::SmtpRcptCount, 2);
    facts.set(rules::Metric::EmailSize, 4096);
    uint64_t n = 0;
    for (auto _ : state) {
        st->begin(proto::Protocol::Smtp);
        for (const Event &e : events) {
            if (e.header) matcher.on_header(*st, ctx, e.name, e.value, sink);
            else matcher.on_field(*st, ctx, e.field, e.value, sink);
        }
        matcher.end_transaction(*st, ctx, facts, sink);
        n += events.size();
    }
    state.SetItemsProcessed(static_cast<int64_t>(n));
    state.counters["ns_per_event"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate |
                                                                                   benchmark::Counter::kInvert);
    state.counters["matches"] = static_cast<double>(sink.matches);
}

// The same with a stealer's exfiltration message, which fires several rules of the default set.
void BM_MatchStealerMessage(benchmark::State &state) {
    const Loaded &l = cached("default");
    if (!l.set) return state.SkipWithError("rule set did not load");
    const rules::Scratch scratch = l.set->make_scratch();
    rules::Matcher matcher;
    matcher.bind(l.set.get(), scratch.get());
    auto st = std::make_unique<rules::MatchState>();
    NullMatchSink sink;
    const std::vector<std::pair<Field, std::string>> events = {
        {Field::SmtpHelo, "DESKTOP-7QK2M1A"}, {Field::SmtpAuthMechanism, "LOGIN"},
        {Field::SmtpAuthUser, "exfil.box@gmail.com"}, {Field::SmtpMailFrom, "exfil.box@gmail.com"},
        {Field::SmtpRcptTo, "exfil.box@gmail.com"}, {Field::EmailSubject, "PW_jdoe/DESKTOP-7QK2M1A"},
        {Field::EmailBodyPrefix, "Time: 01/02/2024<br>UserName&nbsp;: jdoe<br>PC&nbsp;Name: DESKTOP-7QK2M1A<br>OS&nbsp;Full&nbsp;Name: Windows 10"},
    };
    uint64_t n = 0;
    for (auto _ : state) {
        st->begin(proto::Protocol::Smtp);
        for (const auto &[f, v] : events) matcher.on_field(*st, {}, f, v, sink);
        matcher.end_transaction(*st, {}, {}, sink);
        n += events.size();
    }
    state.counters["ns_per_event"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate |
                                                                                   benchmark::Counter::kInvert);
    state.counters["matches_per_message"] = static_cast<double>(sink.matches) / static_cast<double>(state.iterations());
}

}  // namespace

int main(int argc, char **argv) {
    for (const std::string which : {"default", "1000", "10000"}) {
        benchmark::RegisterBenchmark(("rules_compile/" + which).c_str(), BM_Compile, which)
            ->Unit(benchmark::kMillisecond)
            ->Iterations(which == "10000" ? 1 : 3);
        benchmark::RegisterBenchmark(("rules_match_benign_event/" + which).c_str(), BM_MatchEvent, which);
    }
    benchmark::RegisterBenchmark("rules_match_stealer_event/default", BM_MatchStealerMessage);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
