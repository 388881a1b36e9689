// The worker flow table: open addressing with backward-shift deletion and per-class LRU lists.
// The churn tests force long, wrapping probe chains by choosing hash values, then compare every
// lookup against a std::unordered_map model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <unordered_map>
#include <vector>

#include "flow/flow_table.hpp"

namespace {

using postern::flow::FlowTable;
using postern::flow::kNoFlow;
using postern::flow::kTimeoutClasses;
using postern::flow::TimeoutClass;
using postern::net::FlowKey;

struct Data {
    int value = 0;
    uint64_t bytes = 0;
};

FlowKey key(uint32_t n) {
    FlowKey k;
    k.a.bytes[0] = static_cast<uint8_t>(n >> 24);
    k.a.bytes[1] = static_cast<uint8_t>(n >> 16);
    k.a.bytes[2] = static_cast<uint8_t>(n >> 8);
    k.a.bytes[3] = static_cast<uint8_t>(n);
    k.b.bytes[0] = 10;
    k.a_port = 1000;
    k.b_port = 25;
    k.proto = 6;
    k.family = postern::net::IpFamily::V4;
    return k;
}

template <class T>
std::vector<uint32_t> class_order(FlowTable<T> &t, TimeoutClass cls) {
    std::vector<uint32_t> ids;
    t.for_each([&](uint32_t id) {
        if (t.timeout_class(id) == cls) ids.push_back(id);
    });
    return ids;
}

TEST(FlowTable, InsertLookupRemove) {
    FlowTable<Data> t(8);
    EXPECT_EQ(t.capacity(), 8u);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_FALSE(t.full());
    EXPECT_EQ(t.lookup(key(1), 111), kNoFlow);

    const uint32_t id = t.insert(key(1), 111, 1000, TimeoutClass::New);
    ASSERT_NE(id, kNoFlow);
    EXPECT_EQ(t.size(), 1u);
    EXPECT_EQ(t.lookup(key(1), 111), id);
    EXPECT_EQ(t.lookup(key(1), 112), kNoFlow);  // the hash is part of the identity
    EXPECT_EQ(t.lookup(key(2), 111), kNoFlow);  // and so is the key
    EXPECT_TRUE(t.key(id) == key(1));
    EXPECT_EQ(t.hash(id), 111u);
    EXPECT_EQ(t.last_seen(id), 1000u);
    EXPECT_EQ(t.timeout_class(id), TimeoutClass::New);
    EXPECT_EQ(t.data(id).value, 0);

    t.data(id).value = 42;
    t.data(id).bytes = 99;
    const auto &ct = t;
    EXPECT_EQ(ct.data(id).value, 42);

    t.remove(id);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.lookup(key(1), 111), kNoFlow);
    EXPECT_EQ(t.eviction_candidate(), kNoFlow);

    // A reused slot starts with fresh data.
    const uint32_t again = t.insert(key(3), 5, 2000, TimeoutClass::Udp);
    ASSERT_NE(again, kNoFlow);
    EXPECT_EQ(t.data(again).value, 0);
    EXPECT_EQ(t.data(again).bytes, 0u);
}

TEST(FlowTable, FullTable) {
    FlowTable<Data> t(5);
    std::set<uint32_t> ids;
    for (uint32_t i = 0; i < 5; ++i) {
        EXPECT_FALSE(t.full());
        const uint32_t id = t.insert(key(i), i * 7919, i, TimeoutClass::New);
        ASSERT_NE(id, kNoFlow);
        ASSERT_LT(id, 5u);
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 5u);
    EXPECT_TRUE(t.full());
    EXPECT_EQ(t.size(), 5u);
    EXPECT_EQ(t.insert(key(99), 1, 1, TimeoutClass::New), kNoFlow);
    EXPECT_EQ(t.size(), 5u);
    EXPECT_EQ(t.lookup(key(99), 1), kNoFlow);
    for (uint32_t i = 0; i < 5; ++i) EXPECT_NE(t.lookup(key(i), i * 7919), kNoFlow);

    // Evict, then there is room for exactly one.
    const uint32_t victim = t.eviction_candidate();
    ASSERT_NE(victim, kNoFlow);
    t.remove(victim);
    EXPECT_FALSE(t.full());
    EXPECT_NE(t.insert(key(99), 1, 1, TimeoutClass::New), kNoFlow);
    EXPECT_TRUE(t.full());
}

TEST(FlowTable, ZeroCapacity) {
    FlowTable<Data> t(0);
    EXPECT_TRUE(t.full());
    EXPECT_EQ(t.insert(key(1), 1, 1, TimeoutClass::New), kNoFlow);
    EXPECT_EQ(t.lookup(key(1), 1), kNoFlow);
    EXPECT_EQ(t.eviction_candidate(), kNoFlow);
    int visits = 0;
    t.for_each([&](uint32_t) { ++visits; });
    EXPECT_EQ(visits, 0);
}

TEST(FlowTable, EvictionOrderByClassThenAge) {
    FlowTable<Data> t(16);
    // Inserted in an order that mixes classes and ages.
    const uint32_t e1 = t.insert(key(1), 1, 10, TimeoutClass::Established);
    const uint32_t u1 = t.insert(key(2), 2, 11, TimeoutClass::Udp);
    const uint32_t n1 = t.insert(key(3), 3, 12, TimeoutClass::New);
    const uint32_t e2 = t.insert(key(4), 4, 13, TimeoutClass::Established);
    const uint32_t c1 = t.insert(key(5), 5, 14, TimeoutClass::Closed);
    const uint32_t n2 = t.insert(key(6), 6, 15, TimeoutClass::New);
    const uint32_t u2 = t.insert(key(7), 7, 16, TimeoutClass::Udp);
    const uint32_t c2 = t.insert(key(8), 8, 17, TimeoutClass::Closed);

    EXPECT_EQ(t.oldest(TimeoutClass::Closed), c1);
    EXPECT_EQ(t.oldest(TimeoutClass::New), n1);
    EXPECT_EQ(t.oldest(TimeoutClass::Udp), u1);
    EXPECT_EQ(t.oldest(TimeoutClass::Established), e1);

    const std::vector<uint32_t> want = {c1, c2, n1, n2, u1, u2, e1, e2};
    std::vector<uint32_t> got;
    for (uint32_t id = t.eviction_candidate(); id != kNoFlow; id = t.eviction_candidate()) {
        got.push_back(id);
        t.remove(id);
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(t.size(), 0u);
    for (int c = 0; c < kTimeoutClasses; ++c) EXPECT_EQ(t.oldest(static_cast<TimeoutClass>(c)), kNoFlow);
}

TEST(FlowTable, TouchMovesBetweenClassesAndToTheTail) {
    FlowTable<Data> t(16);
    const uint32_t a = t.insert(key(1), 1, 1, TimeoutClass::New);
    const uint32_t b = t.insert(key(2), 2, 2, TimeoutClass::New);
    const uint32_t c = t.insert(key(3), 3, 3, TimeoutClass::New);
    t.data(a).value = 7;

    // Same class: a moves behind c.
    t.touch(a, 10, TimeoutClass::New);
    EXPECT_EQ(class_order(t, TimeoutClass::New), (std::vector<uint32_t>{b, c, a}));
    EXPECT_EQ(t.last_seen(a), 10u);
    EXPECT_EQ(t.eviction_candidate(), b);

    // New -> Established: b leaves the New list.
    t.touch(b, 11, TimeoutClass::Established);
    EXPECT_EQ(t.timeout_class(b), TimeoutClass::Established);
    EXPECT_EQ(class_order(t, TimeoutClass::New), (std::vector<uint32_t>{c, a}));
    EXPECT_EQ(class_order(t, TimeoutClass::Established), (std::vector<uint32_t>{b}));
    EXPECT_EQ(t.oldest(TimeoutClass::New), c);
    EXPECT_EQ(t.oldest(TimeoutClass::Established), b);

    // Established -> Closed makes it the first to go.
    t.touch(b, 12, TimeoutClass::Closed);
    EXPECT_EQ(t.eviction_candidate(), b);
    EXPECT_EQ(t.oldest(TimeoutClass::Established), kNoFlow);

    // Touch the middle, head and tail of a list.
    t.touch(c, 13, TimeoutClass::Udp);  // head of New
    EXPECT_EQ(class_order(t, TimeoutClass::New), (std::vector<uint32_t>{a}));
    t.touch(a, 14, TimeoutClass::Udp);  // last of New
    EXPECT_EQ(t.oldest(TimeoutClass::New), kNoFlow);
    EXPECT_EQ(class_order(t, TimeoutClass::Udp), (std::vector<uint32_t>{c, a}));
    const uint32_t d = t.insert(key(4), 4, 15, TimeoutClass::Udp);
    t.touch(a, 16, TimeoutClass::Udp);  // middle
    EXPECT_EQ(class_order(t, TimeoutClass::Udp), (std::vector<uint32_t>{c, d, a}));
    t.touch(a, 17, TimeoutClass::Udp);  // already the tail
    EXPECT_EQ(class_order(t, TimeoutClass::Udp), (std::vector<uint32_t>{c, d, a}));

    // Touching never loses data or the index entry.
    EXPECT_EQ(t.data(a).value, 7);
    EXPECT_EQ(t.lookup(key(1), 1), a);
    EXPECT_EQ(t.size(), 4u);
}

TEST(FlowTable, ForEachVisitsEveryFlowOnceOldestFirstPerClass) {
    FlowTable<Data> t(64);
    std::mt19937 rng(5);
    std::map<uint32_t, std::pair<TimeoutClass, uint64_t>> expect;
    for (uint32_t i = 0; i < 50; ++i) {
        const auto cls = static_cast<TimeoutClass>(rng() % kTimeoutClasses);
        const uint32_t id = t.insert(key(i), static_cast<uint32_t>(rng()), i, cls);
        expect[id] = {cls, i};
    }
    for (int k = 0; k < 100; ++k) {  // shuffle the ages
        const uint32_t id = std::next(expect.begin(), static_cast<long>(rng() % expect.size()))->first;
        const auto cls = static_cast<TimeoutClass>(rng() % kTimeoutClasses);
        t.touch(id, 100 + static_cast<uint64_t>(k), cls);
        expect[id] = {cls, 100 + static_cast<uint64_t>(k)};
    }
    std::vector<uint32_t> seen;
    t.for_each([&](uint32_t id) { seen.push_back(id); });
    ASSERT_EQ(seen.size(), expect.size());
    EXPECT_EQ(std::set<uint32_t>(seen.begin(), seen.end()).size(), seen.size());
    for (size_t i = 1; i < seen.size(); ++i) {
        const auto &p = expect[seen[i - 1]], &q = expect[seen[i]];
        // Classes come in eviction order; inside a class, oldest first.
        ASSERT_TRUE(p.first < q.first || (p.first == q.first && p.second < q.second)) << i;
    }
    // for_each may modify data.
    t.for_each([&](uint32_t id) { t.data(id).value = static_cast<int>(id) + 1; });
    for (const auto &[id, unused] : expect) EXPECT_EQ(t.data(id).value, static_cast<int>(id) + 1);
}

// Checks every flow of the model is found under its hash and that absent keys are not.
void check_against_model(const FlowTable<Data> &t, const std::unordered_map<uint32_t, uint32_t> &model,
                         const std::vector<uint32_t> &hash_of, uint32_t key_space) {
    ASSERT_EQ(t.size(), model.size());
    for (uint32_t k = 0; k < key_space; ++k) {
        const uint32_t got = t.lookup(key(k), hash_of[k]);
        const auto it = model.find(k);
        if (it == model.end()) {
            ASSERT_EQ(got, kNoFlow) << "key " << k << " should be absent";
        } else {
            ASSERT_EQ(got, it->second) << "key " << k;
            ASSERT_TRUE(t.key(got) == key(k));
            ASSERT_EQ(t.data(got).value, static_cast<int>(k));
        }
    }
}

void churn(uint32_t capacity, const std::vector<uint32_t> &hash_pool, uint64_t seed, int ops) {
    FlowTable<Data> t(capacity);
    std::mt19937_64 rng(seed);
    const uint32_t key_space = capacity * 3;
    std::vector<uint32_t> hash_of(key_space);
    for (auto &h : hash_of) h = hash_pool[rng() % hash_pool.size()];
    std::unordered_map<uint32_t, uint32_t> model;  // key number -> flow id
    std::vector<uint32_t> present;
    uint64_t now = 0;
    for (int op = 0; op < ops; ++op) {
        const uint64_t r = rng() % 100;
        if (r < 50 && !t.full()) {
            uint32_t k = static_cast<uint32_t>(rng() % key_space);
            if (model.count(k)) continue;
            const uint32_t id = t.insert(key(k), hash_of[k], ++now, TimeoutClass::New);
            ASSERT_NE(id, kNoFlow);
            t.data(id).value = static_cast<int>(k);
            model[k] = id;
            present.push_back(k);
        } else if (r < 90 && !present.empty()) {
            const size_t at = rng() % present.size();
            const uint32_t k = present[at];
            present[at] = present.back();
            present.pop_back();
            t.remove(model[k]);
            model.erase(k);
        } else if (!present.empty()) {
            const uint32_t k = present[rng() % present.size()];
            t.touch(model[k], ++now, static_cast<TimeoutClass>(rng() % kTimeoutClasses));
        }
        if (op % 7 == 0 || t.size() <= 2) check_against_model(t, model, hash_of, key_space);
        if (testing::Test::HasFatalFailure()) return;
    }
    check_against_model(t, model, hash_of, key_space);
    // The LRU lists still hold exactly the live flows.
    std::set<uint32_t> listed;
    t.for_each([&](uint32_t id) { listed.insert(id); });
    std::set<uint32_t> live;
    for (const auto &[k, id] : model) live.insert(id);
    EXPECT_EQ(listed, live);
    // Drain through eviction: every flow comes out once and the table ends empty.
    size_t evicted = 0;
    for (uint32_t id = t.eviction_candidate(); id != kNoFlow; id = t.eviction_candidate()) {
        t.remove(id);
        ++evicted;
    }
    EXPECT_EQ(evicted, model.size());
    EXPECT_EQ(t.size(), 0u);
    model.clear();
    check_against_model(t, model, hash_of, key_space);
}

TEST(FlowTable, ChurnWithAllHashesEqual) {
    // One probe chain holding the whole table.
    churn(64, {0x1234}, 1, 20000);
}

TEST(FlowTable, ChurnWithChainsWrappingTheIndex) {
    // 64 flows -> 128 slots (mask 127). Homes at the end of the index make chains wrap to slot 0;
    // hashes that differ above the mask share a home but are not equal.
    churn(64, {127, 126, 125, 0, 1, 127 + 128, 126 + 256, 0 + 1024, 64, 65}, 2, 40000);
}

TEST(FlowTable, ChurnWithFewDistinctHomes) {
    std::vector<uint32_t> pool;
    for (uint32_t i = 0; i < 8; ++i) pool.push_back(i * 37 % 256 + (i << 16));
    churn(100, pool, 3, 40000);  // capacity not a power of two: 256 slots
}

TEST(FlowTable, ChurnWithRandomHashes) {
    std::mt19937 rng(4);
    std::vector<uint32_t> pool(5000);
    for (auto &h : pool) h = static_cast<uint32_t>(rng());
    churn(500, pool, 4, 40000);
}

TEST(FlowTable, RemoveInEveryOrderFromOneChain) {
    // All flows in one chain that wraps the index end; remove from the front, middle and back.
    for (int pattern = 0; pattern < 3; ++pattern) {
        FlowTable<Data> t(8);  // 16 slots
        std::vector<uint32_t> ids;
        for (uint32_t i = 0; i < 8; ++i) {
            const uint32_t h = i % 2 ? 14 : 15 + 16;  // homes 14 and 15, chain wraps to slots 0..5
            ids.push_back(t.insert(key(i), h, i, TimeoutClass::New));
            t.data(ids.back()).value = static_cast<int>(i);
        }
        std::vector<uint32_t> order = {0, 1, 2, 3, 4, 5, 6, 7};
        if (pattern == 1) std::reverse(order.begin(), order.end());
        if (pattern == 2) order = {3, 6, 0, 7, 1, 5, 2, 4};
        std::set<uint32_t> gone;
        for (uint32_t i : order) {
            t.remove(ids[i]);
            gone.insert(i);
            for (uint32_t j = 0; j < 8; ++j) {
                const uint32_t h = j % 2 ? 14 : 15 + 16;
                const uint32_t got = t.lookup(key(j), h);
                if (gone.count(j)) {
                    EXPECT_EQ(got, kNoFlow) << pattern << " " << j;
                } else {
                    EXPECT_EQ(got, ids[j]) << pattern << " " << j;
                }
            }
        }
    }
}

}  // namespace
