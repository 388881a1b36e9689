// A Hyperscan scratch region owned by one thread. Scanning needs one per concurrent scan; it must
// have been allocated (or grown) for every database it scans. prepare() allocates: call it off the
// hot path, e.g. before a worker starts using a newly published rule set.
#pragma once

#include <hs/hs.h>

#include "rules/hs_handles.hpp"

namespace postern::rules {

class RuleSet;

class Scratch {
public:
    Scratch() = default;
    explicit Scratch(HsScratch s) : s_(std::move(s)) {}

    hs_scratch_t *get() const { return s_.get(); }
    explicit operator bool() const { return s_ != nullptr; }
    // Grows the region so it can scan every database of `set`. False when allocation failed (the
    // region is then still valid for what it was valid for before).
    bool prepare(const RuleSet &set);
    HsScratch take() && { return std::move(s_); }

private:
    HsScratch s_;
};

}  // namespace postern::rules
