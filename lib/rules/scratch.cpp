#include "rules/scratch.hpp"

#include "rules/rule_set.hpp"

namespace postern::rules {

bool Scratch::prepare(const RuleSet &set) {
    hs_scratch_t *s = s_.release();
    bool ok = true;
    // hs_alloc_scratch grows `s` in place (or allocates it when null) for each database.
    set.for_each_database([&](const hs_database_t *db) {
        if (ok && hs_alloc_scratch(db, &s) != HS_SUCCESS) ok = false;
    });
    s_.reset(s);
    return ok;
}

}  // namespace postern::rules
