// A compiled rule set: the rules, one Hyperscan block-mode database per field (and per header
// name), the tables that map a match back to its rule and condition, a version and a content hash,
// and one scratch region per worker. Immutable once built and shared read-only between workers
// (std::shared_ptr<const RuleSet>); each worker scans with its own scratch. Built by
// compile_rule_set() (rule_set_compiler.hpp).
//
// Reload contract: a Hyperscan scratch is valid only for the databases it was allocated for. A
// set is compiled with `scratch_slots` scratches, one per worker, so a worker that switches to a
// new set uses that set's worker_scratch(i) and allocates nothing. A worker that brings its own
// Scratch must prepare() it for the new set before the first scan with it, off the hot path. The
// old set (its databases and scratches) may be freed only after every worker has stopped using it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rules/hs_handles.hpp"
#include "rules/rule.hpp"

namespace postern::rules {

class Scratch;

namespace detail {

// Hyperscan expression ids are indexes into RuleSet::conditions(), so a match leads straight to
// its rule; exclude expressions carry this bit on their condition's index.
inline constexpr uint32_t kExcludeBit = 0x80000000u;

// One field condition, as the matcher sees it.
struct Condition {
    uint32_t rule = 0;  // index into RuleSet::rules()
    uint8_t index = 0;  // within the rule's field conditions
    bool session = false;  // the value belongs to the session, not the transaction
    bool has_exclude = false;  // decided only after the whole value was scanned
    bool has_length = false;
    Range length;
    std::string field_name;  // as written in rules, for evidence
};

// Everything one field (or header name) is matched against.
struct FieldDatabase {
    HsDatabase db;  // expressions without the utf8 flag
    HsDatabase utf8_db;  // utf8 expressions: scanned only when the value is valid UTF-8
    std::vector<uint32_t> any_value;  // conditions without expressions (presence or length only)
    bool deferred = false;  // some condition has excludes: collect hits, decide after the scan
    bool empty() const { return !db && !utf8_db && any_value.empty(); }
};

// The parts of a rule the matcher needs on every hit.
struct RuleInfo {
    uint8_t field_conditions = 0;
    uint8_t protocols = 0;  // proto::Protocol bits
    Combine combine = Combine::All;
    bool immediate = false;  // one satisfied field condition is enough: no per-session entry
    bool has_metrics = false;  // decided (also) at the end of a transaction
};

}  // namespace detail

class RuleSet {
public:
    ~RuleSet();
    RuleSet(const RuleSet &) = delete;
    RuleSet &operator=(const RuleSet &) = delete;

    uint64_t version() const { return version_; }
    uint64_t content_hash() const { return content_hash_; }
    std::string content_hash_hex() const;

    const std::vector<Rule> &rules() const { return rules_; }
    const Rule &rule(uint32_t index) const { return rules_[index]; }
    const Rule *find(uint32_t id) const;  // by rule id
    size_t expression_count() const { return expressions_; }
    size_t database_count() const { return databases_; }
    size_t database_bytes() const { return database_bytes_; }

    // The scratch for worker `i` (< scratch_slots()), allocated when the set was compiled.
    hs_scratch_t *worker_scratch(size_t i) const { return i < scratches_.size() ? scratches_[i].get() : nullptr; }
    size_t scratch_slots() const { return scratches_.size(); }
    // A new scratch valid for this set, for users other than the workers (tests, tools, the
    // control plane). Allocates.
    Scratch make_scratch() const;

    // Calls fn(const hs_database_t *) for every database of the set.
    template <typename Fn>
    void for_each_database(Fn &&fn) const {
        auto each = [&](const detail::FieldDatabase &d) {
            if (d.db) fn(d.db.get());
            if (d.utf8_db) fn(d.utf8_db.get());
        };
        for (const auto &d : fields_) each(d);
        for (const auto &[name, d] : headers_) each(d);
        each(header_names_);
        each(header_line_);
    }

    // For the matcher.
    const detail::FieldDatabase &field_database(proto::Field f) const { return fields_[static_cast<size_t>(f)]; }
    const detail::FieldDatabase *header_database(std::string_view lower_name) const;
    const detail::FieldDatabase &header_names_database() const { return header_names_; }
    const detail::FieldDatabase &header_line_database() const { return header_line_; }
    bool has_header_rules() const { return !headers_.empty() || !header_names_.empty() || !header_line_.empty(); }
    const detail::Condition &condition(uint32_t i) const { return conditions_[i]; }
    const detail::RuleInfo &info(uint32_t rule) const { return info_[rule]; }
    const std::vector<uint32_t> &metric_rules() const { return metric_rules_; }
    bool has_filestore_rules() const { return has_filestore_rules_; }
    // The field condition `index` of rule `rule` (its id in conditions()).
    uint32_t condition_id(uint32_t rule, uint8_t index) const { return first_condition_[rule] + index; }

private:
    friend class RuleSetBuilder;
    RuleSet() = default;

    uint64_t version_ = 0;
    uint64_t content_hash_ = 0;
    std::vector<Rule> rules_;
    std::vector<detail::RuleInfo> info_;
    std::vector<uint32_t> first_condition_;  // per rule
    std::vector<detail::Condition> conditions_;
    std::vector<uint32_t> metric_rules_;  // rules with metric conditions
    bool has_filestore_rules_ = false;
    std::unordered_map<uint32_t, uint32_t> by_id_;
    std::array<detail::FieldDatabase, static_cast<size_t>(proto::Field::Count)> fields_;
    std::vector<std::pair<std::string, detail::FieldDatabase>> headers_;  // sorted by lower-case name
    detail::FieldDatabase header_names_;
    detail::FieldDatabase header_line_;
    std::vector<HsScratch> scratches_;
    size_t expressions_ = 0;
    size_t databases_ = 0;
    size_t database_bytes_ = 0;
};

}  // namespace postern::rules
