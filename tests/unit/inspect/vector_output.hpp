// A RecordOutput for tests: every committed EVE record, parsed.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inspect/record_output.hpp"

namespace postern::inspect::test {

class VectorOutput final : public RecordOutput {
public:
    output::JsonWriter &begin_record() override {
        writer_.reset();
        return writer_;
    }
    void commit_record(output::EveType) override {
        ASSERT_FALSE(writer_.overflowed());
        records.push_back(nlohmann::json::parse(writer_.view()));
    }
    std::vector<nlohmann::json> of_type(const std::string &type) const {
        std::vector<nlohmann::json> out;
        for (const auto &r : records)
            if (r["event_type"] == type) out.push_back(r);
        return out;
    }
    std::vector<nlohmann::json> records;

private:
    output::FixedJsonWriter<65536> writer_;
};

}  // namespace postern::inspect::test
