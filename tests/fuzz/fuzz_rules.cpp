// libFuzzer target: a rule file's text through the loader (JSON, keys, fields, expressions,
// embedded tests run through the parsers). Whatever compiles is then used: the input's bytes are
// matched as every field and as a header, as a worker would.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/loader.hpp"
#include "rules/matcher.hpp"
#include "rules/scratch.hpp"

namespace {

struct CountingSink final : postern::rules::MatchSink {
    size_t matches = 0;
    void on_match(const postern::rules::RuleMatch &m) override { matches += m.evidence.size() + 1; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace postern;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const rules::LoadReport report = rules::validate_rule_text(text, "fuzz.json");
    if (!report.ok()) return 0;
    rules::Scratch scratch = report.set->make_scratch();
    rules::ThresholdTable thresholds(16);
    rules::Matcher matcher(&thresholds);
    matcher.bind(report.set.get(), scratch.get());
    rules::MatchState state;
    state.begin(proto::Protocol::Smtp);
    rules::MatchContext ctx;
    CountingSink sink;
    for (size_t f = 0; f < static_cast<size_t>(proto::Field::Count); ++f)
        matcher.on_field(state, ctx, static_cast<proto::Field>(f), text, sink);
    matcher.on_header(state, ctx, "X-Fuzz", text, sink);
    matcher.end_transaction(state, ctx, rules::TransactionFacts{}, sink);
    return 0;
}
