// Where rendered EVE records go. The worker implements it over its render buffer and its
// channel to the control plane; tests implement it over a vector of strings.
#pragma once

#include "output/eve.hpp"
#include "output/json_writer.hpp"

namespace postern::inspect {

class RecordOutput {
public:
    // A writer over an empty render buffer for the next record.
    virtual output::JsonWriter &begin_record() = 0;
    // Queues what the writer holds as one record (dropped and counted if it overflowed).
    virtual void commit_record(output::EveType type) = 0;

protected:
    ~RecordOutput() = default;
};

}  // namespace postern::inspect
