#include "rule_publication.hpp"

#include <stdexcept>

#include <rte_malloc.h>

namespace postern::dataplane {

RulePublication::RulePublication(unsigned workers) {
    const unsigned n = workers ? workers : 1;
    const size_t size = rte_rcu_qsbr_get_memsize(n);
    qsv_ = static_cast<rte_rcu_qsbr *>(rte_zmalloc("postern_rules_qsbr", size, RTE_CACHE_LINE_SIZE));
    if (!qsv_ || rte_rcu_qsbr_init(qsv_, n) != 0) throw std::runtime_error("cannot allocate the rule-set RCU state");
    for (unsigned i = 0; i < workers; ++i) rte_rcu_qsbr_thread_register(qsv_, i);
}

RulePublication::~RulePublication() {
    retired_.clear();
    rte_free(qsv_);
}

void RulePublication::publish(std::shared_ptr<const rules::RuleSet> set) {
    current_.store(set.get(), std::memory_order_release);
    // Workers that are online now may still hold the old pointer: wait for their next quiescent state.
    const uint64_t token = rte_rcu_qsbr_start(qsv_);
    if (owner_) retired_.push_back({std::move(owner_), token});
    owner_ = std::move(set);
    reclaim();
}

size_t RulePublication::reclaim() {
    size_t kept = 0;
    for (auto &r : retired_) {
        if (rte_rcu_qsbr_check(qsv_, r.token, false) == 1) {
            r.set.reset();
            ++freed_;
        } else {
            retired_[kept++] = std::move(r);
        }
    }
    retired_.resize(kept);
    return kept;
}

}  // namespace postern::dataplane
