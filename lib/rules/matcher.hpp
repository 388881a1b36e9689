// Matches field values against a RuleSet as the parsers report them; one per worker. Nothing is
// allocated per event: values are scanned with the worker's scratch, partial matches go to the
// session's fixed MatchState, and matches are handed to a MatchSink during the call.
//
//   worker start:     Matcher m(&thresholds);
//   new rule set:     m.bind(set, set->worker_scratch(worker_index));   // at a burst boundary
//   new session:      state.begin(proto::Protocol::Smtp);
//   parser events:    m.on_field(state, ctx, field, value, sink);  m.on_header(state, ctx, name, value, sink);
//   transaction end:  m.end_transaction(state, ctx, facts_for(tx), sink);
//
// A rule whose one field condition (or any condition of an "any" rule) is met fires at that
// event; a rule that needs several conditions fires at the event that completes them; a rule with
// metric conditions is decided at end_transaction(). A rule fires at most once per transaction.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <hs/hs.h>

#include "proto/events.hpp"
#include "rules/match_context.hpp"
#include "rules/match_state.hpp"
#include "rules/metrics.hpp"
#include "rules/rule_set.hpp"
#include "rules/threshold_table.hpp"
#include "util/histogram.hpp"

namespace postern::rules {

struct Evidence {
    std::string_view field;  // "email.subject", "email.header.x-mailer", "email.attachment_count"
    std::string_view value;  // at most MatchState::kMaxEvidenceValue bytes for earlier events
};

// Valid only during MatchSink::on_match.
struct RuleMatch {
    const Rule &rule;
    uint64_t set_version;
    std::span<const Evidence> evidence;
    TransactionRef transaction = {};  // the transaction whose end decided the match (if it did)
};

class MatchSink {
public:
    virtual void on_match(const RuleMatch &m) = 0;

protected:
    ~MatchSink() = default;
};

struct MatcherStats {
    uint64_t scans = 0;  // Hyperscan scans
    uint64_t scan_errors = 0;
    uint64_t invalid_utf8 = 0;  // values not scanned with utf8 expressions
    uint64_t matches = 0;  // rule matches handed to the sink
    uint64_t threshold_suppressed = 0;
    uint64_t pending_full = 0;  // partial matches lost: MatchState::kMaxPending
    uint64_t fired_full = 0;  // a rule may fire twice in a transaction: MatchState::kMaxFired
    uint64_t evidence_dropped = 0;  // evidence space of a state full
    uint64_t stale_states = 0;  // states started over after a rule-set switch
    uint64_t deferred_full = 0;  // hits of one value beyond kMaxDeferred in a database with excludes
    uint64_t header_lines_cut = 0;  // email.header_line values longer than kMaxHeaderLine
};

class Matcher {
public:
    // Without a threshold table, thresholds are ignored (every hit is a match), as in rule tests.
    explicit Matcher(ThresholdTable *thresholds = nullptr) : thresholds_(thresholds) {}
    Matcher(const Matcher &) = delete;
    Matcher &operator=(const Matcher &) = delete;

    // Uses `set` from now on with `scratch`, which must be valid for it (RuleSet::worker_scratch
    // or a Scratch prepared for it). Null set: match nothing.
    void bind(const RuleSet *set, hs_scratch_t *scratch) { set_ = set, scratch_ = scratch; }
    const RuleSet *set() const { return set_; }

    void on_field(MatchState &state, const MatchContext &ctx, proto::Field field, std::string_view value, MatchSink &sink);
    // A header of a message or MIME part: email.header.<name> and email.header_names.
    void on_header(MatchState &state, const MatchContext &ctx, std::string_view name, std::string_view value,
                   MatchSink &sink);
    // Decides rules with metric conditions, then forgets the transaction's values.
    void end_transaction(MatchState &state, const MatchContext &ctx, const TransactionFacts &facts, MatchSink &sink);

    const MatcherStats &stats() const { return stats_; }
    // TSC cycles per hs_scan call; read by the control plane (postern_rule_scan_duration_seconds).
    const util::Log2Histogram &scan_cycles() const { return scan_cycles_; }

private:
    static constexpr size_t kMaxDeferred = 64;
    static constexpr size_t kMaxHeaderLine = 4160;  // name, ": ", value (MimeLimits::kMaxHeaderField)

    // One value being matched. In a database with excludes, hits are collected during the scan and
    // decided once every exclude has had its chance.
    struct Call {
        Call(Matcher &m, MatchState &st, const MatchContext &c, MatchSink &sk, std::string_view v)
            : self(m), state(st), ctx(c), sink(sk), value(v) {}  // the id arrays stay uninitialised
        Matcher &self;
        MatchState &state;
        const MatchContext &ctx;
        MatchSink &sink;
        std::string_view value;
        bool deferred = false;
        bool excludes_lost = false;
        uint8_t hits = 0;
        uint8_t excluded = 0;
        uint32_t hit_ids[kMaxDeferred];
        uint32_t excluded_ids[kMaxDeferred];
    };

    bool ready(MatchState &state);
    void scan(const detail::FieldDatabase &db, Call &call);
    void scan_value(const detail::FieldDatabase &db, Call &call);
    void scan_header_line(MatchState &state, const MatchContext &ctx, std::string_view name, std::string_view value,
                          MatchSink &sink);
    static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *context);
    void satisfy(uint32_t condition_id, Call &call);
    MatchState::Pending *pending_entry(MatchState &state, uint32_t rule);
    MatchState::EvidenceRef keep_evidence(MatchState &state, std::string_view value, bool session);
    std::string_view evidence_value(const MatchState &state, MatchState::EvidenceRef ref) const;
    bool fired(MatchState &state, uint32_t rule);
    void fire(MatchState &state, const MatchContext &ctx, uint32_t rule, std::span<const Evidence> evidence,
              MatchSink &sink, TransactionRef transaction = {});
    size_t collect_evidence(const MatchState &state, uint32_t rule, const MatchState::Pending *p, Evidence *out,
                            size_t skip_condition, std::string_view current) const;
    void end_rule(MatchState &state, const MatchContext &ctx, uint32_t rule, const TransactionFacts &facts, MatchSink &sink);

    const RuleSet *set_ = nullptr;
    hs_scratch_t *scratch_ = nullptr;
    ThresholdTable *thresholds_;
    MatcherStats stats_;
    util::Log2Histogram scan_cycles_;
};

}  // namespace postern::rules
