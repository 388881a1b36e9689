#include "rules/rule_set.hpp"

#include <algorithm>
#include <cstdio>

#include "rules/scratch.hpp"

namespace postern::rules {

RuleSet::~RuleSet() = default;

std::string RuleSet::content_hash_hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(content_hash_));
    return buf;
}

const Rule *RuleSet::find(uint32_t id) const {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &rules_[it->second];
}

const detail::FieldDatabase *RuleSet::header_database(std::string_view lower_name) const {
    const auto it = std::lower_bound(headers_.begin(), headers_.end(), lower_name,
                                     [](const auto &entry, std::string_view n) { return entry.first < n; });
    return it != headers_.end() && it->first == lower_name ? &it->second : nullptr;
}

Scratch RuleSet::make_scratch() const {
    Scratch s;
    s.prepare(*this);
    return s;
}

}  // namespace postern::rules
