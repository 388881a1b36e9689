// A worker's flow table: fixed capacity, allocated once, never locked (one owner). Open
// addressing over an index array (linear probing, backward-shift deletion) and one LRU list per
// timeout class, so idle flows are found in O(1) from the list heads and eviction under pressure
// takes the stalest flow of the least valuable class first.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "net/flow_key.hpp"

namespace postern::flow {

// Timeout classes, from first to last evicted under pressure.
enum class TimeoutClass : uint8_t { Closed = 0, New = 1, Udp = 2, Established = 3, Count = 4 };
inline constexpr int kTimeoutClasses = static_cast<int>(TimeoutClass::Count);

inline constexpr uint32_t kNoFlow = UINT32_MAX;

template <class Data>
class FlowTable {
public:
    explicit FlowTable(uint32_t capacity) : nodes_(capacity) {
        uint32_t slots = 16;
        while (slots < capacity * 2u) slots <<= 1;
        index_.assign(slots, kNoFlow);
        mask_ = slots - 1;
        for (uint32_t i = 0; i < capacity; ++i) nodes_[i].next = i + 1 < capacity ? i + 1 : kNoFlow;
        free_ = capacity ? 0 : kNoFlow;
        for (auto &l : lists_) l = List{};
    }

    uint32_t capacity() const { return static_cast<uint32_t>(nodes_.size()); }
    uint32_t size() const { return size_; }
    bool full() const { return free_ == kNoFlow; }

    uint32_t lookup(const net::FlowKey &key, uint32_t hash) const {
        for (uint32_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
            const uint32_t id = index_[slot];
            if (id == kNoFlow) return kNoFlow;
            if (nodes_[id].hash == hash && nodes_[id].key == key) return id;
        }
    }

    // Inserts a new flow; the table must not be full (evict first). Data is value-initialised.
    uint32_t insert(const net::FlowKey &key, uint32_t hash, uint64_t now, TimeoutClass cls) {
        const uint32_t id = free_;
        if (id == kNoFlow) return kNoFlow;
        Node &n = nodes_[id];
        free_ = n.next;
        n.key = key;
        n.hash = hash;
        n.last_seen = now;
        n.cls = cls;
        n.data = Data{};
        link_tail(id);
        uint32_t slot = hash & mask_;
        while (index_[slot] != kNoFlow) slot = (slot + 1) & mask_;
        index_[slot] = id;
        ++size_;
        return id;
    }

    void remove(uint32_t id) {
        Node &n = nodes_[id];
        unlink(id);
        uint32_t slot = n.hash & mask_;
        while (index_[slot] != id) slot = (slot + 1) & mask_;
        // Backward-shift deletion keeps probe chains intact without tombstones.
        for (uint32_t next = (slot + 1) & mask_;; next = (next + 1) & mask_) {
            const uint32_t other = index_[next];
            if (other == kNoFlow) break;
            const uint32_t home = nodes_[other].hash & mask_;
            const bool movable = ((next - home) & mask_) >= ((next - slot) & mask_);
            if (movable) {
                index_[slot] = other;
                slot = next;
            }
        }
        index_[slot] = kNoFlow;
        n.data = Data{};
        n.next = free_;
        free_ = id;
        --size_;
    }

    // Marks activity: the flow moves to the tail of its (possibly new) class list.
    void touch(uint32_t id, uint64_t now, TimeoutClass cls) {
        unlink(id);
        nodes_[id].last_seen = now;
        nodes_[id].cls = cls;
        link_tail(id);
    }

    // The stalest flow of class `cls`, or kNoFlow.
    uint32_t oldest(TimeoutClass cls) const { return lists_[static_cast<int>(cls)].head; }
    // The flow to evict when full: stalest closed, else stalest new, else stalest established.
    uint32_t eviction_candidate() const {
        for (const auto &l : lists_)
            if (l.head != kNoFlow) return l.head;
        return kNoFlow;
    }

    Data &data(uint32_t id) { return nodes_[id].data; }
    const Data &data(uint32_t id) const { return nodes_[id].data; }
    const net::FlowKey &key(uint32_t id) const { return nodes_[id].key; }
    uint32_t hash(uint32_t id) const { return nodes_[id].hash; }
    uint64_t last_seen(uint32_t id) const { return nodes_[id].last_seen; }
    TimeoutClass timeout_class(uint32_t id) const { return nodes_[id].cls; }

    // Visits every flow (oldest first per class); `fn` must not insert or remove.
    template <class Fn>
    void for_each(Fn &&fn) const {
        for (auto &l : lists_)
            for (uint32_t id = l.head; id != kNoFlow; id = nodes_[id].next) fn(id);
    }

private:
    struct Node {
        net::FlowKey key;
        uint32_t hash = 0;
        uint32_t prev = kNoFlow;
        uint32_t next = kNoFlow;  // LRU list, or free list when unused
        uint64_t last_seen = 0;
        TimeoutClass cls = TimeoutClass::New;
        Data data{};
    };
    struct List {
        uint32_t head = kNoFlow;
        uint32_t tail = kNoFlow;
    };

    void link_tail(uint32_t id) {
        List &l = lists_[static_cast<int>(nodes_[id].cls)];
        nodes_[id].prev = l.tail;
        nodes_[id].next = kNoFlow;
        if (l.tail != kNoFlow) nodes_[l.tail].next = id;
        else l.head = id;
        l.tail = id;
    }
    void unlink(uint32_t id) {
        Node &n = nodes_[id];
        List &l = lists_[static_cast<int>(n.cls)];
        if (n.prev != kNoFlow) nodes_[n.prev].next = n.next;
        else l.head = n.next;
        if (n.next != kNoFlow) nodes_[n.next].prev = n.prev;
        else l.tail = n.prev;
        n.prev = n.next = kNoFlow;
    }

    std::vector<Node> nodes_;
    std::vector<uint32_t> index_;
    uint32_t mask_ = 0;
    uint32_t free_ = kNoFlow;
    uint32_t size_ = 0;
    std::array<List, kTimeoutClasses> lists_;
};

}  // namespace postern::flow
