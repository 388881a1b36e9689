// The rule set the workers match with, replaced without stopping them (RCU with rte_rcu_qsbr).
// The control plane publishes a new set with release semantics; each worker picks the pointer up
// at a burst boundary and reports quiescence once per loop iteration; a replaced set is freed
// only when every worker has passed a quiescent point after the swap, so no worker can still be
// scanning with it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include <rte_rcu_qsbr.h>

#include "rules/rule_set.hpp"

namespace postern::dataplane {

class RulePublication {
public:
    explicit RulePublication(unsigned workers);
    ~RulePublication();
    RulePublication(const RulePublication &) = delete;
    RulePublication &operator=(const RulePublication &) = delete;

    // Worker side (each worker with its own id, < workers).
    void worker_online(unsigned id) { rte_rcu_qsbr_thread_online(qsv_, id); }
    void worker_offline(unsigned id) { rte_rcu_qsbr_thread_offline(qsv_, id); }
    const rules::RuleSet *current() const { return current_.load(std::memory_order_acquire); }
    void quiescent(unsigned id) { rte_rcu_qsbr_quiescent(qsv_, id); }

    // Control-plane side (one thread).
    void publish(std::shared_ptr<const rules::RuleSet> set);
    // Frees the replaced sets every worker has moved on from; returns how many are still waiting.
    size_t reclaim();
    const std::shared_ptr<const rules::RuleSet> &owner() const { return owner_; }
    uint64_t freed() const { return freed_; }
    size_t waiting() const { return retired_.size(); }

private:
    struct Retired {
        std::shared_ptr<const rules::RuleSet> set;
        uint64_t token;
    };

    rte_rcu_qsbr *qsv_ = nullptr;
    std::atomic<const rules::RuleSet *> current_{nullptr};
    std::shared_ptr<const rules::RuleSet> owner_;  // keeps the current set alive
    std::vector<Retired> retired_;
    uint64_t freed_ = 0;
};

}  // namespace postern::dataplane
