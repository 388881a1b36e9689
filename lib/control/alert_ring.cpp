#include "control/alert_ring.hpp"

#include "control/query.hpp"

namespace postern::control {

uint64_t eve_timestamp_ns(std::string_view record) {
    constexpr std::string_view kKey = "\"timestamp\":\"";
    const auto at = record.find(kKey);
    if (at == std::string_view::npos) return 0;
    const auto start = at + kKey.size();
    const auto end = record.find('"', start);
    if (end == std::string_view::npos) return 0;
    return parse_time(record.substr(start, end - start)).value_or(0);
}

void AlertRing::push(std::string_view record) {
    if (slots_.empty()) return;
    Slot &s = slots_[next_];
    s.ts_ns = eve_timestamp_ns(record);
    s.record.assign(record);
    next_ = (next_ + 1) % slots_.size();
    if (size_ < slots_.size()) ++size_;
    ++total_;
}

nlohmann::json AlertRing::query(uint64_t since_ns, size_t limit) const {
    std::vector<const Slot *> hits;
    for (size_t i = 0; i < size_; ++i) {  // oldest to newest
        const Slot &s = slots_[(next_ + slots_.size() - size_ + i) % slots_.size()];
        if (s.ts_ns >= since_ns) hits.push_back(&s);
    }
    const size_t first = hits.size() > limit ? hits.size() - limit : 0;
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = first; i < hits.size(); ++i) {
        nlohmann::json j = nlohmann::json::parse(hits[i]->record, nullptr, false);
        if (!j.is_discarded()) out.push_back(std::move(j));
    }
    return out;
}

}  // namespace postern::control
