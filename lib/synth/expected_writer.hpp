// Streams the "expected" JSON file: a header, one line per flow, totals at the end.
//   {"generator":"postern-synth","format_version":1,...,"flows":[
//   {flow}, ...
//   ],"totals":{...}}
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "synth/flow_truth.hpp"

namespace postern::synth {

nlohmann::ordered_json flow_truth_json(const FlowTruth &t);

class ExpectedWriter {
public:
    // `meta` (an object) is written before "flows". Throws std::runtime_error if unopenable.
    ExpectedWriter(const std::string &path, const nlohmann::ordered_json &meta);
    ~ExpectedWriter();
    ExpectedWriter(const ExpectedWriter &) = delete;
    ExpectedWriter &operator=(const ExpectedWriter &) = delete;

    void add(const FlowTruth &t);
    // Writes `totals` and closes; throws std::runtime_error on a write error.
    void finish(const nlohmann::ordered_json &totals);

private:
    void put(const std::string &s);

    std::string path_;
    std::FILE *file_ = nullptr;
    bool first_ = true;
};

}  // namespace postern::synth
