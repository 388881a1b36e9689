// Owning handles for Hyperscan databases and scratch regions.
#pragma once

#include <hs/hs.h>

#include <memory>

namespace postern::rules {

struct HsDatabaseFree {
    void operator()(hs_database_t *db) const { hs_free_database(db); }
};
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseFree>;

struct HsScratchFree {
    void operator()(hs_scratch_t *s) const { hs_free_scratch(s); }
};
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchFree>;

}  // namespace postern::rules
