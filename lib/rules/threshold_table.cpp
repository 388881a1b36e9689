#include "rules/threshold_table.hpp"

namespace postern::rules {

namespace {

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

}  // namespace

ThresholdTable::ThresholdTable(size_t capacity) {
    size_t n = kWays;
    while (n < capacity) n <<= 1;
    entries_.resize(n);
    set_mask_ = n / kWays - 1;
}

size_t ThresholdTable::in_use() const {
    size_t n = 0;
    for (const Entry &e : entries_)
        if (e.window_end_ns) ++n;
    return n;
}

bool ThresholdTable::hit(uint32_t rule_id, TrackBy track, uint64_t key, const Threshold &t, uint64_t ts_ns) {
    ++stats_.hits;
    const uint64_t h = mix(key ^ mix((uint64_t{rule_id} << 8) | static_cast<uint64_t>(track)));
    Entry *set = &entries_[(h & set_mask_) * kWays];
    const uint64_t window = uint64_t{t.seconds} * 1000000000ull;
    auto live = [&](const Entry &c) { return c.window_end_ns != 0 && ts_ns <= c.window_end_ns; };
    Entry *e = nullptr;
    for (size_t i = 0; i < kWays && !e; ++i)
        if (set[i].window_end_ns && set[i].rule_id == rule_id && set[i].track == track && set[i].key == key) e = &set[i];
    if (e && !live(*e)) e->count = 0, e->window_start_ns = ts_ns, e->window_end_ns = ts_ns + window;
    if (!e) {
        // A free or expired way, else the one whose window opened first.
        Entry *victim = nullptr;
        for (size_t i = 0; i < kWays && !victim; ++i)
            if (!live(set[i])) victim = &set[i];
        if (!victim) {
            victim = &set[0];
            for (size_t i = 1; i < kWays; ++i)
                if (set[i].window_start_ns < victim->window_start_ns) victim = &set[i];
            ++stats_.evictions;
        }
        e = victim;
        *e = Entry{key, ts_ns, ts_ns + window, rule_id, 0, track};
    }
    if (++e->count < t.count) {
        ++stats_.suppressed;
        return false;
    }
    *e = Entry{};  // the threshold fired: the next hit opens a new window
    ++stats_.fired;
    return true;
}

}  // namespace postern::rules
