#include "rules/matcher.hpp"

#include <cstdio>
#include <cstring>

#include <x86intrin.h>

#include "rules/hash.hpp"

namespace postern::rules {

namespace {

// The TSC: a few cycles to read, so timing every scan stays cheap (converted to seconds at export).
inline uint64_t cycles() { return __rdtsc(); }

// Hyperscan's utf8 mode is only defined over valid UTF-8 (RFC 3629: no overlongs, no surrogates).
bool valid_utf8(std::string_view s) {
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const auto *end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) n = 1;
        else if (c == 0xe0) n = 2, lo = 0xa0;
        else if (c >= 0xe1 && c <= 0xec) n = 2;
        else if (c == 0xed) n = 2, hi = 0x9f;
        else if (c >= 0xee && c <= 0xef) n = 2;
        else if (c == 0xf0) n = 3, lo = 0x90;
        else if (c >= 0xf1 && c <= 0xf3) n = 3;
        else if (c == 0xf4) n = 3, hi = 0x8f;
        else return false;
        if (static_cast<size_t>(end - p) <= n) return false;
        if (p[1] < lo || p[1] > hi) return false;
        for (size_t i = 2; i <= n; ++i)
            if (p[i] < 0x80 || p[i] > 0xbf) return false;
        p += n + 1;
    }
    return true;
}

uint8_t full_mask(uint8_t conditions) { return static_cast<uint8_t>((1u << conditions) - 1); }

bool protocol_allowed(const detail::RuleInfo &info, proto::Protocol p) {
    return p == proto::Protocol::Unknown || (info.protocols & protocol_bit(p)) != 0;
}

bool user_field(proto::Field f) {
    return f == proto::Field::SmtpAuthUser || f == proto::Field::Pop3User || f == proto::Field::ImapUser;
}

}  // namespace

bool Matcher::ready(MatchState &state) {
    if (set_ == nullptr) return false;
    if (state.version_ != set_->version()) {
        if (state.version_ != 0 && state.pending_count_ != 0) ++stats_.stale_states;
        state.clear_session();
        state.version_ = set_->version();
    }
    return true;
}

void Matcher::on_field(MatchState &state, const MatchContext &ctx, proto::Field field, std::string_view value,
                       MatchSink &sink) {
    if (!ready(state)) return;
    if (user_field(field) && !value.empty()) state.user_key_ = fnv1a64(value) | 1;
    if (field >= proto::Field::Count || field == proto::Field::EmailHeader) return;
    const detail::FieldDatabase &db = set_->field_database(field);
    if (db.empty()) return;
    Call call{*this, state, ctx, sink, value};
    scan(db, call);
}

void Matcher::on_header(MatchState &state, const MatchContext &ctx, std::string_view name, std::string_view value,
                        MatchSink &sink) {
    if (!ready(state) || !set_->has_header_rules()) return;
    if (name.size() <= kMaxHeaderName) {
        char lower[kMaxHeaderName];
        for (size_t i = 0; i < name.size(); ++i)
            lower[i] = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] - 'A' + 'a') : name[i];
        if (const detail::FieldDatabase *db = set_->header_database({lower, name.size()})) {
            Call call{*this, state, ctx, sink, value};
            scan(*db, call);
        }
    }
    if (const detail::FieldDatabase &names = set_->header_names_database(); !names.empty()) {
        Call call{*this, state, ctx, sink, name};
        scan(names, call);
    }
    if (!set_->header_line_database().empty()) scan_header_line(state, ctx, name, value, sink);
}

void Matcher::scan_header_line(MatchState &state, const MatchContext &ctx, std::string_view name,
                               std::string_view value, MatchSink &sink) {
    char line[kMaxHeaderLine];
    size_t n = 0;
    auto put = [&](std::string_view s) {
        const size_t k = s.size() < kMaxHeaderLine - n ? s.size() : kMaxHeaderLine - n;
        if (k) std::memcpy(line + n, s.data(), k);
        n += k;
        if (k < s.size()) ++stats_.header_lines_cut;
    };
    put(name);
    put(": ");
    put(value);
    Call call{*this, state, ctx, sink, {line, n}};
    scan(set_->header_line_database(), call);
}

void Matcher::scan(const detail::FieldDatabase &db, Call &call) {
    call.deferred = db.deferred;
    for (uint32_t id : db.any_value) on_hit(id, 0, 0, 0, &call);
    if (!call.value.empty() && scratch_ != nullptr) scan_value(db, call);  // no expression matches ""
    if (!call.deferred) return;
    for (size_t i = 0; i < call.hits; ++i) {
        const uint32_t id = call.hit_ids[i];
        if (set_->condition(id).has_exclude) {
            bool excluded = call.excludes_lost;
            for (size_t j = 0; j < call.excluded && !excluded; ++j) excluded = call.excluded_ids[j] == id;
            if (excluded) continue;
        }
        satisfy(id, call);
    }
}

void Matcher::scan_value(const detail::FieldDatabase &db, Call &call) {
    const auto len = static_cast<unsigned int>(call.value.size());
    if (db.db) {
        ++stats_.scans;
        const uint64_t t0 = cycles();
        if (hs_scan(db.db.get(), call.value.data(), len, 0, scratch_, &Matcher::on_hit, &call) != HS_SUCCESS)
            ++stats_.scan_errors;
        scan_cycles_.observe(cycles() - t0);
    }
    if (db.utf8_db) {
        if (!valid_utf8(call.value)) {
            ++stats_.invalid_utf8;
        } else {
            ++stats_.scans;
            const uint64_t t0 = cycles();
            if (hs_scan(db.utf8_db.get(), call.value.data(), len, 0, scratch_, &Matcher::on_hit, &call) != HS_SUCCESS)
                ++stats_.scan_errors;
            scan_cycles_.observe(cycles() - t0);
        }
    }
}

int Matcher::on_hit(unsigned id, unsigned long long, unsigned long long, unsigned, void *context) {
    auto *call = static_cast<Call *>(context);
    if (id & detail::kExcludeBit) {
        // A lost exclude could let a value through that it should stop: stop them all instead.
        if (call->excluded < kMaxDeferred) call->excluded_ids[call->excluded++] = id & ~detail::kExcludeBit;
        else call->excludes_lost = true;
    } else if (call->deferred) {
        if (call->hits < kMaxDeferred) call->hit_ids[call->hits++] = id;
        else ++call->self.stats_.deferred_full;
    } else {
        call->self.satisfy(id, *call);
    }
    return 0;  // keep scanning: other conditions may match the same value
}

void Matcher::satisfy(uint32_t condition_id, Call &call) {
    const detail::Condition &c = set_->condition(condition_id);
    if (c.has_length && !c.length.contains(call.value.size())) return;
    const detail::RuleInfo &info = set_->info(c.rule);
    MatchState &st = call.state;
    if (!protocol_allowed(info, st.protocol_)) return;
    if (info.immediate) {
        if (fired(st, c.rule)) return;
        const Evidence ev{c.field_name, call.value};
        return fire(st, call.ctx, c.rule, {&ev, 1}, call.sink);
    }
    MatchState::Pending *p = pending_entry(st, c.rule);
    if (p == nullptr) return;
    const auto bit = static_cast<uint8_t>(1u << c.index);
    if ((p->session_mask | p->tx_mask) & bit) return;  // already met: keep the first evidence
    p->evidence[c.index] = keep_evidence(st, call.value, c.session);
    if (c.session) p->session_mask |= bit;
    else p->tx_mask |= bit;
    if (info.combine != Combine::All || info.has_metrics) return;  // metrics: decided at the end
    if ((p->session_mask | p->tx_mask) != full_mask(info.field_conditions) || fired(st, c.rule)) return;
    Evidence ev[kMaxFieldConditions];
    const size_t n = collect_evidence(st, c.rule, p, ev, c.index, call.value);
    fire(st, call.ctx, c.rule, {ev, n}, call.sink);
}

MatchState::Pending *Matcher::pending_entry(MatchState &st, uint32_t rule) {
    for (size_t i = 0; i < st.pending_count_; ++i)
        if (st.pending_[i].rule == rule) return &st.pending_[i];
    if (st.pending_count_ == MatchState::kMaxPending) {
        ++stats_.pending_full;
        return nullptr;
    }
    MatchState::Pending &p = st.pending_[st.pending_count_++];
    p = MatchState::Pending{};
    p.rule = rule;
    return &p;
}

MatchState::EvidenceRef Matcher::keep_evidence(MatchState &st, std::string_view value, bool session) {
    const size_t n = value.size() < MatchState::kMaxEvidenceValue ? value.size() : MatchState::kMaxEvidenceValue;
    char *arena = session ? st.session_evidence_ : st.tx_evidence_;
    uint16_t &used = session ? st.session_used_ : st.tx_used_;
    const size_t cap = session ? MatchState::kSessionEvidenceBytes : MatchState::kTxEvidenceBytes;
    if (used + n > cap) {
        ++stats_.evidence_dropped;
        return {};
    }
    if (n) std::memcpy(arena + used, value.data(), n);
    const MatchState::EvidenceRef ref{used, static_cast<uint8_t>(n), static_cast<uint8_t>(session ? 1 : 2)};
    used = static_cast<uint16_t>(used + n);
    return ref;
}

std::string_view Matcher::evidence_value(const MatchState &st, MatchState::EvidenceRef ref) const {
    const char *arena = ref.arena == 1 ? st.session_evidence_ : st.tx_evidence_;
    return {arena + ref.offset, ref.length};
}

size_t Matcher::collect_evidence(const MatchState &st, uint32_t rule, const MatchState::Pending *p, Evidence *out,
                                 size_t current_condition, std::string_view current) const {
    if (p == nullptr) return 0;
    size_t n = 0;
    const uint8_t mask = p->session_mask | p->tx_mask;
    for (uint8_t i = 0; i < set_->info(rule).field_conditions; ++i) {
        if (!(mask & (1u << i))) continue;
        const std::string_view name = set_->condition(set_->condition_id(rule, i)).field_name;
        if (i == current_condition) out[n++] = {name, current};
        else if (p->evidence[i].arena != 0) out[n++] = {name, evidence_value(st, p->evidence[i])};
    }
    return n;
}

bool Matcher::fired(MatchState &st, uint32_t rule) {
    for (size_t i = 0; i < st.fired_count_; ++i)
        if (st.fired_[i] == rule) return true;
    return false;
}

void Matcher::fire(MatchState &st, const MatchContext &ctx, uint32_t rule, std::span<const Evidence> evidence,
                   MatchSink &sink, TransactionRef transaction) {
    if (st.fired_count_ < MatchState::kMaxFired) st.fired_[st.fired_count_++] = rule;
    else ++stats_.fired_full;
    const Rule &r = set_->rule(rule);
    if (r.has_threshold && thresholds_ != nullptr) {
        TrackBy track = r.threshold.track;
        uint64_t key = track == TrackBy::Source ? ctx.src_key : ctx.dst_key;
        if (track == TrackBy::User) {
            key = st.user_key_ ? st.user_key_ : ctx.src_key;  // no user seen: count by source
            if (!st.user_key_) track = TrackBy::Source;
        }
        if (!thresholds_->hit(r.id, track, key, r.threshold, ctx.ts_ns)) {
            ++stats_.threshold_suppressed;
            return;
        }
    }
    ++stats_.matches;
    if (r.filestore && st.filestore_rule_ == 0) st.filestore_rule_ = r.id;
    sink.on_match(RuleMatch{r, set_->version(), evidence, transaction});
}

void Matcher::end_rule(MatchState &st, const MatchContext &ctx, uint32_t rule, const TransactionFacts &facts,
                       MatchSink &sink) {
    const detail::RuleInfo &info = set_->info(rule);
    if (!protocol_allowed(info, st.protocol_) || fired(st, rule)) return;
    const Rule &r = set_->rule(rule);
    Evidence ev[kMaxFieldConditions + kMaxMetricConditions];
    char numbers[kMaxMetricConditions][24];
    size_t n = 0;
    bool all = true, any = false;
    for (size_t i = 0; i < r.metrics.size(); ++i) {
        const MetricCondition &m = r.metrics[i];
        const std::optional<uint64_t> v = facts.get(m.metric);
        const bool ok = v && m.range.contains(*v);
        all = all && ok;
        any = any || ok;
        if (!ok) continue;
        const int len = std::snprintf(numbers[i], sizeof numbers[i], "%llu", static_cast<unsigned long long>(*v));
        ev[n++] = {metric_name(m.metric), {numbers[i], static_cast<size_t>(len)}};
    }
    const MatchState::Pending *p = nullptr;
    for (size_t i = 0; i < st.pending_count_ && !p; ++i)
        if (st.pending_[i].rule == rule) p = &st.pending_[i];
    const uint8_t mask = p ? static_cast<uint8_t>(p->session_mask | p->tx_mask) : 0;
    const bool fields = mask == full_mask(info.field_conditions);
    if (info.combine == Combine::All ? !(fields && all) : !any) return;
    n += collect_evidence(st, rule, p, ev + n, kMaxFieldConditions, {});
    fire(st, ctx, rule, {ev, n}, sink, facts.transaction);
}

void Matcher::end_transaction(MatchState &st, const MatchContext &ctx, const TransactionFacts &facts, MatchSink &sink) {
    if (!ready(st)) return;
    for (uint32_t rule : set_->metric_rules()) end_rule(st, ctx, rule, facts, sink);
    // Forget the transaction: keep only what session values have met.
    size_t kept = 0;
    for (size_t i = 0; i < st.pending_count_; ++i) {
        MatchState::Pending p = st.pending_[i];
        p.tx_mask = 0;
        if (p.session_mask) st.pending_[kept++] = p;
    }
    st.pending_count_ = static_cast<uint8_t>(kept);
    st.tx_used_ = 0;
    st.fired_count_ = 0;
    st.filestore_rule_ = 0;
}

}  // namespace postern::rules
