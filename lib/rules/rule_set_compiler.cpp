#include "rules/rule_set_compiler.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>

#include "rules/hash.hpp"
#include "rules/parse_context.hpp"
#include "rules/pattern.hpp"
#include "rules/scratch.hpp"

namespace postern::rules {

namespace {

std::atomic<uint64_t> g_next_version{1};

// Where an expression came from, to name it in a diagnostic.
struct Origin {
    uint32_t rule;  // index into the rules being compiled
    std::string path;
};

struct ExpressionList {
    std::vector<std::string> expressions;
    std::vector<unsigned> flags;
    std::vector<unsigned> ids;
    std::vector<Origin> origins;
};

struct GroupBuild {
    ExpressionList plain, utf8;
    std::vector<uint32_t> any_value;
    bool deferred = false;
};

// The database a field condition goes to: Field index, header name, or header names.
using GroupKey = std::pair<int, std::string>;
constexpr int kHeaderGroup = -1;
constexpr int kHeaderNamesGroup = -2;
constexpr int kHeaderLineGroup = -3;

GroupKey group_key(const FieldRef &f) {
    switch (f.kind) {
    case FieldRef::Kind::Field: return {static_cast<int>(f.field), {}};
    case FieldRef::Kind::Header: return {kHeaderGroup, f.header};
    case FieldRef::Kind::HeaderNames: return {kHeaderNamesGroup, {}};
    case FieldRef::Kind::HeaderLine: return {kHeaderLineGroup, {}};
    }
    return {};
}

Diagnostic rule_error(const Rule &r, std::string path, std::string message) {
    Diagnostic d;
    d.file = r.file;
    d.rule_id = r.id;
    d.path = std::move(path);
    d.message = std::move(message);
    return d;
}

}  // namespace

// Fills a RuleSet; a friend of it.
class RuleSetBuilder {
public:
    RuleSetBuilder(const std::vector<Rule> &rules, Diagnostics &diags) : rules_(rules), diags_(diags) {}

    // Compiles the rules not in `bad`; adds to `bad` the rules whose expression the compiler
    // rejected (the caller retries without them). Null when it must retry or failed.
    std::shared_ptr<RuleSet> build(std::set<uint32_t> &bad, bool &retry, const CompileOptions &options);

private:
    bool compile(ExpressionList &list, HsDatabase &out, std::set<uint32_t> &bad, bool &retry);

    const std::vector<Rule> &rules_;
    Diagnostics &diags_;
    RuleSet *set_ = nullptr;
};

bool RuleSetBuilder::compile(ExpressionList &list, HsDatabase &out, std::set<uint32_t> &bad, bool &retry) {
    if (list.expressions.empty()) return true;
    std::vector<const char *> ptrs;
    for (const auto &e : list.expressions) ptrs.push_back(e.c_str());
    hs_database_t *db = nullptr;
    hs_compile_error_t *err = nullptr;
    if (hs_compile_multi(ptrs.data(), list.flags.data(), list.ids.data(), static_cast<unsigned>(ptrs.size()),
                         HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
        const std::string msg = err && err->message ? err->message : "compile failed";
        if (err && err->expression >= 0 && static_cast<size_t>(err->expression) < list.origins.size()) {
            const Origin &o = list.origins[static_cast<size_t>(err->expression)];
            diags_.push_back(rule_error(rules_[o.rule], o.path,
                                        detail::quote(list.expressions[static_cast<size_t>(err->expression)]) + ": " + msg));
            bad.insert(o.rule);
            retry = true;
        } else {
            Diagnostic d;
            d.message = "the rule set does not compile: " + msg;
            diags_.push_back(d);
        }
        hs_free_compile_error(err);
        return false;
    }
    out.reset(db);
    size_t bytes = 0;
    if (hs_database_size(db, &bytes) == HS_SUCCESS) set_->database_bytes_ += bytes;
    ++set_->databases_;
    set_->expressions_ += list.expressions.size();
    return true;
}

std::shared_ptr<RuleSet> RuleSetBuilder::build(std::set<uint32_t> &bad, bool &retry, const CompileOptions &options) {
    std::shared_ptr<RuleSet> set(new RuleSet());
    set_ = set.get();
    std::vector<uint32_t> kept;  // indexes into rules_
    for (uint32_t i = 0; i < rules_.size(); ++i)
        if (!bad.count(i)) kept.push_back(i);

    std::map<GroupKey, GroupBuild> groups;
    for (uint32_t ri = 0; ri < kept.size(); ++ri) {
        const Rule &r = rules_[kept[ri]];
        detail::RuleInfo info;
        info.field_conditions = static_cast<uint8_t>(r.fields.size());
        info.protocols = r.protocols;
        info.combine = r.combine;
        info.has_metrics = !r.metrics.empty();
        info.immediate = !r.fields.empty() && (r.combine == Combine::Any || (r.fields.size() == 1 && r.metrics.empty()));
        set->info_.push_back(info);
        set->first_condition_.push_back(static_cast<uint32_t>(set->conditions_.size()));
        if (info.has_metrics) set->metric_rules_.push_back(ri);
        if (r.filestore) set->has_filestore_rules_ = true;
        for (size_t ci = 0; ci < r.fields.size(); ++ci) {
            const FieldCondition &fc = r.fields[ci];
            const auto cond_id = static_cast<uint32_t>(set->conditions_.size());
            set->conditions_.push_back({ri, static_cast<uint8_t>(ci), session_scoped(fc.field), !fc.excludes.empty(),
                                        fc.has_length, fc.length, fc.field.name()});
            GroupBuild &g = groups[group_key(fc.field)];
            if (fc.patterns.empty()) g.any_value.push_back(cond_id);
            if (!fc.excludes.empty()) g.deferred = true;
            auto add = [&](const std::vector<PatternSpec> &specs, const std::string &path, uint32_t id) {
                for (size_t pi = 0; pi < specs.size(); ++pi) {
                    const PatternSpec &p = specs[pi];
                    ExpressionList &list = (p.flags & kUtf8) ? g.utf8 : g.plain;
                    list.expressions.push_back(hs_expression(p));
                    list.flags.push_back(hs_flags(p));
                    list.ids.push_back(id);
                    list.origins.push_back({kept[ri], detail::index(path, pi)});
                }
            };
            add(fc.patterns, fc.path + ".patterns", cond_id);
            add(fc.excludes, fc.path + ".exclude", cond_id | detail::kExcludeBit);
        }
    }
    for (auto &[key, g] : groups) {
        detail::FieldDatabase *target = nullptr;
        if (key.first == kHeaderGroup) {
            set->headers_.emplace_back(key.second, detail::FieldDatabase{});
            target = &set->headers_.back().second;
        } else if (key.first == kHeaderNamesGroup) {
            target = &set->header_names_;
        } else if (key.first == kHeaderLineGroup) {
            target = &set->header_line_;
        } else {
            target = &set->fields_[static_cast<size_t>(key.first)];
        }
        target->any_value = std::move(g.any_value);
        target->deferred = g.deferred;
        if (!compile(g.plain, target->db, bad, retry) || !compile(g.utf8, target->utf8_db, bad, retry)) return nullptr;
    }
    std::sort(set->headers_.begin(), set->headers_.end(), [](const auto &a, const auto &b) { return a.first < b.first; });

    for (uint32_t i : kept) set->rules_.push_back(rules_[i]);
    std::vector<std::pair<uint32_t, uint64_t>> hashes;
    for (uint32_t i = 0; i < set->rules_.size(); ++i) {
        set->by_id_[set->rules_[i].id] = i;
        hashes.emplace_back(set->rules_[i].id, set->rules_[i].content_hash);
    }
    std::sort(hashes.begin(), hashes.end());
    uint64_t h = fnv1a64("postern-rules-v1");
    for (const auto &[id, rh] : hashes) h = fnv1a64(std::to_string(id) + ":" + std::to_string(rh) + ";", h);
    set->content_hash_ = h;
    set->version_ = options.version ? options.version : g_next_version.fetch_add(1, std::memory_order_relaxed);

    for (size_t i = 0; i < options.scratch_slots; ++i) {
        Scratch s;
        if (!s.prepare(*set)) {
            Diagnostic d;
            d.message = "could not allocate Hyperscan scratch for worker " + std::to_string(i);
            diags_.push_back(d);
            return nullptr;
        }
        set->scratches_.push_back(std::move(s).take());
    }
    return set;
}

bool check_rule_patterns(const Rule &r, Diagnostics &diags) {
    bool ok = true;
    auto check = [&](const std::vector<PatternSpec> &list, const std::string &path) {
        for (size_t i = 0; i < list.size(); ++i)
            if (const auto err = check_pattern(list[i])) {
                diags.push_back(rule_error(r, detail::index(path, i), detail::quote(list[i].expression) + ": " + *err));
                ok = false;
            }
    };
    for (const FieldCondition &fc : r.fields) {
        check(fc.patterns, fc.path + ".patterns");
        check(fc.excludes, fc.path + ".exclude");
    }
    return ok;
}

CompileResult compile_rule_set(std::vector<Rule> rules, const CompileOptions &options) {
    const auto t0 = std::chrono::steady_clock::now();
    CompileResult out;
    std::set<uint32_t> bad;
    for (uint32_t i = 0; i < rules.size(); ++i)
        if (!check_rule_patterns(rules[i], out.diagnostics)) bad.insert(i);
    // A rule the whole-database compile rejects is dropped and the rest compiled again, so every
    // such rule is named too. Each pass drops at least one rule.
    for (;;) {
        bool retry = false;
        RuleSetBuilder builder(rules, out.diagnostics);
        std::shared_ptr<RuleSet> set = builder.build(bad, retry, options);
        if (set) {
            out.set = std::move(set);
            break;
        }
        if (!retry) break;
    }
    for (uint32_t i : bad) out.rejected.push_back(rules[i].id);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace postern::rules
